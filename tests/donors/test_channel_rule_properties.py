"""The channel rule is written once (donors.money_rules.CHANNEL_RULE) and read three ways: in
Python (channel_of), by the ORM (the rebuild) and by the SQL of the month-total triggers. On any
generated set of gifts, around the major-gift threshold kept in the organization profile, the
triggers' totals are what Python's rule gives (property-based, with hypothesis)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from donors.models import Gift, GiftMonthTotal, Organization
from donors.money_rules import channel_of, is_counted, kept
from donors.services import organization_save
from donors.services.month_totals import gift_month_totals_rebuild
from tests import factories

pytestmark = pytest.mark.django_db

THRESHOLDS = [D("1000.00"), D("250.00"), D("2500.50")]
METHODS = ["card", "ach", "check", "cash", "wire", "stock", "globalgiving", "daf_grant",
           "employer_match", "other"]  # fmt: skip
STATUSES = ["succeeded", "partially_refunded", "refunded", "pending", "failed", "disputed"]


@st.composite
def gifts(draw, threshold: D):
    # Amounts on, just under and just over the threshold, and anywhere else.
    near = st.sampled_from([threshold, threshold - D("0.01"), threshold + D("0.01")])
    anywhere = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
    amount = draw(st.one_of(near, anywhere))
    status = draw(st.sampled_from(STATUSES))
    refunded = D(0)
    if status == "refunded":
        refunded = amount
    elif status == "partially_refunded" and amount > D("0.01"):
        refunded = draw(st.decimals(min_value=D("0.01"), max_value=amount - D("0.01"), places=2))
    elif status == "partially_refunded":
        status = "succeeded"
    benefit = draw(st.sampled_from([D(0), D(0), min(D("60.00"), amount)]))
    return {
        "amount": amount,
        "amount_refunded": refunded,
        "status": status,
        "method": draw(st.sampled_from(METHODS)),
        "processor": draw(st.sampled_from(["", "stripe"])),
        "benefit_value": benefit,
        "benefit_declined": draw(st.booleans()),
        "month": draw(st.integers(min_value=1, max_value=3)),
        "campaign": draw(st.booleans()),
    }


@st.composite
def gift_sets(draw):
    threshold = draw(st.sampled_from(THRESHOLDS))
    return threshold, draw(st.lists(gifts(threshold), min_size=1, max_size=25))


def _by_python(rows, threshold, campaign_id) -> dict:
    totals = defaultdict(lambda: [0, 0])
    for g in rows:
        if not is_counted(g["status"]):
            continue
        channel = channel_of(
            method=g["method"],
            processor=g["processor"],
            amount=g["amount"],
            benefit_value=g["benefit_value"],
            benefit_declined=g["benefit_declined"],
            major_threshold=threshold,
        )
        key = (datetime.date(2025, g["month"], 1), campaign_id if g["campaign"] else 0, channel)
        totals[key][0] += int(kept(g["amount"], g["amount_refunded"]) * 100)
        totals[key][1] += 1
    return {k: tuple(v) for k, v in totals.items()}


def _kept_by_database() -> dict:
    return {
        (r.month, r.campaign_key, r.channel): (r.total_cents, r.gift_count)
        for r in GiftMonthTotal.objects.all()
        if r.gift_count or r.total_cents
    }


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=gift_sets())
def test_the_triggers_sql_and_pythons_channel_rule_agree_on_any_gifts(organization, case):
    threshold, rows = case
    Gift.objects.all().delete()
    GiftMonthTotal.objects.all().delete()
    organization.major_gift_threshold = threshold
    organization_save(organization=organization)
    donor = factories.make_donor(kind="platform")
    campaign = factories.make_campaign()

    # Inserted in one statement: the triggers (per row on SQLite, per statement on PostgreSQL)
    # name each gift's channel with the threshold they read from the profile's row.
    Gift.objects.bulk_create(
        Gift(
            donor=donor,
            campaign=campaign if g["campaign"] else None,
            gift_date=datetime.date(2025, g["month"], 10),
            tax_date=datetime.date(2025, g["month"], 10),
            **{k: v for k, v in g.items() if k not in ("month", "campaign")},
        )
        for g in rows
    )

    expected = _by_python(rows, threshold, campaign.pk)
    assert _kept_by_database() == expected
    # The ORM's form of the rule (the rebuild) gives the same.
    gift_month_totals_rebuild()
    assert _kept_by_database() == expected


def test_the_threshold_the_triggers_use_is_the_one_in_the_profile(
    organization, client, administrator
):
    # Changed where an Administrator changes it (the organization profile page): the gifts
    # already counted are recounted, and the next gift is counted with the new threshold.
    factories.make_gift(amount=D("700.00"), method="check")
    assert set(k[2] for k in _kept_by_database()) == {"checks"}
    client.force_login(administrator)
    page = client.get("/admin/donors/organization/1/change/")
    assert 'name="major_gift_threshold"' in page.content.decode()
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and name not in ("logo", "logo_sha256", "id")
    }
    data["major_gift_threshold"] = "500.00"
    data["country"] = "US"
    response = client.post("/admin/donors/organization/1/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert Organization.current().major_gift_threshold == D("500.00")
    assert set(k[2] for k in _kept_by_database()) == {"major"}
    factories.make_gift(amount=D("600.00"), method="check")
    factories.make_gift(amount=D("400.00"), method="check")
    assert {k[2]: v for k, v in _kept_by_database().items()} == {
        "major": (130000, 2),
        "checks": (40000, 1),
    }
