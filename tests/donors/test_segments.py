"""Segments built in the back office as staff build them: each criterion posted through the
builder's form, the count read back (the "Count" button and the JSON count page) and the
donors in it read from the saved segment's page; bad criteria answered with messages; saves
audited; a segment an appeal targets never deleted; its donors exported through the donor
export; who may build, see or not see segments."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from crm.dashboard import donor_states, fiscal_year_of
from donors.models import Appeal, AskStage, ExportJob, GiftMethod, Organization, Segment
from donors.segments import current_fiscal_year, segment_count, segment_donors
from donors.services import ask_create, soft_credit_add
from events.services import rsvp_check_in, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db

ADD = "/admin/donors/segment/add/"
COUNT = "/admin/donors/segment/count/"


def _change(segment) -> str:
    return f"/admin/donors/segment/{segment.pk}/change/"


def _in_fiscal_year(year: int, days: int = 30) -> datetime.date:
    start, _end = Organization.current().fiscal_year_bounds(year)
    return start + datetime.timedelta(days=days)


@pytest.fixture
def world(db):
    """Four donors and a board member's own donor record, giving across fiscal years that
    start in July: Amina gave last year only (LYBUNT), Bilal this year and long ago, Chanda
    two years ago only (SYBUNT), Dawood never."""
    factories.make_organization(fiscal_year_start_month=7)
    fy = current_fiscal_year()
    today = timezone.localdate()
    gala = "gala"
    campaign = factories.make_campaign(name="Spring Appeal")
    other_campaign = factories.make_campaign(name="Annual Fund")
    fund = factories.make_fund(name="Flood relief")
    member = factories.make_board_member(
        donor=factories.make_donor(first_name="Mona", last_name="Member", email="mona@example.org")
    )
    amina = factories.make_donor(
        first_name="Amina",
        last_name="Ahmed",
        email="amina@example.org",
        tags=[gala],
        address={"line1": "1 Main St", "city": "Indianapolis", "region": "IN",
                 "postal_code": "46204"},
    )  # fmt: skip
    gift = factories.make_gift(
        donor=amina,
        amount=Decimal("2000.00"),
        gift_date=_in_fiscal_year(fy - 1),
        campaign=campaign,
        fund=fund,
    )
    soft_credit_add(gift=gift, donor=member.donor, kind="solicitor")
    bilal = factories.make_donor(
        first_name="Bilal",
        last_name="Baig",
        email="bilal@example.org",
        mail_opt_in=False,
        address={"line1": "2 Elm St", "city": "Fremont", "region": "CA", "postal_code": "94536"},
    )
    factories.make_gift(
        donor=bilal, amount=Decimal("50.00"), gift_date=today, method=GiftMethod.CASH
    )
    factories.make_gift(
        donor=bilal,
        amount=Decimal("300.00"),
        gift_date=_in_fiscal_year(fy - 3),
        method=GiftMethod.WIRE,
        campaign=other_campaign,
    )
    chanda = factories.make_donor(
        first_name="Chanda",
        last_name="Chaudhry",
        email="chanda@example.org",
        email_opt_in=False,
        do_not_solicit=True,
        address={"line1": "3 Oak St", "city": "Carmel", "region": "IN", "postal_code": "46032"},
    )
    factories.make_gift(donor=chanda, amount=Decimal("600.00"), gift_date=_in_fiscal_year(fy - 2))
    ask_create(donor=chanda, member=member, amount="1000", stage=AskStage.ASK)
    dawood = factories.make_donor(
        first_name="Dawood",
        last_name="Dar",
        email="dawood@example.org",
        tags=[gala],
        address={"line1": "4 Pine St", "city": "Austin", "region": "TX", "postal_code": "73301"},
    )
    ask_create(donor=dawood, member=member, amount="500")  # identified, not asked yet
    event = factories.make_event(name="Carmel Dinner", slug="carmel-dinner")
    came = rsvp_submit(event=event, donor=bilal, answer="yes")
    rsvp_check_in(rsvp=came, count=1)
    rsvp_submit(event=event, donor=chanda, answer="yes")
    rsvp_submit(event=event, donor=dawood, answer="no")
    return {
        "fy": fy,
        "campaign": campaign,
        "fund": fund,
        "member": member,
        "event": event,
        "tag": amina.tags.get(),
    }


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def _criteria(world, name: str) -> dict:
    """The builder's fields for each criterion, as a person fills them in."""
    fy = world["fy"]
    last_start, last_end = Organization.current().fiscal_year_bounds(fy - 1)
    two_ago_end = Organization.current().fiscal_year_bounds(fy - 2)[1]
    return {
        "lifetime_at_least": {"lifetime_total__min": "1000"},
        "lifetime_at_most": {"lifetime_total__max": "100"},
        "largest_range": {"largest_gift__min": "500", "largest_gift__max": "1,000"},
        "first_gift_from": {"first_gift_date__from": last_start.isoformat()},
        "last_gift_through": {"last_gift_date__to": two_ago_end.isoformat()},
        "last_gift_range": {
            "last_gift_date__from": last_start.isoformat(),
            "last_gift_date__to": last_end.isoformat(),
        },
        "gave_last_year": {"gave_in_fiscal_year": str(fy - 1)},
        "not_last_year": {"not_gave_in_fiscal_year": str(fy - 1)},
        "lybunt": {"lybunt": "on"},
        "sybunt": {"sybunt": "on"},
        "campaign": {"campaigns": [str(world["campaign"].pk)]},
        "fund": {"funds": [str(world["fund"].pk)]},
        "method": {"methods": ["cash", "wire"]},
        "state": {"states": "in"},
        "city": {"cities": "carmel"},
        "zip": {"zip_prefixes": "462"},
        "tag": {"tags": [str(world["tag"].pk)]},
        "email_no": {"email_opt_in": "no"},
        "mail_no": {"mail_opt_in": "no"},
        "do_not_solicit": {"do_not_solicit": "yes"},
        "solicited": {"solicited_by": [str(world["member"].pk)]},
        "attended": {"events_attended": [str(world["event"].pk)]},
        "rsvp_yes": {"events_rsvp_yes": [str(world["event"].pk)]},
        "lybunt_in_indiana": {"lybunt": "on", "states": "IN"},
        "campaign_not_last_year": {
            "campaigns": [str(world["campaign"].pk), str(world["campaign"].pk + 1)],
            "not_gave_in_fiscal_year": str(fy - 1),
        },
    }[name]


EXPECTED = {
    "lifetime_at_least": {"Amina Ahmed"},
    "lifetime_at_most": {"Dawood Dar", "Mona Member"},
    "largest_range": {"Chanda Chaudhry"},
    "first_gift_from": {"Amina Ahmed"},
    "last_gift_through": {"Chanda Chaudhry"},
    "last_gift_range": {"Amina Ahmed"},
    "gave_last_year": {"Amina Ahmed"},
    "not_last_year": {"Bilal Baig", "Chanda Chaudhry", "Dawood Dar", "Mona Member"},
    "lybunt": {"Amina Ahmed"},
    "sybunt": {"Chanda Chaudhry"},
    "campaign": {"Amina Ahmed"},
    "fund": {"Amina Ahmed"},
    "method": {"Bilal Baig"},
    "state": {"Amina Ahmed", "Chanda Chaudhry"},
    "city": {"Chanda Chaudhry"},
    "zip": {"Amina Ahmed"},
    "tag": {"Amina Ahmed", "Dawood Dar"},
    "email_no": {"Chanda Chaudhry"},
    "mail_no": {"Bilal Baig"},
    "do_not_solicit": {"Chanda Chaudhry"},
    "solicited": {"Amina Ahmed", "Chanda Chaudhry"},
    "attended": {"Bilal Baig"},
    "rsvp_yes": {"Bilal Baig", "Chanda Chaudhry"},
    "lybunt_in_indiana": {"Amina Ahmed"},
    "campaign_not_last_year": {"Bilal Baig"},
}


def _preview_names(response) -> set[str]:
    return {str(donor) for donor in response.context["preview"].object_list}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_criterion_counted_saved_and_previewed_through_the_builder(world, staff_client, name):
    criteria = _criteria(world, name)
    counted = staff_client.post(ADD, {"name": "", **criteria, "_count": "Count"})
    assert counted.status_code == 200
    assert counted.context["segment_count"] == len(EXPECTED[name]), name
    assert f'<strong id="segment-count">{len(EXPECTED[name])}</strong>' in counted.text
    assert not Segment.objects.exists()  # counting saves nothing

    saved = staff_client.post(ADD, {"name": f"Segment {name}", **criteria, "_save": "Save"})
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    segment = Segment.objects.get()
    page = staff_client.get(_change(segment))
    assert page.status_code == 200
    assert page.context["segment_count"] == len(EXPECTED[name])
    assert _preview_names(page) == EXPECTED[name]
    for donor_name in EXPECTED[name]:
        assert donor_name in page.text
    # The saved segment is what the other features read.
    assert {str(d) for d in segment_donors(segment.definition)} == EXPECTED[name]


def test_the_json_count_follows_the_form_and_explains_bad_criteria(world, staff_client):
    answer = staff_client.post(COUNT, {"states": "IN", "lybunt": "on"})
    assert answer.status_code == 200
    assert answer.json()["count"] == 1
    assert answer.json()["criteria"] == ["LYBUNT: yes", "State: IN"]
    assert staff_client.get(COUNT).json()["count"] == 5  # no criteria: every donor

    bad = staff_client.post(
        COUNT,
        {"lifetime_total__min": "5000", "lifetime_total__max": "10", "states": "Indiana"},
    )
    assert bad.status_code == 400
    problems = [m for ms in bad.json()["errors"].values() for m in ms]
    assert "Lifetime giving: The lowest amount is more than the highest." in problems
    assert "State: Not a two-letter state code: INDIANA." in problems


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lifetime_total__min": "lots"}, "The lowest amount is not a number: lots."),
        ({"largest_gift__max": "-5"}, "must be between $0 and $999,999,999,999"),
        ({"first_gift_date__from": "2026-02-30"}, "The first date is not a date (YYYY-MM-DD)"),
        (
            {"last_gift_date__from": "2026-05-01", "last_gift_date__to": "2026-01-01"},
            "The first date is after the last.",
        ),
        ({"gave_in_fiscal_year": "last year"}, "Not a year: last year."),
        ({"not_gave_in_fiscal_year": "99999"}, "between 1900 and 2200"),
        ({"zip_prefixes": "46a"}, "A ZIP prefix is 1 to 5 digits"),
        ({"states": "I"}, "Not a two-letter state code: I."),
    ],
)
def test_bad_criteria_are_answered_on_the_form_and_nothing_is_saved(
    world, staff_client, fields, message
):
    response = staff_client.post(ADD, {"name": "Bad", **fields, "_save": "Save"})
    assert response.status_code == 200
    assert message in response.text
    assert not Segment.objects.exists()
    counted = staff_client.post(ADD, {"name": "Bad", **fields, "_count": "Count"})
    assert counted.status_code == 200 and message in counted.text
    assert "segment_count" not in counted.context or counted.context["segment_count"] is None


def test_a_choice_that_no_longer_exists_is_named(world, staff_client):
    response = staff_client.post(COUNT, {"campaigns": ["999999"]})
    assert response.status_code == 400  # not one of the choices offered


def test_definitions_given_directly_are_checked_with_messages(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        segment_count({"campaigns": [999999], "lybunt": False, "nonsense": 1})
    assert "Unknown criteria: nonsense." in error.value.messages
    with pytest.raises(ValidationError) as error:
        segment_count({"campaigns": [999999], "lybunt": False})
    assert "Gave to campaign: No campaign numbered 999999." in error.value.messages
    assert "LYBUNT: Tick the box, or leave this criterion out." in error.value.messages


def test_lybunt_and_sybunt_are_the_dashboards_own_figures(world):
    states = donor_states(fiscal_year_of(Organization.current(), timezone.localdate()))
    assert segment_count({"lybunt": True}) == states.lapsed == 1
    assert segment_count({"sybunt": True}) == states.sybunt == 1


def test_saving_is_audited_with_who_and_what_changed(world, staff, staff_client):
    staff_client.post(ADD, {"name": "Indiana", "states": "IN", "_save": "Save"})
    segment = Segment.objects.get()
    assert segment.created_by == staff
    assert segment.definition == {"states": ["IN"]}
    staff_client.post(
        _change(segment), {"name": "Indiana lapsed", "states": "IN", "lybunt": "on", "_save": "1"}
    )
    segment.refresh_from_db()
    assert segment.definition == {"lybunt": True, "states": ["IN"]}
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Segment), object_pk=str(segment.pk)
    ).order_by("timestamp", "pk")
    created, changed = list(entries)
    assert created.action == LogEntry.Action.CREATE and created.actor == staff
    assert changed.action == LogEntry.Action.UPDATE and changed.actor == staff
    assert changed.changes_dict["name"] == ["Indiana", "Indiana lapsed"]
    assert "lybunt" in changed.changes_dict["definition"][1]


def test_a_segment_an_appeal_targets_is_never_deleted(world, staff_client, administrator):
    segment = factories.make_segment(name="Lapsed", definition={"lybunt": True})
    Appeal.objects.create(
        name="Spring letter", code="SPRING26", campaign=world["campaign"], segment=segment
    )
    admin = Client()
    admin.force_login(administrator)
    page = admin.get(f"/admin/donors/segment/{segment.pk}/delete/", follow=True)
    assert "cannot be deleted: appeals target it (Spring letter)" in page.text
    refused = admin.post(f"/admin/donors/segment/{segment.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 302
    action = admin.post(
        "/admin/donors/segment/",
        {"action": "delete_selected", "_selected_action": [segment.pk], "post": "yes"},
        follow=True,
    )
    # Django's own refusal, naming the protected appeal.
    assert "Cannot delete segment" in action.text and "Spring letter (SPRING26)" in action.text
    assert Segment.objects.filter(pk=segment.pk).exists()

    unused = factories.make_segment(name="Unused", definition={"states": ["CA"]})
    admin.post(f"/admin/donors/segment/{unused.pk}/delete/", {"post": "yes"})
    assert not Segment.objects.filter(pk=unused.pk).exists()
    deleted = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_pk=str(unused.pk))
    assert deleted.actor == administrator


def test_export_these_donors_goes_through_the_donor_export(
    world, staff_client, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    segment = factories.make_segment(name="Indiana", definition={"states": ["IN"]})
    response = staff_client.post(f"/admin/donors/segment/{segment.pk}/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["display_name"] for r in rows) == ["Amina Ahmed", "Chanda Chaudhry"]
    assert {r["lifetime_total"] for r in rows} == {"2000.00", "600.00"}

    with django_capture_on_commit_callbacks(execute=True):
        workbook = staff_client.post(
            f"/admin/donors/segment/{segment.pk}/export/", {"format": "xlsx"}
        )
    assert workbook.status_code == 302
    job = ExportJob.objects.get()
    assert workbook["Location"] == f"/exports/{job.pk}/"
    job.refresh_from_db()
    assert (job.kind, job.format, job.total, job.status) == ("donors", "xlsx", 2, "done")
    download = staff_client.get(workbook["Location"] + "download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    header, *rows = list(book.worksheets[0].iter_rows(values_only=True))
    names = sorted(dict(zip(header, row, strict=True))["display_name"] for row in rows)
    assert names == ["Amina Ahmed", "Chanda Chaudhry"]
    assert staff_client.get(f"/admin/donors/segment/{segment.pk}/export/").status_code == 405


def test_board_members_see_segments_and_counts_but_never_build(world, board, staff):
    segment = factories.make_segment(name="Indiana", definition={"states": ["IN"]}, user=staff)
    client = Client()
    client.force_login(board)
    listing = client.get("/admin/donors/segment/")
    assert listing.status_code == 200
    assert "Indiana" in listing.text and "State: IN" in listing.text
    page = client.get(_change(segment))
    assert page.status_code == 200
    assert page.context["segment_count"] == 2
    assert _preview_names(page) == {"Amina Ahmed", "Chanda Chaudhry"}
    assert 'name="_count"' not in page.text
    assert client.post(COUNT, {"states": "CA"}).json()["count"] == 1
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"name": "Mine", "_count": "Count"}).status_code == 403
    client.post(_change(segment), {"name": "Changed", "states": "CA", "_save": "Save"})
    segment.refresh_from_db()
    assert (segment.name, segment.definition) == ("Indiana", {"states": ["IN"]})
    assert client.post(f"/admin/donors/segment/{segment.pk}/delete/", {"post": "yes"}).status_code
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_organizers_see_no_segments(world, organizer):
    segment = factories.make_segment(name="Indiana", definition={"states": ["IN"]})
    client = Client()
    client.force_login(organizer)
    for url in ("/admin/donors/segment/", _change(segment), ADD, COUNT):
        assert client.get(url).status_code == 403, url
    assert client.post(COUNT, {"states": "IN"}).status_code == 403
    exported = client.post(f"/admin/donors/segment/{segment.pk}/export/", {"format": "csv"})
    assert exported.status_code == 403


def test_the_preview_pages_through_the_donors(world, staff_client):
    for n in range(30):
        factories.make_donor(first_name=f"Zed{n:02d}", last_name="Zaman", tags=["many"])
    segment = factories.make_segment(name="Many", definition={"email_opt_in": True})
    first = staff_client.get(_change(segment))
    assert first.context["preview"].paginator.num_pages == 2
    second = staff_client.get(_change(segment) + "?donors_page=2")
    assert len(second.context["preview"].object_list) == first.context["segment_count"] - 25
    assert "Zed29 Zaman" in second.text


def test_a_segment_whose_choices_were_deleted_says_so_instead_of_failing(world, staff_client):
    campaign = factories.make_campaign(name="Gone soon")
    segment = factories.make_segment(name="Gone", definition={"campaigns": [campaign.pk]})
    number = campaign.pk
    campaign.delete()
    listing = staff_client.get("/admin/donors/segment/")
    assert listing.status_code == 200 and "criteria to correct" in listing.text
    page = staff_client.get(_change(segment))
    assert page.status_code == 200
    assert f"No campaign numbered {number}." in page.text
    export = staff_client.post(f"/admin/donors/segment/{segment.pk}/export/", {"format": "csv"})
    assert export.status_code == 302
