"""Appeals' writes: who an appeal asked, and how."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from common.audit import log_bulk
from common.door import service
from donors.models import Appeal, AppealRecipient, Donor


@service
@transaction.atomic
def appeal_recipients_record(
    *,
    appeal: Appeal,
    donor_ids: Iterable[int],
    via: str,
    now: datetime.datetime | None = None,
) -> int:
    """Record that ``appeal`` asked each of ``donor_ids`` by ``via`` (email or letter). A donor
    already recorded for that way is left as first recorded. Returns how many were new."""
    if via not in AppealRecipient.Via.values:
        raise ValueError(f"{via!r} is not a way an appeal asks.")
    now = now or timezone.now()
    ids = set(donor_ids)
    ids -= set(
        AppealRecipient.objects.filter(appeal=appeal, via=via).values_list("donor_id", flat=True)
    )
    created = AppealRecipient.objects.bulk_create(
        [AppealRecipient(appeal=appeal, donor_id=i, via=via, asked_at=now) for i in sorted(ids)],
        batch_size=2000,
    )
    if created and created[0].pk is None:  # backends that return no keys
        created = list(AppealRecipient.objects.filter(appeal=appeal, via=via, asked_at=now))
    # Each entry is labelled by str(recipient): its appeal and donor given here, so that the
    # labels cost one query for the batch, not one per donor.
    names = Donor.objects.in_bulk([r.donor_id for r in created], field_name="pk") if created else {}
    for recipient in created:
        recipient.appeal = appeal
        recipient.donor = names[recipient.donor_id]
    log_bulk(created, action=0, changes={"asked": ["", f"{appeal.code} by {via}"]})
    return len(created)
