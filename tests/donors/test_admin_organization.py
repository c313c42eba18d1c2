"""The organization profile: one row, kept by Administrators only."""

from donors.models import Organization
from tests.donors.admin_forms import form_data

CHANGE_URL = "/admin/donors/organization/1/change/"


def test_administrator_edits_the_profile(client, organization, administrator):
    client.force_login(administrator)
    page = client.get(CHANGE_URL)
    assert page.status_code == 200
    data = form_data(page, "organization")
    data["signatory_name"] = "Sana Mirza"
    response = client.post(CHANGE_URL, data)
    assert response.status_code == 302
    assert Organization.current().signatory_name == "Sana Mirza"


def test_administrator_is_told_about_a_malformed_ein(client, organization, administrator):
    client.force_login(administrator)
    data = form_data(client.get(CHANGE_URL), "organization")
    data["ein"] = "123456789"
    response = client.post(CHANGE_URL, data)
    assert response.status_code == 200
    assert "Write the EIN as 12-3456789." in response.content.decode()
    assert Organization.current().ein == "12-3456789"


def test_staff_cannot_open_or_change_the_profile(client, organization, staff):
    client.force_login(staff)
    assert client.get("/admin/donors/organization/").status_code == 403
    assert client.get(CHANGE_URL).status_code == 403
    response = client.post(CHANGE_URL, {"legal_name": "Someone Else"})
    assert response.status_code == 403
    assert Organization.current().legal_name == "Movement for Solidarity and Peace in Pakistan"


def test_add_page_is_refused_once_the_profile_exists(client, organization, administrator):
    client.force_login(administrator)
    assert client.get("/admin/donors/organization/add/").status_code == 403


def test_administrator_creates_the_profile_when_there_is_none(client, db, administrator):
    client.force_login(administrator)
    data = form_data(client.get("/admin/donors/organization/add/"), "organization")
    data.update(
        legal_name="Movement for Solidarity and Peace in Pakistan",
        ein="12-3456789",
        address_line1="1 Liberty Plaza",
        city="New York",
        state="NY",
        postal_code="10006",
        signatory_name="Sana Mirza",
        signatory_title="Treasurer",
    )
    response = client.post("/admin/donors/organization/add/", data)
    assert response.status_code == 302
    assert Organization.current().pk == 1
