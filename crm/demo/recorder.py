"""The demo's pen: seeded choices, dates that never pass today, and one helper per way money
arrives, each writing through the donors services exactly as staff or Stripe would."""

from __future__ import annotations

import datetime
import itertools
import random
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from crm.demo import data
from donors import services
from donors.models import Donor, DonorKind, Gift, GiftMethod, GiftStatus, Organization
from donors.money import money

_D = Decimal
_CARD_RATE, _CARD_FIXED = _D("0.022"), _D("0.30")  # Stripe's nonprofit card pricing
_ACH_RATE, _ACH_CAP = _D("0.008"), _D("5.00")


def save_validated(obj):
    """For models with no service yet (campaigns, funds, the board, notes): validate the way the
    services validate theirs, then save."""
    obj.full_clean()
    obj.save()
    return obj


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, kept to the 28th so every month has it."""
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def nth_saturday_on_or_before(today: datetime.date, month: int, n: int) -> datetime.date:
    """The latest n-th Saturday of ``month`` that is not after today (this year's or last)."""

    def nth(year: int) -> datetime.date:
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(5 - first.weekday()) % 7 + 7 * (n - 1))

    return nth(today.year) if nth(today.year) <= today else nth(today.year - 1)


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Installments in whole cents; the last one takes the remainder."""
    each = money(total / parts)
    return [each] * (parts - 1) + [total - each * (parts - 1)]


class Recorder:
    def __init__(self, *, today: datetime.date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.now = timezone.now()
        self.years = (today.year - 2, today.year - 1, today.year)
        self.org = Organization.current()
        self._ids = itertools.count(1001)
        self.gift_count = 0

    # Choices and dates -------------------------------------------------------------------------
    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date | None:
        end = min(end, self.today)
        if end < start:
            return None
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def day_in_year(self, year: int) -> datetime.date | None:
        start = datetime.date(year, 1, 1)
        season = datetime.date(year, 11, 15)  # year-end giving
        if self.rng.random() < 0.3 and season <= self.today:
            start = season
        return self.day_between(start, datetime.date(year, 12, 31))

    def days_later(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return min(day + datetime.timedelta(days=self.rng.randint(low, high)), self.today)

    def tz_of(self, donor: Donor) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(donor.time_zone or self.org.time_zone)

    def moment(self, day: datetime.date, donor: Donor, hour: int | None) -> datetime.datetime:
        """A charge on ``day`` in the donor's time zone, never later than now."""
        hour = self.rng.randint(7, 22) if hour is None else hour
        time = datetime.time(hour, self.rng.randint(0, 59))
        at = datetime.datetime.combine(day, time, tzinfo=self.tz_of(donor))
        if at > self.now:
            at = self.now - datetime.timedelta(minutes=self.rng.randint(5, 300))
        return at

    # Gifts, one helper per way money arrives ---------------------------------------------------
    def gift(self, donor: Donor, amount, method: str, day: datetime.date, **fields) -> Gift:
        # The donors' figures are computed once, at the end of the load.
        gift = services.gift_record(
            donor=donor,
            amount=money(amount),
            method=method,
            gift_date=day,
            refresh_figures=False,
            **fields,
        )
        self.gift_count += 1
        return gift

    def processed(self, donor, amount, day, *, method=GiftMethod.CARD, hour=None, **fields):
        """A card or ACH payment through Stripe: made-up ids, the fee, the charge's moment."""
        amount = money(amount)
        charged_at = self.moment(day, donor, hour)
        n = next(self._ids)
        if fields.get("status") == GiftStatus.FAILED:
            fee = None  # a declined card costs nothing
        elif method == GiftMethod.CARD:
            fee = money(amount * _CARD_RATE + _CARD_FIXED)
        else:
            fee = min(money(amount * _ACH_RATE), _ACH_CAP)
        if method == GiftMethod.CARD:
            fields.setdefault("card_last4", f"{self.rng.randint(0, 9999):04d}")
        return self.gift(
            donor,
            amount,
            method,
            charged_at.astimezone(self.tz_of(donor)).date(),
            charged_at=charged_at,
            processor="stripe",
            stripe_payment_id=f"pi_demo_{n}",
            stripe_charge_id=f"{'ch' if method == GiftMethod.CARD else 'py'}_demo_{n}",
            fee=fee,
            **fields,
        )

    def check(self, donor, amount, day, *, postmark: bool | None = None, **fields) -> Gift:
        """A check received on ``day``; mailed ones often have their postmark recorded."""
        if postmark is None:
            postmark = self.rng.random() < 0.4
        if postmark:
            fields.setdefault(
                "postmark_date", day - datetime.timedelta(days=self.rng.randint(1, 4))
            )
        return self.gift(
            donor,
            amount,
            GiftMethod.CHECK,
            day,
            check_number=str(self.rng.randint(1001, 9899)),
            date_received=day,
            date_deposited=self.days_later(day, 1, 5),
            **fields,
        )

    def received(self, donor, amount, method, day, **fields) -> Gift:
        """Cash, wire, Zelle, a DAF grant, a match: money that arrives without a processor."""
        return self.gift(
            donor,
            amount,
            method,
            day,
            date_received=day,
            date_deposited=self.days_later(day, 0, 3),
            **fields,
        )

    def stock(self, donor, day, worth: Decimal, **fields) -> Gift:
        """Whole shares worth about ``worth``, valued the day they reach the account."""
        issuer, price = self.pick(data.STOCKS)
        shares = max(1, round(worth / price))
        return self.gift(
            donor,
            price * shares,
            GiftMethod.STOCK,
            day,
            stock_shares=_D(shares),
            stock_issuer=issuer,
            non_cash_description=f"{shares} shares of {issuer}",
            date_received=self.days_later(day, 1, 3),
            **fields,
        )

    # Donors --------------------------------------------------------------------------------------
    def place(self, city: str | None = None) -> tuple:
        if city is None:
            return self.rng.choices(data.PLACES, weights=[p[5] for p in data.PLACES])[0]
        return next(p for p in data.PLACES if p[0] == city)

    def address(self, place: tuple, **extra) -> dict:
        return dict(
            line1=f"{self.rng.randint(100, 9899)} {self.pick(data.STREETS)}",
            city=place[0],
            region=place[1],
            postal_code=self.pick(place[2]),
            **extra,
        )

    def phone(self, place: tuple) -> str:
        return f"+1 {self.pick(place[3])} 555 01{self.rng.randint(0, 99):02d}"  # fictional range

    def email(self, first: str, last: str) -> str:
        domain = self.pick(("example.com", "example.org", "example.net"))
        local = f"{first.split(' and ')[0]}.{last}".lower().replace(" ", "")
        return f"{local}{next(self._ids) % 1000}@{domain}"

    def person(self, *, first=None, last=None, prefix="", city=None, woman=None, tags=()):
        place = self.place(city)
        if woman is None:
            woman = self.rng.random() < 0.45
        first = first or self.pick(data.WOMEN if woman else data.MEN)
        last = last or self.pick(data.SURNAMES)
        if not prefix and self.rng.random() < 0.18:
            prefix = "Dr."
        return self._individual(
            DonorKind.PERSON, place, first=first, last=last, prefix=prefix, tags=tags
        )

    def household(self, *, wife=None, husband=None, last=None, prefix=None, city=None, tags=()):
        """A couple giving together, addressed jointly: "Drs. Ayesha and Omar Khan"."""
        place = self.place(city)
        wife, husband = wife or self.pick(data.WOMEN), husband or self.pick(data.MEN)
        last = last or self.pick(data.SURNAMES)
        if prefix is None:
            prefix = self.rng.choices(("Drs.", "Mr. and Mrs.", ""), weights=(3, 2, 5))[0]
        if prefix == "Mr. and Mrs.":
            prefix, salutation = "", f"Mr. and Mrs. {husband} {last}"
        else:
            salutation = " ".join(p for p in (prefix, f"{wife} and {husband}", last) if p)
        return self._individual(
            DonorKind.HOUSEHOLD,
            place,
            first=f"{wife} and {husband}",
            last=last,
            prefix=prefix,
            salutation=salutation,
            tags=tags,
        )

    def organization(self, key: str) -> Donor:
        kind, name, city, tags = data.ORGANIZATIONS[key]
        place = self.place(city)
        slug = "".join(c for c in name.lower() if c.isalnum())[:20]
        return services.donor_create(
            kind=kind,
            organization_name=name,
            email=f"giving@{slug}.example.com",
            phone=self.phone(place),
            address=self.address(place, kind="work"),
            tags=tags,
            time_zone=place[4],
        )

    def _individual(self, kind, place, *, first, last, prefix, tags, salutation="") -> Donor:
        rng = self.rng
        tags = list(tags)
        if prefix in {"Dr.", "Drs."} and rng.random() < 0.6:
            tags.append("Physician")
        if rng.random() < 0.08:
            tags.append("Volunteer")
        if rng.random() < 0.1:
            tags.append("Interfaith")
        return services.donor_create(
            kind=kind,
            first_name=first,
            last_name=last,
            prefix=prefix,
            salutation=salutation,
            email=self.email(first, last) if rng.random() < 0.93 else None,
            phone=self.phone(place) if rng.random() < 0.6 else "",
            address=self.address(place) if rng.random() < 0.97 else None,
            tags=tags,
            # Many records have no time zone: their card gifts take the organization's.
            time_zone=place[4] if rng.random() < 0.6 else "",
            email_opt_in=rng.random() > 0.08,
            mail_opt_in=rng.random() > 0.05,
            do_not_solicit=rng.random() < 0.02,
            anonymous=rng.random() < 0.03,
        )
