"""Admin form data for tests.

``form_data`` reads an admin change form from its HTML, as a browser would submit it unchanged:
tests change a few values and POST it, so every inline's management form and every field the
page shows is sent as the real page would send it. ``gift_add_data`` spells out the gift add
form, soft-credit management form included.
"""

from __future__ import annotations

from html.parser import HTMLParser

from donors.models import GiftMethod


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "name" not in a and tag in {"input", "select", "textarea"}:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(a["name"], a.get("value") or "on")
            else:
                self._add(a["name"], a.get("value") or "")
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._add(self._select, value)
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None


def form_data(response, model_name: str) -> dict[str, str | list[str]]:
    """The fields of the admin form ``<model_name>_form`` on the page, as POST data."""
    reader = _FormReader(f"{model_name}_form")
    reader.feed(response.content.decode())
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}


GIFT_ADD_URL = "/admin/donors/gift/add/"


def gift_add_data(donor, **changes) -> dict:
    """What the add form sends, with the soft-credit inline's management form."""
    data = {
        "donor": donor.pk,
        "amount": "250.00",
        "method": GiftMethod.CHECK,
        "status": "succeeded",
        "gift_date": "2025-01-03",
        "date_received": "",
        "date_deposited": "",
        "check_number": "1042",
        "postmark_date": "2024-12-30",
        "campaign": "",
        "fund": "",
        "designation": "",
        "benefit_value": "0",
        "benefit_description": "",
        "stock_shares": "",
        "stock_issuer": "",
        "non_cash_description": "",
        "processor": "",
        "charged_at_0": "",
        "charged_at_1": "",
        "fee": "",
        "net": "",
        "amount_refunded": "0",
        "stripe_payment_id": "",
        "stripe_charge_id": "",
        "stripe_invoice_id": "",
        "card_last4": "",
        "external_id": "",
        "pledge": "",
        "recurring_plan": "",
        "tribute_kind": "",
        "tribute_name": "",
        "tribute_notify_name": "",
        "tribute_notify_email": "",
        "notes": "",
        "soft_credits-TOTAL_FORMS": "0",
        "soft_credits-INITIAL_FORMS": "0",
        "soft_credits-MIN_NUM_FORMS": "0",
        "soft_credits-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data
