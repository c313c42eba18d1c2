"""Year-end statements: the command, the PDF, the background batch and its progress page."""

import datetime
import json
import re
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from compliance import services
from compliance.models import IssueBatch, YearEndStatement
from compliance.pdf import statement_pdf
from donors import services as donor_services
from donors.models import DonorKind, GiftMethod, GiftStatus
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db, settings):
    factories.ensure_benefit_limits()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _flat(text):
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def year_of_giving(organization):
    """Ayesha: two cash gifts (one a dinner), a stock gift, a refunded gift, a gift of 2024,
    and a soft credit for her employer's match."""
    ayesha = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    day = datetime.date
    factories.make_gift(donor=ayesha, amount=D("100.00"), gift_date=day(2025, 2, 1))
    factories.make_gift(
        donor=ayesha,
        amount=D("150.00"),
        gift_date=day(2025, 5, 3),
        benefit_value=D("60.00"),
        benefit_description="gala dinner",
    )
    factories.make_gift(
        donor=ayesha,
        method=GiftMethod.STOCK,
        amount=D("5230.00"),
        stock_shares=D("25"),
        stock_issuer="Apple Inc.",
        gift_date=day(2025, 6, 1),
    )
    factories.make_gift(
        donor=ayesha,
        amount=D("999.00"),
        status=GiftStatus.REFUNDED,
        amount_refunded=D("999.00"),
        gift_date=day(2025, 7, 1),
    )
    factories.make_gift(donor=ayesha, amount=D("70.00"), gift_date=day(2024, 12, 1))
    employer = factories.make_donor(kind=DonorKind.COMPANY, organization_name="Acme Corp")
    match = factories.make_gift(
        donor=employer,
        method=GiftMethod.EMPLOYER_MATCH,
        amount=D("250.00"),
        gift_date=day(2025, 8, 1),
    )
    donor_services.soft_credit_add(gift=match, donor=ayesha, kind="match")
    return ayesha


def test_statement_lists_the_years_gifts_and_leaves_refunds_out(year_of_giving):
    statements = services.statements_issue(year=2025)
    mine = YearEndStatement.objects.get(donor=year_of_giving)
    assert len(statements) == 2  # Ayesha, and the employer for its match
    assert [line["date"] for line in mine.lines] == ["2025-02-01", "2025-05-03", "2025-06-01"]
    assert (mine.total_amount, mine.total_benefit, mine.total_deductible) == (
        D("250.00"),
        D("60.00"),
        D("190.00"),
    )
    assert mine.soft_credits == [
        {
            "date": "2025-08-01",
            "kind": "Employee behind a match",
            "amount": "250.00",
            "gift_from": "Acme Corp",
        }
    ]


def test_statement_pdf_shows_gifts_totals_and_soft_credits_apart(year_of_giving):
    services.statements_issue(year=2025)
    text = _flat(pdf_text(statement_pdf(YearEndStatement.objects.get(donor=year_of_giving))))
    for expected in [
        "Your 2025 giving statement",
        "Ayesha Khan",
        "EIN 12-3456789",
        "Feb 1, 2025",
        "$100.00",
        "gala dinner",
        "$60.00",
        "$90.00",
        "25 shares of Apple Inc.",
        "Totals $250.00 $60.00 $190.00",
        "Soft credits: not deductible by you",
        "Acme Corp",
        "Sara Ahmed",
    ]:
        assert expected in text, expected
    assert "$999.00" not in text and "5,230" not in text
    assert "Dec 1, 2024" not in text


def test_running_again_issues_nothing_and_a_change_replaces_the_statement(year_of_giving):
    first = services.statements_issue(year=2025)
    assert services.statements_issue(year=2025) == []
    gift = year_of_giving.gifts.get(amount=D("100.00"))
    gift.amount_refunded, gift.status = D("100.00"), GiftStatus.REFUNDED
    donor_services.gift_save(gift=gift)
    (replacement,) = services.statements_issue(year=2025)
    old = next(s for s in first if s.donor_id == year_of_giving.pk)
    old.refresh_from_db()
    assert replacement.replaces == old and old.voided_at is not None
    assert replacement.total_deductible == D("90.00")
    assert replacement.number == "2025-S000003"


def test_command_writes_one_pdf_per_donor_and_sends(
    year_of_giving, tmp_path, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "year_end_statements", "--year", "2025", "--out", str(tmp_path), "--send", "--json"
        )
    rows = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"statement-{row['number']}.pdf" for row in rows
    )
    mine = next(row for row in rows if row["donor_email"] == "ayesha@example.org")
    assert (mine["amount"], mine["deductible_amount"]) == ("250.00", "190.00")
    assert [m.to for m in mail.outbox if m.to == ["ayesha@example.org"]] == [["ayesha@example.org"]]
    assert mail.outbox[0].attachments[0][0].startswith("statement-2025-S")


def test_command_without_organization_profile_says_so(db):
    with pytest.raises(CommandError, match="organization profile"):
        call_command("year_end_statements", "--year", "2025")


def test_staff_start_a_batch_and_watch_its_progress(
    client, staff, year_of_giving, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:compliance_issuebatch_add"), {"kind": "statements", "year": "2025"}
        )
    batch = IssueBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:compliance_issuebatch_change", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Done:</strong>" in page and "Year-end statements: 2 / 2, 2 issued" in page
    assert 'http-equiv="refresh"' not in page
    assert YearEndStatement.objects.count() == 2


def test_a_running_batch_page_refreshes_itself(client, staff, organization):
    batch = IssueBatch.objects.create(
        kind="statements", year=2025, total=10, done=4, status=IssueBatch.Status.RUNNING
    )
    client.force_login(staff)
    page = client.get(reverse("admin:compliance_issuebatch_change", args=[batch.pk]))
    text = page.content.decode()
    assert "4 / 10" in text
    assert 'http-equiv="refresh"' in text


def test_a_future_year_is_refused_on_the_batch_form(client, staff, organization):
    client.force_login(staff)
    response = client.post(
        reverse("admin:compliance_issuebatch_add"), {"kind": "statements", "year": "2999"}
    )
    assert "Choose a year that has begun" in response.content.decode()
    assert not IssueBatch.objects.exists()


def test_statement_verification_page(year_of_giving):
    services.statements_issue(year=2025)
    statement = YearEndStatement.objects.get(donor=year_of_giving)
    page = Client().get(reverse("receipt_verify", args=[statement.verification_code]))
    text = page.content.decode()
    assert statement.number in text and "This statement is valid" in text and "A.K." in text
    assert "Ayesha" not in text


def test_staff_issue_a_whole_years_receipts_in_the_background(
    client, staff, year_of_giving, django_capture_on_commit_callbacks
):
    from compliance.models import Receipt

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:compliance_issuebatch_add"), {"kind": "receipts", "year": "2025"}
        )
    batch = IssueBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    # 2025: Ayesha's two cash gifts and her stock, and the employer's match; not the refund.
    assert "4 / 4, 4 issued" in page
    assert Receipt.objects.filter(gift__tax_date__year=2025).count() == 4
    assert not Receipt.objects.filter(gift__tax_date__year=2024).exists()
    assert batch.created_by == staff
