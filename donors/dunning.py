"""The failed-payment emails' words and the donor's card-update link (no writes here: the
services in donors.services.dunning record and send).

The link is ``/my/card/<token>/``: the token is the plan's id signed with the site's secret
key (django.core.signing), so it cannot be guessed or changed to reach another plan, and it
is refused after ``CARD_LINK_DAYS``. Nothing is stored for it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from donors.models import DunningTemplate, Organization, RecurringPlan
from donors.text import one_line

# Stripe retries a failed invoice for up to about three weeks by default; the link in the
# first email still works after the last retry.
CARD_LINK_DAYS = 30
_SALT = "donors.card-update"

# The built-in words, used when staff have deleted a row; the migration seeds the same texts.
DEFAULTS = {
    "first": (
        "Your monthly gift to {{ org_name }} did not go through",
        "Dear {{ donor_name }},\n\n"
        "Thank you for your {{ interval }} gift of {{ amount }} to {{ org_name }}. This time "
        "your card was declined, so the payment did not go through.\n\n"
        "You can update your card here (the link works for {{ link_days }} days; your card "
        "details go to our payment processor, Stripe, never to us):\n{{ card_update_url }}\n\n"
        "{% if next_attempt %}We will try again on {{ next_attempt }}.{% endif %} If you meant "
        "to stop your gift, you need not do anything.\n\n"
        "With gratitude,\n{{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
    "reminder": (
        "Reminder: please update your card for your gift to {{ org_name }}",
        "Dear {{ donor_name }},\n\n"
        "We tried again to collect your {{ interval }} gift of {{ amount }}, and your card "
        "was declined again.\n\n"
        "To keep your gift going, update your card here:\n{{ card_update_url }}\n\n"
        "{% if next_attempt %}We will try once more on {{ next_attempt }}.{% endif %}\n\n"
        "With gratitude,\n{{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
    "final": (
        "Your monthly gift to {{ org_name }} has ended",
        "Dear {{ donor_name }},\n\n"
        "{% if plan_ended %}We could not collect your {{ interval }} gift of {{ amount }}, so "
        "it has been cancelled.{% else %}Our last try to collect your {{ interval }} gift of "
        "{{ amount }} failed: unless you update your card, it will be cancelled.\n\n"
        "Update your card here:\n{{ card_update_url }}{% endif %}\n\n"
        "Thank you for all you have given. If you would like to start again, you can give at "
        "{{ donate_url }}\n\n"
        "With gratitude,\n{{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
}

# What the admin's preview fills the placeholders with.
SAMPLE = {
    "donor_name": "Ayesha Khan",
    "amount": "$25.00",
    "interval": "monthly",
    "card_update_url": "https://example.org/my/card/…/",
    "link_days": CARD_LINK_DAYS,
    "next_attempt": "January 8, 2027",
    "attempt": 1,
    "plan_ended": False,
}


def card_token(plan: RecurringPlan) -> str:
    return signing.dumps(plan.pk, salt=_SALT, compress=True)


class LinkExpired(Exception):
    pass


def plan_for_token(token: str) -> RecurringPlan | None:
    """The plan a card-update token names; None for a token that is not one of ours (or a
    plan since deleted). Raises ``LinkExpired`` for a genuine token past its age."""
    try:
        pk = signing.loads(token, salt=_SALT, max_age=datetime.timedelta(days=CARD_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return RecurringPlan.objects.select_related("donor").filter(pk=pk).first()


def card_link(plan: RecurringPlan) -> str:
    return settings.SITE_URL + reverse("my_card_update", args=[card_token(plan)])


def render(kind: str, context: dict) -> tuple[str, str]:
    """The subject and body of a dunning email, from staff's template (or the default)."""
    row = DunningTemplate.objects.filter(kind=kind).first()
    subject, body = (row.subject, row.body) if row else DEFAULTS[kind]
    org = Organization.current()
    values = {
        "org_name": org.legal_name if org else "our organization",
        "ny_disclosure": org.ny_disclosure if org else "",
        "donate_url": settings.SITE_URL + reverse("donate"),
        "link_days": CARD_LINK_DAYS,
        **context,
    }
    ctx = Context(values, autoescape=False)
    try:
        return one_line(Template(subject).render(ctx)), Template(body).render(ctx)
    except TemplateSyntaxError as error:
        raise ValidationError(f"The {kind} failed-payment email has an error: {error}") from None
