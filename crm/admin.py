"""Users in the back office: only Administrators see and change them (SPEC's role table).

Users join by invitation (a link to set their password), change role and are deactivated
through admin actions that call crm.services, each audited with who did it.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from common import roles
from common.audit import who as audit_who
from crm import services
from crm.account_views import UserPasswordForm
from donors.admin.base import BackOfficeAdmin
from donors.text import text_problem

# Authenticator secrets are never shown, not even to Administrators: a lost phone is handled by
# the "Reset two-factor" action on the user.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", help_text="It will be their login.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=[(role, role) for role in roles.ROLES])

    def _one_line(self, name: str) -> str:
        value = self.cleaned_data[name]
        problem = text_problem(value, one_line=True)
        if problem:
            raise ValidationError(problem)
        return value

    def clean_first_name(self):
        return self._one_line("first_name")

    def clean_last_name(self):
        return self._one_line("last_name")


def _lockouts():
    """Failed sign-ins of the row's login that lock it now (django-axes' records)."""
    attempts = AccessAttempt.objects.filter(
        username=OuterRef("username"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gt=timezone.now() - settings.AXES_COOLOFF_TIME)
    return attempts


def _role_action(role: str):
    def action(modeladmin, request, queryset):
        for user in queryset:
            services.user_role_set(user=user, role=role, by=request.user)
        modeladmin.message_user(request, f"{queryset.count()} user(s) now have the role {role}.")

    action.__name__ = f"make_{role.lower().replace(' ', '_')}"
    return admin.action(description=f"Change role to {role}", permissions=["change"])(action)


admin.site.unregister(User)


@admin.register(User)
class BackOfficeUserAdmin(BackOfficeAdmin, UserAdmin):
    change_password_form = UserPasswordForm  # the "Set password" page saves through a service
    list_display = (
        "username",
        "email",
        "full_name",
        "role",
        "two_factor",
        "locked_out",
        "is_active",
    )
    list_filter = ("is_active", "groups")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "two_factor", "last_login", "date_joined")}),
    )
    readonly_fields = ("role", "is_active", "two_factor", "last_login", "date_joined")
    actions = [
        "unlock_sign_in",
        "invite_again",
        "reset_two_factor",
        "deactivate",
        *(_role_action(role) for role in roles.ROLES),
    ]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .annotate(has_two_factor=Exists(confirmed), is_locked_out=Exists(_lockouts()))
            .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
        )

    @admin.display(description="Name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description="Role")
    def role(self, user):
        names = {group.name for group in user.groups.all()}
        return ", ".join(role for role in roles.ROLES if role in names) or "-"

    @admin.display(description="Sign-in locked", boolean=True)
    def locked_out(self, user):
        return getattr(user, "is_locked_out", None)

    @admin.display(description="Two-factor", boolean=True)
    def two_factor(self, user):
        return getattr(user, "has_two_factor", None)

    # Who sees users is the role table's (auth permissions: Administrators only). Nobody adds
    # a user by hand (they are invited) or deletes one (their audit history names them).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Every change goes through crm.services: the user's details here, the rest by the actions.
    def save_model(self, request, obj, form, change):
        services.user_details_save(user=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # no inlines, and neither groups nor permissions are fields here (roles are set
        # by the actions, through services.user_role_set)

    @admin.action(description="Unlock sign-in", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            services.signin_unlock(user=user, by=request.user)
        self.message_user(request, f"Signing in is unlocked for {queryset.count()} user(s).")

    @admin.action(description="Send a new invitation link", permissions=["change"])
    def invite_again(self, request, queryset):
        for user in queryset:
            try:
                services.user_invite_again(user=user, by=request.user)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(request, f"A new invitation link was sent to {user.email}.")

    @admin.action(description="Reset two-factor (lost phone)", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            f"Two-factor authentication was reset for {queryset.count()} user(s): they set it "
            "up again at their next sign-in.",
        )

    @admin.action(description="Deactivate (can no longer sign in)", permissions=["change"])
    def deactivate(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                services.user_deactivate(user=user, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
        if done:
            self.message_user(request, f"{done} user(s) deactivated.")

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [path("invite/", invite, name="auth_user_invite"), *super().get_urls()]

    def invite_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if form.is_valid():
            try:
                user = services.user_invite(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("email", ValidationError(error.messages))
            except OSError:
                form.add_error(None, "The invitation email could not be sent: nobody was added.")
            else:
                self.message_user(
                    request,
                    f"Invitation sent to {user.email} as {form.cleaned_data['role']}.",
                )
                return redirect("admin:auth_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Invite a colleague",
            "two_factor_required": settings.TWO_FACTOR_REQUIRED,
        }
        return TemplateResponse(request, "admin/auth/user/invite.html", context)


@admin.display(description="User")
def _log_entry_who(model_admin, entry) -> str:
    """The user who made the change, else the task, webhook event or import that did."""
    return audit_who(entry)


class GroupThroughServices:
    """Role groups: saved and deleted through crm.services."""

    def save_model(self, request, obj, form, change):
        services.group_save(group=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        services.group_permissions_set(
            group=form.instance,
            permissions=form.cleaned_data.get("permissions", []),
            by=request.user,
        )

    def delete_model(self, request, obj):
        services.groups_delete(group_ids=[obj.pk], by=request.user)

    def delete_queryset(self, request, queryset):
        services.groups_delete(
            group_ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )


class TaskQueueThroughServices:
    """The task queue's schedules, queued tasks and results: written through crm.services."""

    def save_model(self, request, obj, form, change):
        services.task_queue_record_save(record=obj)

    def save_related(self, request, form, formsets, change):
        pass  # no inlines, and no many-to-many fields

    def delete_model(self, request, obj):
        services.task_queue_records_delete(model=self.model, ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.task_queue_records_delete(
            model=self.model, ids=list(queryset.values_list("pk", flat=True))
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "resubmit_task" in actions:
            actions["resubmit_task"] = (
                _resubmit_tasks,
                "resubmit_task",
                _resubmit_tasks.short_description,
            )
        return actions


def _resubmit_tasks(modeladmin, request, queryset):
    count = services.tasks_resubmit(
        model=modeladmin.model, ids=list(queryset.values_list("pk", flat=True))
    )
    modeladmin.message_user(request, f"{count} task(s) queued again.")


_resubmit_tasks.short_description = "Resubmit selected tasks to queue"


def _on_back_office_base(model_admin) -> None:
    """Another package's admin (groups, the audit log, the task queue) put on the back
    office's base like every admin of ours: its list too answers only the filters it offers
    (donors.admin.base.BackOfficeAdmin). Its pages are otherwise its own."""
    model = model_admin.model
    original = type(model_admin)
    # The entry's author is shown by name to Staff, who may not open users.
    attributes = {}
    if model._meta.label == "auditlog.LogEntry":
        attributes = {"shown_through": ("actor",), "user_url": _log_entry_who}
    admin.site.unregister(model)
    writers = {"auth": (GroupThroughServices,), "django_q": (TaskQueueThroughServices,)}
    bases = (*writers.get(model._meta.app_label, ()), BackOfficeAdmin, original)
    admin.site.register(model, type(original.__name__, bases, attributes))


# The apps listed before this one in INSTALLED_APPS have registered theirs by now; ours
# (donors, events, compliance) build on the base themselves.
for _model_admin in list(admin.site._registry.values()):
    if not isinstance(_model_admin, BackOfficeAdmin):
        _on_back_office_base(_model_admin)
