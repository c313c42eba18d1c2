"""The thank-you queue's writes: a gift's donor thanked (when, how and by whom), once.

Compliance thanks by email (the thank-you with the receipt, or the not-a-receipt letter) and
marks the gift here; staff mark a gift thanked by letter or call from the queue's page.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from common.audit import log_bulk
from common.door import service
from donors.models import Gift, ThankedVia


def thanked_in_words(gift: Gift) -> str:
    """How and when, for messages: "by email on March 3, 2026 14:05"."""
    if gift.thanked_via == ThankedVia.EARLIER:
        return "before the thank-you queue existed"
    when = timezone.localtime(gift.thanked_at).strftime("%B %-d, %Y %H:%M")
    return f"by {gift.get_thanked_via_display().lower()} on {when}"


@service
@transaction.atomic
def gift_thanked_mark(
    *, gift: Gift, via: str, by=None, now: datetime.datetime | None = None
) -> Gift:
    """Record that the donor of ``gift`` was thanked ``via`` email, letter or call, by ``by``
    (None: the system). A gift is thanked once: a second mark is refused with the first."""
    if via not in ThankedVia.values:
        raise ValidationError(f"{via!r} is not a way of thanking.")
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    if gift.thanked_at is not None:
        raise ValidationError(
            f"This gift's donor was already thanked {thanked_in_words(gift)}.",
            code="already_thanked",
        )
    gift.thanked_at = now or timezone.now()
    gift.thanked_via = via
    gift.thanked_by = by
    # The audit log records the change (Gift is registered with django-auditlog).
    gift.save(update_fields=["thanked_at", "thanked_via", "thanked_by", "updated_at"])
    return gift


@service
@transaction.atomic
def gifts_thanked_mark(*, gifts: QuerySet[Gift], via: str, by=None) -> int:
    """Mark many gifts thanked at once (those not thanked yet), one audit entry each: the
    demo's history, thanked long ago."""
    if via not in ThankedVia.values:
        raise ValidationError(f"{via!r} is not a way of thanking.")
    now = timezone.now()
    # What each entry's label (Gift.__str__) reads, in this one query: no query per gift.
    rows = list(
        gifts.filter(thanked_at__isnull=True)
        .select_related("donor")
        .only("pk", "amount", "gift_date", "donor__display_name")
    )
    Gift.objects.filter(pk__in=[g.pk for g in rows]).update(
        thanked_at=now, thanked_via=via, thanked_by=by
    )
    log_bulk(rows, changes={"thanked_via": ["", via]})
    return len(rows)
