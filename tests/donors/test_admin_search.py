"""The search boxes of the donor and gift lists find what staff type: an email exactly, a part of
a name, a check number or a processor id."""

from decimal import Decimal

from django.urls import reverse

from tests.factories import make_donor, make_gift


def _rows(response):
    return list(response.context["cl"].result_list)


def test_donor_search_finds_an_email_exactly_whatever_its_case(client, staff, organization):
    wanted = make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    make_donor(first_name="Ayesha", last_name="Khan", email="ayesha.k@example.org")
    client.force_login(staff)

    response = client.get(reverse("admin:donors_donor_changelist"), {"q": "Ayesha@Example.org"})

    assert _rows(response) == [wanted]


def test_gift_search_finds_by_donor_name_email_check_number_and_stripe_id(
    client, staff, organization
):
    omar = make_donor(first_name="Omar", last_name="Siddiqui", email="omar@example.org")
    sara = make_donor(first_name="Sara", last_name="Malik", email="sara@example.org")
    by_check = make_gift(omar, amount=Decimal("120.00"), method="check", check_number="4417")
    by_card = make_gift(
        sara, amount=Decimal("75.00"), method="card", processor="stripe", stripe_payment_id="pi_9x"
    )
    client.force_login(staff)
    url = reverse("admin:donors_gift_changelist")

    assert _rows(client.get(url, {"q": "siddiq"})) == [by_check]
    assert _rows(client.get(url, {"q": "sara@example.org"})) == [by_card]
    assert _rows(client.get(url, {"q": "4417"})) == [by_check]
    assert _rows(client.get(url, {"q": "pi_9x"})) == [by_card]
    assert _rows(client.get(url, {"q": "nobody"})) == []


def test_donor_state_filter_lists_donors_whose_primary_address_is_there(
    client, staff, organization
):
    hoosier = make_donor(
        address={
            "line1": "1 Monument Cir",
            "city": "Indianapolis",
            "region": "IN",
            "postal_code": "46204",
        }
    )
    make_donor(
        address={
            "line1": "1 Market St",
            "city": "San Francisco",
            "region": "CA",
            "postal_code": "94105",
        }
    )
    client.force_login(staff)

    response = client.get(reverse("admin:donors_donor_changelist"), {"state": "IN"})

    assert _rows(response) == [hoosier]
