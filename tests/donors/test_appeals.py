"""Appeals: kept in the back office through the services (audited under the user's name), their
results counted by hand here (refunds taken off, response rate, cost per dollar), and gifts
attributed to them by import, by staff and by a donate link through Stripe (tests/donors/
test_appeals_donate.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from donors.appeals import appeal_results, appeals_with_results
from donors.imports.files import Sheet
from donors.imports.gifts import gifts_import
from donors.models import Appeal, Gift, GiftStatus
from donors.services import appeal_recipients_record, appeal_save, appeals_delete
from tests import factories
from tests.donors.admin_forms import form_data, gift_add_data
from tests.donors.import_files import csv_bytes
from tests.donors.test_import_admin import confirm, upload

pytestmark = pytest.mark.django_db


def make_appeal(**fields) -> Appeal:
    fields.setdefault("campaign", fields.get("campaign") or factories.make_campaign())
    fields.setdefault("name", "Spring letter")
    fields.setdefault("code", "SPRING26")
    return appeal_save(appeal=Appeal(**fields))


# -- Kept in the admin -----------------------------------------------------------------------


def test_staff_add_and_change_an_appeal_in_the_admin_and_the_audit_names_them(
    client, staff, organization
):
    campaign = factories.make_campaign(name="Spring 2026")
    client.force_login(staff)
    data = form_data(client.get("/admin/donors/appeal/add/"), "appeal")
    data.update(
        name="Spring letter", code="spring26-mail", campaign=str(campaign.pk), channel="both",
        cost="120.00", email_subject="A word for {{ first_name }}",
        email_body="Dear {{ salutation }},\nGive here: {{ donate_url }}",
        letter_body="Dear {{ salutation }},", signer_name="Amina Shah", signer_title="Chair",
    )  # fmt: skip
    response = client.post("/admin/donors/appeal/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    appeal = Appeal.objects.get()
    assert (appeal.code, appeal.campaign, appeal.cost) == (
        "SPRING26-MAIL", campaign, Decimal("120.00")
    )  # fmt: skip
    created = LogEntry.objects.get_for_object(appeal).get(action=LogEntry.Action.CREATE)
    assert created.actor == staff
    assert created.changes_dict["code"] == ["None", "SPRING26-MAIL"]

    url = f"/admin/donors/appeal/{appeal.pk}/change/"
    data = form_data(client.get(url), "appeal")
    data["cost"] = "150.00"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    changed = LogEntry.objects.get_for_object(appeal).get(action=LogEntry.Action.UPDATE)
    assert changed.actor == staff
    assert changed.changes_dict == {"cost": ["120.00", "150.00"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "SPRING 26!", "Use capital letters, digits and hyphens only"),
        ("email_body", "Dear {{ favourite_colour }}", "Unknown merge fields: favourite_colour"),
        ("letter_body", "Dear {% if %}", "This text has an error"),
        ("email_subject", "Hi {{ nickname }}", "Unknown merge fields: nickname"),
    ],
)
def test_the_appeal_form_refuses_a_bad_code_or_merge_field_in_words(
    client, staff, organization, field, value, message
):
    campaign = factories.make_campaign()
    client.force_login(staff)
    data = form_data(client.get("/admin/donors/appeal/add/"), "appeal")
    data.update(name="Spring letter", code="SPRING26", campaign=str(campaign.pk), cost="0")
    data[field] = value
    response = client.post("/admin/donors/appeal/add/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_service_refuses_an_unknown_merge_field_too(organization):
    with pytest.raises(ValidationError, match="Unknown merge fields"):
        make_appeal(letter_body="{{ shoe_size }}")


def test_an_appeal_that_gifts_answer_is_not_deleted_and_the_page_says_why(
    client, staff, organization
):
    appeal = make_appeal()
    factories.make_gift(appeal=appeal)
    client.force_login(staff)
    url = f"/admin/donors/appeal/{appeal.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot be deleted: 1 gift is attributed to it" in text
    assert 'type="submit"' not in text.split('id="content"')[1]  # no confirm button
    assert client.post(url, {"post": "yes"}).status_code == 200
    # Nor through the list's action.
    client.post(
        "/admin/donors/appeal/",
        {"action": "delete_selected", "_selected_action": [appeal.pk], "post": "yes"},
    )
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    with pytest.raises(ValidationError, match="1 gift is attributed"):
        appeals_delete(appeals=[appeal])


def test_an_appeal_without_gifts_is_deleted_after_its_confirm_page(client, staff, organization):
    appeal = make_appeal()
    donor = factories.make_donor()
    appeal_recipients_record(appeal=appeal, donor_ids=[donor.pk], via="email")
    client.force_login(staff)
    url = f"/admin/donors/appeal/{appeal.pk}/delete/"
    assert "Are you sure" in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Appeal.objects.exists()
    deleted = LogEntry.objects.get(
        object_pk=str(appeal.pk), action=LogEntry.Action.DELETE, content_type__model="appeal"
    )
    assert deleted.actor == staff


def test_the_list_searches_filters_and_shows_asked_responded_raised(client, staff, organization):
    spring, gala = factories.make_campaign(name="Spring"), factories.make_campaign(name="Gala")
    letter = make_appeal(name="Spring letter", code="SPRING26", campaign=spring, channel="letter")
    make_appeal(name="Gala email", code="GALA26", campaign=gala, channel="email")
    a, b = factories.make_donor(), factories.make_donor()
    appeal_recipients_record(appeal=letter, donor_ids=[a.pk, b.pk], via="letter")
    factories.make_gift(a, appeal=letter, amount=Decimal("100.10"))
    factories.make_gift(a, appeal=letter, amount=Decimal("0.20"))
    client.force_login(staff)
    listing = client.get("/admin/donors/appeal/?q=spring26")
    rows = list(listing.context["cl"].result_list)
    assert [r.code for r in rows] == ["SPRING26"]
    assert (rows[0].asked_count, rows[0].responded_count, rows[0].raised) == (
        2, 1, Decimal("100.30")
    )  # fmt: skip
    assert "$100.30" in listing.content.decode()
    by_channel = client.get("/admin/donors/appeal/?channel__exact=email")
    assert [r.code for r in by_channel.context["cl"].result_list] == ["GALA26"]
    by_campaign = client.get(f"/admin/donors/appeal/?campaign__id__exact={spring.pk}")
    assert [r.code for r in by_campaign.context["cl"].result_list] == ["SPRING26"]


# -- Results ---------------------------------------------------------------------------------


def _results_cast():
    """An appeal with cost $50, four donors asked (a and b by letter, b and c by email, d by
    letter), and gifts: a $100 (plus $100 answering nothing), b $60 with $10 refunded, c $40
    refunded in full, e (never asked) $25, a failed $500 from d."""
    appeal = make_appeal(cost=Decimal("50.00"), channel="both")
    a, b, c, d, e = (
        factories.make_donor(first_name=n, last_name="Khan")
        for n in ("Asif", "Bilal", "Cyrus", "Dina", "Emad")
    )
    appeal_recipients_record(appeal=appeal, donor_ids=[a.pk, b.pk, d.pk], via="letter")
    appeal_recipients_record(appeal=appeal, donor_ids=[b.pk, c.pk], via="email")
    day = datetime.date(2026, 4, 2)
    make = factories.make_gift
    make(a, appeal=appeal, amount=Decimal("100.00"), gift_date=day)
    make(a, amount=Decimal("100.00"), gift_date=day)
    make(b, appeal=appeal, amount=Decimal("60.00"), gift_date=day,
         status=GiftStatus.PARTIALLY_REFUNDED, amount_refunded=Decimal("10.00"))  # fmt: skip
    make(c, appeal=appeal, amount=Decimal("40.00"), gift_date=day,
         status=GiftStatus.REFUNDED, amount_refunded=Decimal("40.00"))  # fmt: skip
    make(e, appeal=appeal, amount=Decimal("25.00"), gift_date=day)
    make(d, appeal=appeal, amount=Decimal("500.00"), gift_date=day, status=GiftStatus.FAILED)
    return appeal, (a, b, c, d, e)


def test_results_count_kept_money_response_rate_and_cost_per_dollar(organization):
    appeal, _ = _results_cast()
    results = appeal_results(appeal)
    # Counted by hand: asked a, b, c, d (b both ways); gave (counted, kept > 0 or not) a, b, e.
    assert (results.asked, results.asked_by_email, results.asked_by_letter) == (4, 2, 3)
    assert (results.responded, results.responded_asked, results.gifts) == (3, 2, 3)
    assert results.raised == Decimal("175.00")  # 100 + (60 - 10) + 25
    assert results.average_gift == Decimal("58.33")
    assert results.response_rate == Decimal("0.7500")
    assert results.cost_per_dollar == Decimal("0.29")  # 50 / 175
    listed = appeals_with_results().get(pk=appeal.pk)
    assert (listed.asked_count, listed.responded_count, listed.raised) == (
        4, 3, Decimal("175.00")
    )  # fmt: skip


def test_nothing_raised_shows_a_dash_for_cost_per_dollar(client, staff, organization):
    appeal = make_appeal(cost=Decimal("80.00"))
    results = appeal_results(appeal)
    assert (results.response_rate, results.cost_per_dollar, results.average_gift) == (
        None, None, None
    )  # fmt: skip
    client.force_login(staff)
    page = client.get(f"/admin/donors/appeal/{appeal.pk}/change/").content.decode()
    assert '<td id="cost-per-dollar">—</td>' in page
    assert '<td id="response-rate">—</td>' in page
    assert "Nobody yet" in page


def test_the_appeal_page_shows_the_results_and_who_was_asked(client, staff, organization):
    appeal, (a, b, c, d, e) = _results_cast()
    client.force_login(staff)
    response = client.get(f"/admin/donors/appeal/{appeal.pk}/change/")
    page = response.content.decode()
    for cell, value in [
        ("asked", "4"), ("responded", "3"), ("response-rate", "75.0%"), ("raised", "$175.00"),
        ("gift-count", "3"), ("average-gift", "$58.33"), ("cost", "$50.00"),
        ("cost-per-dollar", "$0.29"),
    ]:  # fmt: skip
        assert f'<td id="{cell}">{value}</td>' in page, cell
    assert "by email 2 · by letter 3" in page
    asked = response.context["asked_page"]
    assert [donor.pk for donor in asked] == [a.pk, b.pk, c.pk, d.pk]
    assert [(x.by_email, x.by_letter, x.gave) for x in asked] == [
        (False, True, Decimal("100.00")), (True, True, Decimal("50.00")),
        (True, False, Decimal("0.00")), (False, True, Decimal("0.00")),
    ]  # fmt: skip
    gave = response.context["gave_page"]
    assert [(x.pk, x.appeal_gifts, x.was_asked) for x in gave] == [
        (a.pk, 1, True), (b.pk, 1, True), (e.pk, 1, False)
    ]  # fmt: skip
    # The gifts behind the figures, one click away.
    gifts = client.get(f"/admin/donors/gift/?appeal__id__exact={appeal.pk}")
    assert gifts.status_code == 200
    assert len(gifts.context["cl"].result_list) == 5  # every gift answering it, any status


def test_the_list_of_donors_asked_is_paginated(client, staff, organization):
    appeal = make_appeal()
    donors = [factories.make_donor(last_name=f"Asked{n:03}") for n in range(55)]
    appeal_recipients_record(appeal=appeal, donor_ids=[d.pk for d in donors], via="letter")
    client.force_login(staff)
    url = f"/admin/donors/appeal/{appeal.pk}/change/"
    first = client.get(url).context["asked_page"]
    second = client.get(url + "?asked=2").context["asked_page"]
    assert (len(first), len(second), first.paginator.count) == (50, 5, 55)
    assert "Page 2 of 2" in client.get(url + "?asked=2").content.decode()


def test_board_members_see_results_read_only_and_organizers_nothing(
    client, board, organizer, organization
):
    appeal, _ = _results_cast()
    url = f"/admin/donors/appeal/{appeal.pk}/change/"
    client.force_login(board)
    page = client.get(url)
    assert page.status_code == 200
    assert '<td id="raised">$175.00</td>' in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    assert client.get("/admin/donors/appeal/add/").status_code == 403
    client.force_login(organizer)
    assert client.get(url).status_code == 403
    assert client.get("/admin/donors/appeal/").status_code == 403


def test_the_letters_and_email_buttons_go_in_the_appeal_links(client, staff, board, organization):
    from donors.admin import appeals as appeals_admin

    appeal = make_appeal()
    appeals_admin.appeal_link_add(
        "Print the letters",
        url=lambda a: f"/admin/donors/appeal/{a.pk}/letters/",
        allowed=lambda request: request.user.has_perm("donors.change_appeal"),
    )
    try:
        client.force_login(staff)
        page = client.get(f"/admin/donors/appeal/{appeal.pk}/change/").content.decode()
        assert f'<a href="/admin/donors/appeal/{appeal.pk}/letters/">Print the letters</a>' in page
        client.force_login(board)
        page = client.get(f"/admin/donors/appeal/{appeal.pk}/change/").content.decode()
        assert "Print the letters" not in page
    finally:
        appeals_admin.APPEAL_LINKS.pop()


# -- Attributed by staff --------------------------------------------------------------------


def test_staff_choose_the_appeal_on_a_gift_and_it_takes_the_appeals_campaign(
    client, staff, organization
):
    appeal = make_appeal()
    donor = factories.make_donor()
    client.force_login(staff)
    response = client.post(
        "/admin/donors/gift/add/", gift_add_data(donor, appeal=str(appeal.pk), campaign="")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    gift = Gift.objects.get()
    assert (gift.appeal, gift.campaign) == (appeal, appeal.campaign)
    assert LogEntry.objects.get_for_object(gift).get().actor == staff
    # Another campaign than the appeal's is staff's choice, and stays.
    gala = factories.make_campaign(name="Gala")
    url = f"/admin/donors/gift/{gift.pk}/change/"
    data = form_data(client.get(url), "gift")
    assert data["appeal"] == str(appeal.pk)
    data["campaign"] = str(gala.pk)
    assert client.post(url, data).status_code == 302
    gift.refresh_from_db()
    assert (gift.appeal, gift.campaign) == (appeal, gala)
    # And the appeal is cleared the same way, money untouched.
    data["appeal"] = ""
    assert client.post(url, data).status_code == 302
    gift.refresh_from_db()
    assert (gift.appeal, gift.amount) == (None, Decimal("250.00"))
    change = LogEntry.objects.get_for_object(gift).filter(action=LogEntry.Action.UPDATE)
    assert change.first().changes_dict["appeal"][1] == "None"


def test_the_appeal_autocomplete_answers_staff(client, staff, organization):
    make_appeal(name="Spring letter", code="SPRING26")
    client.force_login(staff)
    response = client.get(
        "/admin/autocomplete/?app_label=donors&model_name=gift&field_name=appeal&term=spring"
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Spring letter (SPRING26)"]


# -- Attributed by import ---------------------------------------------------------------------

HEADER = ["donor_email", "donor_last_name", "gift_date", "amount", "method", "campaign", "appeal"]


def test_the_gift_import_attributes_gifts_by_the_appeal_column(client, staff, organization):
    appeal = make_appeal(code="SPRING26")
    gala = factories.make_campaign(name="Gala", slug="gala")
    client.force_login(staff)
    rows = [
        ["ali@example.org", "Khan", "2026-04-02", "100", "check", "", "spring26"],
        ["sara@example.org", "Ahmed", "2026-04-03", "50", "cash", "gala", "SPRING26"],
        ["omar@example.org", "Ali", "2026-04-03", "20", "cash", "", ""],
    ]
    preview = upload(client, "gift", csv_bytes(HEADER, rows))
    assert "confirm_form" in preview.context, preview.content.decode()[:3000]
    assert confirm(client, "gift", preview).status_code == 302
    gifts = {g.donor.last_name: g for g in Gift.objects.select_related("donor")}
    assert (gifts["Khan"].appeal, gifts["Khan"].campaign) == (appeal, appeal.campaign)
    assert (gifts["Ahmed"].appeal, gifts["Ahmed"].campaign) == (appeal, gala)
    assert (gifts["Ali"].appeal, gifts["Ali"].campaign) == (None, None)
    # Audited as written (on PostgreSQL the entries are made by the database from the rows).
    created = LogEntry.objects.get_for_object(gifts["Khan"]).get()
    assert created.changes_dict["appeal"] == ["None", str(appeal.pk)]
    assert appeal_results(appeal).raised == Decimal("150.00")
    # Imported again without the column: the gifts keep their appeal.
    again = [r[:6] for r in rows]
    outcome = gifts_import(
        sheet=Sheet(name="again.csv", headers=HEADER[:6],
                    rows=[(n, dict(zip(HEADER[:6], r, strict=True)))
                          for n, r in enumerate(again, start=2)]),
    )  # fmt: skip
    assert outcome.imported and not outcome.errors
    assert Gift.objects.filter(appeal=appeal).count() == 2


def test_an_unknown_appeal_code_is_that_rows_error_with_its_line(client, staff, organization):
    make_appeal(code="SPRING26")
    rows = [
        ["ali@example.org", "Khan", "2026-04-02", "100", "check", "", "SPRING26"],
        ["sara@example.org", "Ahmed", "2026-04-03", "50", "cash", "", "WINTER99"],
    ]
    outcome = gifts_import(
        sheet=Sheet(name="g.csv", headers=HEADER,
                    rows=[(n, dict(zip(HEADER, r, strict=True))) for n, r in enumerate(rows, 2)]),
    )  # fmt: skip
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "appeal")]
    assert "appeal 'WINTER99' is no appeal's code" in outcome.errors[0].message
    assert not Gift.objects.exists()
    client.force_login(staff)
    preview = upload(client, "gift", csv_bytes(HEADER, rows))
    assert "confirm_form" not in preview.context
    assert "appeal &#x27;WINTER99&#x27; is no appeal&#x27;s code" in preview.content.decode()


def test_the_list_and_the_page_take_as_many_queries_for_many_rows_as_for_few(
    client, staff, organization
):
    from tests.donors.test_admin_lists import _queries

    appeal = make_appeal()

    def add(n):
        other = make_appeal(
            name=f"Other {Appeal.objects.count()}", code=f"O{Appeal.objects.count()}"
        )
        for _ in range(n):
            donor = factories.make_donor()
            for each in (appeal, other):
                appeal_recipients_record(appeal=each, donor_ids=[donor.pk], via="email")
                factories.make_gift(donor, appeal=each, amount=Decimal("10.00"))

    client.force_login(staff)
    add(2)
    few = (_queries(client, "/admin/donors/appeal/"),
           _queries(client, f"/admin/donors/appeal/{appeal.pk}/change/"))  # fmt: skip
    add(6)
    assert (_queries(client, "/admin/donors/appeal/"),
            _queries(client, f"/admin/donors/appeal/{appeal.pk}/change/")) == few  # fmt: skip


def test_the_appeals_page_links_staff_to_its_letters(client, staff, board, organization):
    appeal = make_appeal()
    client.force_login(staff)
    page = client.get(f"/admin/donors/appeal/{appeal.pk}/change/").content.decode()
    assert f'<a href="/appeals/{appeal.pk}/letters/">Letters, labels and envelopes</a>' in page
    compose = f"/admin/donors/mailing/add/?appeal={appeal.pk}"
    assert f'<a href="{compose}">Send by email</a>' in page
    client.force_login(board)
    page = client.get(f"/admin/donors/appeal/{appeal.pk}/change/").content.decode()
    assert "Letters, labels and envelopes" not in page
    assert "Send by email" not in page
