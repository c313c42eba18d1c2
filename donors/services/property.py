"""Gifts of property: the charity's part of Form 8283 and the disposal that calls for Form 8282."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from common.door import service
from donors.hooks import property_changed
from donors.models import PropertyRecord
from donors.money import money

# The fields a change to which may move (or remove) the gift's Form 8282 filing.
PLANNING_FIELDS = (
    "form_8283_presented",
    "form_8283_signed_on",
    "appraised_value",
    "disposed_on",
    "disposal_amount",
)


@service
@transaction.atomic
def property_record_save(*, record: PropertyRecord) -> PropertyRecord:
    """Record or correct a property gift's Form 8283 (presented, signed by whom and when), its
    appraised value, and its sale or disposal; compliance then plans Form 8282 from it."""
    previous = None
    if record.pk:
        previous = PropertyRecord.objects.filter(pk=record.pk).values_list(*PLANNING_FIELDS).first()
    record.form_8283_signer = record.form_8283_signer.strip()
    record.full_clean()
    for field in ("appraised_value", "disposal_amount"):
        if getattr(record, field) is not None:
            setattr(record, field, money(getattr(record, field)))
    record.save()
    if previous != tuple(getattr(record, field) for field in PLANNING_FIELDS):
        property_changed(gift_id=record.gift_id)
    return record


@service
@transaction.atomic
def property_records_delete(*, records: Iterable[PropertyRecord]) -> int:
    """Delete property records one by one, so each deletion leaves its audit record; a Form
    8282 planned from one is taken off the calendar unless it was filed."""
    count = 0
    for record in records:
        gift_id = record.gift_id
        record.delete()
        property_changed(gift_id=gift_id)
        count += 1
    return count


@service
@transaction.atomic
def property_records_save(
    *, records: Iterable[PropertyRecord], deleted: Iterable[PropertyRecord] = ()
) -> None:
    """A gift's property record as edited on its page (the admin's inline)."""
    property_records_delete(records=deleted)
    for record in records:
        property_record_save(record=record)
