"""The dashboard's kept figures (donor standings and the giving summary, donors.services.
standings) against a count from the gifts themselves after every kind of change a gift, a
donor or an address goes through; and the board's pages in a number of queries that does not
grow with the gifts and donors. Run on SQLite and on PostgreSQL (where imports COPY)."""

import datetime
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.dashboard import (
    NO_ADDRESS,
    OUTSIDE_US,
    DonorStates,
    donor_states,
    fiscal_year_of,
    giving_by_state,
    lapsed_donors,
)
from donors import services
from donors.models import DonorAddress, Gift, GivingSummary, Organization
from donors.money_rules import counted_q
from donors.services import figures
from donors.services.standings import donor_standings_ensure, donor_standings_rebuild
from tests import factories


def _state(address: DonorAddress | None) -> str:
    if address is None:
        return NO_ADDRESS
    if address.country != "US":
        return OUTSIDE_US
    return address.region or NO_ADDRESS


def from_the_gifts(org: Organization, today: datetime.date):
    """Every figure counted again from the gifts and addresses, in Python."""
    fy = fiscal_year_of(org, today)
    n = fy.number
    years: dict[int, dict[int, D]] = defaultdict(lambda: defaultdict(D))
    for donor_id, tax_date, amount, refunded in Gift.objects.filter(counted_q()).values_list(
        "donor_id", "tax_date", "amount", "amount_refunded"
    ):
        years[donor_id][org.fiscal_year_of(tax_date)] += amount - refunded
    states = {
        a.donor_id: _state(a) for a in DonorAddress.objects.filter(donor_id__in=list(years))
        if a.is_primary
    }  # fmt: skip
    lifetime = {d: sum(y.values(), D(0)) for d, y in years.items()}
    last = {d: max(y) for d, y in years.items()}
    this_year = sum(1 for d in years if last[d] >= n)
    new = sum(1 for y in years.values() if min(y) >= n)
    retained = sum(1 for y in years.values() if n in y and n - 1 in y)
    lybunt = [d for d in years if last[d] == n - 1]
    sybunt = [d for d in years if last[d] < n - 1]
    by_state: dict[str, list] = defaultdict(lambda: [D(0), 0])
    for d, y in years.items():
        if n in y:
            by_state[states.get(d, NO_ADDRESS)][0] += y[n]
            by_state[states.get(d, NO_ADDRESS)][1] += 1
    return {
        "states": DonorStates(
            this_year=this_year,
            new=new,
            retained=retained,
            recovered=this_year - new - retained,
            lapsed=len(lybunt),
            sybunt=len(sybunt),
            lybunt_total=sum((lifetime[d] for d in lybunt), D(0)),
            sybunt_total=sum((lifetime[d] for d in sybunt), D(0)),
        ),
        "by_state": sorted(
            ((s, total, count) for s, (total, count) in by_state.items()),
            key=lambda r: (-r[1], r[0]),
        ),
        "lybunt": sorted(lybunt, key=lambda d: (-lifetime[d], d)),
        "sybunt": sorted(sybunt, key=lambda d: (-lifetime[d], d)),
    }


def kept(org: Organization, today: datetime.date):
    fy = fiscal_year_of(org, today)
    return {
        "states": donor_states(fy),
        "by_state": giving_by_state(fy),
        "lybunt": [d.pk for d in lapsed_donors("lybunt", fy)],
        "sybunt": [d.pk for d in lapsed_donors("sybunt", fy)],
    }


def summary_rows():
    return sorted(
        GivingSummary.objects.filter(donors__gt=0).values_list(
            "first_fiscal_year", "last_fiscal_year", "previous_key", "state", "donors",
            "lifetime_cents", "last_year_cents",
        )
    )  # fmt: skip


def check(today):
    org = Organization.current()
    assert kept(org, today) == from_the_gifts(org, today)
    # And the same summary as one counted afresh from the gifts.
    before = summary_rows()
    donor_standings_rebuild()
    assert summary_rows() == before


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(organization, today):
    """Donors in three states, abroad and without an address, giving over five fiscal years."""
    fy = fiscal_year_of(organization, today)
    this, last = fy.start, fy.last_start
    before = last - datetime.timedelta(days=400)
    long_ago = last - datetime.timedelta(days=1200)
    people = {}
    for name, region, country in [
        ("ny", "NY", "US"), ("ca", "CA", "US"), ("ca2", "CA", "US"), ("tx", "TX", "US"),
        ("abroad", "", "PK"), ("nowhere", None, None),
    ]:  # fmt: skip
        donor = factories.make_donor(first_name=name)
        if region is not None:
            services.donor_address_add(
                donor=donor, line1="1 Main St", city="Town", region=region, country=country,
                postal_code="10001" if country == "US" else "",
            )  # fmt: skip
        people[name] = donor
    gifts = {
        "ny_this": factories.make_gift(people["ny"], amount=D("100.10"), gift_date=this),
        "ny_last": factories.make_gift(people["ny"], amount=D("50"), gift_date=last),
        "ca_last": factories.make_gift(people["ca"], amount=D("250.25"), gift_date=last),
        "ca2_before": factories.make_gift(people["ca2"], amount=D("75"), gift_date=before),
        "ca2_this": factories.make_gift(people["ca2"], amount=D("20"), gift_date=this),
        "tx_long_ago": factories.make_gift(people["tx"], amount=D("1000"), gift_date=long_ago),
        "abroad_this": factories.make_gift(people["abroad"], amount=D("300"), gift_date=this),
        "nowhere_last": factories.make_gift(people["nowhere"], amount=D("40"), gift_date=last),
    }
    return people, gifts, fy


@pytest.fixture(params=["a few donors", "many donors"])
def refresh(request, monkeypatch):
    """PostgreSQL refreshes a few donors' figures in one statement and many in five: both
    ways are checked (the second by treating every refresh as one of many). SQLite has one
    way."""
    if request.param == "many donors":
        if connection.vendor != "postgresql":
            pytest.skip("one way on SQLite: the first run of this test checks it")
        monkeypatch.setattr(figures, "ONE_STATEMENT_UP_TO", 0)
    return request.param


def test_kept_figures_follow_every_kind_of_change(world, today, refresh):
    people, gifts, fy = world
    check(today)
    kept_now = kept(Organization.current(), today)["states"]
    # ny retained, ca2 recovered, abroad new; ca and nowhere lapsed; tx SYBUNT.
    assert (kept_now.new, kept_now.retained, kept_now.recovered) == (1, 1, 1)
    assert (kept_now.lapsed, kept_now.sybunt) == (2, 1)

    # A gift's amount changed.
    gift = gifts["ca_last"]
    gift.amount = D("260.40")
    services.gift_save(gift=gift)
    check(today)

    # A gift moved to this year: ca is retained no more, lapsed no more, but recovered? No:
    # ca gave last year only, so moving its only gift makes it new.
    gift.gift_date = fy.start + datetime.timedelta(days=1)
    services.gift_save(gift=gift)
    check(today)

    # A gift moved to another donor.
    gift = gifts["nowhere_last"]
    gift.donor = people["tx"]
    services.gift_save(gift=gift)
    check(today)

    # Refunded in part, then in full.
    gift = gifts["ny_this"]
    gift.amount_refunded, gift.status = D("30.05"), "partially_refunded"
    services.gift_save(gift=gift)
    check(today)
    gift.amount_refunded, gift.status = gift.amount, "refunded"
    services.gift_save(gift=gift)
    check(today)

    # Deleted, one and several.
    services.gift_delete(gift=gifts["abroad_this"])
    check(today)
    services.gifts_delete(gifts=Gift.objects.filter(pk=gifts["ca2_this"].pk))
    check(today)

    # Imported (COPY on PostgreSQL): for a known donor by email and a new one.
    day = fy.start.isoformat()
    factories.make_import(
        [(2, {"donor_email": people["tx"].emails.get().email, "gift_date": day,
              "amount": "12.34", "method": "check"}),
         (3, {"donor_email": "new@example.org", "donor_first_name": "New",
              "donor_last_name": "Donor", "gift_date": fy.last_start.isoformat(),
              "amount": "99", "method": "cash"})],
        kind="gifts",
    )  # fmt: skip
    check(today)

    # Two donors merged: the survivor takes the other's gifts, the other's figures go.
    services.donors_merge(survivor=people["ny"], other=people["ca2"])
    check(today)

    # A primary address moved to another state, then abroad, then removed.
    address = people["ny"].addresses.get(is_primary=True)
    address.region = "NJ"
    services.donor_contacts_save(donor=people["ny"], contacts=[address])
    check(today)
    address.country = "CA"
    services.donor_contacts_save(donor=people["ny"], contacts=[address])
    check(today)
    services.donor_contacts_save(donor=people["ny"], contacts=[], deleted=[address])
    check(today)
    services.donor_address_add(
        donor=people["ny"], line1="2 Main St", city="Austin", region="TX", postal_code="73301"
    )
    check(today)
    assert dict((s, c) for s, _, c in giving_by_state(fy))["TX"] >= 1

    # A donor with no gifts left deleted.
    services.gifts_delete(gifts=Gift.objects.filter(donor=people["abroad"]))
    services.donors_delete(donors=[people["abroad"]])
    check(today)


def test_a_fiscal_year_from_july_counts_the_standings_again(world, today, refresh):
    people, gifts, _ = world
    org = Organization.current()
    org.fiscal_year_start_month = 7
    services.organization_save(organization=org)
    check(today)
    # A gift in the last days of a June is in that fiscal year, the July after in the next.
    july = fiscal_year_of(Organization.current(), today)
    factories.make_gift(people["tx"], gift_date=july.start - datetime.timedelta(days=1))
    factories.make_gift(people["nowhere"], gift_date=july.start)
    check(today)
    org = Organization.current()
    org.fiscal_year_start_month = 1
    services.organization_save(organization=org)
    check(today)


def test_the_triggers_come_back_when_a_migration_dropped_them(world, today):
    from donors.services.standings import trigger_sql

    vendor = connection.vendor
    drops = [s for s in trigger_sql(vendor) if s.startswith("DROP TRIGGER")]
    with connection.cursor() as cursor:
        for statement in drops:
            cursor.execute(statement)
    assert donor_standings_ensure() is True
    assert donor_standings_ensure() is False
    check(today)


def _more(fy, n):
    for _ in range(n):
        donor = factories.make_donor()
        factories.make_gift(donor, gift_date=fy.last_start)
        factories.make_gift(donor, gift_date=fy.last_start + datetime.timedelta(days=3))


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/lybunt/", "/dashboard/sybunt/"])
def test_the_board_pages_queries_do_not_grow_with_gifts_and_donors(client, board, world, url):
    client.force_login(board)
    _, _, fy = world

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
        return len(captured.captured_queries)

    first = count()
    _more(fy, 60)  # past the list's first page
    assert count() == first
    if url == "/dashboard/lybunt/":
        # 62 LYBUNT donors now (the count from the summary): two pages of 50.
        html = client.get(url + "?page=2").content.decode()
        assert "62 donors" in html and "Page 2 of 2" in html


def test_the_migration_installs_the_triggers_the_code_writes():
    """Migration 0021 carries a frozen copy of the SQL: a change to donors.services.standings
    (or to the rules it is written from) needs a migration that installs it."""
    import importlib

    from donors.services.standings import standings_insert_sql, trigger_sql

    migration = importlib.import_module("donors.migrations.0021_dashboard_standings")
    for vendor in ("postgresql", "sqlite"):
        assert migration.TRIGGERS[vendor] == trigger_sql(vendor)
        assert migration.BACKFILL[vendor] == standings_insert_sql(vendor)
