"""The logs carry no donor's email or street address and no secret: the main flows run with
every log record captured at DEBUG (the level an operator sets with LOG_LEVEL=DEBUG; the
per-library levels of settings.LOGGING stay as in production), and none of those values
appears in any record, its arguments or its traceback."""

from __future__ import annotations

import io
import logging
import re
import socketserver
import threading
import uuid

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from compliance.models import Receipt
from donors.models import Gift
from events.models import RSVP
from tests import factories
from tests.stripe_peer import API_KEY, WEBHOOK_SECRET, event, post_event

pytestmark = pytest.mark.django_db(transaction=True)

DONOR_EMAILS = ["noor.haddad@example.org", "tariq.imports@example.org", "lina.rsvp@example.org"]
STREETS = ["4417 Juniper Hollow Rd", "88 Quarry Lane", "Apt 9C"]
WRONG_PASSWORD = "Wrong-Horse-Battery-77"


class RefusingMailServer(socketserver.ThreadingTCPServer):
    """An SMTP server that refuses every recipient, naming it as real servers do
    ("550 5.1.1 <x@example.org>: Recipient address rejected")."""

    daemon_threads = True
    allow_reuse_address = True

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"220 refusing.test ESMTP\r\n")
            for line in self.rfile:
                verb = line[:4].upper()
                if verb == b"RCPT":
                    address = line.split(b":", 1)[1].strip()
                    self.wfile.write(b"550 5.1.1 " + address + b": Recipient address rejected\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def _run_in_the_cluster(func: str, *args) -> None:
    """One task through django-q2's own worker and monitor, as a cluster runs it (not the
    tests' sync mode, which raises a task's error instead of logging it)."""
    from multiprocessing import Queue, Value

    from django.utils import timezone
    from django_q.monitor import monitor
    from django_q.worker import worker

    tasks, results = Queue(), Queue()
    tasks.put(
        {
            "id": uuid.uuid4().hex,
            "name": "log-test",
            "func": func,
            "args": args,
            "kwargs": {},
            "started": timezone.now(),
        }
    )
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    results.put("STOP")
    monitor(results)


@pytest.fixture
def log_output():
    """What the app's log handler (settings.LOGGING's "console") writes, with the root
    logger at DEBUG."""
    [console] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    root = logging.getLogger()
    level, stream = root.level, io.StringIO()
    root.setLevel(logging.DEBUG)
    previous = console.setStream(stream)
    yield stream
    console.setStream(previous)
    root.setLevel(level)


def test_the_main_flows_log_no_donor_email_address_or_secret(
    log_output, stripe_on, administrator, organizer, tmp_path, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    factories.ensure_benefit_limits()
    # A donation through the webhook, with the donor's card address.
    payment = stripe_on.pay(
        cents=25000,
        email=DONOR_EMAILS[0],
        name="Noor Haddad",
        address={
            "line1": STREETS[0],
            "line2": STREETS[2],
            "city": "Fresno",
            "state": "CA",
            "postal_code": "93701",
            "country": "US",
        },
    )
    for evt in [
        event("checkout.session.completed", stripe_on.checkout_session_object(payment)),
        event("charge.succeeded", stripe_on.charge_object(payment["charge"])),
    ]:
        assert post_event(Client(), evt).status_code == 200
    assert Gift.objects.filter(donor__emails__email=DONOR_EMAILS[0]).exists()
    # A bad signature is refused (and says why in the log).
    assert (
        Client()
        .post(
            "/stripe/webhook/",
            b"{}",
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE="t=1,v1=bad",
        )
        .status_code
        == 400
    )

    # An import of gifts from a file, one row bad.
    csv = tmp_path / "gifts.csv"
    csv.write_text(
        "donor_email,donor_first_name,donor_last_name,address_line1,city,state,postal_code,"
        "gift_date,amount,method\n"
        f"{DONOR_EMAILS[1]},Tariq,Aziz,{STREETS[1]},Austin,TX,78701,2025-03-01,120.00,check\n"
    )
    call_command("import_donations", str(csv), stdout=io.StringIO())
    bad = tmp_path / "bad.csv"
    bad.write_text(f"donor_email,gift_date,amount,method\n{DONOR_EMAILS[1]},not-a-date,1,cash\n")
    with pytest.raises(CommandError):
        call_command("import_donations", str(bad), stdout=io.StringIO(), stderr=io.StringIO())

    # Receipts issued for every due gift and sent by email.
    call_command("issue_receipts", "--send", "--out", str(tmp_path), stdout=io.StringIO())
    assert len(mail.outbox) == Receipt.objects.count() == 2
    # A donor's mail server refuses the receipt: the send task fails in the task cluster,
    # which logs why.
    refusing = RefusingMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", refusing.server_address[1]
    noor = Receipt.objects.get(donor__emails__email=DONOR_EMAILS[0])
    Receipt.objects.filter(pk=noor.pk).update(sent_at=None)
    _run_in_the_cluster("compliance.tasks.receipt_send_task", noor.pk)
    refusing.shutdown()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    # An RSVP on the public event page, by a new guest.
    dinner = factories.make_event(slug="log-dinner", organizers=[organizer])
    response = Client().post(
        f"/events/{dinner.slug}/",
        {
            "first_name": "Lina",
            "last_name": "Saleh",
            "email": DONOR_EMAILS[2],
            "answer": "yes",
            "party_size": "1",
            "guest_names": "",
            "dietary_needs": "",
        },
    )
    assert response.status_code == 200
    [link] = re.findall(r"http://[^/]+(/events/\S+/confirm/\S+/)", mail.outbox[-1].body)
    assert Client().post(link).status_code == 200  # the guest confirms from their email
    assert RSVP.objects.filter(event=dinner, answer="yes").exists()

    # A failed sign-in, then a right one.
    login = Client()
    assert (
        login.post("/admin/login/", {"username": "alice", "password": WRONG_PASSWORD}).status_code
        == 200
    )
    login.post("/admin/login/", {"username": "alice", "password": "pw-alice"})
    assert login.get("/admin/").status_code == 200

    log = log_output.getvalue()
    assert "stripe event" in log and "Processed" in log, "the capture is not listening"
    assert "Failed 'compliance.tasks.receipt_send_task'" in log  # logged, with [email]
    secrets = {
        "SECRET_KEY": settings.SECRET_KEY,
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "a wrong password": WRONG_PASSWORD,
        "a password": "pw-alice",
    }
    forbidden = {**{e: e for e in DONOR_EMAILS}, **{s: s for s in STREETS}, **secrets}
    leaks = [
        f"{what}: {line[:300]}"
        for line in log.splitlines()
        for what, value in forbidden.items()
        if value.lower() in line.lower()
    ]
    assert not leaks, "\n".join(leaks)


def test_a_secret_or_an_email_a_library_logs_is_blanked(log_output, settings, stripe_on):
    # What a library could write: its configuration, or a traceback quoting a recipient.
    library = logging.getLogger("some.library")
    library.warning("connecting with key %s", settings.STRIPE_SECRET_KEY)
    try:
        raise ValueError(f"signing with {settings.STRIPE_WEBHOOK_SECRET} for noor@example.org")
    except ValueError:
        library.exception("could not sign")

    log = log_output.getvalue()
    assert "connecting with key [secret]" in log
    assert "ValueError: signing with [secret] for [email]" in log
    assert settings.STRIPE_SECRET_KEY not in log
    assert settings.STRIPE_WEBHOOK_SECRET not in log
    assert "noor@example.org" not in log
