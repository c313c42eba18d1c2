"""Merge fields: the words that make an appeal's letter or email the donor's own.

Staff write ``{{ salutation }}`` or ``{{ last_gift_amount }}`` in an appeal's or a newsletter's
text; ``merge_render`` fills them in for one donor from ``merge_fields_for`` (worked out for a
whole batch of donors in two queries). Texts are Django templates rendered from plain strings
only, so a text can reach nothing but the fields listed in ``MERGE_FIELDS``. ``merge_check``
tells staff, in words, what is wrong with a text before anything is sent or printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from donors.models import Donor, DonorKind, Gift, Organization
from donors.money_rules import counted_q

# name -> what staff are told it holds
MERGE_FIELDS: dict[str, str] = {
    "salutation": 'How the donor is greeted: their salutation, or "Ms. Khan" made from the name',
    "first_name": "First name (blank for an organization)",
    "last_name": "Last name",
    "donor_name": "The donor's full name",
    "last_gift_amount": 'Their last gift, as "$250.00" (blank if none)',
    "last_gift_date": 'Its date, as "March 3, 2026" (blank if none)',
    "org_name": "The organization's name",
    "donate_url": "The donate page, carrying the appeal's code",
    "appeal_code": "The appeal's code",
    "ny_disclosure": "New York's required statement on financial reports",
}


def salutation_of(donor: Donor) -> str:
    """The name a letter greets: the donor's own salutation, else the default one every save
    gives a donor (``donor_names``), else the donor's name."""
    # Lazy: donors.services imports this module (appeals, mailings), so importing the
    # services here at load time would be a cycle.
    from donors.services.donors import donor_names

    return donor.salutation.strip() or donor_names(donor)[2] or str(donor)


def donate_url(appeal=None) -> str:
    url = settings.SITE_URL + reverse("donate")
    return f"{url}?appeal={appeal.code}" if appeal is not None else url


def merge_fields_for(donors: Iterable[Donor], *, appeal=None) -> dict[int, dict[str, str]]:
    """Each donor's merge fields by id, for a batch (one query for the last gifts)."""
    donors = list(donors)
    org = Organization.current()
    last = Gift.objects.filter(counted_q(), donor=OuterRef("pk")).order_by("-tax_date", "-id")
    gifts = {
        row["pk"]: row
        for row in Donor.objects.filter(pk__in=[d.pk for d in donors])
        .annotate(
            last_amount=Subquery(last.values("amount")[:1]),
            last_date=Subquery(last.values("tax_date")[:1]),
        )
        .values("pk", "last_amount", "last_date")
    }
    common = {
        "org_name": org.legal_name if org else "",
        "ny_disclosure": org.ny_disclosure if org else "",
        "donate_url": donate_url(appeal),
        "appeal_code": appeal.code if appeal is not None else "",
    }
    fields = {}
    for donor in donors:
        row = gifts.get(donor.pk, {})
        amount: Decimal | None = row.get("last_amount")
        day = row.get("last_date")
        fields[donor.pk] = {
            **common,
            "salutation": salutation_of(donor),
            "first_name": donor.first_name if donor.kind == DonorKind.PERSON else "",
            "last_name": donor.last_name,
            "donor_name": str(donor),
            "last_gift_amount": f"${amount:,.2f}" if amount is not None else "",
            "last_gift_date": f"{day:%B} {day.day}, {day.year}" if day else "",
        }
    return fields


def merge_check(text: str) -> None:
    """Refuse a text that is not a valid template or names a field that does not exist."""
    try:
        template = Template(text or "")
    except TemplateSyntaxError as error:
        raise ValidationError(f"This text has an error: {error}") from None
    unknown = sorted(_names(template.nodelist) - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError(
            "Unknown merge fields: %(names)s. Known: %(known)s.",
            params={"names": ", ".join(unknown), "known": ", ".join(MERGE_FIELDS)},
        )


def _names(nodelist) -> set[str]:
    names = set()
    for node in nodelist:
        filter_expression = getattr(node, "filter_expression", None)
        if filter_expression is not None:
            names.add(str(filter_expression.var).split(".")[0])
        for attr in getattr(node, "child_nodelists", ()):
            names |= _names(getattr(node, attr, None) or [])
        for _condition, child in getattr(node, "conditions_nodelists", ()):
            names |= _names(child)
    return names


def merge_render(text: str, fields: dict[str, str]) -> str:
    """The text with the donor's fields filled in (plain text: nothing is HTML-escaped)."""
    return Template(text or "").render(Context(fields, autoescape=False))
