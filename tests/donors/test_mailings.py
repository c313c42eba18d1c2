"""Appeal emails and newsletters (issue 17 item 4), sent through a real SMTP server (aiosmtpd)
by the task queue (run inline, as in every test), counted as they arrive: batches, merge
fields, the NY disclosure, the one-click unsubscribe headers and link, consent, suppressions
from the provider's webhook (django-anymail, Postmark's payload) and the rule that a suppressed
address gets nothing anywhere in the product."""

from __future__ import annotations

import base64
import datetime
import json
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.utils import timezone

from common import roles
from donors.models import (
    AppealRecipient,
    Donor,
    EmailSuppression,
    Mailing,
    MailingRecipient,
)
from donors.services.mailings import mailing_queue, mailing_save
from tests import factories

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "anymail-user:s3cret-webhook-pass"


def _auth(secret: str = WEBHOOK_SECRET) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@pytest.fixture
def people(organization):
    """Five donors who get an appeal, and one left out for each reason."""
    campaign = factories.make_campaign()
    makes = {}
    for i, first in enumerate(["Ayesha", "Bilal", "Chand", "Dawood", "Erum"]):
        donor = factories.make_donor(first_name=first, last_name="Khan",
                                     email=f"{first.lower()}@example.org")  # fmt: skip
        factories.make_gift(donor=donor, amount=Decimal(100 + i), campaign=campaign)
        makes[first] = donor
    makes["optout"] = factories.make_donor(first_name="Farah", email_opt_in=False,
                                           email="farah@example.org")  # fmt: skip
    makes["dns"] = factories.make_donor(first_name="Ghazal", do_not_solicit=True,
                                        email="ghazal@example.org")  # fmt: skip
    makes["none"] = factories.make_donor(first_name="Hamza", email=None)
    makes["bounced"] = factories.make_donor(first_name="Imran", email="imran@example.org")
    EmailSuppression.objects.create(
        address="IMRAN@example.org", reason="bounced", source="test", created_at=timezone.now()
    )
    segment = factories.make_mail_segment("Everyone")
    appeal = factories.make_appeal(
        campaign=campaign,
        segment=segment,
        code="SPRING26",
        email_subject="{{ first_name }}, will you give again?",
        email_body="Dear {{ salutation }},\n\nYour gift of {{ last_gift_amount }} mattered.\n"
        "Give at {{ donate_url }}\n",
    )
    return {"appeal": appeal, "segment": segment, "campaign": campaign, **makes}


def _staff_client(staff) -> Client:
    staff.email = "bob@office.example.org"
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def _compose_from_appeal(client, appeal) -> Mailing:
    page = client.get(f"/admin/donors/mailing/add/?appeal={appeal.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "will you give again?" in html and "{{ last_gift_amount }}" in html  # prefilled
    response = client.post(
        f"/admin/donors/mailing/add/?appeal={appeal.pk}",
        {
            "kind": "appeal",
            "appeal": appeal.pk,
            "segment": appeal.segment_id,
            "subject": appeal.email_subject,
            "body": appeal.email_body,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mailing.objects.get()


def test_an_appeal_is_composed_previewed_tested_and_sent_in_batches_through_smtp(
    people, staff, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.MAILING_BATCH_SIZE = 2
    client = _staff_client(staff)
    mailing = _compose_from_appeal(client, people["appeal"])
    assert mailing.created_by == staff and mailing.status == "draft"

    preview = client.get(f"/admin/donors/mailing/{mailing.pk}/preview/").content.decode()
    assert "Ayesha, will you give again?" in preview and "$100.00" in preview
    assert "List-Unsubscribe-Post" in preview and "List-Unsubscribe=One-Click" in preview

    response = client.post(f"/admin/donors/mailing/{mailing.pk}/test/", follow=True)
    assert "Test sent to bob@office.example.org" in response.content.decode()
    [test] = smtp_server.to("bob@office.example.org")
    assert test["Subject"] == "[Test] Ayesha, will you give again?"

    confirm = client.get(f"/admin/donors/mailing/{mailing.pk}/send/").content.decode()
    assert re.search(r'id="send-count">5<', confirm)
    for line in ("1: no email address", "1: not opted in to email", "1: do not solicit",
                 "1: address suppressed"):  # fmt: skip
        assert line in confirm, line
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/donors/mailing/{mailing.pk}/send/")
    assert response.status_code == 302

    mailing.refresh_from_db()
    assert mailing.status == "sent"
    assert (mailing.sent_count, mailing.failed_count, mailing.skipped_count) == (5, 0, 4)
    arrived = [m for m in smtp_server.messages if not m["Subject"].startswith("[Test]")]
    assert len(arrived) == 5
    assert sorted(a for rcpts in smtp_server.envelopes[1:] for a in rcpts) == [
        "ayesha@example.org", "bilal@example.org", "chand@example.org", "dawood@example.org",
        "erum@example.org",
    ]  # fmt: skip
    [bilal] = smtp_server.to("bilal@example.org")
    body = smtp_server.text(bilal)
    assert bilal["Subject"] == "Bilal, will you give again?"
    assert "Dear Bilal" in body and "$101.00" in body and "?appeal=SPRING26" in body
    assert "annual financial report" in body  # the NY disclosure
    token = MailingRecipient.objects.get(donor=people["Bilal"]).token
    assert bilal["List-Unsubscribe"].strip() == f"<{settings.SITE_URL}/unsubscribe/{token}/>"
    assert bilal["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    assert f"/unsubscribe/{token}/" in body
    # Who the appeal asked, by email: the five it reached.
    assert AppealRecipient.objects.filter(appeal=people["appeal"], via="email").count() == 5
    for who in ("optout", "dns", "none", "bounced"):
        assert not smtp_server.to(f"{people[who].first_name.lower()}@example.org")
    # The mailing's page shows its progress, the list who got it.
    page = client.get(f"/admin/donors/mailing/{mailing.pk}/change/").content.decode()
    assert "5 of 5 sent" in page
    assert 'name="_save"' not in page  # read-only once sent
    refused = client.post(f"/admin/donors/mailing/{mailing.pk}/change/",
                          {"kind": "appeal", "subject": "Changed", "body": "x"})  # fmt: skip
    assert refused.status_code == 403
    assert client.get(f"/admin/donors/mailing/{mailing.pk}/send/").status_code == 200
    skipped = client.get(
        f"/admin/donors/mailingrecipient/?mailing__id__exact={mailing.pk}&status__exact=skipped"
    ).content.decode()
    assert "not opted in to email" in skipped and "address suppressed" in skipped


def test_a_retried_task_never_sends_anyone_twice(
    people, smtp_server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from donors.services import mailings
    from donors.tasks import mailing_send_task

    settings.MAILING_BATCH_SIZE = 2
    real = mailings._send_batch
    calls = []

    def dies_on_the_second_batch(mailing, ids, connection):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # after the batch was claimed
        return real(mailing, ids, connection)

    monkeypatch.setattr(mailings, "_send_batch", dies_on_the_second_batch)
    mailing = mailing_save(
        mailing=Mailing(
            kind="newsletter",
            segment=people["segment"],
            subject="News",
            body="Hello {{ first_name }}",
        )  # fmt: skip
    )
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        mailing_queue(mailing=mailing)
    assert len(smtp_server.messages) == 2
    mailing_send_task(mailing.pk)  # django-q2's retry
    mailing_send_task(mailing.pk)  # and another, after it finished
    rows = MailingRecipient.objects.filter(mailing=mailing)
    sent = [rcpt for rcpts in smtp_server.envelopes for rcpt in rcpts]
    assert len(sent) == len(set(sent)) == rows.filter(status="sent").count() == 4
    # The batch the killed worker had claimed is not sent again: failed, with the reason.
    assert rows.filter(status="failed").count() == 2
    assert set(rows.filter(status="failed").values_list("reason", flat=True)) == {
        "interrupted while sending: not sent again"
    }
    # A newsletter is not an appeal: the do-not-solicit donor gets it.
    assert rows.get(donor=people["dns"]).status in ("sent", "failed")
    mailing.refresh_from_db()
    assert mailing.status == "sent" and mailing.sent_count == 4 and mailing.failed_count == 2


def _sent(people, smtp_server, django_capture_on_commit_callbacks, **fields) -> Mailing:
    mailing = mailing_save(
        mailing=Mailing(kind="newsletter", segment=people["segment"],
                        subject=fields.get("subject", "News"), body="Hello {{ first_name }}")
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        mailing_queue(mailing=mailing)
    return mailing


def test_one_click_unsubscribe_turns_consent_off_at_once_and_suppresses_bulk_mail_only(
    people, smtp_server, django_capture_on_commit_callbacks
):
    _sent(people, smtp_server, django_capture_on_commit_callbacks)
    [message] = smtp_server.to("chand@example.org")
    url = re.search(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    provider = Client(enforce_csrf_checks=True)

    # A GET (a mail scanner opening the link) changes nothing.
    page = provider.get(path)
    assert page.status_code == 200 and "chand@example.org" in page.content.decode()
    assert Donor.objects.get(pk=people["Chand"].pk).email_opt_in is True

    # RFC 8058: the provider POSTs List-Unsubscribe=One-Click, no cookie, no CSRF token.
    response = provider.post(path, "List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    donor = Donor.objects.get(pk=people["Chand"].pk)
    assert donor.email_opt_in is False
    suppression = EmailSuppression.objects.get(address="chand@example.org")
    assert suppression.reason == "unsubscribed" and suppression.source == "unsubscribe link"
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Donor), object_pk=str(donor.pk)
    ).latest("timestamp")
    assert entry.actor is None and entry.additional_data["origin"] == "unsubscribe link"
    assert json.loads(entry.changes_text or "{}") or entry.changes  # email_opt_in recorded

    # A second POST is harmless.
    assert provider.post(path, "List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded").status_code == 200  # fmt: skip
    assert EmailSuppression.objects.filter(address="chand@example.org").count() == 1

    # A token that is not ours: the 404 page, never a 500.
    assert provider.get("/unsubscribe/not-a-token/").status_code == 404
    assert provider.post("/unsubscribe/" + "x" * 300 + "/").status_code == 404

    # The next newsletter leaves them out; their receipt (for taxes) still reaches them.
    before = len(smtp_server.messages)
    second = _sent(people, smtp_server, django_capture_on_commit_callbacks, subject="More")
    assert MailingRecipient.objects.get(mailing=second, donor=donor).reason in (
        "not opted in to email", "address suppressed",
    )  # fmt: skip
    assert not [m for m in smtp_server.to("chand@example.org") if m["Subject"] == "More"]
    assert len(smtp_server.messages) == before + 5
    from compliance import services as compliance

    factories.ensure_benefit_limits()
    receipt = compliance.receipt_issue(gift=donor.gifts.get())
    assert "sent to chand@example.org" in compliance.receipt_send(receipt_id=receipt.pk)
    assert smtp_server.to("chand@example.org")[-1]["Subject"].startswith("Your receipt")


def test_wrong_unsubscribe_links_are_rate_limited_real_ones_always_work(
    people, smtp_server, django_capture_on_commit_callbacks
):
    _sent(people, smtp_server, django_capture_on_commit_callbacks)
    token = MailingRecipient.objects.filter(status="sent").first().token
    provider = Client()  # one mail provider's address posts every one-click unsubscribe
    statuses = [provider.get(f"/unsubscribe/guess-{i}/").status_code for i in range(31)]
    assert statuses == [404] * 30 + [429]
    assert "Please wait" in provider.get("/unsubscribe/guess-x/").content.decode()
    for _ in range(40):
        assert provider.get(f"/unsubscribe/{token}/").status_code == 200
    assert provider.post(f"/unsubscribe/{token}/").status_code == 200


def _postmark(record_type: str, *, email: str, message_id: str, kind: str) -> str:
    return json.dumps(
        {
            "RecordType": record_type,
            "MessageStream": "outbound",
            "ID": 4323372036854775807,
            "Type": kind,
            "TypeCode": 1,
            "Name": "Hard bounce",
            "Tag": "",
            "MessageID": message_id,
            "Metadata": {},
            "ServerID": 23,
            "Description": "The server was unable to deliver your message.",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
            "Email": email,
            "From": "office@example.org",
            "BouncedAt": "2026-11-05T16:33:54.9070259Z",
            "DumpAvailable": True,
            "Inactive": True,
            "CanActivate": True,
            "Subject": "News",
        }
    )


def test_a_bounce_from_the_providers_webhook_stops_every_later_email_receipts_included(
    people, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    mailing = _sent(people, smtp_server, django_capture_on_commit_callbacks)
    row = MailingRecipient.objects.get(mailing=mailing, donor=people["Dawood"])
    assert row.status == "sent" and row.provider_message_id
    [arrived] = smtp_server.to("dawood@example.org")
    assert arrived["Message-ID"] == row.provider_message_id
    payload = _postmark("Bounce", email="Dawood@example.org", message_id=row.provider_message_id,
                        kind="HardBounce")  # fmt: skip
    webhook = Client(enforce_csrf_checks=True)

    # A request without the webhook's secret is refused and records nothing.
    refused = webhook.post("/anymail/postmark/tracking/", payload,
                           content_type="application/json",
                           HTTP_AUTHORIZATION=_auth("anymail-user:wrong"))  # fmt: skip
    assert refused.status_code in (400, 401, 403)
    assert not EmailSuppression.objects.filter(address="dawood@example.org").exists()

    response = webhook.post("/anymail/postmark/tracking/", payload,
                            content_type="application/json", HTTP_AUTHORIZATION=_auth())  # fmt: skip
    assert response.status_code == 200
    suppression = EmailSuppression.objects.get(address="dawood@example.org")
    assert suppression.reason == "bounced" and suppression.source == "Postmark webhook"
    row.refresh_from_db()
    assert row.status == "bounced" and "550" in row.reason

    # A complaint about another message is recorded the same way.
    erum = MailingRecipient.objects.get(mailing=mailing, donor=people["Erum"])
    complaint = _postmark("SpamComplaint", email="erum@example.org",
                          message_id=erum.provider_message_id, kind="SpamComplaint")  # fmt: skip
    webhook.post("/anymail/postmark/tracking/", complaint, content_type="application/json",
                 HTTP_AUTHORIZATION=_auth())  # fmt: skip
    erum.refresh_from_db()
    assert erum.status == "complained"
    assert EmailSuppression.objects.get(address="erum@example.org").reason == "complained"

    # Later: Dawood's receipt is not emailed, and staff are told why.
    from compliance import services as compliance

    factories.ensure_benefit_limits()
    before = len(smtp_server.messages)
    receipt = compliance.receipt_issue(gift=people["Dawood"].gifts.get())
    note = compliance.receipt_send(receipt_id=receipt.pk)
    assert "could not be emailed" in note and "suppressed (bounced)" in note
    receipt.refresh_from_db()
    assert receipt.sent_at is None
    assert len(smtp_server.messages) == before
    suppression.refresh_from_db()
    assert suppression.blocked_count == 1 and suppression.last_blocked_at is not None


def test_a_suppressed_address_gets_no_receipt_invitation_or_dunning_email(organization, mailoutbox):
    from compliance import services as compliance
    from donors import services
    from donors.models import DunningNotice
    from donors.services.dunning import dunning_notice_send, dunning_payment_failed
    from events.models import Invitation
    from events.services.invitations import invitation_send, invitations_create

    donor = factories.make_donor(first_name="Javed", email="javed@example.org")
    other = factories.make_donor(first_name="Kamran", email="kamran@example.org")
    EmailSuppression.objects.create(
        address="javed@example.org", reason="bounced", source="test", created_at=timezone.now()
    )
    factories.ensure_benefit_limits()
    receipt = compliance.receipt_issue(gift=factories.make_gift(donor=donor))
    assert "could not be emailed" in compliance.receipt_send(receipt_id=receipt.pk)

    event = factories.make_event()
    invitations_create(event=event, donors=[donor, other])
    for invitation in Invitation.objects.all():
        invitation_send(invitation_id=invitation.pk)
    assert Invitation.objects.get(donor=donor).sent_at is None
    assert Invitation.objects.get(donor=other).sent_at is not None

    plan = services.recurring_plan_create(donor=donor, amount="25",
                                          started_on=datetime.date(2025, 1, 1),
                                          stripe_subscription_id="sub_suppressed")  # fmt: skip
    dunning_payment_failed(subscription_id="sub_suppressed", invoice_id="in_suppressed",
                           attempt=1, next_attempt_at=timezone.now(), amount=Decimal("25"),
                           failed_at=timezone.now())  # fmt: skip
    for notice in DunningNotice.objects.filter(failure__plan=plan):
        assert dunning_notice_send(notice_id=notice.pk) is False
        notice.refresh_from_db()
        assert notice.sent_at is None

    assert [m.to for m in mailoutbox] == [["kamran@example.org"]]  # the other's invitation
    assert EmailSuppression.objects.get().blocked_count >= 2

    # An unsubscribe (not a bounce) stops the invitation (bulk) but not the receipt.
    EmailSuppression.objects.filter(address="javed@example.org").update(reason="unsubscribed")
    receipt2 = compliance.receipt_issue(gift=factories.make_gift(donor=donor))
    assert "sent to javed@example.org" in compliance.receipt_send(receipt_id=receipt2.pk)
    second = factories.make_event()
    [invitation] = invitations_create(event=second, donors=[donor])
    assert invitation_send(invitation_id=invitation.pk) is False


def test_staff_suppress_and_lift_an_address_in_the_admin(staff):
    client = _staff_client(staff)
    response = client.post("/admin/donors/emailsuppression/add/",
                           {"address": "  Someone@Example.org ", "detail": "asked by phone"})  # fmt: skip
    assert response.status_code == 302
    suppression = EmailSuppression.objects.get()
    assert suppression.address == "someone@example.org" and suppression.reason == "staff"
    again = client.post("/admin/donors/emailsuppression/add/", {"address": "someone@example.org"})
    assert again.status_code == 200 and "already suppressed" in again.content.decode()
    client.post(f"/admin/donors/emailsuppression/{suppression.pk}/delete/", {"post": "yes"})
    assert not EmailSuppression.objects.exists()


def test_board_members_see_mailings_but_never_compose_test_or_send(
    people, board, organizer, staff, smtp_server, django_capture_on_commit_callbacks
):
    mailing = mailing_save(
        mailing=Mailing(
            kind="appeal",
            appeal=people["appeal"],
            segment=people["segment"],
            subject="Hi",
            body="Hello",
        )  # fmt: skip
    )
    member = Client()
    member.force_login(board)
    assert member.get("/admin/donors/mailing/").status_code == 200
    assert member.get(f"/admin/donors/mailing/{mailing.pk}/change/").status_code == 200
    assert member.get(f"/admin/donors/mailing/{mailing.pk}/preview/").status_code == 200
    assert member.get("/admin/donors/mailing/add/").status_code == 403
    assert member.get(f"/admin/donors/mailing/{mailing.pk}/send/").status_code == 403
    assert member.post(f"/admin/donors/mailing/{mailing.pk}/send/").status_code == 403
    assert member.post(f"/admin/donors/mailing/{mailing.pk}/test/").status_code == 403
    changed = member.post(f"/admin/donors/mailing/{mailing.pk}/change/",
                          {"kind": "appeal", "subject": "Changed", "body": "x"})  # fmt: skip
    assert changed.status_code == 403
    assert Mailing.objects.get().subject == "Hi" and Mailing.objects.get().status == "draft"
    assert smtp_server.messages == []
    outsider = Client()
    outsider.force_login(organizer)
    for url in ("/admin/donors/mailing/", f"/admin/donors/mailing/{mailing.pk}/preview/",
                "/admin/donors/mailingrecipient/", "/admin/donors/emailsuppression/"):  # fmt: skip
        assert outsider.get(url).status_code == 403, url
    assert outsider.post(f"/admin/donors/mailing/{mailing.pk}/test/").status_code == 403


def test_bad_words_are_refused_with_a_message(people, staff):
    client = _staff_client(staff)
    response = client.post(
        "/admin/donors/mailing/add/",
        {"kind": "newsletter", "segment": people["segment"].pk, "subject": "Hi {{ nickname }}",
         "body": "{% if %}"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown merge fields: nickname" in html and "This text has an error" in html
    appeal_without = client.post(
        "/admin/donors/mailing/add/",
        {"kind": "appeal", "segment": people["segment"].pk, "subject": "Hi", "body": "x"},
    )
    assert "An appeal email needs its appeal." in appeal_without.content.decode()
    assert not Mailing.objects.exists()


def test_existing_email_rolls_through_the_wrapper(organization, mailoutbox):
    """Email that has nothing to do with suppressions goes out as before."""
    from django.core.mail import send_mail

    send_mail("Hello", "Body", None, ["nobody-suppressed@example.org"])
    assert len(mailoutbox) == 1 and mail.outbox[0].subject == "Hello"


def test_webhook_alone_without_a_matching_message_still_suppresses(organization, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    payload = _postmark("Bounce", email="stranger@example.org", message_id="pm-unknown",
                        kind="HardBounce")  # fmt: skip
    response = Client().post("/anymail/postmark/tracking/", payload,
                             content_type="application/json", HTTP_AUTHORIZATION=_auth())  # fmt: skip
    assert response.status_code == 200
    assert EmailSuppression.objects.get().address == "stranger@example.org"
    assert roles.STAFF  # (roles imported for the fixtures' users)


def test_donors_sharing_one_address_get_one_message(
    organization, smtp_server, django_capture_on_commit_callbacks
):
    factories.make_donor(first_name="Sara", last_name="Malik", email="malik@example.org")
    factories.make_donor(first_name="Tariq", last_name="Malik", email="Malik@Example.org")
    segment = factories.make_mail_segment("Maliks")
    mailing = mailing_save(
        mailing=Mailing(kind="newsletter", segment=segment, subject="News", body="Hi")
    )
    with django_capture_on_commit_callbacks(execute=True):
        mailing_queue(mailing=mailing)
    assert len(smtp_server.messages) == 1
    reasons = list(MailingRecipient.objects.values_list("status", "reason").order_by("id"))
    assert reasons == [
        ("sent", ""),
        ("skipped", "address shared with another donor of the mailing"),
    ]


def test_a_long_mailing_goes_on_in_a_new_task_before_the_queue_would_kill_it(
    people, smtp_server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from donors.services import mailings

    settings.MAILING_BATCH_SIZE = 2
    tasks = []
    real = mailings.mailing_send

    def counted(**kwargs):  # each task: one batch, then it queues the next
        tasks.append(kwargs["mailing_id"])
        return real(**kwargs, seconds=0)

    monkeypatch.setattr(mailings, "mailing_send", counted)
    mailing = mailing_save(
        mailing=Mailing(kind="newsletter", segment=people["segment"], subject="News", body="Hi")
    )
    with django_capture_on_commit_callbacks(execute=True):
        mailing_queue(mailing=mailing)
    mailing.refresh_from_db()
    # 6 to send (a newsletter reaches the do-not-solicit donor too), 2 a task: 3 tasks, and a
    # fourth that finds nothing left and marks it sent.
    assert len(smtp_server.messages) == 6 and len(tasks) == 4
    assert mailing.status == "sent" and mailing.sent_count == 6 and mailing.failed_count == 0


def test_a_bounce_reported_under_the_providers_own_message_id_marks_the_last_message_sent(
    people, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    mailing = _sent(people, smtp_server, django_capture_on_commit_callbacks)
    payload = _postmark("Bounce", email="ayesha@example.org", kind="HardBounce",
                        message_id="883953f4-6105-42a2-a16a-77a8eac79483")  # fmt: skip
    response = Client().post("/anymail/postmark/tracking/", payload,
                             content_type="application/json", HTTP_AUTHORIZATION=_auth())  # fmt: skip
    assert response.status_code == 200
    row = MailingRecipient.objects.get(mailing=mailing, donor=people["Ayesha"])
    assert row.status == "bounced"


def test_a_donor_who_asks_for_email_again_on_their_own_page_is_no_longer_unsubscribed(
    people, smtp_server, django_capture_on_commit_callbacks
):
    import dataclasses

    from crm.donor_access import donor_own_details_save, own_details

    _sent(people, smtp_server, django_capture_on_commit_callbacks)
    token = MailingRecipient.objects.get(donor=people["Erum"]).token
    Client().post(f"/unsubscribe/{token}/")
    donor = Donor.objects.get(pk=people["Erum"].pk)
    assert not donor.email_opt_in and EmailSuppression.objects.filter(address="erum@example.org")
    details = dataclasses.replace(own_details(donor), email_opt_in=True)
    donor_own_details_save(donor=donor, details=details)
    assert Donor.objects.get(pk=donor.pk).email_opt_in is True
    assert not EmailSuppression.objects.filter(address="erum@example.org").exists()
    # A bounce is not lifted that way.
    assert EmailSuppression.objects.filter(address="imran@example.org", reason="bounced")
