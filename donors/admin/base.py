"""Shared pieces of the back office: audited admins, permission helpers, safe forms."""

from __future__ import annotations

from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    EmptyResultSet,
    FieldDoesNotExist,
    FullResultSet,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import connections
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.text import capfirst

from common.audit import who
from common.door import WriteOutsideService
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


class BackOfficeChangeList(ChangeList):
    """A list that answers only the filters it offers: a lookup in the URL that none of this
    request's list filters took (and the admin does not name in ``url_lookups``) is refused
    as Django refuses a lookup (a 400 for a field, "?e=1" for a name that is none) instead of
    being run. Otherwise anyone could filter on any column, shown or not, and read a hidden
    figure by bisecting it (Django allows any lookup on the model's own fields)."""

    def __init__(self, request, *args, **kwargs):
        self._request = request  # for get_ordering_field, which Django gives no request
        super().__init__(request, *args, **kwargs)

    def get_filters(self, request):
        for values in self.get_filters_params().values():
            if any("\x00" in value or _too_large(value) for value in values):
                # No column holds a NUL or a number past 64 bits, and the databases refuse
                # the query outright (PostgreSQL a NUL, SQLite such a number for an id).
                raise IncorrectLookupParameters("No column holds this filter's value.")
        specs, has_filters, remaining, may_have_duplicates, has_active = super().get_filters(
            request
        )
        allowed = set(self.model_admin.get_url_lookups(request))
        if self.date_hierarchy:
            # Django turns the date links' year/month/day into these two.
            allowed |= {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        for key in remaining:
            if key in allowed:
                continue
            try:
                self.lookup_opts.get_field(key.split(LOOKUP_SEP)[0])
            except FieldDoesNotExist as error:
                # As Django answers a filter that names no field (or one this role's list
                # does not have, such as "gave in year" for organizers): "?e=1".
                raise IncorrectLookupParameters(error) from error
            raise DisallowedModelAdminLookup(f"Filtering by {key} not allowed")
        return specs, has_filters, remaining, may_have_duplicates, has_active

    def get_queryset(self, request, exclude_parameters=None):
        # A filter's value that no column can hold (a year past 9999, an amount of 1e999999,
        # a word for an id) is the "?e=1" answer Django gives a bad lookup, not a 500: the
        # list filters' own querysets are checked too, and the SQL is compiled here (no
        # query runs) so that values are converted for the database now, not at the count.
        try:
            queryset = super().get_queryset(request, exclude_parameters)
            queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, TypeError, ArithmeticError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if isinstance(order_field, str) and self.model_admin.path_hidden(
            self._request, order_field.lstrip("-")
        ):
            return None  # shown, but sorted by what this role may not see: not sortable
        return order_field


def _too_large(value: str) -> bool:
    digits = value.strip().lstrip("+-")
    return digits.isdigit() and len(digits) > 18


class ActionsFromOtherApps:
    """The extension point for actions that apps above donors put on a donors list.

    donors may not import compliance or events, so an app that wants an action on, say, the
    gifts list registers it here (``GiftAdmin.extra_action_add(...)`` in its admin module)
    instead of patching the class; donors shows each one to the users its ``allowed`` check
    admits (Django's ``permissions=`` on the action is not used for these).
    """

    extra_actions: tuple = ()

    @classmethod
    def extra_action_add(cls, action, *, allowed) -> None:
        """Add ``action`` to this list, offered only when ``allowed(request)`` is true."""
        cls.extra_actions = (*cls.extra_actions, (action, allowed))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions  # Django's rule: no actions on such a list, nor in a pop-up
        for action, allowed in self.extra_actions:
            if allowed(request):
                func, name, description = self.get_action(action)
                actions[name] = (func, name, description)
        return actions


class BackOfficeAdmin(admin.ModelAdmin):
    """The base of every admin in the back office: a role sees, sorts, filters and searches
    only what it may see, whatever the URL says.

    - ``giving_fields``: this model's fields hidden from those who do not see giving;
    - a relation to records the role may not open hides them whole, unless the list shows
      them anyway (``shown_through``: a ticket's gift to an organizer, a user's name);
    - filters in the URL: only those the list's filters offer this request (see
      BackOfficeChangeList), plus ``url_lookups`` that pages link to, never a hidden path;
    - sorting: only by shown columns whose order is not hidden; searching: only hidden-free
      ``search_fields``.
    """

    giving_fields: tuple[str, ...] = ()
    shown_through: tuple[str, ...] = ()
    url_lookups: tuple[str, ...] = ()

    # One door (common/door.py): Django's own writers save the form's objects directly. For
    # the records the door guards (settings.ONE_DOOR_APPS) they refuse here, so an admin that
    # lets a role add, change or delete must override each writer it uses with one that calls
    # a service (tests/crm/test_one_door.py checks every admin). Other packages' admins put on
    # this base (users' groups, the task queue: crm/admin.py) keep their own writers.
    def _door_guards(self) -> bool:
        return self.model._meta.app_label in settings.ONE_DOOR_APPS

    def _refuse(self, writer: str):
        raise WriteOutsideService(
            f"{type(self).__name__}.{writer} is Django's default, which writes without a "
            f"service: override {writer} to call one of the app's services (common/door.py)."
        )

    def save_model(self, request, obj, form, change):
        if self._door_guards():
            self._refuse("save_model")
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        if self._door_guards():
            self._refuse("delete_model")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self._door_guards():
            self._refuse("delete_queryset")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        if self._door_guards() and formset.has_changed():  # untouched or read-only: no write
            self._refuse("save_formset")
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if not self._door_guards():
            return super().save_related(request, form, formsets, change)
        if relinked_fields(form):
            self._refuse("save_related")
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_changelist(self, request, **kwargs):
        return BackOfficeChangeList

    def hidden_fields(self, request) -> frozenset[str]:
        return frozenset() if can_see_giving(request) else frozenset(self.giving_fields)

    def get_url_lookups(self, request) -> list[str]:
        return [lookup for lookup in self.url_lookups if not self.path_hidden(request, lookup)]

    def path_hidden(self, request, path: str) -> bool:
        """Whether a lookup path (``donor__lifetime_total__gte``) reaches, or passes through,
        something this request's user may not see."""
        model, parts = self.model, path.split(LOOKUP_SEP)
        for i, part in enumerate(parts):
            try:
                field = model._meta.get_field(model._meta.pk.name if part == "pk" else part)
            except FieldDoesNotExist:
                return False  # a lookup or transform (gte, year): the field was checked
            if field.name in _hidden_fields(self.admin_site, request, model):
                return True
            if not field.is_relation or field.related_model is None:
                return False
            related = field.related_model
            following = parts[i + 1] if i + 1 < len(parts) else None
            if (
                field.concrete
                and not field.many_to_many
                and following in ("pk", related._meta.pk.name)
            ):
                return False  # the relation's own column (donor__id): the same as donor
            passes = model is self.model and field.name in self.shown_through
            if not passes and not _may_view(self.admin_site, request, related):
                return True
            model = related
        return False

    def lookup_allowed(self, lookup, value, request=None):
        if request is not None and self.path_hidden(request, lookup):
            return False
        if request is not None and lookup in self.get_url_lookups(request):
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [
            field
            for field in super().get_search_fields(request)
            if not self.path_hidden(request, field.lstrip("^=@"))
        ]

    def get_list_filter(self, request):
        return [
            item
            for item in super().get_list_filter(request)
            if not (
                isinstance(item, (str, list, tuple))
                and self.path_hidden(request, item if isinstance(item, str) else item[0])
            )
        ]


def relinked_fields(form) -> list[str]:
    """The many-to-many fields (tags, committees) whose choice the form changed."""
    return [
        field.name
        for field in form._meta.model._meta.many_to_many
        if field.name in form.fields and field.name in form.changed_data
    ]


def _hidden_fields(site, request, model) -> frozenset[str]:
    model_admin = site._registry.get(model)
    if isinstance(model_admin, BackOfficeAdmin):
        return model_admin.hidden_fields(request)
    return frozenset()


def _may_view(site, request, model) -> bool:
    model_admin = site._registry.get(model)
    if model_admin is not None:
        return model_admin.has_view_permission(request)
    opts = model._meta
    return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


class AuditedAdmin(AuditlogHistoryAdminMixin, BackOfficeAdmin):
    """An admin whose change page links to the record's audit history (Administrators and
    Staff only)."""

    change_form_template = "admin/audited_change_form.html"
    form = ServiceModelForm

    def auditlog_history_view(self, request, object_id, extra_context=None):
        if not can_see_audit(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # As the change and history pages answer a missing record.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        paginator = self.get_paginator(
            request, self.auditlog_entries(request, obj), self.auditlog_history_per_page
        )
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        page.object_list = list(page.object_list)
        for entry in page.object_list:
            # Who: the user, else the task, webhook event or import that did it (common.audit).
            entry.who = who(entry)
            if (entry.content_type.model_class(), entry.object_pk) != (self.model, str(obj.pk)):
                model = entry.content_type.model_class()
                name = model._meta.verbose_name if model else entry.content_type.model
                entry.subject = f"{capfirst(name)}: {entry.object_repr}"
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit log: {obj}",
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.count > self.auditlog_history_per_page,
            "object": obj,
            "opts": self.opts,
            "log_entries": page,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.auditlog_history_template, context)

    def auditlog_entries(self, request, obj):
        """The entries the history page lists: the record's own."""
        return (
            LogEntry.objects.get_for_object(obj)
            .select_related("actor", "content_type")
            .order_by("-timestamp", "-pk")
        )


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
