"""The Forms 8283 and 8282 section of a stock or in-kind gift's page, and the gifts list's
"Form 8283" filter, used through the test client as Staff."""

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from donors.models import GiftMethod, GiftStatus, PropertyRecord
from donors.services import property_record_save
from tests.donors.admin_forms import form_data
from tests.factories import make_donor, make_gift

pytestmark = pytest.mark.django_db
day = datetime.date
GIFTS = "/admin/donors/gift/"


def _stock(amount="12000.00", **fields):
    """120 shares of Acme, received March 1, 2026."""
    return make_gift(
        donor=fields.pop("donor", None) or make_donor(),
        amount=D(amount),
        method=GiftMethod.STOCK,
        gift_date=day(2026, 3, 1),
        date_received=day(2026, 3, 1),
        stock_shares=D("120"),
        stock_issuer="Acme Corp",
        **fields,
    )


def _url(gift) -> str:
    return reverse("admin:donors_gift_change", args=[gift.pk])


def _post(client, gift, **fields):
    data = form_data(client.get(_url(gift)), "gift")
    data.update({f"property_record-0-{name}": value for name, value in fields.items()})
    return client.post(_url(gift), data)


def _inline_errors(response) -> list[str]:
    messages = []
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            for errors in form.errors.values():
                messages.extend(errors)
    return messages


def test_staff_record_a_signed_form_8283_and_the_change_is_audited(client, organization, staff):
    gift = _stock()
    client.force_login(staff)
    page = client.get(_url(gift)).content.decode()
    assert "Form 8283 presented" in page and "Sold or disposed of on" in page

    response = _post(
        client,
        gift,
        appraised_value="12500",
        form_8283_presented="on",
        form_8283_signed_on="2026-03-10",
        form_8283_signer="Sara Ahmed, Treasurer",
    )
    assert response.status_code == 302
    record = PropertyRecord.objects.get(gift=gift)
    assert (record.appraised_value, record.form_8283_signed_on, record.disposed_on) == (
        D("12500.00"),
        day(2026, 3, 10),
        None,
    )
    (entry,) = LogEntry.objects.get_for_object(record)
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.changes_dict["form_8283_signer"] == ["None", "Sara Ahmed, Treasurer"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"form_8283_presented": "on", "form_8283_signed_on": "2026-02-27",
             "form_8283_signer": "Sara Ahmed"},
            "Form 8283 cannot be signed before the property was received (March 1, 2026).",
        ),
        (
            {"disposed_on": "2026-02-28", "disposal_amount": "11000"},
            "The property cannot be sold or disposed of before it was received "
            "(March 1, 2026).",
        ),
        (
            {"form_8283_presented": "on", "form_8283_signed_on": "2026-03-10"},
            "Name who signed Form 8283 for the charity.",
        ),
        (
            {"form_8283_signed_on": "2026-03-10", "form_8283_signer": "Sara Ahmed"},
            "A Form 8283 the charity signed was presented: tick Form 8283 presented.",
        ),
        (
            {"disposed_on": "2027-02-10"},
            "Give the amount received on disposal (0 if none).",
        ),
        (
            {"disposal_amount": "500"},
            "Give the date the property was sold or disposed of.",
        ),
    ],
)  # fmt: skip
def test_impossible_dates_and_half_records_are_refused_with_a_message(
    client, organization, staff, fields, message
):
    gift = _stock()
    client.force_login(staff)
    response = _post(client, gift, **fields)
    assert response.status_code == 200
    assert message in _inline_errors(response)
    assert not PropertyRecord.objects.exists()


def test_a_gift_changed_from_stock_keeps_no_property_record(client, organization, staff):
    gift = _stock()
    client.force_login(staff)
    _post(client, gift, appraised_value="12500")
    data = form_data(client.get(_url(gift)), "gift")
    data.update(method=GiftMethod.CHECK, stock_shares="", stock_issuer="")
    response = client.post(_url(gift), data)
    assert response.status_code == 200
    assert (
        "Only stock and in-kind gifts are gifts of property: change the gift's method back, "
        "or delete its Forms 8283 and 8282 record." in _inline_errors(response)
    )
    data["property_record-0-DELETE"] = "on"
    assert client.post(_url(gift), data).status_code == 302
    assert not PropertyRecord.objects.exists()
    assert "Form 8283" not in client.get(_url(gift)).content.decode()


def test_a_cash_gift_has_no_property_section(client, organization, staff):
    gift = make_gift(method=GiftMethod.CASH, gift_date=day(2026, 3, 1))
    client.force_login(staff)
    assert "Form 8283" not in client.get(_url(gift)).content.decode()


def test_the_list_shows_property_over_5000_waiting_for_a_signed_form_8283(
    client, organization, staff
):
    donors = {name: make_donor(first_name=name, last_name="Donor") for name in
              ("Unsigned", "Signed", "Small", "Appraised", "Cash", "Refunded", "Bare")}  # fmt: skip
    unsigned = _stock(donor=donors["Unsigned"])
    property_record_save(record=PropertyRecord(gift=unsigned, form_8283_presented=True))
    signed = _stock(donor=donors["Signed"])
    property_record_save(
        record=PropertyRecord(
            gift=signed,
            form_8283_presented=True,
            form_8283_signed_on=day(2026, 3, 10),
            form_8283_signer="Sara Ahmed",
        )
    )
    _stock(amount="5000.00", donor=donors["Small"])  # $5,000 is not over $5,000
    appraised = _stock(amount="4000.00", donor=donors["Appraised"])
    property_record_save(record=PropertyRecord(gift=appraised, appraised_value=D("5000.01")))
    make_gift(donor=donors["Cash"], amount=D("20000.00"), method=GiftMethod.WIRE)
    _stock(donor=donors["Refunded"], status=GiftStatus.REFUNDED, amount_refunded=D("12000.00"))
    _stock(amount="5000.01", donor=donors["Bare"])  # no record at all

    client.force_login(staff)
    assert "Property over $5,000, Form 8283 not signed" in client.get(GIFTS).content.decode()
    page = client.get(GIFTS, {"form_8283": "unsigned"}).content.decode()
    shown = {name for name in donors if f"{name} Donor" in page}
    assert shown == {"Unsigned", "Appraised", "Bare"}
