"""Segments, as staff build them in the back office: saved with their criteria checked,
deleted unless an appeal still targets one."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from common.door import service
from donors.models import Segment
from donors.segments import definition_clean


@service
@transaction.atomic
def segment_save(*, segment: Segment, user=None) -> Segment:
    """Save a segment with its criteria checked and normalized (``ValidationError`` naming
    each bad criterion). ``user``: who builds a new segment."""
    try:
        segment.definition = definition_clean(segment.definition)
    except ValidationError as error:
        messages = (
            [m for ms in error.message_dict.values() for m in ms]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise ValidationError({"definition": messages}) from None
    if segment.pk is None and user is not None and segment.created_by_id is None:
        segment.created_by = user
    segment.full_clean()
    segment.save()
    return segment


@service
@transaction.atomic
def segments_delete(*, segments: Iterable[Segment]) -> int:
    """One by one, so each deletion leaves its audit record. A segment an appeal targets is
    refused (``ValidationError`` naming the appeals): delete or change the appeals first."""
    segments = list(segments)
    used = [s for s in segments if s.appeals.exists()]
    if used:
        names = "; ".join(
            f"{s.name} (appeal {', '.join(a.name for a in s.appeals.all()[:5])})" for s in used
        )
        raise ValidationError(
            f"A segment an appeal targets cannot be deleted: {names}. Change the appeal's "
            "segment first."
        )
    for segment in segments:
        segment.delete()
    return len(segments)
