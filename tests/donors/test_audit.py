"""Money, contact data and consent changes leave an audit record (django-auditlog)."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from donors.models import Donor, DonorEmail, Gift
from donors.services import donor_email_add, donor_save, gift_save
from tests.donors.admin_forms import GIFT_ADD_URL, form_data, gift_add_data
from tests.factories import make_donor, make_gift


def _entries(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


def test_recording_a_gift_leaves_a_create_entry(organization):
    gift = make_gift(amount=Decimal("250.00"))
    [entry] = _entries(gift)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["amount"] == ["None", "250.00"]
    assert entry.actor is None  # no one was logged in: a service call from code


def test_changing_a_gift_leaves_an_entry_with_the_changed_fields(organization):
    gift = make_gift(amount=Decimal("250.00"))
    gift.amount = Decimal("300.00")
    gift.check_number = "1042"
    gift_save(gift=gift)
    entry = _entries(gift)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict == {"amount": ["250.00", "300.00"], "check_number": ["", "1042"]}


def test_saving_a_gift_unchanged_leaves_no_new_entry(organization):
    gift = make_gift(amount=Decimal("250.00"))
    gift_save(gift=Gift.objects.get(pk=gift.pk))
    assert len(_entries(gift)) == 1


def test_do_not_solicit_change_is_audited(organization):
    donor = make_donor()
    donor.do_not_solicit = True
    donor_save(donor=donor)
    entry = _entries(donor)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict == {"do_not_solicit": ["False", "True"]}


def test_lifetime_figures_are_not_audited_as_donor_changes(organization):
    donor = make_donor()
    before = len(_entries(donor))
    make_gift(donor, amount=Decimal("250.00"))
    assert len(_entries(Donor.objects.get(pk=donor.pk))) == before


def test_a_new_primary_email_audits_the_demoted_one_too(organization):
    donor = make_donor(email="old@example.org")
    old = donor.emails.get()
    donor_email_add(donor=donor, email="new@example.org", primary=True)
    entry = _entries(old)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict == {"is_primary": ["True", "False"]}


def test_gift_added_in_the_admin_is_audited_with_staff_as_actor(client, organization, staff):
    donor = make_donor()
    client.force_login(staff)
    assert client.post(GIFT_ADD_URL, gift_add_data(donor)).status_code == 302
    [entry] = _entries(Gift.objects.get())
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)


def test_gift_changed_in_the_admin_is_audited_with_staff_as_actor(client, organization, staff):
    gift = make_gift(amount=Decimal("250.00"))
    client.force_login(staff)
    url = f"/admin/donors/gift/{gift.pk}/change/"
    data = form_data(client.get(url), "gift")
    data["amount"] = "275.00"
    assert client.post(url, data).status_code == 302
    entry = _entries(gift)[-1]
    assert (entry.actor, entry.changes_dict) == (staff, {"amount": ["250.00", "275.00"]})


def test_donor_consent_and_email_changed_in_the_admin_are_audited(client, organization, staff):
    donor = make_donor(email="old@example.org")
    client.force_login(staff)
    url = f"/admin/donors/donor/{donor.pk}/change/"
    data = form_data(client.get(url), "donor")
    data["do_not_solicit"] = "on"
    data["emails-0-email"] = "new@example.org"
    assert client.post(url, data).status_code == 302

    donor_entry = _entries(donor)[-1]
    assert (donor_entry.actor, donor_entry.changes_dict) == (
        staff,
        {"do_not_solicit": ["False", "True"]},
    )
    email_entry = _entries(DonorEmail.objects.get(donor=donor))[-1]
    assert (email_entry.actor, email_entry.changes_dict) == (
        staff,
        {"email": ["old@example.org", "new@example.org"]},
    )


@pytest.mark.parametrize("user", ["administrator", "staff"])
def test_audit_history_page_is_open_to_administrators_and_staff(
    client, request, organization, user
):
    gift = make_gift(amount=Decimal("250.00"))
    client.force_login(request.getfixturevalue(user))
    page = client.get(f"/admin/donors/gift/{gift.pk}/auditlog/")
    assert page.status_code == 200
    assert "250.00" in page.content.decode()


def test_audit_history_page_is_refused_to_board_members(client, organization, board):
    gift = make_gift(amount=Decimal("250.00"))
    client.force_login(board)
    assert client.get(f"/admin/donors/gift/{gift.pk}/change/").status_code == 200
    assert client.get(f"/admin/donors/gift/{gift.pk}/auditlog/").status_code == 403


def test_audit_history_link_is_shown_only_to_those_who_may_follow_it(
    client, organization, staff, board
):
    gift = make_gift(amount=Decimal("250.00"))
    link = f"/admin/donors/gift/{gift.pk}/auditlog/"
    client.force_login(staff)
    assert link in client.get(f"/admin/donors/gift/{gift.pk}/change/").content.decode()
    client.force_login(board)
    assert link not in client.get(f"/admin/donors/gift/{gift.pk}/change/").content.decode()
