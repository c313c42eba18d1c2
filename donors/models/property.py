"""A gift of property (stock, in-kind): the IRS forms that follow it after the receipt.

Form 8283 is the donor's; for property claimed at more than $5,000 the charity signs its
Section B, Part V (the donee acknowledgment). If the charity sells or otherwise disposes of
such property within three years of receiving it, it files Form 8282 within 125 days of the
disposal. The appraised value lives here, apart from the gift's receipt, which never prints a
value for a noncash gift.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from donors.models.base import CheckedText
from donors.models.gift import NON_CASH_METHODS, Gift


class PropertyRecord(CheckedText, models.Model):
    gift = models.OneToOneField(Gift, on_delete=models.CASCADE, related_name="property_record")
    appraised_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="From the qualified appraisal, for the forms only: never printed on a receipt.",
    )
    form_8283_presented = models.BooleanField(
        "Form 8283 presented",
        default=False,
        help_text="The donor brought the charity their Form 8283 to sign.",
    )
    form_8283_signed_on = models.DateField(
        "Form 8283 signed on",
        null=True,
        blank=True,
        help_text="The day the charity signed Section B, Part V (donee acknowledgment).",
    )
    form_8283_signer = models.CharField(
        "Form 8283 signed by",
        max_length=200,
        blank=True,
        help_text="Who signed it for the charity: name and title.",
    )
    disposed_on = models.DateField(
        "sold or disposed of on",
        null=True,
        blank=True,
        help_text="Within three years of receipt, this puts Form 8282 on the compliance "
        "calendar, due 125 days later.",
    )
    disposal_amount = models.DecimalField(
        "amount received on disposal",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="0 if the property was given away or destroyed.",
    )

    class Meta:
        verbose_name = "property gift record (Forms 8283 and 8282)"
        verbose_name_plural = "property gift record (Forms 8283 and 8282)"
        constraints = [
            models.CheckConstraint(
                condition=Q(appraised_value__isnull=True) | Q(appraised_value__gte=0),
                name="property_appraised_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(disposal_amount__isnull=True) | Q(disposal_amount__gte=0),
                name="property_disposal_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Property record of gift {self.gift_id}" if self.gift_id else "Property record"

    def clean(self) -> None:
        # lazy: donors.rules imports donors.models at load
        from donors.rules import property_problems

        gift = self.gift if self.gift_id or PropertyRecord.gift.is_cached(self) else None
        problems = property_problems(
            self,
            non_cash=gift is not None and gift.method in NON_CASH_METHODS,
            received=property_received_on(gift) if gift is not None else None,
        )
        if problems:
            raise ValidationError(problems)


def property_received_on(gift: Gift):
    """The day the charity received the property: the gift's date received, else its date."""
    return gift.date_received or gift.gift_date
