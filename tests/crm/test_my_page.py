"""The donor's own page, /my/: signing in by an emailed link (the same answer for any address,
each link once and for 30 minutes, rate-limited), a donor session that reaches nothing else
and stays apart from staff sessions, the receipts the office issued, the donor's own changes
audited as theirs, and monthly gifts changed through Stripe and reflected from its webhook
once."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.utils import timezone

from compliance import services as compliance_services
from compliance.pdf import receipt_pdf
from crm import donor_access
from crm.models import DonorSignInLink
from donors import services
from donors.models import DonorAddress, RecurringPlan, Task
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/my/sign-in/([A-Za-z0-9_-]+)/")


def ask_link(client: Client, email: str, **extra):
    return client.post("/my/sign-in/", {"email": email}, **extra)


def link_from_outbox(index: int = -1) -> str:
    return "/my/sign-in/" + LINK.search(mail.outbox[index].body).group(1) + "/"


def signed_in(donor, client: Client | None = None) -> Client:
    """A client holding a donor session for ``donor``, signed in through the emailed link."""
    client = client or Client()
    before = len(mail.outbox)
    ask_link(client, donor.emails.get(is_primary=True).email)
    assert len(mail.outbox) == before + 1
    response = client.post(link_from_outbox())
    assert response.status_code == 303 and response["Location"] == "/my/"
    return client


@pytest.fixture
def ayesha(organization):
    return factories.make_donor(
        first_name="Ayesha",
        last_name="Khan",
        email="ayesha@example.org",
        address={"line1": "5 Elm St", "city": "Indianapolis", "region": "IN",
                 "postal_code": "46204"},
    )  # fmt: skip


# --- Signing in ------------------------------------------------------------------------------


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_the_donor_an_email(ayesha):
    known = ask_link(Client(), "Ayesha@Example.org")
    unknown = ask_link(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200

    def strip(response):
        text = response.content.decode()
        return text.replace("ayesha@example.org", "X").replace("nobody@example.org", "X")

    assert strip(known) == strip(unknown)
    assert [m.to for m in mail.outbox] == [["ayesha@example.org"]]
    assert "30 minutes" in mail.outbox[0].body
    # Only the hash of the token is kept.
    token = LINK.search(mail.outbox[0].body).group(1)
    link = DonorSignInLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64


def test_the_link_signs_in_once_and_a_get_does_not_use_it(ayesha):
    ask_link(Client(), "ayesha@example.org")
    url = link_from_outbox()
    client = Client()
    # A mail scanner's GET shows a button and uses nothing.
    assert client.get(url).status_code == 200
    assert client.get("/my/").status_code == 302
    response = client.post(url)
    assert response.status_code == 303
    page = client.get("/my/")
    assert page.status_code == 200
    assert "Ayesha Khan" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    # Used: a second click, from anywhere, is refused.
    again = Client().post(url)
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert Client().get(url).status_code == 410


def test_a_link_older_than_30_minutes_is_refused(ayesha):
    old = timezone.now() - datetime.timedelta(minutes=31)
    donor_access.sign_in_links_send(email="ayesha@example.org", now=old)
    response = Client().post(link_from_outbox())
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not DonorSignInLink.objects.filter(used_at__isnull=False).exists()


def test_a_made_up_link_is_a_404(ayesha):
    assert Client().post("/my/sign-in/" + "a" * 43 + "/").status_code == 404
    assert Client().get("/my/sign-in/short/").status_code == 404


def test_a_bad_email_is_a_400_with_a_message(ayesha):
    response = ask_link(Client(), "not an email")
    assert response.status_code == 400
    assert "valid email" in response.content.decode()


def test_links_are_rate_limited_per_email_silently_and_per_address_openly(ayesha):
    answers = [ask_link(Client(REMOTE_ADDR=f"10.0.0.{i}"), "ayesha@example.org") for i in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(mail.outbox) == 3  # past 3 an hour: the same page, no email
    client = Client(REMOTE_ADDR="10.9.9.9")
    codes = [ask_link(client, f"someone{i}@example.org").status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_the_session_ends_when_idle_for_two_hours_and_on_sign_out(ayesha):
    client = signed_in(ayesha)
    session = donor_access.donor_session_find(client.cookies["msp_donor"].value)
    assert session is not None
    later = timezone.now() + datetime.timedelta(minutes=121)
    assert donor_access.donor_session_find(client.cookies["msp_donor"].value, now=later) is None
    response = client.post("/my/sign-out/")
    assert response.status_code == 303
    assert client.get("/my/").status_code == 302


def test_old_links_and_sessions_are_forgotten(ayesha):
    client = signed_in(ayesha)
    ask_link(Client(), "ayesha@example.org")
    assert donor_access.donor_access_forget_old() == 0
    later = timezone.now() + datetime.timedelta(days=2)
    assert donor_access.donor_access_forget_old(now=later) == 3  # two links, one session
    assert client.get("/my/").status_code == 302


# --- Isolation -------------------------------------------------------------------------------


def _receipted(donor, amount="250.00"):
    factories.ensure_benefit_limits()
    gift = factories.make_gift(donor=donor, amount=Decimal(amount))
    return compliance_services.receipt_issue(gift=gift)


def test_a_donor_session_reaches_no_back_office_page_and_no_other_donors_receipt(ayesha):
    other = factories.make_donor(email="bilal@example.org")
    theirs = _receipted(other)
    mine = _receipted(ayesha)
    client = signed_in(ayesha)
    for url in ("/admin/", "/admin/donors/donor/", f"/admin/compliance/receipt/{mine.pk}/pdf/",
                "/dashboard/", "/dashboard/tasks/", "/my-events/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert client.get(f"/my/receipts/{theirs.pk}.pdf").status_code == 404
    assert client.get(f"/my/receipts/{mine.pk}.pdf").status_code == 200


def test_a_staff_session_is_no_donor_session_and_the_two_stay_apart(ayesha, staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/my/").status_code == 302  # staff are not a donor
    signed_in(ayesha, client)
    assert client.get("/my/").status_code == 200
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    assert client.get("/admin/").status_code == 302
    assert client.get("/my/").status_code == 200  # staff signing out leaves the donor in
    client.force_login(staff)
    client.post("/my/sign-out/")
    assert client.get("/my/").status_code == 302
    assert client.get("/admin/").status_code == 200  # and the donor's sign-out leaves staff in


# --- Receipts and statements -----------------------------------------------------------------


def test_the_receipt_downloaded_is_the_one_the_office_issued_and_a_void_one_is_not_offered(
    ayesha, staff
):
    receipt = _receipted(ayesha)
    client = signed_in(ayesha)
    response = client.get(f"/my/receipts/{receipt.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert receipt.number in text and "Ayesha Khan" in text
    office = Client()
    office.force_login(staff)
    issued = office.get(f"/admin/compliance/receipt/{receipt.pk}/pdf/").content
    assert pdf_text(issued) == text == pdf_text(receipt_pdf(receipt))
    compliance_services.receipt_void(receipt=receipt, reason="Entered twice")
    page = client.get("/my/").content.decode()
    assert f"Receipt {receipt.number}: void" in page
    assert client.get(f"/my/receipts/{receipt.pk}.pdf").status_code == 404


def test_statements_and_soft_credits_are_listed(ayesha):
    factories.ensure_benefit_limits()
    factories.make_gift(donor=ayesha, amount=Decimal("300.00"), gift_date=datetime.date(2025, 5, 1))
    employer = factories.make_donor(kind="company", organization_name="Acme")
    match = factories.make_gift(
        donor=employer, method="employer_match", amount=Decimal("300.00"),
        gift_date=datetime.date(2025, 6, 1),
    )  # fmt: skip
    services.soft_credit_add(gift=match, donor=ayesha, kind="match")
    (statement,) = compliance_services.statements_issue(year=2025, donor_ids=[ayesha.pk])
    client = signed_in(ayesha)
    page = client.get("/my/").content.decode()
    assert f"statement {statement.number}" in page
    assert "not deductible by you" in page and "Employee behind a match" in page
    pdf = client.get(f"/my/statements/{statement.pk}.pdf")
    assert statement.number in pdf_text(pdf.content)


# --- Details ---------------------------------------------------------------------------------


def _details(**changes):
    data = {
        "email": "ayesha@example.org", "phone": "", "line1": "5 Elm St", "line2": "",
        "city": "Indianapolis", "region": "IN", "postal_code": "46204", "country": "US",
        "email_opt_in": "on",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_address_change_is_audited_as_the_donors_own_and_staff_get_a_task(ayesha, staff):
    client = Client()
    client.force_login(staff)  # a staff session in the same browser is not the actor
    signed_in(ayesha, client)
    response = client.post(
        "/my/details/", _details(line1="77 Oak Ave", city="Carmel", postal_code="46032")
    )
    assert response.status_code == 303
    address = DonorAddress.objects.get(donor=ayesha)
    assert (address.line1, address.city, address.postal_code) == ("77 Oak Ave", "Carmel", "46032")
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DonorAddress), object_id=address.pk
    ).latest("timestamp")
    assert entry.actor is None
    assert entry.additional_data["origin"] == "donor self-service"
    assert entry.changes_dict["line1"] == ["5 Elm St", "77 Oak Ave"]
    task = Task.objects.get(donor=ayesha)
    assert task.owner == staff
    assert "77 Oak Ave" in task.what and "5 Elm St" in task.what


def test_email_and_preferences_change_and_bad_input_is_a_400(ayesha):
    client = signed_in(ayesha)
    bad = client.post("/my/details/", _details(postal_code="ABC"))
    assert bad.status_code == 400
    assert "ZIP" in bad.content.decode()
    ok = client.post(
        "/my/details/",
        _details(email="ayesha.k@example.org", email_opt_in=None, do_not_solicit="on"),
    )
    assert ok.status_code == 303
    ayesha.refresh_from_db()
    assert ayesha.emails.get(is_primary=True).email == "ayesha.k@example.org"
    assert (ayesha.email_opt_in, ayesha.do_not_solicit) == (False, True)
    assert not Task.objects.exists()  # no address change, nobody to tell
    entry = LogEntry.objects.get_for_object(ayesha).latest("timestamp")
    assert entry.additional_data["origin"] == "donor self-service" and entry.actor is None


# --- Monthly gifts ---------------------------------------------------------------------------


@pytest.fixture
def monthly(stripe_on, ayesha):
    paid = stripe_on.subscribe(cents=2500, email="ayesha@example.org", name="Ayesha Khan")
    plan = services.recurring_plan_create(
        donor=ayesha,
        amount=Decimal("25.00"),
        started_on=datetime.date.today(),
        stripe_subscription_id=paid["subscription"],
    )
    return plan


def _plan_changes(plan) -> list[dict]:
    entries = LogEntry.objects.get_for_object(plan).order_by("timestamp")
    return [e.changes_dict for e in entries if "asked of Stripe" not in e.changes_dict]


def test_an_amount_change_goes_to_stripe_and_comes_back_from_the_webhook_once(stripe_on, monthly):
    client = signed_in(monthly.donor)
    before = len(_plan_changes(monthly))
    response = client.post(f"/my/monthly/{monthly.pk}/amount/", {"amount": "$40"})
    assert response.status_code == 303
    monthly.refresh_from_db()
    assert monthly.amount == Decimal("25.00")  # not until Stripe says so
    sub = stripe_on.subscription_object(monthly.stripe_subscription_id)
    assert sub["items"]["data"][0]["price"]["unit_amount"] == 4000
    updated = event("customer.subscription.updated", sub)
    assert deliver(updated) == "received"
    assert deliver(updated) == "duplicate"  # Stripe delivering it again changes nothing
    monthly.refresh_from_db()
    assert monthly.amount == Decimal("40.00")
    changes = _plan_changes(monthly)[before:]
    amounts = [[Decimal(v) for v in c["amount"]] for c in changes if "amount" in c]
    assert amounts == [[Decimal("25.00"), Decimal("40.00")]]
    asked = LogEntry.objects.get_for_object(monthly).filter(changes__icontains="asked of Stripe")
    assert asked.get().additional_data["origin"] == "donor self-service"


def test_a_bad_amount_is_refused_with_a_message(stripe_on, monthly):
    client = signed_in(monthly.donor)
    response = client.post(f"/my/monthly/{monthly.pk}/amount/", {"amount": "lots"}, follow=True)
    assert "Enter an amount in dollars" in response.content.decode()
    sub = stripe_on.subscription_object(monthly.stripe_subscription_id)
    assert sub["items"]["data"][0]["price"]["unit_amount"] == 2500


def test_pause_resume_and_cancel_are_reflected_from_the_webhook_once(stripe_on, monthly):
    client = signed_in(monthly.donor)
    sub_id = monthly.stripe_subscription_id
    before = len(_plan_changes(monthly))
    client.post(f"/my/monthly/{monthly.pk}/pause/")
    paused = event("customer.subscription.updated", stripe_on.subscription_object(sub_id))
    assert paused["data"]["object"]["pause_collection"] == {"behavior": "void"}
    for _ in range(2):
        deliver(paused)
    monthly.refresh_from_db()
    assert monthly.status == RecurringPlan.Status.PAUSED
    client.post(f"/my/monthly/{monthly.pk}/resume/")
    deliver(event("customer.subscription.updated", stripe_on.subscription_object(sub_id)))
    monthly.refresh_from_db()
    assert monthly.status == RecurringPlan.Status.ACTIVE
    client.post(f"/my/monthly/{monthly.pk}/cancel/")
    assert stripe_on.store[f"subscription:{sub_id}"].status == "canceled"
    deleted = event("customer.subscription.deleted", stripe_on.subscription_object(sub_id))
    for _ in range(2):
        deliver(deleted)
    monthly.refresh_from_db()
    assert monthly.status == RecurringPlan.Status.CANCELLED
    statuses = [c["status"] for c in _plan_changes(monthly)[before:] if "status" in c]
    assert statuses == [["active", "paused"], ["paused", "active"], ["active", "cancelled"]]


def test_another_donors_plan_cannot_be_changed(stripe_on, monthly):
    other = factories.make_donor(email="bilal@example.org")
    client = signed_in(other)
    assert client.post(f"/my/monthly/{monthly.pk}/cancel/").status_code == 404
    assert stripe_on.store[f"subscription:{monthly.stripe_subscription_id}"].status == "active"


def test_update_card_sends_the_donor_to_stripe_checkout_in_setup_mode(stripe_on, monthly):
    client = signed_in(monthly.donor)
    response = client.post(f"/my/monthly/{monthly.pk}/card/")
    assert response.status_code == 303
    session = next(s for s in stripe_on.sessions.values() if s["mode"] == "setup")
    assert response["Location"] == session["url"]
    params = session["params"]
    assert params["setup_intent_data"]["metadata"]["subscription"] == (
        monthly.stripe_subscription_id
    )
    assert params["customer"].startswith("cus_")


def test_upcoming_rsvps_are_listed_and_past_or_other_donors_ones_are_not(ayesha):
    from events.services import rsvp_submit

    coming = factories.make_event(name="Indianapolis Dinner")
    past = factories.make_event(
        name="Last Year's Dinner", starts_at=timezone.now() - datetime.timedelta(days=300)
    )
    rsvp_submit(event=coming, donor=ayesha, answer="yes", party_size=2)
    rsvp_submit(event=past, donor=ayesha, answer="yes")
    other = factories.make_event(name="Someone Else's Lunch")
    rsvp_submit(event=other, donor=factories.make_donor(), answer="yes")
    page = signed_in(ayesha).get("/my/").content.decode()
    assert "Indianapolis Dinner" in page and "party of 2" in page
    assert "Last Year" not in page and "Someone Else" not in page
