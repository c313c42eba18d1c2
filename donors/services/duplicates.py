"""The staff's table of name spelling variants, which the duplicates page reads."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from common.door import service
from donors.models import NameVariant


@service
@transaction.atomic
def name_variant_save(*, variant: NameVariant) -> NameVariant:
    """Add or change one spelling: "Mohammed" is "Muhammad". Stored as lower-case letters."""
    variant.full_clean()
    variant.save()
    return variant


@service
@transaction.atomic
def name_variants_delete(*, variants: Iterable[NameVariant]) -> int:
    """One by one, so each deletion leaves its audit record."""
    count = 0
    for variant in variants:
        variant.delete()
        count += 1
    return count
