"""The pledge pages: the schedule adds up, and the balance is what was paid."""

import datetime
from decimal import Decimal

from donors.models import Pledge, PledgeInstallment
from donors.services import pledge_create
from tests.donors.admin_forms import form_data
from tests.factories import make_donor, make_gift

ADD_URL = "/admin/donors/pledge/add/"


def _add_data(client, donor, installments):
    data = form_data(client.get(ADD_URL), "pledge")
    data.update(donor=str(donor.pk), amount="1000.00", pledge_date="2025-01-01", status="open")
    data["installments-TOTAL_FORMS"] = str(len(installments))
    for i, (due, amount) in enumerate(installments):
        data[f"installments-{i}-due_date"] = due
        data[f"installments-{i}-amount"] = amount
    return data


def test_staff_adds_a_pledge_whose_installments_add_up(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    data = _add_data(client, donor, [("2025-02-01", "600.00"), ("2025-03-01", "400.00")])
    response = client.post(ADD_URL, data)
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert list(pledge.installments.values_list("amount", flat=True)) == [
        Decimal("600.00"),
        Decimal("400.00"),
    ]


def test_installments_that_do_not_add_up_are_shown_again(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    data = _add_data(client, donor, [("2025-02-01", "600.00"), ("2025-03-01", "300.00")])
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert (
        "The installments add up to $900.00, not the pledge&#x27;s $1,000.00."
        in response.content.decode()
    )
    assert not Pledge.objects.exists()
    assert not PledgeInstallment.objects.exists()


def test_pledge_page_shows_paid_balance_and_paid_installments(client, organization, staff):
    donor = make_donor()
    pledge = pledge_create(
        donor=donor,
        amount="1000.00",
        pledge_date=datetime.date(2025, 1, 1),
        installments=[(datetime.date(2025, 2, 1), "600.00"), (datetime.date(2025, 3, 1), "400.00")],
    )
    make_gift(donor, amount=Decimal("600.00"), pledge=pledge)
    client.force_login(staff)
    page = client.get("/admin/donors/pledge/")
    html = page.content.decode()
    assert "$600.00" in html and "$400.00" in html
    change = client.get(f"/admin/donors/pledge/{pledge.pk}/change/").content.decode()
    assert change.count(">yes<") == 1
    assert change.count(">not yet<") == 1
