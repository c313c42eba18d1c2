"""From tax year 2026 donors ask which of their gifts were cash: receipts and year-end
statements (PDF and email) say cash or property for each gift, with the cash total, from one
rule (donors.money_rules.gift_form_of)."""

import datetime
import json
import re
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command

from donors.models import DonorKind, Gift, GiftMethod
from donors.money_rules import CASH, PROPERTY, cash_q, gift_form_of
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db

CASH_LINE = (
    "Cash gifts (including check, card and bank transfer): $500.00 in 3 gifts; "
    "deductible part as stated above: $440.00."
)
PROPERTY_LINE = "Property gifts (stock and in-kind, listed without a value): 2 gifts."


@pytest.fixture(autouse=True)
def _limits(db, settings):
    factories.ensure_benefit_limits()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def year_2026(organization):
    """Omar's 2026: a check, a dinner paid by card, a bank transfer, stock and an in-kind
    gift. Cash: 300 + 150 + 50 = 500; deductible 300 + (150 - 60) + 50 = 440."""
    omar = factories.make_donor(first_name="Omar", last_name="Khan", email="omar@example.org")
    day = datetime.date
    factories.make_gift(donor=omar, method=GiftMethod.CHECK, amount=D("300.00"),
                        gift_date=day(2026, 3, 2))  # fmt: skip
    factories.make_gift(
        donor=omar,
        method=GiftMethod.CARD,
        amount=D("150.00"),
        benefit_value=D("60.00"),
        benefit_description="gala dinner",
        gift_date=day(2026, 5, 9),
    )
    factories.make_gift(donor=omar, method=GiftMethod.ACH, amount=D("50.00"),
                        gift_date=day(2026, 6, 1))  # fmt: skip
    factories.make_gift(
        donor=omar,
        method=GiftMethod.STOCK,
        amount=D("4200.00"),
        stock_shares=D("20"),
        stock_issuer="Apple Inc.",
        gift_date=day(2026, 7, 1),
    )
    factories.make_gift(
        donor=omar,
        method=GiftMethod.IN_KIND,
        amount=D("900.00"),
        non_cash_description="Two laptops",
        gift_date=day(2026, 8, 1),
    )
    return omar


def test_stock_and_in_kind_are_property_every_other_method_is_cash():
    for method in GiftMethod.values:
        expected = PROPERTY if method in ("stock", "in_kind") else CASH
        assert gift_form_of(method) == expected, method


def test_the_database_form_of_the_rule_agrees(organization):
    givers = {"daf_grant": DonorKind.DAF_SPONSOR, "employer_match": DonorKind.COMPANY,
              "globalgiving": DonorKind.PLATFORM}  # fmt: skip
    for method in GiftMethod.values:
        extra = {"stock_shares": D("1"), "stock_issuer": "X"} if method == "stock" else {}
        donor = factories.make_donor(kind=givers.get(method, DonorKind.PERSON))
        factories.make_gift(donor=donor, method=method, amount=D("10.00"),
                            non_cash_description="a thing", **extra)  # fmt: skip
    in_sql = set(Gift.objects.filter(cash_q()).values_list("method", flat=True))
    assert in_sql == {m for m in GiftMethod.values if gift_form_of(m) == CASH}


def test_the_statement_pdf_marks_each_gift_and_gives_the_cash_total(
    year_2026, tmp_path, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "year_end_statements", "--year", "2026", "--out", str(tmp_path), "--send", "--json"
        )
    (row,) = json.loads(capsys.readouterr().out)
    text = _flat(pdf_text((tmp_path / f"statement-{row['number']}.pdf").read_bytes()))
    for expected in [
        "Mar 2, 2026 Cash Check $300.00 $0.00 $300.00",
        "May 9, 2026 Cash Card; received gala dinner $150.00 $60.00 $90.00",
        "Jun 1, 2026 Cash Bank transfer (ACH) $50.00 $0.00 $50.00",
        "Jul 1, 2026 Property 20 shares of Apple Inc. no value",
        "Aug 1, 2026 Property Two laptops no value",
        "Totals $500.00 $60.00 $440.00",
        CASH_LINE,
        PROPERTY_LINE,
        "Property gifts are listed without a value.",
    ]:
        assert expected in text, expected
    assert "$4,200.00" not in text and "$900.00" not in text
    (email,) = mail.outbox
    assert f"{CASH_LINE} {PROPERTY_LINE}" in email.body


def test_a_statement_with_no_property_gifts_says_none(organization, tmp_path, capsys):
    factories.make_gift(method=GiftMethod.CASH, amount=D("25.00"),
                        gift_date=datetime.date(2026, 1, 5))  # fmt: skip
    call_command("year_end_statements", "--year", "2026", "--out", str(tmp_path), "--json")
    (row,) = json.loads(capsys.readouterr().out)
    text = _flat(pdf_text((tmp_path / f"statement-{row['number']}.pdf").read_bytes()))
    assert (
        "Cash gifts (including check, card and bank transfer): $25.00 in 1 gift; "
        "deductible part as stated above: $25.00."
    ) in text
    assert "Property gifts (stock and in-kind, listed without a value): none." in text


def test_each_receipt_says_cash_or_property_in_the_pdf_and_the_email(
    year_2026, tmp_path, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "issue_receipts", "--through", "2026-12-31", "--out", str(tmp_path), "--send", "--json"
        )
    rows = json.loads(capsys.readouterr().out)
    texts = [_flat(pdf_text(open(row["pdf"], "rb").read())) for row in rows]
    cash = "This was a cash gift (including check, card and bank transfer)."
    prop = "This was a property gift (stock or in-kind), stated without a value."
    assert [cash in t for t in texts] == [True, True, True, False, False]
    assert [prop in t for t in texts] == [False, False, False, True, True]
    assert "Amount received: $300.00" in texts[0]
    assert "Contribution (non-cash): 20 shares of Apple Inc." in texts[3]
    bodies = {m.attachments[0][0]: _flat(m.body) for m in mail.outbox}
    assert len(bodies) == 5
    by_number = {row["number"]: row for row in rows}
    for name, body in bodies.items():
        number = name.removeprefix("receipt-").removesuffix(".pdf")
        is_property = by_number[number]["amount"] in ("4200.00", "900.00")
        assert (prop if is_property else cash) in body, body
    check = next(b for n, b in bodies.items() if by_number[n[8:-4]]["amount"] == "300.00")
    assert f"Thank you for your gift of $300.00 received on March 2, 2026. {cash}" in check
