from django.contrib import admin

from donors.admin.base import (
    AuditedAdmin,
    BackOfficeAdmin,
    money_column,
    relinked_fields,
)
from donors.models import BoardGoal, BoardMember, Committee
from donors.rules import may_keep_goals
from donors.services import (
    board_goal_set,
    board_goals_delete,
    board_goals_save,
    board_member_save,
    board_members_delete,
    committee_save,
    committees_delete,
)


def _keeps_all_goals(request) -> bool:
    return request.user.has_perm("donors.change_boardgoal")


def _keeps_own_goals(request) -> bool:
    return request.user.has_perm("donors.change_own_boardgoal")


class BoardGoalInline(admin.TabularInline):
    model = BoardGoal
    extra = 0
    fields = ["fiscal_year", "give_goal", "get_goal"]


@admin.register(BoardMember)
class BoardMemberAdmin(AuditedAdmin):
    list_display = ["donor", "role", "term_start", "term_end", "committee_list", "user"]
    list_select_related = ["donor", "user"]
    list_filter = ["role", "committees"]
    search_fields = ["donor__display_name", "user__username"]
    autocomplete_fields = ["donor"]
    filter_horizontal = ["committees"]
    inlines = [BoardGoalInline]
    shown_through = ("user",)  # the member's login name, for those who may not open users

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("committees")

    @admin.display(description="committees")
    def committee_list(self, obj):
        return ", ".join(c.name for c in obj.committees.all())

    def save_model(self, request, obj, form, change):
        board_member_save(member=obj)

    def save_related(self, request, form, formsets, change):
        if relinked_fields(form):
            board_member_save(member=form.instance, committees=form.cleaned_data["committees"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        goals = formset.save(commit=False)  # builds the records; writes nothing
        board_goals_save(member=form.instance, goals=goals, deleted=formset.deleted_objects)

    def delete_model(self, request, obj):
        board_members_delete(members=[obj])

    def delete_queryset(self, request, queryset):
        board_members_delete(members=queryset)


@admin.register(BoardGoal)
class BoardGoalAdmin(AuditedAdmin):
    """Staff keep every member's goals; a board member keeps their own and sees the others'."""

    list_display = [
        "member", "fiscal_year", money_column("give_goal"), money_column("get_goal")
    ]  # fmt: skip
    list_select_related = ["member__donor"]
    list_filter = ["fiscal_year"]
    search_fields = ["member__donor__display_name"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) or _keeps_own_goals(request)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if _keeps_own_goals(request):
            return obj is None or may_keep_goals(request.user, obj.member)
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not _keeps_all_goals(request) and "member" in form.base_fields:
            form.base_fields["member"].queryset = BoardMember.objects.filter(user=request.user)
        return form

    def save_model(self, request, obj, form, change):
        board_goal_set(
            member=obj.member,
            fiscal_year=obj.fiscal_year,
            give_goal=obj.give_goal,
            get_goal=obj.get_goal,
            goal=obj,
        )

    def delete_model(self, request, obj):
        board_goals_delete(goals=[obj])

    def delete_queryset(self, request, queryset):
        board_goals_delete(goals=queryset)


@admin.register(Committee)
class CommitteeAdmin(BackOfficeAdmin):
    list_display = ["name"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        committee_save(committee=obj)

    def delete_model(self, request, obj):
        committees_delete(committees=[obj])

    def delete_queryset(self, request, queryset):
        committees_delete(committees=queryset)
