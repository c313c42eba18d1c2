"""Appeals' writes: the appeal as staff keep it, and who it asked, and how."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.audit import log_bulk
from common.door import service
from donors.merge import merge_check
from donors.models import Appeal, AppealRecipient, Donor, Gift

# The texts staff write with merge fields (donors.merge), each checked before it is saved.
MERGE_TEXTS = ("email_subject", "email_body", "letter_body")


@service
@transaction.atomic
def appeal_save(*, appeal: Appeal) -> Appeal:
    """Validate and save a new or edited appeal: its code in capitals, its texts' merge
    fields known (a text naming an unknown field is refused, on that field)."""
    appeal.code = (appeal.code or "").strip().upper()
    errors = {}
    for field in MERGE_TEXTS:
        try:
            merge_check(getattr(appeal, field))
        except ValidationError as error:
            errors[field] = error.messages
    try:
        appeal.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    appeal.save()
    return appeal


def appeal_delete_problem(appeal: Appeal) -> str | None:
    """Why the appeal may not be deleted, in words; None when it may."""
    count = Gift.objects.filter(appeal=appeal).count()
    if not count:
        return None
    gifts = "1 gift is" if count == 1 else f"{count:,} gifts are"
    return (
        f"{appeal} cannot be deleted: {gifts} attributed to it. Its results are the record "
        "of what it raised; attribute those gifts to another appeal first if it was made "
        "by mistake."
    )


@service
@transaction.atomic
def appeals_delete(*, appeals: Iterable[Appeal]) -> int:
    """Delete appeals that no gift answers, one by one (each leaves its audit record; who
    each asked goes with it, recorded in the audit trail too). An appeal with gifts attributed
    is refused (ValidationError), and then none is deleted."""
    appeals = list(appeals)
    problems = [p for p in (appeal_delete_problem(a) for a in appeals) if p]
    if problems:
        raise ValidationError(problems)
    for appeal in appeals:
        asked = list(AppealRecipient.objects.filter(appeal=appeal).select_related("donor"))
        for recipient in asked:
            recipient.appeal = appeal
        log_bulk(asked, action=2, changes={"asked": [f"{appeal.code}", ""]})
        appeal.delete()
    return len(appeals)


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
