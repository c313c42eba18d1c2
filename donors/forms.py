from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from donors.appeals import appeal_by_code
from donors.currencies import USD, Offer
from donors.models import Campaign, TributeKind
from donors.text import text_problem


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


class AppealCodeField(forms.Field):
    """A hidden field holding an appeal's code, or "": a code cut short, typed wrong or no
    longer known never stops a gift (no error is possible), it just answers no appeal. Not a
    CharField, so the text rule (which would refuse a stray control character with a message
    on a field the donor cannot see) is not put on it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return appeal_code_known(value)


class DonateForm(PlainTextForm):
    """The donation page's choices. ``offers`` are the currencies the organization takes (US
    dollars first); the suggested amounts and the limits are those of the currency chosen."""

    currency = forms.ChoiceField(label="Currency", required=False)
    amount = forms.ChoiceField(widget=forms.RadioSelect)
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
    # The code of the appeal a donate link carried (?appeal=CODE), passed on to Checkout.
    appeal = AppealCodeField()

    def __init__(self, *args, offers: list[Offer] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {o.code: o for o in (offers or [Offer(USD, USD.suggested)])}
        self.fields["currency"].choices = [
            (o.code, f"{o.currency.name} ({o.code})") for o in self.offers.values()
        ]
        self.offer = self._chosen_offer()
        money = self.offer.currency
        self.fields["amount"].choices = [(str(a), money.short(a)) for a in self.offer.suggested] + [
            ("other", "Other amount")
        ]
        # The second suggestion is preselected (50 of 25, 50, 100...), as it always was.
        self.fields["amount"].initial = str(
            self.offer.suggested[min(1, len(self.offer.suggested) - 1)]
        )
        if not self.is_bound:
            self.initial["currency"] = money.code  # an unknown ?currency= is dollars
        other = self.fields["other_amount"]
        other.label = f"Other amount ({money.code})"
        other.widget.attrs["inputmode"] = "numeric" if money.places == 0 else "decimal"

    def _chosen_offer(self) -> Offer:
        source = self.data if self.is_bound else self.initial
        wanted = str(source.get("currency") or "")
        return self.offers.get(wanted) or next(iter(self.offers.values()))

    def clean_currency(self):
        return self.offer.code

    def clean(self):
        data = super().clean()
        money = self.offer.currency
        units = "dollars" if money is USD else money.name
        choice = data.get("amount")
        if choice == "other":
            raw = (data.get("other_amount") or "").strip()
            for mark in ("$", ",", money.code, money.code.lower(), "£", "€"):
                raw = raw.replace(mark, "")
            raw = raw.strip()
            if not raw:
                self.add_error("other_amount", "Enter the amount you would like to give.")
                return data
            example = "5000" if money.places == 0 else "75 or 75.50"
            try:
                value = Decimal(raw)
            except InvalidOperation:
                self.add_error("other_amount", f"Enter an amount in {units}, such as {example}.")
                return data
            # Cents are checked only within the range: 1e30 cannot even be rounded to cents
            # (Decimal's precision), and out of range the size message below says more.
            if not value.is_finite() or (
                money.minimum <= value <= money.maximum and value != value.quantize(money.unit)
            ):
                if money.places == 0:
                    message = f"Enter a whole amount in {units}, such as 5000."
                elif money is USD:
                    message = "Enter an amount in dollars and cents, such as 75.50."
                else:
                    message = f"Enter an amount in {units} to two decimals, such as 75.50."
                self.add_error("other_amount", message)
                return data
        elif choice:
            value = Decimal(choice)
        else:
            return data
        if value < money.minimum:
            where = "" if money is USD else f" in {units}"
            self.add_error(
                "other_amount", f"The smallest online gift{where} is {money.text(money.minimum)}."
            )
        elif value > money.maximum:
            self.add_error(
                "other_amount",
                f"For gifts over {money.short(money.maximum)} please contact us: we will help "
                "you give by check or wire.",
            )
        data["gift_amount"] = value
        kind = data.get("tribute_kind")
        if kind and not (data.get("tribute_name") or "").strip():
            self.add_error("tribute_name", "Name the person this gift honors or remembers.")
        if not kind and (data.get("tribute_name") or data.get("tribute_notify_email")):
            self.add_error("tribute_kind", "Choose in honor or in memory.")
        return data


def appeal_code_known(value) -> str:
    """``value`` as an appeal's code when one has it (capitals, as codes are kept), else ""."""
    appeal = appeal_by_code(value)
    return appeal.code if appeal is not None else ""
