"""The MSP demo: three years of a small diaspora charity's giving.

Deterministic for a given day: one seeded ``random.Random`` makes every choice, and dates are
laid out backwards from ``today`` (the three calendar years ending with it), so no gift is ever
in the future. Besides the everyday gifts it always contains the cases the back office must get
right: every payment method, refunds, a dispute, a declined card, a late-night card gift on
December 31 in California, a check postmarked in December and received in January, dinner
tickets with their meal as the benefit, DAF grants, employer matches and GlobalGiving payouts
with the donors behind them as soft credits.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.timezone import now as timezone_now

from crm.demo import data
from crm.demo.recorder import (
    Recorder,
    add_months,
    nth_saturday_on_or_before,
    save_validated,
    split_evenly,
)
from donors import services
from donors.models import (
    BoardGoal,
    BoardMember,
    Campaign,
    Committee,
    Donor,
    DonorAddress,
    DonorEmail,
    DonorKind,
    Fund,
    Gift,
    GiftMethod,
    GiftStatus,
    Interaction,
    PledgeStatus,
    Relationship,
    SoftCreditKind,
    ThankedVia,
)
from donors.money import money
from events.models import RSVP, Answer, Event, EventStatus, Table, TicketType
from events.services import event_save, ticket_type_save

DEMO_SEED = 1947
# With the organization profile, this campaign's presence says the demo is loaded.
MARKER_SLUG = "globalgiving-classrooms-for-peace"

_D = Decimal
_LEVELS = {"prospect": 14, "small": 52, "mid": 27, "major": 7}  # share of donors
_AMOUNTS = {
    "small": (25, 50, 50, 75, 100, 100, 150, 200, 250),
    "mid": (250, 300, 500, 500, 750, 1000),
    "major": (1000, 1000, 1500, 2500, 2500, 5000),
}
_METHODS = {  # how each level tends to give
    "small": dict(card=58, check=20, ach=8, cash=6, other=5, wire=0, stock=0),
    "mid": dict(card=40, check=38, ach=14, cash=0, other=3, wire=5, stock=0),
    "major": dict(card=14, check=38, ach=10, cash=0, other=0, wire=18, stock=20),
}


@dataclass
class _PledgeSchedule:
    """A demo pledge: who, how much, when, its installments' dates, and how they are paid
    ("check", "wire", "ach", "daf"; "late": the latest due one unpaid; "cancelled")."""

    donor: object
    total: int
    pledged: datetime.date
    dates: list[datetime.date]
    paid_by: str
    campaign: object
    fund: object


class MspStory(Recorder):
    def load(self) -> dict:
        self.matches: list[tuple[Donor, Gift]] = []
        self.campaigns_and_funds()
        self.people()
        self.everyday_giving()
        self.signature_gifts()
        self.edge_cases()
        self.employer_matches()
        self.dinners()
        self.globalgiving()
        self.pledges()
        self.monthly_plans()
        self.board_seats()
        self.interactions()
        self.upcoming_dinners()
        self.spelled_twice()
        services.donor_figures_refresh(donor_ids=Donor.objects.values_list("pk", flat=True))
        # Years of giving were thanked long ago: the thank-you queue shows the last few days only.
        services.gifts_thanked_mark(
            gifts=Gift.objects.filter(gift_date__lt=self.today - datetime.timedelta(days=3)),
            via=ThankedVia.EARLIER,
        )
        return {"donors": Donor.objects.count(), "gifts": self.gift_count}

    def spelled_twice(self) -> None:
        """Two board members entered a second time with their names spelled another way (as
        a GlobalGiving report or a sign-up sheet would): the duplicates page finds them."""
        chair, tariq = self.board[0], self.board[4]
        email = chair.emails.filter(is_primary=True).first()
        if email:
            services.donor_create(
                kind=DonorKind.PERSON,
                first_name="Imran",
                last_name="Kureshi",
                email=email.email.upper(),
            )
        home = tariq.addresses.filter(is_primary=True).first()
        if home:
            services.donor_create(
                kind=DonorKind.PERSON,
                first_name="Tarik",
                last_name="Choudhury",
                address=dict(
                    line1=home.line1.replace(" St", " Street").replace(" Ave", " Avenue"),
                    city=home.city,
                    region=home.region,
                    postal_code=home.postal_code,
                ),
            )

    # The organization's side ------------------------------------------------------------------
    def campaigns_and_funds(self) -> None:
        y0, y1, y2 = self.years
        self.general, *self.funds = [
            save_validated(Fund(name=name, is_restricted=restricted, description=description))
            for name, restricted, description in data.FUNDS
        ]
        self.annual = {
            year: self.campaign(
                f"Annual Fund {year}",
                f"annual-fund-{year}",
                _D(150000 + 25000 * (year - y0)),
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 31),
                "Unrestricted giving for the year's programs.",
                is_active=year == y2,
            )
            for year in self.years
        }
        self.gg_start = datetime.date(y1, 9, 1)
        self.gg_campaign = self.campaign(
            "GlobalGiving: Classrooms for Peace in Pakistan",
            MARKER_SLUG,
            _D("50000.00"),
            self.gg_start,
            datetime.date(y2, 12, 31),
            "Peace-education classrooms in 20 schools; totals come from GlobalGiving.",
            globalgiving_project_id="48213",
        )
        # The events app has no models yet: each dinner is a campaign whose tickets are gifts
        # with the meal as their benefit.
        self.indy_day = nth_saturday_on_or_before(self.today, 4, 2)
        self.sf_day = nth_saturday_on_or_before(self.today, 10, 3)
        self.indy = self.dinner_campaign(
            "Indianapolis Dinner", "indianapolis-dinner", 35000, self.indy_day, "Indianapolis"
        )
        self.sf = self.dinner_campaign(
            "San Francisco Bay Area Dinner", "sf-bay-area-dinner", 50000, self.sf_day, "Santa Clara"
        )
        self.committees = {name: save_validated(Committee(name=name)) for name in data.COMMITTEES}

    def campaign(self, name, slug, goal, start, end, description, **extra) -> Campaign:
        return save_validated(
            Campaign(
                name=name,
                slug=slug,
                goal=goal,
                start_date=start,
                end_date=end,
                description=description,
                **extra,
            )
        )

    def dinner_campaign(self, name, slug, goal, night, city) -> Campaign:
        return self.campaign(
            name,
            slug,
            _D(goal),
            night - datetime.timedelta(days=60),
            night + datetime.timedelta(days=30),
            f"Annual fundraising dinner, {city}, {night:%B %-d, %Y}.",
        )

    # Donors -----------------------------------------------------------------------------------
    def people(self) -> None:
        rng = self.rng
        self.orgs = {key: self.organization(key) for key in data.ORGANIZATIONS}
        self.platform = services.donor_create(
            kind=DonorKind.PLATFORM,
            organization_name="GlobalGiving Foundation",
            email="partners@globalgiving.example.org",
            address=dict(
                line1="1110 Vermont Ave NW, Suite 550",
                city="Washington",
                region="DC",
                postal_code="20005",
                kind="work",
            ),
            time_zone="America/New_York",
            notes="Pays out what donors give on the project page; it receipts those donors.",
        )
        self.board = [
            self.person(first=first, last=last, prefix=prefix, city=city, tags=("Board",))
            for prefix, first, last, city, *_ in data.BOARD
        ]
        self.khans = self.household(
            wife="Ayesha",
            husband="Omar",
            last="Khan",
            prefix="Drs.",
            city="Carmel",
            tags=("Major donor", "Physician"),
        )
        self.individuals: list[Donor] = [*self.board, self.khans]
        self.levels = {donor.pk: "major" for donor in self.individuals}
        while len(self.individuals) < 385:
            roll = rng.random()
            if roll < 0.15:
                self.individuals.append(self.giver(self.household))
            elif roll < 0.20:
                # A married couple kept as two records, tied by the spouse relationship.
                last, city = self.pick(data.SURNAMES), self.place()[0]
                her = self.giver(self.person, last=last, city=city, woman=True)
                him = self.giver(self.person, last=last, city=city, woman=False)
                self.relate(her, Relationship.Kind.SPOUSE, him)
                self.relate(him, Relationship.Kind.SPOUSE, her)
                self.individuals += [her, him]
            else:
                self.individuals.append(self.giver(self.person))

        self.cities = dict(
            DonorAddress.objects.filter(is_primary=True).values_list("donor_id", "city")
        )
        people = [d for d in self.individuals if d.kind == DonorKind.PERSON and d not in self.board]
        bay_area = [d for d in people if self.cities.get(d.pk) in data.BAY_AREA]
        indy = [d for d in people if self.cities.get(d.pk) in data.INDY_AREA]
        self.employees = {
            "larkspur": rng.sample(bay_area, 6),
            "crescent": [self.board[3], *rng.sample(indy, 3)],
        }
        for key, staff in self.employees.items():
            for person in staff:
                self.relate(person, Relationship.Kind.EMPLOYEE, self.orgs[key])
        self.relate(
            self.board[7], Relationship.Kind.EMPLOYEE, self.orgs["indus_software"], "Founder"
        )
        # Donors who give part of their money through a donor-advised fund.
        self.daf_sponsor_of = {}
        for advisor in rng.sample(people, 10):
            sponsor = self.pick((self.orgs["beacon"], self.orgs["cypress"]))
            self.daf_sponsor_of[advisor.pk] = sponsor
            self.relate(advisor, Relationship.Kind.ADVISOR, sponsor)

    def giver(self, make, **fields) -> Donor:
        """A new donor and how generously they give; major donors carry the tag."""
        level = self.rng.choices(list(_LEVELS), weights=list(_LEVELS.values()))[0]
        donor = make(tags=("Major donor",) if level == "major" else (), **fields)
        self.levels[donor.pk] = level
        return donor

    def relate(self, donor: Donor, kind: str, other: Donor, notes: str = "") -> None:
        save_validated(Relationship(from_donor=donor, kind=kind, to_donor=other, notes=notes))

    def in_area(self, area: frozenset) -> list[Donor]:
        return [d for d in self.individuals if self.cities.get(d.pk) in area]

    # Gifts ------------------------------------------------------------------------------------
    def everyday_giving(self) -> None:
        """Most donors give once or twice a year; some lapse, some are new this year."""
        rng = self.rng
        y0, y1, y2 = self.years
        patterns = {(y0, y1, y2): 40, (y0, y1): 14, (y1, y2): 22, (y2,): 12, (y0, y2): 12}
        for donor in self.individuals:
            level = self.levels[donor.pk]
            if donor is self.khans or donor in self.board:
                years = self.years
            elif level == "prospect":
                continue
            else:
                years = rng.choices(list(patterns), weights=list(patterns.values()))[0]
            for year in years:
                for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
                    day = self.day_in_year(year)
                    if day is not None:
                        self.everyday_gift(donor, level, day)

    def everyday_gift(self, donor: Donor, level: str, day: datetime.date) -> None:
        rng = self.rng
        amount = _D(rng.choice(_AMOUNTS[level]))
        fields = {"campaign": self.annual[day.year] if rng.random() < 0.8 else None}
        fields["fund"] = self.pick(self.funds) if rng.random() < 0.25 else self.general
        if fields["fund"] != self.general and rng.random() < 0.5:
            fields["designation"] = f"For {fields['fund'].name.lower()}"
        if rng.random() < 0.03:
            kind, name, notify, notify_email = self.pick(data.TRIBUTES)
            fields.update(
                tribute_kind=kind,
                tribute_name=name,
                tribute_notify_name=notify,
                tribute_notify_email=notify_email,
            )

        sponsor = self.daf_sponsor_of.get(donor.pk)
        if sponsor is not None and rng.random() < 0.6:
            self.daf_grant(sponsor, donor, amount, day, **fields)
            return
        method = rng.choices(list(_METHODS[level]), weights=list(_METHODS[level].values()))[0]
        if method in ("card", "ach"):
            gift = self.processed(donor, amount, day, method=method, **fields)
        elif method == "check":
            gift = self.check(donor, amount, day, **fields)
        elif method == "stock":
            gift = self.stock(donor, day, amount, **fields)
        elif method == "other":
            gift = self.received(
                donor, amount, GiftMethod.OTHER, day, notes="Zelle transfer", **fields
            )
        elif method == "wire":
            gift = self.received(donor, amount, GiftMethod.WIRE, day, **fields)
        else:
            gift = self.received(donor, min(amount, _D(100)), GiftMethod.CASH, day, **fields)

        if donor not in self.board and gift.amount >= 1000 and rng.random() < 0.5:
            self.solicited_by(self.pick(self.board), gift)
        for key, staff in self.employees.items():
            if donor in staff and method in ("card", "check", "ach"):
                self.matches.append((self.orgs[key], gift))

    def daf_grant(self, sponsor: Donor, advisor: Donor, amount, day, **fields) -> Gift:
        """The fund's sponsor is the donor; the advisor who recommended it gets the credit."""
        grant = self.received(
            sponsor,
            amount,
            GiftMethod.DAF_GRANT,
            day,
            notes=f"Grant recommended by {advisor.display_name}",
            **fields,
        )
        services.soft_credit_add(gift=grant, donor=advisor, kind=SoftCreditKind.DAF_ADVISOR)
        return grant

    def solicited_by(self, member: Donor, gift: Gift) -> None:
        services.soft_credit_add(gift=gift, donor=member, kind=SoftCreditKind.SOLICITOR)

    def signature_gifts(self) -> None:
        """Gifts the story always has, whatever the dice say: the Khans' year-end stock,
        a foundation's yearly grant, a Zelle transfer and a gift an employer will match."""
        y1 = self.years[1]
        for year in self.years:
            december, june = datetime.date(year, 12, 5), datetime.date(year, 6, 20)
            if december <= self.today:
                stock = self.stock(
                    self.khans, december, _D(8000), campaign=self.annual[year], fund=self.general
                )
                self.solicited_by(self.board[0], stock)
            if june <= self.today:
                self.check(
                    self.orgs["ravi"],
                    5000,
                    june,
                    postmark=False,
                    fund=self.funds[0],
                    notes="Annual grant for flood relief.",
                )
        self.received(
            self.individuals[70],
            150,
            GiftMethod.OTHER,
            datetime.date(y1, 5, 12),
            campaign=self.annual[y1],
            fund=self.general,
            notes="Zelle transfer",
        )
        employee = self.employees["larkspur"][0]
        gift = self.check(
            employee, 500, datetime.date(y1, 3, 16), campaign=self.annual[y1], fund=self.general
        )
        self.matches.append((self.orgs["larkspur"], gift))

    def edge_cases(self) -> None:
        """What receipts must get right: a card charged late on December 31 in California
        (January 1 in UTC), a check postmarked in December and received in January, refunds in
        full and in part, a dispute and a declined card."""
        y0, y1, y2 = self.years
        late = next(d for d in self.individuals[9:] if d.time_zone == "America/Los_Angeles")
        self.processed(
            late,
            500,
            datetime.date(y1, 12, 31),
            hour=22,
            campaign=self.annual[y1],
            fund=self.general,
        )
        january = self.day_between(datetime.date(y2, 1, 3), datetime.date(y2, 1, 6))
        if january is not None:
            self.check(
                self.individuals[20],
                1000,
                january,
                postmark_date=datetime.date(y1, 12, 30),
                campaign=self.annual[y1],
                fund=self.general,
                notes="Postmarked in December: it counts for the earlier tax year.",
            )

        donors = self.individuals[30:40]
        for donor, year in zip(donors, self.years, strict=False):
            first = self.processed(
                donor, 250, self.day_in_year(year), campaign=self.annual[year], fund=self.general
            )
            self.processed(
                donor,
                250,
                first.gift_date,
                status=GiftStatus.REFUNDED,
                amount_refunded=_D("250.00"),
                campaign=self.annual[year],
                fund=self.general,
                notes="Charged twice by mistake; refunded.",
            )
        for donor, year in ((donors[3], y1), (donors[4], y2)):
            self.processed(
                donor,
                500,
                self.day_in_year(year),
                status=GiftStatus.PARTIALLY_REFUNDED,
                amount_refunded=_D("250.00"),
                campaign=self.annual[year],
                fund=self.general,
                notes="Meant to give $250; the difference was refunded.",
            )
        self.processed(
            donors[5],
            100,
            self.day_in_year(y2),
            status=GiftStatus.DISPUTED,
            campaign=self.annual[y2],
            notes="The cardholder disputed the charge.",
        )
        self.processed(
            donors[6],
            75,
            self.day_in_year(y2),
            status=GiftStatus.FAILED,
            campaign=self.annual[y2],
            notes="Card declined.",
        )

    def employer_matches(self) -> None:
        """Employers match their staff's gifts (up to $1,000) a month or two later."""
        for company, gift in self.matches:
            day = gift.gift_date + datetime.timedelta(days=self.rng.randint(30, 75))
            if day > self.today or gift.status != GiftStatus.SUCCEEDED:
                continue
            match = self.received(
                company,
                min(gift.amount, _D(1000)),
                GiftMethod.EMPLOYER_MATCH,
                day,
                campaign=gift.campaign,
                fund=gift.fund,
                notes=f"Match of {gift.donor.display_name}'s gift of {gift.gift_date:%b %-d, %Y}",
            )
            services.soft_credit_add(gift=match, donor=gift.donor, kind=SoftCreditKind.MATCH)

    def dinners(self) -> None:
        self.dinner(
            self.indy,
            self.indy_day,
            price=_D(150),
            meal=_D(60),
            table=_D(2500),
            guests=self.in_area(data.INDY_AREA),
            caterer=self.orgs["lahore_grill"],
            sponsor=self.orgs["indus_software"],
            title="the Indianapolis Dinner",
        )
        self.dinner(
            self.sf,
            self.sf_day,
            price=_D(200),
            meal=_D(85),
            table=_D(5000),
            guests=self.in_area(data.BAY_AREA),
            caterer=self.orgs["karachi_kitchen"],
            sponsor=self.orgs["larkspur"],
            title="the San Francisco Bay Area Dinner",
        )

    def dinner(self, campaign, night, *, price, meal, table, guests, caterer, sponsor, title):
        """Tickets are gifts with the meal as their benefit; the appeal on the night is not."""
        rng = self.rng
        when = f"{night:%B %-d, %Y}"
        buyers = rng.sample(guests, min(len(guests), 55))
        for donor in buyers:
            seats = rng.choices((1, 2, 3, 4), weights=(3, 6, 1, 1))[0]
            bought = self.day_between(
                night - datetime.timedelta(days=50), night - datetime.timedelta(days=1)
            )
            fields = dict(
                campaign=campaign,
                fund=self.general,
                benefit_value=meal * seats,
                benefit_description=f"{seats} dinner ticket{'s' * (seats > 1)} to {title}, {when}",
            )
            if rng.random() < 0.06:
                fields.update(
                    benefit_declined=True, notes="Could not attend; gave the seats back for resale."
                )
            if rng.random() < 0.75:
                self.processed(donor, price * seats, bought, **fields)
            else:
                self.check(donor, price * seats, bought, **fields)
        table_gift = self.check(
            sponsor,
            table,
            night - datetime.timedelta(days=30),
            campaign=campaign,
            fund=self.general,
            benefit_value=meal * 10,
            benefit_description=f"Sponsor table of 10 at {title}, {when}",
        )
        self.solicited_by(self.pick(self.board), table_gift)
        self.received(
            caterer,
            meal * 40,
            GiftMethod.IN_KIND,
            night,
            campaign=campaign,
            non_cash_description=f"Dessert and tea for the guests of {title}, {when}",
        )
        # The appeal on the night: no benefit, paid with whatever was at hand.
        for i, donor in enumerate(rng.sample(buyers, min(len(buyers), 22))):
            amount = _D(rng.choice((50, 100, 100, 250, 500, 1000)))
            fields = dict(campaign=campaign, fund=self.general)
            if i % 3 == 0:
                self.received(donor, min(amount, _D(200)), GiftMethod.CASH, night, **fields)
            elif i % 3 == 1:
                self.check(donor, amount, night, postmark=False, **fields)
            else:
                self.processed(donor, amount, night, hour=21, **fields)

    def globalgiving(self) -> None:
        """Monthly payouts from GlobalGiving, each with the donors behind it as soft credits."""
        rng = self.rng
        gg_donors = rng.sample(self.individuals, 45)
        month = self.gg_start
        while (paid_on := add_months(month, 1).replace(day=10)) <= self.today:
            count = rng.randint(6, 14) + (15 if month.month == 12 else 0)  # year-end matching
            behind: dict[Donor, Decimal] = defaultdict(Decimal)
            for donor in rng.sample(gg_donors, count):
                behind[donor] += _D(rng.choice((25, 25, 50, 100, 100, 250, 250, 500, 1000)))
            total = sum(behind.values(), _D(0))
            payout = self.received(
                self.platform,
                total,
                GiftMethod.GLOBALGIVING,
                paid_on,
                campaign=self.gg_campaign,
                fund=self.funds[1],
                processor="globalgiving",
                external_id=f"gg-payout-{month:%Y-%m}",
                fee=money(total * _D("0.05")),
                notes=f"GlobalGiving disbursement for donations made in {month:%B %Y}",
            )
            for donor, amount in behind.items():
                services.soft_credit_add(
                    gift=payout, donor=donor, amount=amount, kind=SoftCreditKind.PLATFORM_DONOR
                )
            month = add_months(month, 1)

    def pledges(self) -> None:
        """Pledges with their schedules; the installments due so far are paid, except one."""
        for schedule in self._pledge_schedules():
            self._pledge_made(schedule)

    def _pledge_schedules(self) -> list[_PledgeSchedule]:
        y0, y1, y2 = self.years
        d = datetime.date
        advisor = next(donor for donor in self.individuals if donor.pk in self.daf_sponsor_of)
        s = _PledgeSchedule
        schedules = [
            s(self.board[0], 10000, d(y0, 1, 10),
              [d(y0, 2, 1), d(y0, 8, 1), d(y1, 2, 1), d(y1, 8, 1)], "check", None, self.general),
            s(self.khans, 15000, d(y1, 3, 1), [d(y1, 4, 1), d(y2, 4, 1), d(y2 + 1, 4, 1)],
              "check", None, self.funds[1]),
            s(self.orgs["noor"], 25000, d(y1, 6, 15),
              [d(y1, 7, 1), d(y2, 1, 1), d(y2, 7, 1), d(y2 + 1, 1, 1), d(y2 + 1, 7, 1)],
              "wire", None, self.funds[1]),
            s(self.board[1], 6000, d(y2, 1, 15),
              [d(y2, 3, 1), d(y2, 6, 1), d(y2, 9, 1), d(y2, 12, 1)], "ach", self.annual[y2],
              self.general),
            s(advisor, 3000, d(y1, 1, 20), [d(y1, 2, 1), d(y2, 2, 1), d(y2 + 1, 2, 1)], "daf",
              None, self.funds[0]),
            s(self.orgs["hoosier"], 8000, d(y0, 9, 1), [d(y0, 10, 1), d(y1, 10, 1)], "check",
              None, self.funds[2]),
            s(self.individuals[50], 2000, d(y1, 5, 5), [d(y1, 6, 1), d(y1, 12, 1)],
              "cancelled", None, self.general),
        ]  # fmt: skip
        # Pledged at the dinners: $100 a month, paid by bank transfer, the latest one late.
        for night, campaign, donor, months in (
            (self.indy_day, self.indy, self.individuals[60], 6),
            (self.sf_day, self.sf, self.individuals[61], 12),
        ):
            dates = [add_months(night, i + 1).replace(day=1) for i in range(months)]
            schedules.append(s(donor, 100 * months, night, dates, "late", campaign, self.general))
        return schedules

    def _pledge_made(self, schedule: _PledgeSchedule) -> None:
        donor, campaign, fund, dates = (
            schedule.donor, schedule.campaign, schedule.fund, schedule.dates
        )  # fmt: skip
        amounts = split_evenly(_D(schedule.total), len(dates))
        due = [
            (day, amount) for day, amount in zip(dates, amounts, strict=False) if day <= self.today
        ]
        if schedule.paid_by == "late":
            due = due[:-1]
        if schedule.paid_by == "cancelled":
            status, due = PledgeStatus.CANCELLED, []
        else:
            status = PledgeStatus.FULFILLED if len(due) == len(dates) else PledgeStatus.OPEN
        pledge = services.pledge_create(
            donor=donor,
            amount=_D(schedule.total),
            pledge_date=schedule.pledged,
            installments=list(zip(dates, amounts, strict=False)),
            campaign=campaign,
            fund=fund,
            status=status,
            notes="Cancelled: the donor moved abroad." if schedule.paid_by == "cancelled" else "",
        )
        for day, amount in due:
            fields = dict(pledge=pledge, campaign=campaign or self.annual[day.year], fund=fund)
            if schedule.paid_by == "check":
                self.check(donor, amount, day, **fields)
            elif schedule.paid_by == "wire":
                self.received(donor, amount, GiftMethod.WIRE, day, **fields)
            elif schedule.paid_by == "daf":
                self.daf_grant(self.daf_sponsor_of[donor.pk], donor, amount, day, **fields)
            else:
                self.processed(donor, amount, day, method=GiftMethod.ACH, hour=9, **fields)

    def monthly_plans(self) -> None:
        """Stripe subscriptions and each month's charge; some cancelled, one past due."""
        rng = self.rng
        with_email = set(DonorEmail.objects.values_list("donor_id", flat=True))
        candidates = [
            d for d in self.individuals if d.kind == DonorKind.PERSON and d.pk in with_email
        ]
        first_day = datetime.date(self.years[0], 1, 1)
        for i, donor in enumerate(rng.sample(candidates, 30), start=1):
            start = self.day_between(first_day, self.today - datetime.timedelta(days=45))
            start = start.replace(day=min(start.day, 28))
            amount = _D(rng.choice((10, 15, 20, 25, 25, 50, 50, 100)))
            roll = rng.random()
            status = "cancelled" if roll < 0.15 else "past_due" if roll < 0.22 else "active"
            charges = []
            while (day := add_months(start, len(charges))) <= self.today:
                charges.append(day)
            cancelled_on = None
            if status == "cancelled" and len(charges) > 3:
                charges = charges[: rng.randint(2, len(charges) - 1)]
                cancelled_on = charges[-1] + datetime.timedelta(days=rng.randint(3, 20))
            elif status == "cancelled":
                status = "active"
            donor.stripe_customer_id = f"cus_demo_{i:03d}"
            services.donor_save(donor=donor)
            fund = self.general if rng.random() < 0.7 else self.pick(self.funds)
            plan = services.recurring_plan_create(
                donor=donor,
                amount=amount,
                started_on=start,
                status=status,
                fund=fund,
                stripe_subscription_id=f"sub_demo_{i:03d}",
                cancelled_on=cancelled_on,
                next_charge_on=None if status == "cancelled" else day,
            )
            last4 = f"{rng.randint(0, 9999):04d}"
            for n, charge_day in enumerate(charges, start=1):
                failed = status == "past_due" and n == len(charges)
                self.processed(
                    donor,
                    amount,
                    charge_day,
                    hour=6,
                    recurring_plan=plan,
                    fund=fund,
                    campaign=self.annual.get(charge_day.year),
                    card_last4=last4,
                    stripe_invoice_id=f"in_demo_{i:03d}_{n:02d}",
                    status=GiftStatus.FAILED if failed else GiftStatus.SUCCEEDED,
                    notes="Card declined; Stripe will retry." if failed else "",
                )

    # The board and the notes ------------------------------------------------------------------
    def board_seats(self) -> None:
        this_year = self.org.fiscal_year_of(self.today)
        seats = []
        for donor, (*_, role, committees, joined) in zip(self.board, data.BOARD, strict=False):
            start = datetime.date(self.years[0] - 1 + joined, 1, 1)
            member = save_validated(
                BoardMember(
                    donor=donor,
                    role=role,
                    term_start=start,
                    term_end=datetime.date(start.year + 3, 12, 31),
                )
            )
            member.committees.set([self.committees[name] for name in committees])
            give = {"chair": 10000, "treasurer": 6000}.get(role, 5000)
            for fiscal_year, get in ((this_year - 1, give * 2), (this_year, give * 3)):
                save_validated(
                    BoardGoal(
                        member=member, fiscal_year=fiscal_year, give_goal=_D(give), get_goal=_D(get)
                    )
                )
            seats.append(member)
        self.board_asks(seats)

    def board_asks(self, seats) -> None:
        """A few prospects for the first three seats, at each stage, one of them overdue. Chosen
        without the random generator, so the rest of the story draws what it always drew."""
        board = {donor.pk for donor in self.board}
        prospects = [d for d in self.individuals if d.pk not in board][:6]
        plan = [  # (seat, amount, stage, next step, days until it is due)
            (0, 25000, "ask", "Lunch to ask for the clinic's new wing", -3),
            (0, 5000, "cultivate", "Invite to the spring dinner", 12),
            (1, 10000, "identify", "Find out who knows them", 20),
            (1, 2500, "cultivate", "Tour of the school", 6),
            (2, 7500, "identify", "Coffee after Friday prayers", 9),
            (2, 15000, "ask", "Send the proposal", 2),
        ]
        for prospect, (seat, amount, stage, step, days) in zip(prospects, plan, strict=False):
            services.ask_create(
                donor=prospect, member=seats[seat], amount=_D(amount), stage=stage,
                next_step=step, due_date=self.today + datetime.timedelta(days=days),
            )  # fmt: skip

    def interactions(self) -> None:
        first_day = datetime.date(self.years[0], 1, 1)
        for donor in self.rng.sample(self.individuals, 24):
            kind, summary = self.pick(data.INTERACTION_NOTES)
            save_validated(
                Interaction(
                    donor=donor,
                    kind=kind,
                    summary=summary,
                    occurred_on=self.day_between(first_day, self.today),
                )
            )

    # Events -----------------------------------------------------------------------------------
    def upcoming_dinners(self) -> None:
        """Next year's two dinners as events a newcomer can open: tickets on sale (a seat with
        the meal as its benefit, a table of 10), tables, and the first answers already in.
        The answers are written as they stand, without the confirmation emails a guest's own
        answer sends (the demo emails nobody)."""
        self.dinner_event(
            name="Indianapolis Dinner", slug="indianapolis-dinner", month=4, nth=2,
            venue="Ritz Charles", address="12156 N Meridian St", city="Carmel", state="IN",
            time_zone="America/Indiana/Indianapolis", capacity=220, goal=40000,
            seat=(_D(150), _D(60)), table=(_D(2500), _D(60)), area=data.INDY_AREA,
        )  # fmt: skip
        self.dinner_event(
            name="San Francisco Bay Area Dinner", slug="sf-bay-area-dinner", month=10, nth=3,
            venue="Santa Clara Convention Center", address="5001 Great America Pkwy",
            city="Santa Clara", state="CA", time_zone="America/Los_Angeles", capacity=300,
            goal=55000, seat=(_D(200), _D(85)), table=(_D(5000), _D(85)), area=data.BAY_AREA,
        )  # fmt: skip

    def dinner_event(self, *, name, slug, month, nth, venue, address, city, state, time_zone,
                     capacity, goal, seat, table, area) -> None:  # fmt: skip

        # The first such Saturday after today (next year's when this year's has passed).
        night = nth_saturday_on_or_before(datetime.date(self.today.year, 12, 31), month, nth)
        if night <= self.today:
            night = nth_saturday_on_or_before(
                datetime.date(self.today.year + 1, 12, 31), month, nth
            )
        zone = zoneinfo.ZoneInfo(time_zone)
        starts = datetime.datetime.combine(night, datetime.time(18, 30), tzinfo=zone)
        campaign = self.campaign(
            f"{name} {night.year}", f"{slug}-{night.year}", _D(goal),
            min(self.today, night - datetime.timedelta(days=60)),
            night + datetime.timedelta(days=30),
            f"Annual fundraising dinner, {city}, {night:%B %-d, %Y}.",
        )  # fmt: skip
        event = event_save(event=Event(
            name=f"{name} {night.year}", slug=f"{slug}-{night.year}",
            description="Dinner, a short program on the classrooms we built this year, and the "
                        "appeal. Vegetarian and halal meals are served.",
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=3, minutes=30),
            venue=venue, address=address, city=city, state=state, time_zone=time_zone,
            capacity=capacity, party_size_limit=4, campaign=campaign, revenue_goal=_D(goal),
            costs=_D(capacity * 55),
            rsvp_deadline=starts - datetime.timedelta(days=7), status=EventStatus.OPEN,
        ))  # fmt: skip
        ticket_type_save(ticket_type=TicketType(
            event=event, name="Dinner seat", price=seat[0], fair_market_value=seat[1], seats=1,
            quantity=capacity - 50,
        ))  # fmt: skip
        ticket_type_save(ticket_type=TicketType(
            event=event, name="Table of 10", price=table[0], fair_market_value=table[1], seats=10,
            quantity=5, sales_end=starts - datetime.timedelta(days=14),
        ))  # fmt: skip
        tables = [save_validated(Table(event=event, name=f"Table {n}", seats=10))
                  for n in range(1, 7)]  # fmt: skip
        guests = self.rng.sample(self.in_area(area), min(len(self.in_area(area)), 24))
        answered = timezone_now()
        for i, donor in enumerate(guests):
            answer = Answer.YES if i < 16 else (Answer.MAYBE if i < 20 else Answer.NO)
            party = self.rng.choices((1, 2, 3, 4), weights=(3, 6, 2, 1))[0]
            save_validated(RSVP(
                event=event, donor=donor, answer=answer,
                party_size=party if answer != Answer.NO else 1,
                dietary_needs=self.pick(("", "", "", "Vegetarian", "No nuts", "Gluten-free")),
                table=tables[i % len(tables)] if answer == Answer.YES and i < 12 else None,
                answered_at=answered,
            ))  # fmt: skip
