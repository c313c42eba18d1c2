"""The board's asks and the tasks on donors. Staff keep them all; a board member adds asks for
their own seat and tasks for themselves, and changes only those (the others open read-only)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from donors.admin.base import AuditedAdmin, ServiceModelForm, money_column
from donors.models import Ask, BoardMember, Task
from donors.rules import may_keep_ask, may_keep_task
from donors.services import ask_save, asks_delete, task_save, tasks_delete


def _keeps_all_asks(request) -> bool:
    return request.user.has_perm("donors.change_ask")


def _keeps_own_asks(request) -> bool:
    return request.user.has_perm("donors.change_own_ask")


def _keeps_all_tasks(request) -> bool:
    return request.user.has_perm("donors.change_task")


def _keeps_own_tasks(request) -> bool:
    return request.user.has_perm("donors.change_own_task")


class AskForm(ServiceModelForm):
    def _post_clean(self):
        super()._post_clean()
        # The form leaves out when the ask closed, so Django skips the constraints that read
        # it (one open ask per member and donor): checked here, as the service will.
        self.instance.closed_in_step()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Ask)
class AskAdmin(AuditedAdmin):
    form = AskForm
    list_display = ["donor", "member", money_column("amount", "ask amount"), "stage",
                    "next_step", "due_date", "closed_at"]  # fmt: skip
    list_select_related = ["donor", "member__donor"]
    list_filter = ["stage"]
    url_lookups = ("member__id__exact",)  # "All my asks", linked from a member's own page
    search_fields = ["donor__display_name"]
    autocomplete_fields = ["donor"]
    fields = ["donor", "member", "amount", "stage", "next_step", "due_date", "opened_on",
              "closed_at", "closing_gift"]  # fmt: skip
    readonly_fields = ["closed_at", "closing_gift"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) or _keeps_own_asks(request)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if _keeps_own_asks(request):
            return obj is None or may_keep_ask(request.user, obj)
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not _keeps_all_asks(request) and "member" in form.base_fields:
            form.base_fields["member"].queryset = BoardMember.objects.filter(user=request.user)
        return form

    def save_model(self, request, obj, form, change):
        ask_save(ask=obj)

    def delete_model(self, request, obj):
        asks_delete(asks=[obj])

    def delete_queryset(self, request, queryset):
        asks_delete(asks=queryset)


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["due_date", "kind", "donor", "what", "owner", "done_at"]
    list_select_related = ["donor", "owner"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["donor__display_name", "what"]
    autocomplete_fields = ["donor"]
    fields = ["donor", "owner", "kind", "what", "due_date", "done_at"]
    readonly_fields = ["done_at"]
    shown_through = ("owner",)  # who does it: a name, for those who may not open users

    def has_add_permission(self, request):
        return super().has_add_permission(request) or _keeps_own_tasks(request)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if _keeps_own_tasks(request):
            return obj is None or may_keep_task(request.user, obj)
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        owner = form.base_fields.get("owner")
        if owner is not None:
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            if not _keeps_all_tasks(request):
                users = users.filter(pk=request.user.pk)
            owner.queryset = users
            owner.initial = request.user.pk
        return form

    def save_model(self, request, obj, form, change):
        task_save(task=obj)

    def delete_model(self, request, obj):
        tasks_delete(tasks=[obj])

    def delete_queryset(self, request, queryset):
        tasks_delete(tasks=queryset)
