"""The segment builder: a saved donor search, one field per criterion, its count shown as it
is built (a small script asks the count page; without scripts, the "Count" button shows the
page again with the count), the donors in it a page at a time, and its donors taken out
through the donor export. Staff and Administrators build; board members see segments and
their counts."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from donors.admin.base import AuditedAdmin, ServiceModelForm
from donors.models import Donor, Segment
from donors.segments import (
    CHOICES,
    CRITERIA,
    DATE_RANGE,
    MONEY_RANGE,
    WORDS,
    YEAR,
    YES,
    YES_NO,
    Criterion,
    definition_clean,
    definition_describe,
    segment_count,
    segment_donors,
)
from donors.selectors import donors_with_contacts
from donors.services import segment_save, segments_delete

PREVIEW_PER_PAGE = 25
COUNT_BUTTON = "_count"


# --- The form: one field (or two, for a range) per criterion ---------------------------------


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


def criterion_fields(criterion: Criterion) -> dict[str, forms.Field]:
    """The builder's form fields for one criterion, named after its key."""
    key, label, help_text = criterion.key, criterion.label, criterion.help_text
    if criterion.kind == MONEY_RANGE:
        return {
            f"{key}__min": forms.CharField(
                label=f"{label}: at least ($)", required=False, help_text=help_text
            ),
            f"{key}__max": forms.CharField(label=f"{label}: at most ($)", required=False),
        }
    if criterion.kind == DATE_RANGE:
        return {
            f"{key}__from": forms.CharField(
                label=f"{label}: on or after", required=False, widget=_date_input()
            ),
            f"{key}__to": forms.CharField(
                label=f"{label}: on or before", required=False, widget=_date_input()
            ),
        }
    if criterion.kind == YEAR:
        return {key: forms.CharField(label=label, required=False, help_text=help_text)}
    if criterion.kind == CHOICES:
        return {
            key: forms.MultipleChoiceField(
                label=label,
                required=False,
                help_text=help_text,
                choices=lambda c=criterion: [(str(v), str(t)) for v, t in c.choices()],
                widget=forms.SelectMultiple(attrs={"size": 5}),
            )
        }
    if criterion.kind == WORDS:
        return {key: forms.CharField(label=label, required=False, help_text=help_text)}
    if criterion.kind == YES:
        return {key: forms.BooleanField(label=label, required=False, help_text=help_text)}
    return {
        key: forms.ChoiceField(
            label=label,
            required=False,
            help_text=help_text,
            choices=[("", "Either"), ("yes", "Yes"), ("no", "No")],
        )
    }


def _field_names(criterion: Criterion) -> list[str]:
    return list(criterion_fields(criterion))


def definition_from_data(criterion: Criterion, data: dict):
    """The criterion's value from the form's cleaned data (None: not used)."""
    key = criterion.key
    if criterion.kind == MONEY_RANGE:
        value = {"min": data.get(f"{key}__min"), "max": data.get(f"{key}__max")}
        value = {k: v.strip() for k, v in value.items() if v and v.strip()}
        return value or None
    if criterion.kind == DATE_RANGE:
        value = {"from": data.get(f"{key}__from"), "to": data.get(f"{key}__to")}
        value = {k: v.strip() for k, v in value.items() if v and v.strip()}
        return value or None
    raw = data.get(key)
    if criterion.kind == YES:
        return True if raw else None
    if criterion.kind == YES_NO:
        return {"yes": True, "no": False}.get(raw)
    if criterion.kind == CHOICES:
        if not raw:
            return None
        return [int(v) if v.isdigit() else v for v in raw]
    if criterion.kind == WORDS:
        words = [w.strip() for w in (raw or "").replace(";", ",").split(",") if w.strip()]
        return words or None
    return (raw or "").strip() or None


def initial_from_definition(criterion: Criterion, value) -> dict:
    key = criterion.key
    if criterion.kind == MONEY_RANGE:
        return {f"{key}__min": value.get("min", ""), f"{key}__max": value.get("max", "")}
    if criterion.kind == DATE_RANGE:
        return {f"{key}__from": value.get("from", ""), f"{key}__to": value.get("to", "")}
    if criterion.kind == YES_NO:
        return {key: "yes" if value else "no"}
    if criterion.kind == CHOICES:
        return {key: [str(v) for v in value]}
    if criterion.kind == WORDS:
        return {key: ", ".join(value)}
    return {key: value}


class SegmentFormBase(ServiceModelForm):
    """The segment's name and description, and its criteria (the fields are added per
    criterion by ``segment_form_class``). ``definition`` is what the criteria say, checked;
    ``definition_ok`` whether they were."""

    class Meta:
        model = Segment
        fields = ["name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        definition = self.instance.definition or {}
        for key, value in definition.items():
            if key in CRITERIA and not self.is_bound:
                self.initial.update(initial_from_definition(CRITERIA[key], value))
        self.definition: dict = {}
        self.definition_ok = False

    def clean(self):
        cleaned = super().clean()
        raw = {}
        for criterion in CRITERIA.values():
            value = definition_from_data(criterion, cleaned)
            if value is not None:
                raw[criterion.key] = value
        try:
            self.definition = definition_clean(raw)
            self.definition_ok = True
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                names = _field_names(CRITERIA[key]) if key in CRITERIA else []
                for problem in problems:
                    self.add_error(names[0] if names else None, problem)
        self.instance.definition = self.definition
        return cleaned


def segment_form_class() -> type[SegmentFormBase]:
    """The builder's form with a field per criterion registered now (events add theirs)."""
    fields = {}
    for criterion in CRITERIA.values():
        fields.update(criterion_fields(criterion))
    return type("SegmentForm", (SegmentFormBase,), fields)


def criteria_fieldsets() -> list[tuple[str, dict]]:
    groups: dict[str, list] = {}
    for criterion in CRITERIA.values():
        names = _field_names(criterion)
        groups.setdefault(criterion.group, []).append(tuple(names) if len(names) > 1 else names[0])
    return [(group, {"fields": fields}) for group, fields in groups.items()]


def definition_from_request(data) -> dict:
    """The criteria posted to the count page, checked (``ValidationError`` naming each)."""
    form = segment_form_class()(data)
    form.is_valid()
    criteria_errors = {
        name: errors for name, errors in form.errors.items() if name not in ("name", "description")
    }
    if criteria_errors or not form.definition_ok:
        raise ValidationError(criteria_errors or {"__all__": ["The criteria could not be read."]})
    return form.definition


# --- The admin -----------------------------------------------------------------------------


@admin.register(Segment)
class SegmentAdmin(AuditedAdmin):
    change_form_template = "admin/donors/segment/change_form.html"
    # No count per row: each is a query over every donor (the page would grow with the
    # segments listed); a segment's count is on its page, worked out as it is built.
    list_display = ["name", "criteria", "updated_at"]
    search_fields = ["name", "description"]
    list_per_page = 25
    readonly_fields = ["created_by", "updated_at", "criteria"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = segment_form_class()
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # Seen, not built (board members): the criteria in words.
            return [(None, {"fields": ["name", "description", "criteria", "updated_at"]})]
        about = ["name", "description"]
        if obj is not None:
            about.append(("created_by", "updated_at"))
        return [(None, {"fields": about}), *criteria_fieldsets()]

    @admin.display(description="criteria")
    def criteria(self, obj):
        try:
            return "; ".join(definition_describe(obj.definition)) or "every donor"
        except ValidationError as error:
            return "criteria to correct: " + " ".join(error.messages)

    # Writes, through the services.

    def save_model(self, request, obj, form, change):
        segment_save(segment=obj, user=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # no related records: the criteria are the segment's definition

    def delete_model(self, request, obj):
        segments_delete(segments=[obj])

    def delete_queryset(self, request, queryset):
        segments_delete(segments=queryset)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.appeals.exists():
            names = ", ".join(a.name for a in obj.appeals.all()[:5])
            self.message_user(
                request,
                f"“{obj}” cannot be deleted: appeals target it ({names}). Change each "
                "appeal's segment first.",
                messages.ERROR,
            )
            return redirect("admin:donors_segment_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())

    # Pages of its own: the count as JSON, the export.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("count/", view(self.count_view), name="donors_segment_count"),
            path(
                "<int:segment_id>/export/",
                view(require_POST(self.export_view)),
                name="donors_segment_export",
            ),
        ] + super().get_urls()

    def count_view(self, request):
        """How many donors the criteria given (the builder's fields, by GET or POST) select:
        ``{"count": n}``, or ``{"errors": {field: [messages]}}`` with a 400."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        try:
            definition = definition_from_request(data)
        except ValidationError as error:
            return JsonResponse({"errors": error.message_dict}, status=400)
        return JsonResponse(
            {"count": segment_count(definition), "criteria": definition_describe(definition)}
        )

    def export_view(self, request, segment_id: int):
        """The segment's donors through the donor export (CSV streamed or in the background,
        XLSX in the background), for whoever may export donors."""
        segment = self.get_object(request, str(segment_id))
        if segment is None or not self.has_view_permission(request, segment):
            raise PermissionDenied
        donor_admin = self.admin_site._registry[Donor]
        if not donor_admin.has_export_permission(request):
            raise PermissionDenied
        try:
            donors = segment_donors(segment.definition).order_by("sort_name", "id")
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:donors_segment_change", segment.pk)
        if request.POST.get("format") == "xlsx":
            return donor_admin.export_xlsx(request, donors)
        return donor_admin.export_csv(request, donors)

    # The builder's count and preview.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and COUNT_BUTTON in request.POST:
            return self._count_page(request, object_id, form_url, extra_context)
        extra_context = dict(extra_context or {})
        if object_id is not None and request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                extra_context.update(self._preview(request, obj.definition))
                extra_context["segment_id"] = obj.pk
        extra_context.update(self._builder_context(request))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _builder_context(self, request) -> dict:
        donor_admin = self.admin_site._registry[Donor]
        return {
            "count_url": reverse("admin:donors_segment_count"),
            "can_export": donor_admin.has_export_permission(request),
            "can_invite": request.user.has_perm("events.add_invitation"),
        }

    def _preview(self, request, definition: dict) -> dict:
        try:
            donors = segment_donors(definition)
        except ValidationError as error:
            return {"segment_problem": " ".join(error.messages)}
        listed = donors_with_contacts(donors).order_by("sort_name", "id")
        paginator = Paginator(listed, PREVIEW_PER_PAGE)
        page = paginator.get_page(request.GET.get("donors_page"))
        return {
            "segment_count": paginator.count,
            "preview": page,
            "criteria_described": definition_describe(definition),
        }

    def _count_page(self, request, object_id, form_url, extra_context):
        """The builder shown again with the count of what it says now, nothing saved."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(
            request, obj, change=obj is not None, fields=flatten_fieldsets(fieldsets)
        )
        form = form_class(request.POST, instance=obj)
        form.is_valid()
        for name in ("name", "description"):  # counting needs no name yet
            form.errors.pop(name, None)
        context = dict(extra_context or {})
        context.update(self._builder_context(request))
        if form.definition_ok:
            context["segment_count"] = segment_count(form.definition)
            context["criteria_described"] = definition_describe(form.definition)
            context["counted_now"] = True
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        context.update(
            {
                **self.admin_site.each_context(request),
                "title": f"{'Change' if obj else 'Add'} segment",
                "subtitle": str(obj) if obj else None,
                "adminform": admin_form,
                "object_id": object_id,
                "original": obj,
                "is_popup": False,
                "to_field": None,
                "media": self.media + admin_form.media,
                "inline_admin_formsets": [],
                "errors": helpers.AdminErrorList(form, []),
                "preserved_filters": self.get_preserved_filters(request),
                "segment_id": obj.pk if obj else None,
            }
        )
        return self.render_change_form(
            request, context, add=obj is None, change=obj is not None, obj=obj, form_url=form_url
        )
