from django.contrib import admin

from donors.admin.base import AuditedAdmin, BackOfficeAdmin, money_column
from donors.models import BoardGoal, BoardMember, Committee
from donors.rules import may_keep_goals


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


@admin.register(Committee)
class CommitteeAdmin(BackOfficeAdmin):
    list_display = ["name"]
    search_fields = ["name"]
