"""The duplicate donors page and the merge, for those who may change and delete donors
(Administrators and Staff)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from donors.admin.base import BackOfficeAdmin
from donors.models import Donor, NameVariant
from donors.selectors import (
    donors_with_contacts,
    duplicate_candidates,
    duplicate_donor_pairs,
)
from donors.services import (
    donors_mark_not_duplicate,
    donors_merge,
    merge_blockers,
    name_variant_save,
    name_variants_delete,
)


class DuplicatesMixin:
    change_list_template = "admin/donors/donor_change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_merge_donors": self.has_merge_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="donors_donor_duplicates"),
            path(
                "merge/<int:first>/<int:second>/",
                view(self.merge_view),
                name="donors_donor_merge",
            ),
            path(
                "not-duplicates/<int:first>/<int:second>/",
                view(require_POST(self.not_duplicates_view)),
                name="donors_donor_not_duplicates",
            ),
        ] + super().get_urls()

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm("donors.change_donor") and request.user.has_perm(
            "donors.delete_donor"
        )

    def _check(self, request):
        if not self.has_merge_permission(request):
            raise PermissionDenied

    def duplicates_view(self, request):
        self._check(request)
        page = Paginator(duplicate_candidates(), 50).get_page(request.GET.get("page"))
        # Only this page's donors are read (with their email and city).
        page.object_list = duplicate_donor_pairs(list(page.object_list))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Likely duplicate donors",
            "page": page,
        }
        return TemplateResponse(request, "admin/donors/duplicates.html", context)

    def merge_view(self, request, first: int, second: int):
        self._check(request)
        donors = donors_with_contacts(Donor.objects.filter(pk__in=[first, second])).in_bulk()
        if first == second or len(donors) != 2:
            messages.error(request, "Choose two different donors that still exist.")
            return redirect("admin:donors_donor_duplicates")
        pair = [donors[first], donors[second]]
        if request.method == "POST":
            keep = request.POST.get("survivor")
            if keep not in {str(first), str(second)}:
                messages.error(request, "Choose which donor to keep.")
            else:
                survivor = donors[int(keep)]
                other = donors[second if int(keep) == first else first]
                try:
                    donors_merge(survivor=survivor, other=other, user=request.user)
                except ValidationError as error:
                    for message in error.messages:
                        messages.error(request, message)
                else:
                    messages.success(request, f"Merged {other} into {survivor}.")
                    return redirect(reverse("admin:donors_donor_change", args=[survivor.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Merge two donors",
            "pair": [
                {
                    "donor": donor,
                    "counts": self._counts(donor),
                    "blockers": merge_blockers(survivor=donor, other=pair[1 - i]),
                }
                for i, donor in enumerate(pair)
            ],
        }
        return TemplateResponse(request, "admin/donors/merge.html", context)

    def _counts(self, donor) -> list[tuple[str, int]]:
        counts = []
        for rel in Donor._meta.related_objects:
            if rel.many_to_many:
                continue
            n = rel.related_model._default_manager.filter(**{rel.field.name: donor}).count()
            if n:
                counts.append((str(rel.related_model._meta.verbose_name_plural), n))
        return counts

    def not_duplicates_view(self, request, first: int, second: int):
        self._check(request)
        one, other = get_object_or_404(Donor, pk=first), get_object_or_404(Donor, pk=second)
        if one == other:
            messages.error(request, "Choose two different donors.")
            return redirect("admin:donors_donor_duplicates")
        try:
            donors_mark_not_duplicate(first=one, second=other, user=request.user)
        except IntegrityError:  # pragma: no cover - same pair marked twice at once
            pass
        messages.success(request, "Marked as different donors; they leave the list.")
        return redirect("admin:donors_donor_duplicates")


@admin.register(NameVariant)
class NameVariantAdmin(BackOfficeAdmin):
    """Spellings of one name: the duplicates page treats "Mohammed Kureshi" and "Muhammad
    Qureshi" as one name when both spellings lead to the same canonical one."""

    list_display = ["variant", "canonical"]
    search_fields = ["variant", "canonical"]

    def save_model(self, request, obj, form, change):
        name_variant_save(variant=obj)

    def delete_model(self, request, obj):
        name_variants_delete(variants=[obj])

    def delete_queryset(self, request, queryset):
        name_variants_delete(variants=queryset)
