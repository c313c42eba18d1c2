"""The board dashboard: every figure against the hand-counted data set of tests/dashboard_data,
the page as each role sees it, and a pinned number of queries."""

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.dashboard import (
    NO_ADDRESS,
    board_giving,
    donor_states,
    fiscal_year_of,
    giving_by_month_and_channel,
    giving_by_state,
    lapsed_donors,
)
from donors.exports import csv_cell
from donors.models import GlobalGivingFetch
from donors.progress import Channel
from events.services import rsvp_submit
from tests import dashboard_data as data
from tests import factories


@pytest.fixture
def cast(organization, board):
    return data.build(timezone.localdate(), board_user=board)


@pytest.fixture
def fy(cast):
    return fiscal_year_of(cast.org, timezone.localdate())


def test_giving_by_month_compares_this_fiscal_year_with_last(cast, fy):
    giving = giving_by_month_and_channel(fy, cast.org)
    # This year: 100 + 250 + (500 - 200) + 2500 + 150 + 400 + 900 + 200; the refunded check
    # and the soft credits add nothing.
    assert giving.total == D("4800.00")
    assert giving.months[0].this_year == D("4800.00")
    assert all(m.this_year == 0 for m in giving.months[1:])
    # Last year: 60 cash in its first month, the 75 check two months later; the gifts of the
    # year before last are in neither.
    assert (giving.months[0].last_year, giving.months[2].last_year) == (D("60.00"), D("75.00"))
    assert giving.last_total == D("135.00")
    month_now = (fy.today.year - fy.start.year) * 12 + fy.today.month - fy.start.month
    assert giving.last_total_to_date == (D("135.00") if month_now >= 2 else D("60.00"))
    assert [m.future for m in giving.months] == [i > month_now for i in range(12)]


def test_giving_by_channel_this_year_and_last(cast, fy):
    giving = giving_by_month_and_channel(fy, cast.org)
    assert {value: (this, last) for value, _, this, last in giving.channels} == {
        Channel.ONLINE: (D("400.00"), D("0.00")),
        Channel.CHECKS: (D("850.00"), D("75.00")),
        Channel.MAJOR: (D("2500.00"), D("0.00")),
        Channel.EVENTS: (D("150.00"), D("0.00")),
        Channel.GLOBALGIVING: (D("900.00"), D("0.00")),
        Channel.OTHER: (D("0.00"), D("60.00")),
    }


def test_giving_by_state_of_the_donors_primary_address(cast, fy):
    assert giving_by_state(fy) == [
        (NO_ADDRESS, D("3400.00"), 2),  # Acme's wire and GlobalGiving's payout
        ("CA", D("850.00"), 1),  # Omar
        ("IN", D("550.00"), 1),  # Ayesha
    ]


def test_donor_states_new_retained_recovered_lapsed(cast, fy):
    states = donor_states(fy)
    # Ayesha gave this year and the year before last: recovered. Omar this year and last:
    # retained. Acme and GlobalGiving: new. Zain last year only (his soft credit this year is
    # not his gift): lapsed. Farah only the year before last: SYBUNT.
    assert (states.this_year, states.new, states.retained, states.recovered) == (4, 2, 1, 1)
    assert (states.lapsed, states.sybunt) == (1, 1)
    assert (states.lybunt_total, states.sybunt_total) == (D("60.00"), D("40.00"))
    assert states.retention_rate == 50
    assert list(lapsed_donors("lybunt", fy)) == [cast.zain]
    assert list(lapsed_donors("sybunt", fy)) == [cast.farah]


def test_donor_states_on_a_fiscal_year_from_july(cast):
    cast.org.fiscal_year_start_month = 7
    cast.org.save()
    today = timezone.localdate()
    states = donor_states(fiscal_year_of(cast.org, today))
    assert states.this_year + states.lapsed + states.sybunt == 6


def test_board_give_and_get_against_goals(cast, fy):
    board = board_giving(fy)
    rows = {r.member.donor.first_name: r for r in board.rows}
    # Ayesha's own gifts: 100 + 300 + 150; her match credit is no solicitation.
    assert (rows["Ayesha"].give, rows["Ayesha"].get) == (D("550.00"), D("0.00"))
    assert (rows["Ayesha"].give_goal, rows["Ayesha"].get_goal) == (D("5000.00"), D("3000.00"))
    # Omar: 250 + 400 + 200 (his refunded check is not giving); he solicited Acme's 2,500.
    assert (rows["Omar"].give, rows["Omar"].get) == (D("850.00"), D("2500.00"))
    assert (rows["Omar"].give_percent, rows["Omar"].get_percent) == (85, 125)
    assert (board.gave, board.members, board.participation) == (2, 2, 100)


def test_board_participation_counts_only_members_who_gave(cast, fy):
    factories.make_board_member(donor=cast.farah)  # serving, gave nothing this year
    board = board_giving(fy)
    assert (board.gave, board.members, board.participation) == (2, 3, 67)


def test_dashboard_shows_each_figure(client, board, cast):
    GlobalGivingFetch.objects.create(
        project_id="98765", ok=True, funding=D("18342.50"), goal=D("50000"), donation_count=212
    )
    GlobalGivingFetch.objects.create(
        project_id="98765", ok=False, error="GlobalGiving answered HTTP 500"
    )
    client.force_login(board)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "$3,775.00" in html and "$600.00" in html  # Dinners received; unpaid pledge apart
    assert "$18,542.50" in html  # GlobalGiving live funding + the 200 check, payout once
    assert "failed: GlobalGiving answered HTTP 500" in html  # the last good figures stay
    assert "$4,800.00" in html  # this fiscal year
    assert html.count('class="bar-this"') == sum(
        1 for m in response.context["giving"].months if not m.future
    )
    assert 'id="board-participation">100%' in html
    assert "Zain Ahmed" in html and "Farah" in html
    assert "/dashboard/lybunt.csv" not in html  # board members see lists, do not export them


def test_staff_see_the_export_links(client, staff, cast):
    client.force_login(staff)
    html = client.get("/dashboard/").content.decode()
    assert "/dashboard/lybunt.csv" in html and "/dashboard/sybunt.csv" in html


def test_dashboard_queries_are_pinned_and_do_not_grow(client, board, cast):
    client.force_login(board)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/").status_code == 200
        return len(captured.captured_queries)

    # session, user, 2 permission reads; organization; campaigns, their sums, their pledges,
    # GlobalGiving figures; months x channels; states and donor states (one each, on the giving
    # summary); LYBUNT; SYBUNT; the board with give, get and goals; recovered revenue (failed
    # monthly payments paid after all); the next events with their RSVP counts: 17, whatever the
    # number of gifts, campaigns, members, events or RSVPs.
    assert count() == 17
    for n in range(3):
        campaign = factories.make_campaign(globalgiving_project_id=f"p{n}")
        member = factories.make_board_member()
        factories.make_board_goal(member, fiscal_year=cast.fy)
        factories.make_gift(member.donor, campaign=campaign, gift_date=cast.fy_start)
        factories.make_gift(gift_date=cast.last_fy_start)
        event = factories.make_event(capacity=2, campaign=campaign)
        for answer, size in (("yes", 2), ("yes", 1), ("maybe", 1), ("no", 1)):  # one waits
            rsvp_submit(event=event, donor=factories.make_donor(), answer=answer, party_size=size)
    assert len(client.get("/dashboard/").context["events"]) == 3
    assert count() == 17


def test_lybunt_and_sybunt_lists_page_through_donors(client, board, cast):
    client.force_login(board)
    html = client.get("/dashboard/lybunt/").content.decode()
    assert "Zain Ahmed" in html and "1 donor" in html
    assert "Download as CSV" not in html
    html = client.get("/dashboard/sybunt/?page=99").content.decode()
    assert "Farah" in html


def test_staff_export_lybunt_and_sybunt_with_formulas_neutralized(client, staff, cast):
    client.force_login(staff)
    response = client.get("/dashboard/sybunt.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["name", "email"]
    assert rows[1][0] == '\'=HYPERLINK("http://x") Farah'
    assert rows[1][7] == "40.00"
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/dashboard/lybunt.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert [r[0] for r in rows[1:]] == ["Zain Ahmed"]


@pytest.mark.parametrize(
    "value,cell",
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("Khan", "Khan"),
        (None, ""),
        (D("-5.00"), "'-5.00"),
    ],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert csv_cell(value) == cell


def test_event_organizers_and_visitors_never_see_the_dashboard(client, organizer, cast):
    assert client.get("/dashboard/").status_code == 302
    client.force_login(organizer)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/lybunt/").status_code == 403


def test_dashboard_answers_before_anything_is_recorded(client, board):
    client.force_login(board)  # no organization profile, campaign, gift nor board yet
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No active campaign." in html and "No board member serves this year." in html
    assert "No upcoming event." in html


def test_giving_by_state_is_the_same_on_a_fiscal_year_from_july(cast):
    cast.org.fiscal_year_start_month = 7
    cast.org.save()
    fy = fiscal_year_of(cast.org, timezone.localdate())
    expected = {}
    states = dict((name, total) for name, total, _ in giving_by_state(fy))
    # Every gift of the data set sits on the first day of a calendar year or before the last
    # fiscal year; which of them fall in a July fiscal year depends on today: count by hand.
    from donors.models import Gift

    for gift in Gift.objects.filter(
        status__in=("succeeded", "partially_refunded"), tax_date__range=(fy.start, fy.end)
    ).select_related("donor"):
        address = gift.donor.addresses.filter(is_primary=True).first()
        key = address.region if address else NO_ADDRESS
        expected[key] = expected.get(key, D("0")) + gift.amount - gift.amount_refunded
    assert states == expected


def test_next_events_with_their_rsvp_counts(client, board, organization):
    now = timezone.now()
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    # Seven in the evening in Fremont, ten days on: 10 PM on the site's New York clock.
    fremont_start = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=10), datetime.time(19, 0), tzinfo=la
    )
    fremont = factories.make_event(
        name="Fremont Dinner",
        slug="fremont",
        city="Fremont",
        state="CA",
        time_zone="America/Los_Angeles",
        capacity=5,
        starts_at=fremont_start,
    )
    gala = factories.make_event(
        name="Indianapolis Gala",
        slug="gala",
        capacity=100,
        starts_at=now + datetime.timedelta(days=3),
    )
    cancelled = factories.make_event(
        name="Rained Out Picnic", slug="picnic", starts_at=now + datetime.timedelta(days=5)
    )
    past = factories.make_event(
        name="Spring Lunch", slug="lunch", starts_at=now - datetime.timedelta(days=10)
    )
    factories.make_event(
        name="Draft Auction",
        slug="auction",
        status="draft",
        starts_at=now + datetime.timedelta(days=1),
    )

    def answer(event, answer, size=1):
        return rsvp_submit(
            event=event, donor=factories.make_donor(), answer=answer, party_size=size
        )

    # Fremont, 5 seats: parties of 3 and 2 fill it, the next party of 2 waits.
    answer(fremont, "yes", 3)
    answer(fremont, "yes", 2)
    waiting = answer(fremont, "yes", 2)
    answer(fremont, "maybe", 2)
    answer(fremont, "no")
    answer(fremont, "no")
    assert waiting.waitlist_position == 1
    # The gala: one party of 4, one maybe.
    answer(gala, "yes", 4)
    answer(gala, "maybe")
    for event in (cancelled, past):
        answer(event, "yes", 2)
    cancelled.status = "cancelled"
    cancelled.save()

    client.force_login(board)
    response = client.get("/dashboard/")
    html = response.content.decode()

    events = response.context["events"]
    assert [e.slug for e in events] == ["gala", "fremont"]  # soonest first
    assert [
        (
            e.yes_parties,
            e.yes_seats,
            e.capacity,
            e.waitlist_parties,
            e.waitlist_seats,
            e.maybe_parties,
            e.maybe_seats,
            e.no_parties,
        )
        for e in events
    ] == [(1, 4, 100, 0, 0, 1, 1, 0), (2, 5, 5, 1, 2, 1, 2, 2)]

    assert "Upcoming events and their RSVPs will appear here" not in html
    assert html.index("Indianapolis Gala") < html.index("Fremont Dinner")
    for gone in ("Rained Out Picnic", "Spring Lunch", "Draft Auction"):
        assert gone not in html
    row = html[html.index('data-event="fremont"') :]
    row = row[: row.index("</tr>")]
    assert 'href="/events/fremont/summary/"' in row
    assert "Fremont, CA" in row
    assert fremont_start.strftime("%a %b %-d, %Y") in row
    assert "7:00 PM P" in row and "10:00 PM" not in row  # the venue's clock (PST or PDT)
    assert '<span class="event-yes">5 of 5 seats</span>' in row and "2 parties" in row
    assert '<span class="event-waitlist">1 party</span>' in row and "2 seats" in row
    assert '<span class="event-maybe">1</span>' in row
    assert '<span class="event-no">2</span>' in row
    gala_row = html[html.index('data-event="gala"') :]
    gala_row = gala_row[: gala_row.index("</tr>")]
    assert '<span class="event-yes">4 of 100 seats</span>' in gala_row
    assert '<span class="event-waitlist">0 parties</span>' in gala_row
    assert "Indianapolis, IN" in gala_row
    # A board member may open the summary the panel links to.
    assert client.get("/events/fremont/summary/").status_code == 200


def test_a_solicitors_get_follows_the_refunds_of_the_gifts_they_solicited(client, board, cast):
    # Acme's 2,500 (Omar's solicitation, Omar credited with all of it): 1,000 goes back, so
    # 1,500 counts toward his get; a credit of part of a gift keeps its share of what was kept.
    from donors.services import gift_save, soft_credit_add

    acme = cast.company.gifts.get(amount=D("2500.00"))
    acme.status, acme.amount_refunded = "partially_refunded", D("1000.00")
    gift_save(gift=acme)
    other = factories.make_gift(cast.farah, amount=D("300.00"), gift_date=acme.gift_date)
    soft_credit_add(gift=other, donor=cast.ayesha, kind="solicitor", amount="100.00")
    other.status, other.amount_refunded = "partially_refunded", D("50.00")
    gift_save(gift=other)
    client.force_login(board)

    response = client.get("/dashboard/")
    rows = {r.member.donor.first_name: r for r in response.context["board"].rows}

    assert "$1,500.00 of $2,000.00" in response.content.decode()
    assert rows["Omar"].get == D("1500.00")
    assert rows["Ayesha"].get == D("83.33")  # 100 × 250 kept ÷ 300
