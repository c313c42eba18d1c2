"""The board's asks and the tasks on donors: made, moved and closed through their services (each
change audited), closed by the prospect's gift however it arrives (the back office, an import,
Stripe), and kept in the admin by Staff and, for their own only, by board members."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from donors import services
from donors.models import Ask, AskStage, Task
from donors.services.online import PaymentFacts, online_payment_record
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def seat(organization, board):
    """Charlie (the board member login) sits in Omar's seat; Ayesha has the other seat."""
    omar = factories.make_board_member(
        user=board, donor=factories.make_donor(first_name="Omar", last_name="Malik")
    )
    ayesha = factories.make_board_member(
        donor=factories.make_donor(first_name="Ayesha", last_name="Khan")
    )
    return omar, ayesha


@pytest.fixture
def prospect(organization):
    return factories.make_donor(first_name="Nadia", last_name="Qureshi", email="nadia@example.org")


def _ask(member, donor, amount="10000", **fields) -> Ask:
    return services.ask_create(donor=donor, member=member, amount=amount, **fields)


def test_an_ask_moves_through_its_stages_and_each_move_is_audited(seat, prospect):
    omar, _ = seat
    ask = _ask(omar, prospect, next_step="Coffee after the gala")
    assert (ask.stage, ask.amount, ask.closed_at) == (AskStage.IDENTIFY, D("10000.00"), None)
    for stage in ("cultivate", "ask"):
        ask = services.ask_advance(ask=ask)
        assert ask.stage == stage and ask.is_open
    ask = services.ask_advance(ask=ask)
    assert ask.stage == AskStage.STEWARD and ask.closed_at is not None
    with pytest.raises(ValidationError, match="closed: it has no next stage"):
        services.ask_advance(ask=ask)
    changes = LogEntry.objects.get_for_object(ask).count()
    assert changes == 4  # created, then three moves


def test_an_ask_moved_back_to_an_open_stage_opens_again(seat, prospect):
    omar, _ = seat
    ask = services.ask_move(ask=_ask(omar, prospect), stage="declined")
    assert ask.closed_at is not None
    ask = services.ask_move(ask=ask, stage="cultivate", next_step="Try again in spring")
    assert ask.is_open and Ask.objects.get(pk=ask.pk).next_step == "Try again in spring"


def test_a_stale_move_changes_nothing(seat, prospect):
    omar, _ = seat
    ask = services.ask_advance(ask=_ask(omar, prospect))
    with pytest.raises(ValidationError, match="already at Cultivate"):
        services.ask_advance(ask=ask, expected_stage="identify")
    assert Ask.objects.get(pk=ask.pk).stage == "cultivate"


@pytest.mark.parametrize(
    "amount,message",
    [("0", "more than $0"), ("-5", "more than $0"), ("lots", "ask amount in dollars")],
)
def test_a_bad_ask_amount_is_refused_with_a_message(seat, prospect, amount, message):
    omar, _ = seat
    with pytest.raises(ValidationError) as refused:
        _ask(omar, prospect, amount=amount)
    assert message in " ".join(refused.value.messages)
    assert not Ask.objects.exists()


def test_one_open_ask_per_member_and_donor(seat, prospect):
    omar, ayesha = seat
    _ask(omar, prospect)
    with pytest.raises(ValidationError, match="already has an open ask of this donor"):
        _ask(omar, prospect, amount="500")
    _ask(ayesha, prospect, amount="500")  # another member may ask the same donor
    assert Ask.objects.filter(donor=prospect).count() == 2


def test_a_gift_recorded_for_a_prospect_closes_the_open_asks_with_that_gift(seat, prospect):
    omar, ayesha = seat
    first = services.ask_advance(ask=_ask(omar, prospect))
    second = _ask(ayesha, prospect, amount="2500")
    older = services.ask_move(ask=_ask(omar, factories.make_donor()), stage="declined")
    gift = services.gift_record(donor=prospect, amount="7500.00", method="check", gift_date=TODAY())
    for ask in (first, second):
        ask.refresh_from_db()
        assert (ask.stage, ask.closing_gift, ask.is_open) == (AskStage.STEWARD, gift, False)
    older.refresh_from_db()
    assert older.stage == AskStage.DECLINED and older.closing_gift is None
    entry = LogEntry.objects.get_for_object(first).order_by("-timestamp").first()
    assert "steward" in str(entry.changes)


def test_gifts_before_the_ask_was_opened_or_pending_or_bought_leave_it_open(seat, prospect):
    omar, _ = seat
    ask = _ask(omar, prospect)
    services.gift_record(
        donor=prospect, amount="100", method="check", gift_date=TODAY() - datetime.timedelta(3)
    )
    pending = services.gift_record(
        donor=prospect, amount="100", method="card", gift_date=TODAY(), status="pending"
    )
    # A dinner ticket (a payment with a benefit) is a purchase, not the gift asked for.
    services.gift_record(
        donor=prospect, amount="150", method="cash", gift_date=TODAY(), benefit_value="60"
    )
    ask.refresh_from_db()
    assert ask.is_open and ask.stage == AskStage.IDENTIFY
    # The pending payment succeeds: now it is a gift, and it closes the ask.
    pending.status = "succeeded"
    services.gift_save(gift=pending)
    ask.refresh_from_db()
    assert (ask.stage, ask.closing_gift) == (AskStage.STEWARD, pending)


def test_an_imported_gift_closes_the_ask(seat, prospect):
    omar, _ = seat
    ask = _ask(omar, prospect)
    untouched = _ask(omar, factories.make_donor(email="someone@example.org"))
    day = TODAY().isoformat()
    factories.make_import(
        [(2, {"donor_email": "nadia@example.org", "donor_first_name": "Nadia",
              "donor_last_name": "Qureshi", "gift_date": day, "amount": "5000",
              "method": "check"}),
         (3, {"donor_email": "new@example.org", "donor_first_name": "New",
              "donor_last_name": "Donor", "gift_date": day, "amount": "20", "method": "cash"})],
        kind="gifts",
    )  # fmt: skip
    ask.refresh_from_db()
    assert ask.stage == AskStage.STEWARD
    assert ask.closing_gift.amount == D("5000.00") and ask.closing_gift.import_run_id
    untouched.refresh_from_db()
    assert untouched.is_open


def test_a_stripe_payment_from_a_prospect_closes_the_ask(seat, prospect):
    omar, _ = seat
    ask = _ask(omar, prospect)
    gift = online_payment_record(
        facts=PaymentFacts(
            key="pi_ask_1",
            charge_id="ch_ask_1",
            amount=D("250.00"),
            charged_at=timezone.now(),
            email="nadia@example.org",
            name="Nadia Qureshi",
        )  # fmt: skip
    )
    assert gift.donor_id == prospect.pk
    ask.refresh_from_db()
    assert (ask.stage, ask.closing_gift_id) == (AskStage.STEWARD, gift.pk)


def test_a_task_is_made_and_completed_once(seat, prospect, board):
    task = services.task_create(
        donor=prospect, owner=board, kind="thank_you", due_date=TODAY(), what="Handwritten note"
    )
    services.task_complete(task=task)
    done_at = Task.objects.get(pk=task.pk).done_at
    assert done_at is not None
    services.task_complete(task=task)
    assert Task.objects.get(pk=task.pk).done_at == done_at
    assert LogEntry.objects.get_for_object(task).count() == 2


# The admin: Staff keep every ask; a board member adds their own and changes only theirs.


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_and_move_an_ask_in_the_admin(seat, prospect, staff):
    omar, _ = seat
    client = _client(staff)
    response = client.post(
        "/admin/donors/ask/add/",
        {"donor": prospect.pk, "member": omar.pk, "amount": "12000",
         "stage": "identify", "next_step": "Invite to the dinner", "due_date": "",
         "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    ask = Ask.objects.get()
    assert (ask.member, ask.amount, ask.next_step) == (omar, D("12000.00"), "Invite to the dinner")
    response = client.post(
        f"/admin/donors/ask/{ask.pk}/change/",
        {"donor": prospect.pk, "member": omar.pk, "amount": "12000", "stage": "declined",
         "next_step": "", "due_date": "", "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.stage == "declined" and ask.closed_at is not None
    assert LogEntry.objects.get_for_object(ask).latest("timestamp").actor == staff


def test_a_bad_ask_in_the_admin_gets_a_message_not_an_error(seat, prospect, staff):
    omar, _ = seat
    _ask(omar, prospect)
    response = _client(staff).post(
        "/admin/donors/ask/add/",
        {"donor": prospect.pk, "member": omar.pk, "amount": "300", "stage": "identify",
         "next_step": "", "due_date": "", "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "already has an open ask of this donor" in response.content.decode()
    assert Ask.objects.count() == 1


def test_a_board_member_keeps_their_own_asks_and_only_sees_the_others(seat, prospect, board):
    omar, ayesha = seat
    client = _client(board)
    response = client.post(
        "/admin/donors/ask/add/",
        {"donor": prospect.pk, "member": omar.pk, "amount": "800", "stage": "identify",
         "next_step": "", "due_date": "", "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    mine = Ask.objects.get(member=omar)
    # Another member's seat is not offered to them.
    response = client.post(
        "/admin/donors/ask/add/",
        {"donor": factories.make_donor().pk, "member": ayesha.pk, "amount": "800",
         "stage": "identify", "next_step": "", "due_date": "", "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    theirs = _ask(ayesha, factories.make_donor())
    response = client.post(
        f"/admin/donors/ask/{theirs.pk}/change/",
        {"donor": theirs.donor_id, "member": ayesha.pk, "amount": "1", "stage": "declined",
         "next_step": "", "due_date": "", "opened_on": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.stage == "identify" and theirs.amount == D("10000.00")
    assert client.get(f"/admin/donors/ask/{theirs.pk}/change/").status_code == 200  # read-only
    assert client.post(f"/admin/donors/ask/{mine.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_board_member_adds_tasks_for_themselves_only(seat, prospect, board, staff):
    client = _client(board)
    response = client.post(
        "/admin/donors/task/add/",
        {"donor": prospect.pk, "owner": staff.pk, "kind": "call", "what": "",
         "due_date": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(
        "/admin/donors/task/add/",
        {"donor": prospect.pk, "owner": board.pk, "kind": "visit", "what": "Tea at home",
         "due_date": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    assert Task.objects.get().owner == board
    staffs = services.task_create(donor=prospect, owner=staff, kind="call", due_date=TODAY())
    response = client.post(
        f"/admin/donors/task/{staffs.pk}/change/",
        {"donor": prospect.pk, "owner": board.pk, "kind": "call", "what": "mine now",
         "due_date": TODAY().isoformat()},
    )  # fmt: skip
    assert response.status_code == 403
    assert Task.objects.get(pk=staffs.pk).owner == staff
