"""The month totals behind the dashboard stay equal to the gifts themselves, whatever writes
the gifts: the services, bulk inserts, queryset updates, deletions."""

import datetime
from decimal import Decimal as D

from django.db.models import Sum

from donors.models import Gift, GiftMonthTotal
from donors.models.gift import COUNTED_STATUSES
from donors.money_rules import channel_expression
from donors.services import gift_delete, gift_save, organization_save
from donors.services.month_totals import gift_month_totals_rebuild
from tests import factories


def _from_gifts(threshold) -> dict:
    rows = (
        Gift.objects.filter(status__in=COUNTED_STATUSES)
        .annotate(ch=channel_expression(threshold))
        .values_list("tax_date", "campaign_id", "ch", "amount", "amount_refunded")
    )
    result = {}
    for day, campaign, channel, amount, refunded in rows:
        key = (day.replace(day=1), campaign or 0, channel)
        cents, n = result.get(key, (0, 0))
        result[key] = (cents + int((amount - refunded) * 100), n + 1)
    return result


def _kept() -> dict:
    return {
        (r.month, r.campaign_key, r.channel): (r.total_cents, r.gift_count)
        for r in GiftMonthTotal.objects.all()
        if r.gift_count or r.total_cents
    }


def test_month_totals_follow_every_kind_of_write(organization):
    campaign, other = factories.make_campaign(), factories.make_campaign()
    platform = factories.make_donor(kind="platform")
    day = datetime.date(2025, 3, 15)
    a = factories.make_gift(amount=D("0.10"), campaign=campaign, gift_date=day)
    factories.make_gift(amount=D("0.20"), campaign=campaign, gift_date=day)
    factories.make_gift(amount=D("1500.00"), method="wire", gift_date=day)
    factories.make_gift(platform, amount=D("900.00"), method="globalgiving", campaign=campaign)
    card = factories.make_gift(
        amount=D("150.00"),
        method="card",
        processor="stripe",
        benefit_value=D("60"),
        gift_date=datetime.date(2025, 4, 2),
    )
    assert _kept() == _from_gifts(D("1000"))
    assert _kept()[(datetime.date(2025, 3, 1), campaign.pk, "checks")] == (30, 2)

    card.status, card.amount_refunded = "partially_refunded", D("49.99")
    gift_save(gift=card)
    a.campaign, a.gift_date = other, datetime.date(2024, 12, 31)
    gift_save(gift=a)
    Gift.objects.filter(method="wire").update(status="failed")
    Gift.objects.bulk_create(
        Gift(donor=card.donor, amount=D("0.01"), method="cash", gift_date=day, tax_date=day)
        for _ in range(30)
    )
    gift_delete(gift=Gift.objects.get(method="globalgiving"))
    assert _kept() == _from_gifts(D("1000"))
    assert _kept()[(datetime.date(2025, 3, 1), 0, "other")] == (30, 30)
    assert _kept()[(datetime.date(2024, 12, 1), other.pk, "checks")] == (10, 1)


def test_a_new_major_gift_threshold_recounts_the_channels(organization):
    factories.make_gift(amount=D("2500.00"), method="check")
    assert set(k[2] for k in _kept()) == {"major"}
    organization.major_gift_threshold = D("5000")
    organization_save(organization=organization)
    assert _kept() == _from_gifts(D("5000"))
    assert set(k[2] for k in _kept()) == {"checks"}


def test_rebuild_gives_what_the_triggers_kept(organization):
    for n in range(1, 6):
        factories.make_gift(amount=D(n) * D("333.33"), gift_date=datetime.date(2025, n, 1))
    kept = _kept()
    GiftMonthTotal.objects.all().delete()
    gift_month_totals_rebuild()
    assert _kept() == kept == _from_gifts(D("1000"))
    total = GiftMonthTotal.objects.aggregate(c=Sum("total_cents"), n=Sum("gift_count"))
    assert total == {"c": 499995, "n": 5}


def test_lost_triggers_are_recreated_and_the_totals_recounted(organization):
    from django.db import connection

    from donors.services.month_totals import drop_trigger_sql, gift_month_totals_ensure

    factories.make_gift(amount=D("10.00"))
    assert gift_month_totals_ensure() is False  # present: nothing to do
    with connection.cursor() as cursor:
        for statement in drop_trigger_sql(connection.vendor):
            cursor.execute(statement)
    factories.make_gift(amount=D("20.00"))  # unseen without triggers
    assert gift_month_totals_ensure() is True
    factories.make_gift(amount=D("30.00"))  # seen again
    assert _kept() == _from_gifts(D("1000"))
    assert GiftMonthTotal.objects.aggregate(c=Sum("total_cents"))["c"] == 6000


def test_the_migrations_frozen_recount_gives_what_the_triggers_kept(organization):
    # 0005 carries its own SQL (it imports no app code): on a database that already had gifts
    # it recounts them itself, and must count what the triggers and the rebuild count.
    import importlib

    from django.db import connection

    migration = importlib.import_module("donors.migrations.0005_dashboard_globalgiving")
    campaign = factories.make_campaign()
    factories.make_gift(amount=D("1500.00"), method="wire", campaign=campaign)
    factories.make_gift(amount=D("0.30"), gift_date=datetime.date(2025, 2, 28))
    card = factories.make_gift(
        amount=D("150.00"),
        method="card",
        processor="stripe",
        benefit_value=D("60"),
        gift_date=datetime.date(2025, 4, 2),
    )
    card.status, card.amount_refunded = "partially_refunded", D("49.99")
    gift_save(gift=card)
    kept = _kept()
    with connection.cursor() as cursor:
        for statement in migration.rebuild_sql(connection.vendor):
            cursor.execute(statement)
    assert _kept() == kept == _from_gifts(D("1000"))


def test_the_installed_triggers_are_the_ones_the_rules_write(organization):
    # The migrations carry a frozen copy of the trigger SQL; the database must run what
    # donors.money_rules says today (else a new migration has to install it).
    from django.db import connection

    from donors.services.month_totals import trigger_sql

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'donors_gift_month_totals'")
            (installed,) = cursor.fetchone()
            (function,) = [
                s for s in trigger_sql("postgresql") if s.startswith("CREATE OR REPLACE FUNCTION")
            ]
            assert installed.strip() == function.split("$$")[1].strip()
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'donors_gift_month_total%' ORDER BY name"
            )
            installed = sorted(row[0].rstrip(";") for row in cursor.fetchall())
            written = sorted(
                s.replace("IF NOT EXISTS ", "").rstrip(";") for s in trigger_sql("sqlite")
            )
            assert installed == written
