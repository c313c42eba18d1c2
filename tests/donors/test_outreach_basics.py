"""The pieces appeals, letters and email share: merge fields and who an appeal asked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from donors.merge import merge_check, merge_fields_for, merge_render, salutation_of
from donors.models import Appeal, AppealRecipient, Campaign, DonorKind
from donors.services import appeal_recipients_record
from tests.factories import make_donor, make_gift

pytestmark = pytest.mark.django_db


def test_merge_fields_fill_in_the_last_gift_and_the_greeting(organization):
    ayesha = make_donor(first_name="Ayesha", last_name="Khan", prefix="Dr.")
    make_gift(ayesha, amount=Decimal("100.00"), gift_date=datetime.date(2025, 1, 5))
    make_gift(ayesha, amount=Decimal("250.00"), gift_date=datetime.date(2026, 3, 3))
    newcomer = make_donor(first_name="Omar", last_name="Ali")
    fields = merge_fields_for([ayesha, newcomer])
    text = "Dear {{ salutation }}, your gift of {{ last_gift_amount }} on {{ last_gift_date }}."
    assert merge_render(text, fields[ayesha.pk]) == (
        "Dear Dr. Khan, your gift of $250.00 on March 3, 2026."
    )
    # Without a gift the fields are blank; the greeting is the donor's salutation as kept.
    assert merge_render(text, fields[newcomer.pk]) == (
        f"Dear {newcomer.salutation}, your gift of  on ."
    )


def test_a_donor_without_a_salutation_is_greeted_as_a_save_would_greet_them():
    company = make_donor(
        kind=DonorKind.COMPANY, first_name="", last_name="", organization_name="Acme"
    )
    company.salutation = ""
    assert salutation_of(company) == "Acme"
    person = make_donor(first_name="Sana", last_name="Mir", prefix="Ms.")
    saved = person.salutation
    person.salutation = ""
    # The same greeting the donor's save wrote (one rule: donors.services.donors.donor_names).
    assert salutation_of(person) == saved == "Ms. Mir"


def test_a_text_naming_an_unknown_field_is_refused_in_words():
    merge_check("Dear {{ salutation }}, {% if last_gift_amount %}thanks{% endif %}")
    with pytest.raises(ValidationError, match="Unknown merge fields: favourite_colour"):
        merge_check("Dear {{ favourite_colour }}")
    with pytest.raises(ValidationError, match="error"):
        merge_check("Dear {% if %}")


def test_who_an_appeal_asked_is_recorded_once_per_way_and_audited():
    campaign = Campaign.objects.create(name="Spring", slug="spring")
    appeal = Appeal.objects.create(name="Spring letter", code="SPRING26", campaign=campaign)
    a, b = make_donor(), make_donor()
    assert appeal_recipients_record(appeal=appeal, donor_ids=[a.pk, b.pk], via="letter") == 2
    assert appeal_recipients_record(appeal=appeal, donor_ids=[a.pk], via="letter") == 0
    assert appeal_recipients_record(appeal=appeal, donor_ids=[a.pk], via="email") == 1
    assert AppealRecipient.objects.filter(appeal=appeal).count() == 3
    entries = LogEntry.objects.get_for_model(AppealRecipient)
    assert entries.count() == 3


def test_recording_many_recipients_costs_a_few_queries(django_assert_max_num_queries):
    campaign = Campaign.objects.create(name="Autumn", slug="autumn")
    appeal = Appeal.objects.create(name="Autumn letter", code="AUTUMN26", campaign=campaign)
    donors = [make_donor() for _ in range(30)]
    with django_assert_max_num_queries(8):
        assert (
            appeal_recipients_record(appeal=appeal, donor_ids=[d.pk for d in donors], via="letter")
            == 30
        )
    entry = LogEntry.objects.get_for_model(AppealRecipient).first()
    assert entry.object_repr.startswith("AUTUMN26: ")
