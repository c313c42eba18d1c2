"""One donor's history: the audit entries of the donor and of every audited record about them.

Generic over the audit registry: any model registered with django-auditlog that points at a
donor (a ``ForeignKey`` to Donor: gifts, emails, receipts, RSVPs...) or at such a record (a
gift's adjustments, a pledge's installments) counts, whichever app it belongs to; nothing here
names another app's models. A record deleted since is found by its deletion entry, which names
the donor it pointed at.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from donors.models import Donor


def _donor_fields(model) -> list[str]:
    return [
        f.name for f in model._meta.concrete_fields if f.many_to_one and f.related_model is Donor
    ]


def donor_paths(model) -> tuple[list[str], list[str]]:
    """How ``model`` reaches a donor: its own fields pointing at one, else lookups through a
    record that does (``gift__donor``). Empty when it is not about a donor."""
    direct = _donor_fields(model)
    if direct:
        return direct, direct
    through = [
        f"{f.name}__{name}"
        for f in model._meta.concrete_fields
        if f.many_to_one and f.related_model is not model
        for name in _donor_fields(f.related_model)
    ]
    return through, []


def donor_history(donor: Donor, *, may_view: Callable[[type[Model]], bool]) -> QuerySet:
    """Audit entries of ``donor`` and of the records about them that ``may_view(model)``
    allows, newest first."""
    types = ContentType.objects.get_for_models(*auditlog.get_models(), Donor)
    wanted = [Q(content_type=types[Donor], object_id=donor.pk)]
    for model, content_type in types.items():
        if model is Donor or not may_view(model):
            continue
        paths, direct = donor_paths(model)
        if not paths:
            continue
        rows = model._default_manager.filter(reduce(or_, (Q(**{p: donor}) for p in paths)))
        wanted.append(Q(content_type=content_type, object_id__in=rows.values("pk")))
        for field in direct:  # gone since: the deletion entry names the donor
            wanted.append(
                Q(
                    content_type=content_type,
                    action=LogEntry.Action.DELETE,
                    **{f"changes__{field}__0": str(donor.pk)},
                )
            )
    return (
        LogEntry.objects.filter(reduce(or_, wanted))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
