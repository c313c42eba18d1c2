"""A whole year's statements on several processes or task workers: every donor gets exactly one,
numbered without gaps, and the batch's progress adds up."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from compliance.models import IssueBatch, YearEndStatement
from compliance.services import batches as batch_services
from compliance.services import statements as statement_services
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.concurrency import run_at_once


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _donors_with_gifts(count: int) -> list:
    donors = []
    for n in range(count):
        donor = factories.make_donor(first_name=f"Donor{n}", last_name="Khan")
        factories.make_gift(donor=donor, amount=D("50.00"), gift_date=datetime.date(2025, 4, 1))
        donors.append(donor)
    return donors


def _sequences(year=2025) -> list[int]:
    return sorted(YearEndStatement.objects.filter(year=year).values_list("sequence", flat=True))


@pytest.mark.django_db
def test_the_admin_batch_runs_in_chunks_and_counts_each_one(
    client, staff, organization, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(statement_services, "CHUNK", 2)  # 5 donors: 3 chunk tasks
    _donors_with_gifts(5)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:compliance_issuebatch_add"),
                               {"kind": "statements", "year": "2025"})  # fmt: skip
    batch = IssueBatch.objects.get()
    assert (batch.status, batch.done, batch.total, batch.issued) == ("done", 5, 5, 5)
    assert batch.finished_at is not None
    assert "5 / 5, 5 issued" in client.get(response["Location"]).content.decode()
    assert _sequences() == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_a_chunk_of_a_finished_or_failed_batch_does_nothing(organization):
    _donors_with_gifts(1)
    batch = IssueBatch.objects.create(kind="statements", year=2025, total=1,
                                      status=IssueBatch.Status.FAILED)  # fmt: skip
    ids = statement_services.statement_donor_ids(year=2025)
    assert (
        batch_services.statements_batch_chunk_run(
            batch_id=batch.pk, donor_ids=ids, now="2026-01-05T12:00:00+00:00"
        )
        == 0
    )
    assert not YearEndStatement.objects.exists()


@pytest.mark.django_db
def test_the_command_issues_the_year_in_chunks(organization, tmp_path, monkeypatch):
    monkeypatch.setattr(statement_services, "CHUNK", 2)
    _donors_with_gifts(5)
    call_command("year_end_statements", "--year", "2025", "--out", str(tmp_path),
                 "--workers", "2")  # fmt: skip
    assert _sequences() == [1, 2, 3, 4, 5]
    assert len(list(tmp_path.glob("*.pdf"))) == 5
    call_command("year_end_statements", "--year", "2025", "--workers", "2")
    assert _sequences() == [1, 2, 3, 4, 5]  # run again: nothing new


@pytest.mark.django_db
def test_workers_must_be_at_least_one(organization):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("year_end_statements", "--year", "2025", "--workers", "0")


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_on_two_processes_with_gapless_numbers(
    postgres_only, tmp_path, monkeypatch
):
    factories.make_organization()
    factories.ensure_benefit_limits()
    monkeypatch.setattr(statement_services, "CHUNK", 7)
    donors = _donors_with_gifts(40)
    call_command("year_end_statements", "--year", "2025", "--out", str(tmp_path),
                 "--workers", "2")  # fmt: skip
    assert _sequences() == list(range(1, 41))
    assert YearEndStatement.objects.values("donor").distinct().count() == 40
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 40
    assert "Donor" in pdf_text(files[0].read_bytes())
    assert {d.pk for d in donors} == set(YearEndStatement.objects.values_list("donor", flat=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_issue_each_statement_once_and_never_skip(postgres_only):
    """Four writers at once over overlapping donors (two batches started together, say): one
    statement per donor, numbers 1..N."""
    factories.make_organization()
    factories.ensure_benefit_limits()
    donors = _donors_with_gifts(60)
    ids = [d.pk for d in donors]
    # Overlapping chunks: every donor is in two of them.
    chunks = [ids[0:40], ids[20:60], ids[0:20] + ids[40:60], ids[10:50]]
    now = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)
    _, errors = run_at_once(
        lambda chunk: statement_services.statements_issue(year=2025, donor_ids=chunk, now=now),
        chunks,
    )
    assert errors == []
    assert _sequences() == list(range(1, 61))
    assert YearEndStatement.objects.values("donor").distinct().count() == 60


@pytest.mark.django_db
def test_a_batch_that_sends_emails_each_chunks_statements_once(
    client, staff, organization, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(statement_services, "CHUNK", 2)
    _donors_with_gifts(3)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:compliance_issuebatch_add"),
                    {"kind": "statements", "year": "2025", "send": "on"})  # fmt: skip
    batch = IssueBatch.objects.get()
    assert (batch.status, batch.issued) == ("done", 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        YearEndStatement.objects.values_list("donor_email", flat=True)
    )
    assert all(m.attachments[0][0].startswith("statement-2025-S") for m in mail.outbox)
    assert YearEndStatement.objects.filter(sent_at__isnull=True).count() == 0
