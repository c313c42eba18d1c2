"""The donor pages of the back office, used through the test client as the real roles."""

from decimal import Decimal

import pytest

from donors.models import DonorEmail
from donors.services import donor_email_add
from tests.donors.admin_forms import form_data
from tests.factories import make_donor, make_gift

# An amount no other figure on the page could print by chance.
AMOUNT = Decimal("1234.56")


@pytest.fixture
def ayesha(organization):
    donor = make_donor(first_name="Ayesha", last_name="Qureshi", email="ayesha@example.org")
    make_gift(donor, amount=AMOUNT)
    return donor


def _change_url(donor) -> str:
    return f"/admin/donors/donor/{donor.pk}/change/"


def _primaries(donor) -> list[str]:
    return list(donor.emails.filter(is_primary=True).values_list("email", flat=True))


def test_staff_cannot_save_two_primary_emails(client, staff, ayesha):
    donor_email_add(donor=ayesha, email="ayesha@work.example")
    client.force_login(staff)
    data = form_data(client.get(_change_url(ayesha)), "donor")
    assert data["emails-0-is_primary"] == "on"
    data["emails-1-is_primary"] = "on"
    data["notes"] = "Met at the Fremont dinner."

    response = client.post(_change_url(ayesha), data)

    assert response.status_code == 200
    assert "Mark only one as primary." in response.content.decode()
    ayesha.refresh_from_db()
    assert ayesha.notes == ""
    assert _primaries(ayesha) == ["ayesha@example.org"]


def test_staff_moves_the_primary_email_in_one_save(client, staff, ayesha):
    donor_email_add(donor=ayesha, email="ayesha@work.example")
    client.force_login(staff)
    data = form_data(client.get(_change_url(ayesha)), "donor")
    del data["emails-0-is_primary"]
    data["emails-1-is_primary"] = "on"
    response = client.post(_change_url(ayesha), data)
    assert response.status_code == 302
    assert _primaries(ayesha) == ["ayesha@work.example"]


def test_staff_unmarking_every_primary_leaves_the_oldest_primary(client, staff, ayesha):
    donor_email_add(donor=ayesha, email="ayesha@work.example")
    client.force_login(staff)
    data = form_data(client.get(_change_url(ayesha)), "donor")
    del data["emails-0-is_primary"]
    response = client.post(_change_url(ayesha), data)
    assert response.status_code == 302
    assert _primaries(ayesha) == ["ayesha@example.org"]


def test_staff_adds_a_us_address_with_a_bad_state_and_is_told(client, staff, ayesha):
    client.force_login(staff)
    data = form_data(client.get(_change_url(ayesha)), "donor")
    data.update(
        {
            "addresses-TOTAL_FORMS": "1",
            "addresses-0-kind": "home",
            "addresses-0-line1": "1 Monument Cir",
            "addresses-0-city": "Indianapolis",
            "addresses-0-region": "Indiana",
            "addresses-0-postal_code": "46204",
            "addresses-0-country": "US",
        }
    )
    response = client.post(_change_url(ayesha), data)
    assert response.status_code == 200
    assert "Use the two-letter state code, such as IN or CA." in response.content.decode()
    assert not ayesha.addresses.exists()


def test_staff_renames_a_donor_and_the_names_follow(client, staff, ayesha):
    client.force_login(staff)
    data = form_data(client.get(_change_url(ayesha)), "donor")
    assert data["salutation"] == "Ayesha Qureshi"
    data["last_name"] = "Khan"  # the salutation box still says "Ayesha Qureshi"
    response = client.post(_change_url(ayesha), data)
    assert response.status_code == 302
    ayesha.refresh_from_db()
    assert (ayesha.display_name, ayesha.sort_name, ayesha.salutation) == (
        "Ayesha Khan",
        "khan, ayesha",
        "Ayesha Khan",
    )


@pytest.mark.parametrize("user", ["staff", "board"])
def test_giving_roles_see_lifetime_figures_and_gifts(client, request, ayesha, user):
    client.force_login(request.getfixturevalue(user))
    page = client.get(_change_url(ayesha))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lifetime giving" in html
    assert "1234.56" in html  # the lifetime total, the largest gift and the gift's row
    assert "gifts-TOTAL_FORMS" in html


def test_event_organizer_sees_who_a_donor_is_but_not_what_they_gave(client, organizer, ayesha):
    client.force_login(organizer)
    page = client.get(_change_url(ayesha))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ayesha Qureshi" in html
    assert "ayesha@example.org" in html
    assert "1234.56" not in html
    assert "1,234.56" not in html
    assert "Lifetime giving" not in html
    assert "gifts-TOTAL_FORMS" not in html


def test_event_organizer_donor_list_shows_no_amounts(client, organizer, ayesha):
    client.force_login(organizer)
    page = client.get("/admin/donors/donor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ayesha Qureshi" in html
    assert "1234.56" not in html
    assert "1,234.56" not in html


def test_event_organizer_cannot_filter_donors_by_the_years_they_gave(client, organizer, ayesha):
    client.force_login(organizer)
    page = client.get("/admin/donors/donor/")
    assert "gave in year" not in page.content.decode()
    filtered = client.get("/admin/donors/donor/", {"gave_in": "2025"})
    # Django refuses an unknown filter by sending the user back to the unfiltered list.
    assert filtered.status_code == 302
    assert filtered.url.endswith("?e=1")


def test_staff_filters_donors_by_the_year_they_gave(client, staff, ayesha):
    make_donor(first_name="Bilal", last_name="Ahmed")
    client.force_login(staff)
    page = client.get("/admin/donors/donor/", {"gave_in": "2025"})
    assert page.status_code == 200
    assert [d.display_name for d in page.context["cl"].result_list] == ["Ayesha Qureshi"]


def test_event_organizer_cannot_change_a_donor(client, organizer, ayesha):
    client.force_login(organizer)
    response = client.post(_change_url(ayesha), {"first_name": "Changed"})
    assert response.status_code == 403
    ayesha.refresh_from_db()
    assert ayesha.first_name == "Ayesha"


def test_donor_search_finds_a_donor_by_email(client, staff, ayesha):
    make_donor(first_name="Bilal", last_name="Ahmed", email="bilal@example.org")
    donor_email_add(donor=ayesha, email="a.qureshi@work.example")
    client.force_login(staff)
    for query in ("ayesha@example.org", "a.qureshi@work.example"):
        page = client.get("/admin/donors/donor/", {"q": query})
        assert page.status_code == 200
        assert [d.display_name for d in page.context["cl"].result_list] == ["Ayesha Qureshi"]


def test_donor_list_shows_the_primary_email_once_per_donor(client, staff, ayesha):
    donor_email_add(donor=ayesha, email="a.qureshi@work.example")
    client.force_login(staff)
    page = client.get("/admin/donors/donor/", {"q": "qureshi"})
    rows = list(page.context["cl"].result_list)
    assert [(d.display_name, d.primary_email) for d in rows] == [
        ("Ayesha Qureshi", "ayesha@example.org")
    ]


def test_staff_adds_a_donor_with_an_email(client, organization, staff):
    client.force_login(staff)
    data = form_data(client.get("/admin/donors/donor/add/"), "donor")
    data.update(
        {
            "kind": "household",
            "prefix": "Drs.",
            "first_name": "Ayesha and Omar",
            "last_name": "Khan",
            "emails-TOTAL_FORMS": "1",
            "emails-0-email": "Khans@Example.org",
            "emails-0-kind": "personal",
        }
    )
    response = client.post("/admin/donors/donor/add/", data)
    assert response.status_code == 302
    email = DonorEmail.objects.get()
    assert (email.email, email.is_primary) == ("khans@example.org", True)
    assert email.donor.salutation == "Drs. Ayesha and Omar Khan"
