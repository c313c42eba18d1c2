"""Shared pieces of the back office: audited admins, permission helpers, safe forms."""

from __future__ import annotations

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from donors.money import usd
from donors.text import text_problem


def can_see_giving(request) -> bool:
    """Event organizers see who people are, never what they gave."""
    return request.user.has_perm("donors.view_gift")


def can_see_audit(request) -> bool:
    return request.user.has_perm("auditlog.view_logentry")


class _TextRule:
    """A field validator: the text rule of donors.text, with its message."""

    def __init__(self, *, one_line: bool):
        self.one_line = one_line

    def __call__(self, value):
        problem = text_problem(value, one_line=self.one_line) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem, code="control_character")


class TextRules:
    """A form mixin: every text field refuses control characters (tab and newline aside), and
    every one written on one line (any but a text area: names, titles, subjects) line breaks,
    each with a message on the field. Text already stored is checked too: whoever edits the
    record is asked to correct it, where the models let it stay unchanged (CheckedText)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not field.disabled:
                one_line = not isinstance(field.widget, forms.Textarea)
                field.validators.append(_TextRule(one_line=one_line))


class ServiceModelForm(TextRules, forms.ModelForm):
    """A model form whose model.clean() may name fields the admin shows read-only: such
    messages are shown at the top of the form, prefixed with the field's name, instead of
    crashing. Its text fields follow the text rule (TextRules)."""

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            for name, messages in list(error.error_dict.items()):
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    label = name.replace("_", " ").capitalize()
                    for message in messages:
                        super().add_error(None, f"{label}: {' '.join(message.messages)}")
                    del error.error_dict[name]
            if not error.error_dict:
                return
        super().add_error(field, error)


class AuditedAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """An admin whose change page links to the record's audit history (Administrators and
    Staff only)."""

    change_form_template = "admin/audited_change_form.html"
    form = ServiceModelForm

    def auditlog_history_view(self, request, object_id, extra_context=None):
        if not can_see_audit(request):
            raise PermissionDenied
        return super().auditlog_history_view(request, object_id, extra_context)


class ViewOnly:
    """For an admin or inline of records the system writes (import runs, fetches, letters):
    whoever may view them sees them; nobody adds, changes or deletes them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ViewOnly):
    """An inline that lists related records and links to them, never edits them."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


class EstimatedCountPaginator(Paginator):
    """A paginator for the big lists (donors, gifts) that stays fast at a million rows.

    Counting every row takes PostgreSQL longer than the rest of the page, so:
    - an unfiltered list of more than ``ESTIMATE_ABOVE`` rows uses the planner's row estimate,
      which ANALYZE keeps close (``count_is_estimate``: the page says "about N");
    - a filtered or searched list counts at most ``COUNT_UP_TO`` rows and, past that, says
      "more than N" (``count_is_capped``); narrowing the filter gives the exact figure;
    - SQLite and small lists count exactly.
    """

    ESTIMATE_ABOVE = 100_000
    # From this row on, or on any page of a list longer than DEFER_ABOVE, a page first reads
    # its 50 ids alone (from the index that matches the list's order), then fetches those
    # rows with their joins: OFFSET then skips index entries instead of joined rows, and a
    # list sorted by a column no index serves (lifetime total) sorts ids and that column,
    # not whole rows (100,000 donors: 20 ms instead of 90). One query more.
    DEFER_FROM = 5_000
    DEFER_ABOVE = 10_000
    COUNT_UP_TO = 10_000
    count_is_estimate = False
    count_is_capped = False

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        if not hasattr(queryset, "values_list") or (
            bottom < self.DEFER_FROM and self.count <= self.DEFER_ABOVE
        ):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        return self._get_page(queryset.filter(pk__in=ids), number, self)

    @cached_property
    def count(self):
        counted = self._count_or_estimate()
        if counted is not None:
            count, self.count_is_estimate = counted
            return count
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        count = queryset.order_by()[: self.COUNT_UP_TO + 1].count()
        self.count_is_capped = count > self.COUNT_UP_TO
        return count

    def _count_or_estimate(self) -> tuple[int, bool] | None:
        """One query on PostgreSQL: the planner's estimate when it is over the threshold, else
        the exact count of the table. None where only the queryset can count (filtered, SQLite)."""
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            # reltuples is -1 until the table is first analyzed: then it is counted.
            cursor.execute(
                f"SELECT CASE WHEN reltuples > %s THEN reltuples::bigint "
                f"ELSE (SELECT COUNT(*) FROM {table}) END, reltuples > %s "
                f"FROM pg_class WHERE oid = %s::regclass",
                [self.ESTIMATE_ABOVE, self.ESTIMATE_ABOVE, queryset.model._meta.db_table],
            )
            count, estimated = cursor.fetchone()
        return int(count), bool(estimated)


def money_column(field: str, description: str | None = None):
    """A list column that shows a money field as dollars ($2,500.00), sortable by the field."""

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def column(obj):
        value = getattr(obj, field)
        return "-" if value is None else usd(value)

    column.__name__ = f"{field}_usd"
    return column
