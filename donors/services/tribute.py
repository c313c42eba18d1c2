from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from common.door import service
from donors.models import Gift, Organization
from donors.text import one_line


@service
@transaction.atomic
def tribute_notification_send(*, gift_id: int) -> bool:
    """Tell the person named by a tribute gift's donor that the gift was made (never the
    amount). Once per gift: a retry after success sends nothing. Returns whether it sent."""
    gift = Gift.objects.select_for_update().select_related("donor").filter(pk=gift_id).first()
    if gift is None or not gift.tribute_kind or not gift.tribute_notify_email:
        return False
    if gift.tribute_notified_at is not None:
        return False
    org = Organization.current()
    name = org.legal_name if org else "our organization"
    giver = "A friend" if gift.donor.anonymous else gift.donor.display_name
    kind = "in memory of" if gift.tribute_kind == "memory" else "in honor of"
    body = render_to_string(
        "emails/tribute_notification.txt",
        {
            "gift": gift,
            "giver": giver,
            "organization_name": name,
            "disclosure": org.ny_disclosure if org else "",
        },
    )
    send_mail(
        one_line(f"A gift to {name} {kind} {gift.tribute_name}"),  # names as stored
        body,
        settings.DEFAULT_FROM_EMAIL,
        [gift.tribute_notify_email],
    )
    gift.tribute_notified_at = timezone.now()
    gift.save(update_fields=["tribute_notified_at"])
    return True
