"""Test data made through the same services the product uses."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User

from common import roles
from compliance import services as compliance_services
from compliance.models import BenefitLimit, EmailTemplate, FilingProfile
from donors import services
from donors.models import (
    Appeal,
    BoardGoal,
    BoardMember,
    Campaign,
    Committee,
    Donor,
    DonorKind,
    Fund,
    Gift,
    GiftMethod,
    GlobalGivingFetch,
    Organization,
)

_seq = itertools.count(1)


def make_user(username: str, role: str | None = None, **fields) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, is_staff=role is not None, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_organization(**fields) -> Organization:
    values = dict(
        legal_name="Movement for Solidarity and Peace in Pakistan",
        ein="12-3456789",
        address_line1="1 Liberty Plaza",
        city="New York",
        state="NY",
        postal_code="10006",
        signatory_name="Sara Ahmed",
        signatory_title="Treasurer",
        time_zone="America/New_York",
        ny_disclosure="A copy of our latest annual financial report is available from us or the "
        "NY Attorney General's Charities Bureau.",
    )
    values.update(fields)
    return services.organization_save(organization=Organization(**values))


def make_donor(**fields) -> Donor:
    n = next(_seq)
    kind = fields.pop("kind", DonorKind.PERSON)
    if kind == DonorKind.PERSON:
        fields.setdefault("first_name", f"Donor{n}")
        fields.setdefault("last_name", "Khan")
    else:
        fields.setdefault("organization_name", f"Organization {n}")
    if "email" not in fields:
        fields["email"] = f"donor{n}@example.org"
    return services.donor_create(kind=kind, **fields)


def make_gift(donor: Donor | None = None, **fields) -> Gift:
    donor = donor or make_donor()
    fields.setdefault("amount", Decimal("100.00"))
    fields.setdefault("method", GiftMethod.CHECK)
    fields.setdefault("gift_date", datetime.date(2025, 3, 15))
    return services.gift_record(donor=donor, **fields)


def make_campaign(**fields) -> Campaign:
    n = next(_seq)
    fields.setdefault("name", f"Campaign {n}")
    fields.setdefault("slug", f"campaign-{n}")
    fields.setdefault("goal", Decimal("10000.00"))
    campaign = Campaign(**fields)
    campaign.full_clean()
    campaign.save()
    return campaign


def make_fund(**fields) -> Fund:
    n = next(_seq)
    fields.setdefault("name", f"Fund {n}")
    return Fund.objects.create(**fields)


def make_board_member(user: User | None = None, **fields) -> BoardMember:
    donor = fields.pop("donor", None) or make_donor()
    fields.setdefault("term_start", datetime.date(2024, 1, 1))
    member = BoardMember.objects.create(donor=donor, user=user, **fields)
    return member


def make_board_goal(member: BoardMember, **fields) -> BoardGoal:
    fields.setdefault("fiscal_year", 2025)
    fields.setdefault("give_goal", Decimal("5000.00"))
    fields.setdefault("get_goal", Decimal("10000.00"))
    return BoardGoal.objects.create(member=member, **fields)


def make_committee(**fields) -> Committee:
    fields.setdefault("name", f"Committee {next(_seq)}")
    return Committee.objects.create(**fields)


SEEDED_LIMITS = {  # (low-cost article max, its minimum payment, dollar cap), as migrated
    2024: ("13.20", "66.00", "132.00"),
    2025: ("13.60", "68.00", "136.00"),
    2026: ("14.00", "70.00", "140.00"),
}


def ensure_benefit_limits() -> BenefitLimit:
    """The limits the data migrations seed (a transactional test's flush removes them);
    returns 2025's."""
    for year, (article, payment, cap) in SEEDED_LIMITS.items():
        BenefitLimit.objects.get_or_create(
            year=year,
            defaults=dict(
                low_cost_article_max=Decimal(article),
                low_cost_article_min_payment=Decimal(payment),
                benefit_cap=Decimal(cap),
            ),
        )
    return BenefitLimit.objects.get(year=2025)


def make_import(rows, *, kind: str = "donors", user=None):
    """An import run through the import engine, from rows of (line, {column: value})."""
    from donors.imports.donors import donors_import
    from donors.imports.files import Sheet
    from donors.imports.gifts import gifts_import

    headers = sorted({column for _, values in rows for column in values})
    sheet = Sheet(name=f"{kind}.csv", headers=headers, rows=rows)
    engine = donors_import if kind == "donors" else gifts_import
    result = engine(sheet=sheet, user=user)
    assert result.imported, result.errors
    return result


ROLE_USERNAMES = {
    roles.ADMINISTRATOR: "alice",
    roles.STAFF: "bob",
    roles.BOARD_MEMBER: "charlie",
    roles.EVENT_ORGANIZER: "dana",
}


def make_one_of_everything(round_no: int = 0) -> None:
    """At least one record of every model with an admin, made through the services.

    Called again with a higher ``round_no`` it adds another set (the organization profile,
    a single row, is made once), so list pages can be measured with more rows.
    """
    import uuid

    from django.utils import timezone
    from django_q.models import OrmQ, Schedule, Task

    if round_no == 0:
        make_organization()
    campaign = make_campaign()
    fund = make_fund()
    donor = make_donor(tags=["volunteer", f"round-{round_no}"])
    gift = make_gift(donor=donor, campaign=campaign, fund=fund, amount=Decimal("300"))
    advisor = make_donor()
    services.soft_credit_add(gift=gift, donor=advisor, kind="solicitor")
    services.pledge_create(
        donor=donor,
        amount=Decimal("1200"),
        pledge_date=datetime.date(2025, 1, 1),
        installments=[(datetime.date(2025, 1, 1), "600"), (datetime.date(2025, 7, 1), "600")],
    )
    plan = services.recurring_plan_create(
        donor=donor,
        amount="25",
        started_on=datetime.date(2025, 1, 1),
        stripe_subscription_id=f"sub_everything_{round_no}_{uuid.uuid4().hex[:8]}",
    )
    from donors.services.dunning import dunning_payment_failed

    dunning_payment_failed(
        subscription_id=plan.stripe_subscription_id,
        invoice_id=f"in_everything_{plan.pk}",
        attempt=1,
        next_attempt_at=timezone.now() + datetime.timedelta(days=3),
        amount=Decimal("25"),
        failed_at=timezone.now(),
    )
    member = make_board_member(donor=advisor)
    member.committees.add(make_committee())
    make_board_goal(member)
    someone = make_user(f"user-{round_no}-{uuid.uuid4().hex[:6]}", None)
    services.ask_create(donor=donor, member=member, amount="5000", next_step="Lunch in May")
    services.task_create(
        donor=donor, owner=someone, kind="call", due_date=datetime.date(2025, 6, 1), what="Thank"
    )
    make_import(
        [(2, {"donor_email": f"imported-{round_no}@example.org", "donor_last_name": "Imported"})]
    )
    Group.objects.get_or_create(name=f"Group {round_no}")
    GlobalGivingFetch.objects.create(
        project_id="98765", ok=True, funding=Decimal("100"), goal=Decimal("500"), donation_count=3
    )
    GlobalGivingFetch.objects.create(project_id="98765", ok=False, error="HTTP 500")
    Schedule.objects.create(func="math.floor", args="1", schedule_type=Schedule.DAILY)
    now = timezone.now()
    for success in (True, False):
        key = uuid.uuid4().hex
        Task.objects.create(
            id=key, name=key, func="math.floor", started=now, stopped=now, success=success
        )
    OrmQ.objects.create(key="msp", payload="x", lock=now)
    from donors.services.online import stripe_event_attention, stripe_event_store

    stored = stripe_event_store(
        {"id": f"evt_everything_{uuid.uuid4().hex[:12]}", "type": "charge.succeeded",
         "created": int(now.timestamp()), "data": {"object": {"id": "ch_x", "object": "charge"}}}
    )  # fmt: skip
    stripe_event_attention(stored, "Stripe charge ch_x was settled in EUR, not US dollars.")
    ensure_benefit_limits()
    compliance_services.receipt_issue(gift=gift)
    EmailTemplate.objects.get_or_create(key="receipt", defaults={"subject": "s", "body": "b"})
    compliance_services.statements_issue(year=2025, donor_ids=[donor.pk])
    compliance_services.issue_batch_start(kind="statements", year=2025)
    FilingProfile.objects.get_or_create(pk=1)
    from compliance.services.calendar import deadlines_plan

    deadlines_plan(fiscal_year=2025 + round_no)
    from compliance.services.letters import thank_you_letters_queue

    employer = make_donor(kind=DonorKind.COMPANY)
    match = make_gift(donor=employer, method=GiftMethod.EMPLOYER_MATCH, amount=Decimal("300"))
    services.soft_credit_add(gift=match, donor=donor, kind="match")
    thank_you_letters_queue()
    make_segment(
        name=f"Indiana donors {round_no} {uuid.uuid4().hex[:6]}", definition={"states": ["IN"]}
    )
    appeal = services.appeal_save(
        appeal=Appeal(
            name=f"Spring letter {round_no} {uuid.uuid4().hex[:6]}",
            code=f"SPRING-{round_no}-{uuid.uuid4().hex[:6].upper()}", campaign=campaign,
            channel="both", cost=Decimal("120.00"), letter_body="Dear {{ salutation }},",
        )
    )  # fmt: skip
    services.appeal_recipients_record(appeal=appeal, donor_ids=[donor.pk], via="letter")
    make_events_of_everything(donor=donor, campaign=campaign, round_no=round_no)
    make_mailings_of_everything(campaign=campaign, round_no=round_no)


def make_mail_segment(name: str | None = None, definition: dict | None = None):
    """A segment for the mailings' tests (main's make_segment, through the segments' service,
    replaces it once both are merged)."""
    from donors.models import Segment

    return Segment.objects.create(name=name or f"Segment {next(_seq)}", definition=definition or {})


def make_appeal(*, campaign=None, segment=None, **fields):
    from donors.models import Appeal

    n = next(_seq)
    fields.setdefault("name", f"Appeal {n}")
    fields.setdefault("code", f"APPEAL-{n}")
    fields.setdefault("email_subject", "A gift for {{ org_name }}, {{ first_name }}?")
    fields.setdefault(
        "email_body", "Dear {{ salutation }},\n\nYour last gift was {{ last_gift_amount }}.\n"
    )
    return Appeal.objects.create(
        campaign=campaign or make_campaign(), segment=segment or make_mail_segment(), **fields
    )


def make_mailings_of_everything(*, campaign, round_no: int = 0) -> None:
    """A sent appeal email (with its recipients) and a suppressed address."""
    from donors.models import EmailSuppression, Mailing
    from donors.services.mailings import email_suppression_add, mailing_queue, mailing_save

    appeal = make_appeal(campaign=campaign)
    mailing = mailing_save(
        mailing=Mailing(
            kind=Mailing.Kind.APPEAL,
            appeal=appeal,
            segment=appeal.segment,
            subject=appeal.email_subject,
            body=appeal.email_body,
        )
    )
    mailing_queue(mailing=mailing)
    email_suppression_add(
        suppression=EmailSuppression(address=f"suppressed-{round_no}-{next(_seq)}@example.org")
    )


def make_segment(*, name: str | None = None, definition: dict | None = None, user=None):
    from donors.models import Segment

    segment = Segment(name=name or f"Segment {next(_seq)}", definition=definition or {})
    return services.segment_save(segment=segment, user=user)


def make_event(**fields):
    from events.models import Event
    from events.services import event_save

    n = next(_seq)
    start = fields.pop("starts_at", None) or timezone_now() + datetime.timedelta(days=30)
    fields.setdefault("name", f"Dinner {n}")
    fields.setdefault("slug", f"dinner-{n}")
    fields.setdefault("venue", "Grand Hall")
    fields.setdefault("city", "Indianapolis")
    fields.setdefault("state", "IN")
    fields.setdefault("time_zone", "America/Indiana/Indianapolis")
    fields.setdefault("capacity", 100)
    fields.setdefault("party_size_limit", 4)
    fields.setdefault("status", "open")
    fields.setdefault("ends_at", start + datetime.timedelta(hours=3))
    organizers = fields.pop("organizers", ())
    event = event_save(event=Event(starts_at=start, **fields))
    if organizers:
        event.organizers.add(*organizers)
    return event


def make_ticket_type(event, **fields):
    from events.models import TicketType
    from events.services import ticket_type_save

    fields.setdefault("name", "Dinner seat")
    fields.setdefault("price", Decimal("150.00"))
    fields.setdefault("fair_market_value", Decimal("60.00"))
    fields.setdefault("seats", 1)
    return ticket_type_save(ticket_type=TicketType(event=event, **fields))


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def make_events_of_everything(*, donor: Donor, campaign: Campaign, round_no: int = 0) -> None:
    from events import services as event_services
    from events.models import GuestList, Table

    event = make_event(campaign=campaign)
    ticket = make_ticket_type(event)
    Table.objects.create(event=event, name="Table 1")
    guest_list = GuestList.objects.create(name=f"Host committee {round_no}-{next(_seq)}")
    guest_list.donors.add(donor)
    guest_list.events.add(event)
    guest = make_donor(first_name="Imran", last_name=f"Guest{round_no}")
    event_services.invitations_create(event=event, donors=[guest])
    event_services.rsvp_submit(event=event, donor=guest, answer="yes", party_size=2)
    event_services.ticket_purchase_record(
        ticket_type=ticket,
        donor=donor,
        quantity=1,
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 15),
    )
    event_services.event_gift_record(
        event=event,
        donor=donor,
        amount=Decimal("500"),
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 15),
    )
