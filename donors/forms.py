from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from donors.models import Campaign, TributeKind
from donors.text import text_problem

PRESET_AMOUNTS = ("25", "50", "100", "250", "500")
MINIMUM = Decimal("5.00")
MAXIMUM = Decimal("25000.00")


class PlainTextForm(forms.Form):
    """A public form whose text fields refuse control characters (donors.text), with a message
    that says which: a field drawn as a text area may hold line breaks, any other (a name, an
    email) is one line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                one_line = not isinstance(field.widget, forms.Textarea)
                field.validators.append(_plain_text(one_line=one_line))


def _plain_text(*, one_line: bool):
    def validate(value):
        problem = text_problem(value, one_line=one_line)
        if problem:
            raise ValidationError(problem, code="control_character")

    return validate


class DonateForm(PlainTextForm):
    amount = forms.ChoiceField(
        choices=[(a, f"${a}") for a in PRESET_AMOUNTS] + [("other", "Other amount")],
        widget=forms.RadioSelect,
        initial="50",
    )
    other_amount = forms.CharField(
        required=False,
        label="Other amount (USD)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "e.g. 75"}),
    )
    frequency = forms.ChoiceField(
        choices=[("once", "Once"), ("monthly", "Monthly")],
        widget=forms.RadioSelect,
        initial="once",
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.filter(is_active=True).order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="Where most needed",
    )
    cover_fee = forms.BooleanField(
        required=False, label="Add the card processing fee so all of my gift goes to the work"
    )
    tribute_kind = forms.ChoiceField(
        choices=[("", "No tribute"), (TributeKind.HONOR, "In honor of"),
                 (TributeKind.MEMORY, "In memory of")],
        required=False,
        label="Dedicate this gift",
    )  # fmt: skip
    tribute_name = forms.CharField(required=False, max_length=200, label="Their name")
    tribute_notify_name = forms.CharField(required=False, max_length=200, label="Notify (name)")
    tribute_notify_email = forms.EmailField(required=False, label="Notify (email)")

    def clean(self):
        data = super().clean()
        choice = data.get("amount")
        if choice == "other":
            raw = (data.get("other_amount") or "").strip().replace("$", "").replace(",", "")
            if not raw:
                self.add_error("other_amount", "Enter the amount you would like to give.")
                return data
            try:
                value = Decimal(raw)
            except InvalidOperation:
                self.add_error("other_amount", "Enter an amount in dollars, such as 75 or 75.50.")
                return data
            # Cents are checked only within the range: 1e30 cannot even be rounded to cents
            # (Decimal's precision), and out of range the size message below says more.
            if not value.is_finite() or (
                MINIMUM <= value <= MAXIMUM and value != value.quantize(Decimal("0.01"))
            ):
                self.add_error(
                    "other_amount", "Enter an amount in dollars and cents, such as 75.50."
                )
                return data
        elif choice:
            value = Decimal(choice)
        else:
            return data
        if value < MINIMUM:
            self.add_error("other_amount", f"The smallest online gift is ${MINIMUM:,.2f}.")
        elif value > MAXIMUM:
            self.add_error(
                "other_amount",
                f"For gifts over ${MAXIMUM:,.0f} please contact us: we will help you give by "
                "check or wire.",
            )
        data["gift_amount"] = value
        kind = data.get("tribute_kind")
        if kind and not (data.get("tribute_name") or "").strip():
            self.add_error("tribute_name", "Name the person this gift honors or remembers.")
        if not kind and (data.get("tribute_name") or data.get("tribute_notify_email")):
            self.add_error("tribute_kind", "Choose in honor or in memory.")
        return data
