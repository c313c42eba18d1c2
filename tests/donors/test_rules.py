"""The pure gift rules: no database, unsaved Gift objects."""

import datetime
from decimal import Decimal

import pytest

from donors.models import DonorKind, Gift, GiftMethod, GiftStatus, TributeKind
from donors.rules import gift_problems, tax_date_for

TODAY = datetime.date(2025, 6, 1)


def _gift(**fields) -> Gift:
    values = dict(
        amount=Decimal("100.00"),
        method=GiftMethod.CHECK,
        status=GiftStatus.SUCCEEDED,
        gift_date=datetime.date(2025, 3, 15),
    )
    values.update(fields)
    return Gift(**values)


def _problems(gift: Gift, donor_kind: str | None = DonorKind.PERSON) -> dict[str, str]:
    return gift_problems(gift, donor_kind=donor_kind, today=TODAY)


# Tax dates


def test_card_tax_date_is_the_charge_date_in_the_donors_time_zone():
    charged = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)
    tax_date = tax_date_for(
        method=GiftMethod.CARD,
        gift_date=datetime.date(2026, 1, 1),
        charged_at=charged,
        time_zone="America/Los_Angeles",
    )
    assert tax_date == datetime.date(2025, 12, 31)


def test_card_tax_date_follows_the_time_zone_it_is_given():
    # 06:00 UTC is already New Year's Day in New York but still New Year's Eve in California.
    charged = datetime.datetime(2026, 1, 1, 6, 0, tzinfo=datetime.UTC)
    common = dict(method=GiftMethod.CARD, gift_date=datetime.date(2026, 1, 1), charged_at=charged)
    assert tax_date_for(**common, time_zone="America/New_York") == datetime.date(2026, 1, 1)
    assert tax_date_for(**common, time_zone="America/Los_Angeles") == datetime.date(2025, 12, 31)


def test_ach_tax_date_uses_the_charge_time_too():
    charged = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)
    tax_date = tax_date_for(
        method=GiftMethod.ACH,
        gift_date=datetime.date(2026, 1, 1),
        charged_at=charged,
        time_zone="America/Chicago",
    )
    assert tax_date == datetime.date(2025, 12, 31)


def test_card_without_a_charge_time_uses_the_gift_date():
    tax_date = tax_date_for(
        method=GiftMethod.CARD, gift_date=datetime.date(2025, 12, 31), time_zone="America/New_York"
    )
    assert tax_date == datetime.date(2025, 12, 31)


def test_a_charge_time_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="must carry its time zone"):
        tax_date_for(
            method=GiftMethod.CARD,
            gift_date=datetime.date(2026, 1, 1),
            charged_at=datetime.datetime(2026, 1, 1, 3, 0),
            time_zone="America/New_York",
        )


def test_check_postmark_wins_over_the_date_received():
    tax_date = tax_date_for(
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2026, 1, 4),
        date_received=datetime.date(2026, 1, 4),
        postmark_date=datetime.date(2025, 12, 30),
        time_zone="America/New_York",
    )
    assert tax_date == datetime.date(2025, 12, 30)


def test_check_without_postmark_uses_the_date_received():
    tax_date = tax_date_for(
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2026, 1, 6),
        date_received=datetime.date(2026, 1, 2),
        time_zone="America/New_York",
    )
    assert tax_date == datetime.date(2026, 1, 2)


def test_check_without_postmark_or_received_date_uses_the_gift_date():
    tax_date = tax_date_for(
        method=GiftMethod.CHECK, gift_date=datetime.date(2026, 1, 2), time_zone="America/New_York"
    )
    assert tax_date == datetime.date(2026, 1, 2)


def test_stock_tax_date_is_the_day_it_reached_the_account():
    tax_date = tax_date_for(
        method=GiftMethod.STOCK,
        gift_date=datetime.date(2025, 12, 22),
        date_received=datetime.date(2026, 1, 3),
        time_zone="America/New_York",
    )
    assert tax_date == datetime.date(2026, 1, 3)


def test_postmark_on_a_card_gift_does_not_move_its_tax_date():
    tax_date = tax_date_for(
        method=GiftMethod.CARD,
        gift_date=datetime.date(2026, 1, 2),
        postmark_date=datetime.date(2025, 12, 30),
        time_zone="America/New_York",
    )
    assert tax_date == datetime.date(2026, 1, 2)


# Problems


def test_a_plain_check_gift_has_no_problems():
    assert _problems(_gift(check_number="1042", postmark_date=datetime.date(2025, 3, 12))) == {}


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_amount_must_be_more_than_zero(amount):
    assert _problems(_gift(amount=amount))["amount"] == "The amount must be more than zero."


@pytest.mark.parametrize(
    "status", [GiftStatus.SUCCEEDED, GiftStatus.REFUNDED, GiftStatus.PARTIALLY_REFUNDED]
)
def test_refund_cannot_exceed_the_amount(status):
    problems = _problems(_gift(amount_refunded=Decimal("150.00"), status=status))
    assert problems["amount_refunded"] == "More cannot be refunded than was given."


def test_refunded_gift_has_its_whole_amount_refunded():
    problems = _problems(_gift(status=GiftStatus.REFUNDED, amount_refunded=Decimal("40.00")))
    assert problems == {"amount_refunded": "A refunded gift has its whole amount refunded."}


def test_fully_refunded_gift_is_consistent():
    assert _problems(_gift(status=GiftStatus.REFUNDED, amount_refunded=Decimal("100.00"))) == {}


@pytest.mark.parametrize("refunded", [Decimal("0"), Decimal("100.00")])
def test_partial_refund_is_between_zero_and_the_amount(refunded):
    problems = _problems(_gift(status=GiftStatus.PARTIALLY_REFUNDED, amount_refunded=refunded))
    assert problems == {
        "amount_refunded": "A partial refund is more than zero and less than the gift."
    }


@pytest.mark.parametrize("status", [GiftStatus.SUCCEEDED, GiftStatus.PENDING, GiftStatus.FAILED])
def test_money_refunded_needs_a_refund_status(status):
    problems = _problems(_gift(status=status, amount_refunded=Decimal("10.00")))
    assert problems == {"status": "A gift with money refunded is refunded or partially refunded."}


def test_gift_date_in_the_future_is_refused():
    problems = _problems(_gift(gift_date=TODAY + datetime.timedelta(days=2)))
    assert problems == {"gift_date": "The gift date is in the future; record a pledge instead."}


def test_gift_dated_tomorrow_is_allowed_for_time_zones_ahead():
    assert _problems(_gift(gift_date=TODAY + datetime.timedelta(days=1))) == {}


def test_check_number_on_a_card_gift_is_refused():
    problems = _problems(_gift(method=GiftMethod.CARD, check_number="1042"))
    assert problems == {"check_number": "Only checks have a check number."}


@pytest.mark.parametrize("method", [GiftMethod.CARD, GiftMethod.CASH, GiftMethod.WIRE])
def test_postmark_on_a_gift_that_is_not_a_check_is_refused(method):
    problems = _problems(_gift(method=method, postmark_date=datetime.date(2025, 3, 10)))
    assert problems == {"postmark_date": "Only mailed checks have a postmark date."}


def test_postmark_after_the_day_received_is_refused():
    problems = _problems(_gift(postmark_date=datetime.date(2025, 3, 16)))
    assert problems == {"postmark_date": "The postmark cannot be later than the date received."}


def test_postmark_is_compared_with_the_recorded_date_received():
    gift = _gift(
        gift_date=datetime.date(2025, 3, 15),
        date_received=datetime.date(2025, 3, 5),
        postmark_date=datetime.date(2025, 3, 10),
    )
    assert _problems(gift) == {
        "postmark_date": "The postmark cannot be later than the date received."
    }


def test_deposit_before_the_day_received_is_refused():
    gift = _gift(
        date_received=datetime.date(2025, 3, 15), date_deposited=datetime.date(2025, 3, 14)
    )
    assert _problems(gift) == {
        "date_deposited": "A gift cannot be deposited before it was received."
    }


def test_stock_gift_needs_shares_and_issuer():
    problems = _problems(_gift(method=GiftMethod.STOCK, non_cash_description="Some shares"))
    assert problems == {
        "stock_shares": "A stock gift needs the number of shares.",
        "stock_issuer": "A stock gift needs the issuer (company or fund).",
    }


def test_stock_gift_with_shares_and_issuer_is_fine():
    gift = _gift(method=GiftMethod.STOCK, stock_shares=Decimal("12.5"), stock_issuer="Apple Inc.")
    assert _problems(gift) == {}


def test_shares_on_a_cash_gift_are_refused():
    problems = _problems(_gift(method=GiftMethod.CASH, stock_shares=Decimal("3")))
    assert problems == {"stock_shares": "Only stock gifts have shares."}


def test_in_kind_gift_needs_a_description():
    problems = _problems(_gift(method=GiftMethod.IN_KIND, non_cash_description="  "))
    assert problems == {
        "non_cash_description": "Describe the in-kind gift (receipts print no value)."
    }


@pytest.mark.parametrize("kind", [DonorKind.PERSON, DonorKind.HOUSEHOLD, DonorKind.FOUNDATION])
def test_daf_grant_must_come_from_a_daf_sponsor(kind):
    problems = _problems(_gift(method=GiftMethod.DAF_GRANT), donor_kind=kind)
    assert problems == {
        "donor": "A DAF grant comes from the fund's sponsor; credit the advisor as a soft credit."
    }


def test_daf_grant_from_a_sponsor_is_fine():
    assert _problems(_gift(method=GiftMethod.DAF_GRANT), donor_kind=DonorKind.DAF_SPONSOR) == {}


def test_daf_grant_with_a_benefit_is_refused():
    gift = _gift(method=GiftMethod.DAF_GRANT, benefit_value=Decimal("60.00"))
    assert _problems(gift, donor_kind=DonorKind.DAF_SPONSOR) == {
        "benefit_value": "No goods or services may be given against DAF money."
    }


def test_daf_grant_whose_benefit_was_declined_is_fine():
    gift = _gift(method=GiftMethod.DAF_GRANT, benefit_value=Decimal("60.00"), benefit_declined=True)
    assert _problems(gift, donor_kind=DonorKind.DAF_SPONSOR) == {}


def test_globalgiving_payout_must_come_from_the_platform():
    problems = _problems(_gift(method=GiftMethod.GLOBALGIVING), donor_kind=DonorKind.PERSON)
    assert problems == {
        "donor": "A GlobalGiving payout comes from the GlobalGiving platform donor."
    }
    assert _problems(_gift(method=GiftMethod.GLOBALGIVING), donor_kind=DonorKind.PLATFORM) == {}


def test_employer_match_from_a_person_is_refused():
    problems = _problems(_gift(method=GiftMethod.EMPLOYER_MATCH), donor_kind=DonorKind.PERSON)
    assert problems == {
        "donor": "An employer match comes from the employer; credit the employee as a soft credit."
    }
    assert _problems(_gift(method=GiftMethod.EMPLOYER_MATCH), donor_kind=DonorKind.COMPANY) == {}


def test_donor_rules_wait_for_a_donor():
    # An unsaved gift without a donor (a half-filled form) is judged on its own fields only.
    assert _problems(_gift(method=GiftMethod.DAF_GRANT), donor_kind=None) == {}


def test_tribute_needs_the_name_of_who_it_honors():
    problems = _problems(_gift(tribute_kind=TributeKind.MEMORY, tribute_name=" "))
    assert problems == {"tribute_name": "Name the person the gift honors or remembers."}


def test_tribute_name_needs_a_tribute_kind():
    problems = _problems(_gift(tribute_name="Nasreen Khan"))
    assert problems == {"tribute_kind": "Choose in honor or in memory."}


def test_tribute_notification_needs_a_tribute():
    problems = _problems(_gift(tribute_notify_email="family@example.org"))
    assert problems == {"tribute_notify_email": "A tribute notification needs a tribute."}


def test_benefit_and_fee_cannot_exceed_the_payment():
    problems = _problems(_gift(benefit_value=Decimal("100.01"), fee=Decimal("100.01")))
    assert problems == {
        "benefit_value": "The value received cannot be more than the payment.",
        "fee": "The fee cannot be more than the payment.",
    }
