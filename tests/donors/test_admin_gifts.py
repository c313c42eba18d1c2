"""The gift pages of the back office, used through the test client as the real roles."""

import datetime
from decimal import Decimal

import pytest

from donors.models import DonorKind, Gift, GiftMethod, SoftCredit
from donors.services import pledge_create
from tests.donors.admin_forms import GIFT_ADD_URL as ADD_URL
from tests.donors.admin_forms import form_data
from tests.donors.admin_forms import gift_add_data as _gift_post
from tests.factories import make_donor, make_gift


def _soft_credit_rows(*rows) -> dict:
    data = {"soft_credits-TOTAL_FORMS": str(len(rows))}
    for i, (donor, kind, amount) in enumerate(rows):
        data.update(
            {
                f"soft_credits-{i}-id": "",
                f"soft_credits-{i}-gift": "",
                f"soft_credits-{i}-donor": donor.pk,
                f"soft_credits-{i}-kind": kind,
                f"soft_credits-{i}-amount": amount,
            }
        )
    return data


def _errors(response) -> list[str]:
    """Every message the re-rendered page shows: field errors, form errors, inline errors."""
    messages = []
    form = response.context["adminform"].form
    for errors in form.errors.values():
        messages.extend(errors)
    for inline in response.context["inline_admin_formsets"]:
        messages.extend(inline.formset.non_form_errors())
        for errors in inline.formset.errors:
            for field_errors in errors.values():
                messages.extend(field_errors)
    return messages


def test_staff_adds_a_check_gift_and_it_has_its_postmark_tax_date(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    response = client.post(ADD_URL, _gift_post(donor))
    assert response.status_code == 302
    gift = Gift.objects.get()
    assert (gift.donor, gift.amount, gift.tax_date) == (
        donor,
        Decimal("250.00"),
        datetime.date(2024, 12, 30),
    )
    donor.refresh_from_db()
    assert donor.lifetime_total == Decimal("250.00")


def test_staff_adds_a_card_gift_dated_in_the_donors_time_zone(client, organization, staff):
    donor = make_donor(time_zone="America/Los_Angeles")
    client.force_login(staff)
    response = client.post(
        ADD_URL,
        _gift_post(
            donor,
            method=GiftMethod.CARD,
            check_number="",
            postmark_date="",
            gift_date="2025-01-01",
            # Entered in the site's time zone (New York): 00:30 on New Year's Day there.
            charged_at_0="2025-01-01",
            charged_at_1="00:30:00",
        ),
    )
    assert response.status_code == 302
    assert Gift.objects.get().tax_date == datetime.date(2024, 12, 31)


def test_staff_adds_a_match_with_a_soft_credit_for_the_employee(client, organization, staff):
    employer = make_donor(kind=DonorKind.COMPANY, organization_name="Indus Software LLC")
    employee = make_donor()
    client.force_login(staff)
    response = client.post(
        ADD_URL,
        _gift_post(
            employer,
            method=GiftMethod.EMPLOYER_MATCH,
            check_number="",
            postmark_date="",
            **_soft_credit_rows((employee, "match", "250.00")),
        ),
    )
    assert response.status_code == 302
    credit = SoftCredit.objects.get()
    assert (credit.gift, credit.donor, credit.amount) == (
        Gift.objects.get(),
        employee,
        Decimal("250.00"),
    )
    employee.refresh_from_db()
    assert employee.lifetime_total == Decimal("0.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"method": GiftMethod.DAF_GRANT, "check_number": "", "postmark_date": ""},
            "A DAF grant comes from the fund's sponsor; credit the advisor as a soft credit.",
        ),
        (
            {"method": GiftMethod.CARD, "check_number": ""},
            "Only mailed checks have a postmark date.",
        ),
        ({"amount": "12.345"}, "Ensure that there are no more than 2 decimal places."),
        ({"amount": "-25.00"}, "The amount must be more than zero."),
        ({"amount": "abc"}, "Enter a number."),
        ({"postmark_date": "2025-01-04"}, "The postmark cannot be later than the date received."),
        (
            {"tribute_kind": "memory", "tribute_name": ""},
            "Name the person the gift honors or remembers.",
        ),
    ],
)
def test_invalid_gift_is_shown_again_with_the_reason(client, organization, staff, changes, message):
    donor = make_donor()
    client.force_login(staff)
    response = client.post(ADD_URL, _gift_post(donor, **changes))
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Gift.objects.exists()


def test_invalid_amount_on_a_pledge_payment_is_shown_again(client, organization, staff):
    donor = make_donor()
    pledge = pledge_create(donor=donor, amount="1000.00", pledge_date=datetime.date(2025, 1, 1))
    client.force_login(staff)
    response = client.post(ADD_URL, _gift_post(donor, amount="12.345", pledge=pledge.pk))
    assert response.status_code == 200
    assert "Ensure that there are no more than 2 decimal places." in _errors(response)
    assert not Gift.objects.exists()


def test_pledge_payment_over_the_balance_is_shown_again(client, organization, staff):
    donor = make_donor()
    pledge = pledge_create(donor=donor, amount="100.00", pledge_date=datetime.date(2025, 1, 1))
    client.force_login(staff)
    response = client.post(ADD_URL, _gift_post(donor, pledge=pledge.pk))
    assert response.status_code == 200
    assert "This payment ($250.00) is more than the pledge's unpaid balance ($100.00)." in _errors(
        response
    )
    assert not Gift.objects.exists()


def test_soft_credit_to_the_gifts_own_donor_is_shown_again(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    response = client.post(
        ADD_URL, _gift_post(donor, **_soft_credit_rows((donor, "solicitor", "250.00")))
    )
    assert response.status_code == 200
    assert "A gift's own donor already has the hard credit." in _errors(response)
    assert not Gift.objects.exists()


def test_soft_credit_bigger_than_the_new_gift_is_shown_again(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    response = client.post(
        ADD_URL, _gift_post(donor, **_soft_credit_rows((make_donor(), "solicitor", "250.01")))
    )
    assert response.status_code == 200
    assert "A soft credit cannot be more than the gift." in _errors(response)
    assert not Gift.objects.exists()
    assert not SoftCredit.objects.exists()


def test_staff_moves_a_gift_to_another_donor_and_both_figures_follow(client, organization, staff):
    first, second = make_donor(), make_donor()
    gift = make_gift(first, amount=Decimal("300.00"))
    client.force_login(staff)
    url = f"/admin/donors/gift/{gift.pk}/change/"
    data = form_data(client.get(url), "gift")
    data["donor"] = str(second.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.lifetime_total, second.lifetime_total) == (Decimal("0.00"), Decimal("300.00"))


def test_staff_deletes_a_gift_and_the_figures_follow(client, organization, staff):
    donor = make_donor()
    make_gift(donor, amount=Decimal("10.00"))
    gift = make_gift(donor, amount=Decimal("300.00"))
    client.force_login(staff)
    response = client.post(f"/admin/donors/gift/{gift.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.lifetime_total == Decimal("10.00")


def test_staff_bulk_deletes_gifts_and_the_figures_follow(client, organization, staff):
    donor = make_donor()
    gifts = [make_gift(donor, amount=Decimal("10.00")) for _ in range(3)]
    client.force_login(staff)
    response = client.post(
        "/admin/donors/gift/",
        {"action": "delete_selected", "_selected_action": [g.pk for g in gifts[:2]], "post": "yes"},
    )
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.lifetime_total, donor.gift_count) == (Decimal("10.00"), 1)


def test_board_member_sees_gifts_but_cannot_add_or_change_them(client, organization, board):
    gift = make_gift(amount=Decimal("300.00"))
    client.force_login(board)
    assert client.get("/admin/donors/gift/").status_code == 200
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, _gift_post(gift.donor)).status_code == 403
    page = client.get(f"/admin/donors/gift/{gift.pk}/change/")
    assert page.status_code == 200
    assert 'name="amount"' not in page.content.decode()
    assert Gift.objects.count() == 1


def test_event_organizer_cannot_open_gifts(client, organization, organizer):
    gift = make_gift(amount=Decimal("300.00"))
    client.force_login(organizer)
    assert client.get("/admin/donors/gift/").status_code == 403
    assert client.get(f"/admin/donors/gift/{gift.pk}/change/").status_code == 403


def test_gift_list_shows_amounts_as_dollars(client, organization, staff):
    donor = make_donor(first_name="Omar", last_name="Ahmed")
    make_gift(donor, amount=Decimal("2500.00"))
    make_gift(
        donor,
        amount=Decimal("80.00"),
        amount_refunded=Decimal("30.00"),
        status="partially_refunded",
    )
    client.force_login(staff)
    html = client.get("/admin/donors/gift/?o=3").content.decode()
    assert "$2,500.00" in html
    assert "$80.00" in html and "$30.00" in html
    assert "2500.00" not in html


@pytest.mark.parametrize(
    "url", ["/admin/donors/pledge/", "/admin/donors/campaign/", "/admin/donors/boardgoal/"]
)
def test_money_columns_show_dollars(client, organization, staff, url):
    from donors.models import BoardGoal, BoardMember, Campaign

    donor = make_donor(first_name="Imran", last_name="Qureshi")
    pledge_create(donor=donor, amount="12000.00", pledge_date=datetime.date(2026, 1, 10))
    Campaign.objects.create(name="Annual Fund", slug="annual", goal=Decimal("12000.00"))
    member = BoardMember.objects.create(
        donor=donor, role="member", term_start=datetime.date(2026, 1, 1)
    )
    BoardGoal.objects.create(
        member=member, fiscal_year=2026, give_goal=Decimal("12000.00"), get_goal=Decimal("12000.00")
    )
    client.force_login(staff)
    html = client.get(url).content.decode()
    assert "$12,000.00" in html
    assert ">12000.00<" not in html
