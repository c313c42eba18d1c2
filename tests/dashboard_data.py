"""A small hand-counted data set for the campaign and dashboard figures.

Every figure the tests expect is worked out by hand in the comments below, so a wrong query
shows up as a wrong number. Dates are placed relative to the current fiscal year (its first
day, never later than today) so the figures hold whatever day the suite runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

from donors import services
from donors.models import BoardMember, Campaign, Donor, DonorKind, Organization, Pledge
from tests import factories


@dataclass
class Cast:
    org: Organization
    fy: int
    fy_start: datetime.date
    last_fy_start: datetime.date
    dinners: Campaign
    gg: Campaign
    old: Campaign
    ayesha: Donor
    omar: Donor
    company: Donor
    platform: Donor
    farah: Donor
    zain: Donor
    pledge: Pledge
    member_ayesha: BoardMember
    member_omar: BoardMember


def in_last_fy(cast_start: datetime.date, months: int) -> datetime.date:
    """A day ``months`` months into the previous fiscal year."""
    year, month = cast_start.year - 1, cast_start.month + months
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, 10)


def build(today: datetime.date, board_user=None) -> Cast:
    org = Organization.current() or factories.make_organization()
    fy = org.fiscal_year_of(today)
    fy_start, _ = org.fiscal_year_bounds(fy)
    last_start, _ = org.fiscal_year_bounds(fy - 1)
    older = datetime.date(last_start.year - 2, 6, 1)

    dinners = factories.make_campaign(name="Dinners", slug="dinners", goal=D("20000.00"))
    gg = factories.make_campaign(
        name="GlobalGiving", slug="gg", goal=D("50000.00"), globalgiving_project_id="98765"
    )
    old = factories.make_campaign(name="Old appeal", slug="old", goal=D("5000"), is_active=False)

    addr = dict(line1="1 Main St", city="Indianapolis", region="IN", postal_code="46204")
    ayesha = factories.make_donor(first_name="Ayesha", last_name="Khan", address=addr)
    omar = factories.make_donor(
        first_name="Omar",
        last_name="Malik",
        address=dict(line1="2 Oak Ave", city="Fremont", region="CA", postal_code="94536"),
    )
    company = factories.make_donor(kind=DonorKind.COMPANY, organization_name="Acme Corp")
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    # Farah gave only the year before last (SYBUNT); Zain only last year (LYBUNT).
    farah = factories.make_donor(first_name='=HYPERLINK("http://x")', last_name="Farah")
    zain = factories.make_donor(first_name="Zain", last_name="Ahmed")

    def gift(donor, amount, method, day, **extra):
        return services.gift_record(
            donor=donor, amount=D(amount), method=method, gift_date=day, **extra
        )

    # This fiscal year, all on its first day.
    d = fy_start
    gift(ayesha, "100.00", "card", d, processor="stripe", campaign=dinners)  # online 100
    gift(omar, "250.00", "check", d, campaign=dinners)  # checks 250
    gift(
        omar, "300.00", "check", d, campaign=dinners, status="refunded", amount_refunded=D("300.00")
    )  # not counted
    gift(
        ayesha,
        "500.00",
        "card",
        d,
        processor="stripe",
        campaign=dinners,
        status="partially_refunded",
        amount_refunded=D("200.00"),
    )  # online 300
    matched = gift(company, "2500.00", "wire", d, campaign=dinners)  # major 2500
    services.soft_credit_add(gift=matched, donor=omar, kind="solicitor")
    services.soft_credit_add(gift=matched, donor=ayesha, kind="match", amount="1000")
    gift(
        ayesha,
        "150.00",
        "card",
        d,
        processor="stripe",
        campaign=dinners,
        benefit_value=D("60.00"),
        benefit_description="Dinner",
    )  # events 150
    pledge = services.pledge_create(
        donor=omar, amount=D("1000.00"), pledge_date=d, campaign=dinners
    )
    gift(omar, "400.00", "check", d, campaign=dinners, pledge=pledge)  # checks 400
    cancelled = services.pledge_create(
        donor=ayesha, amount=D("5000.00"), pledge_date=d, campaign=dinners
    )
    Pledge.objects.filter(pk=cancelled.pk).update(status="cancelled")
    payout = gift(
        platform, "900.00", "globalgiving", d, processor="globalgiving", campaign=gg
    )  # gg 900
    services.soft_credit_add(gift=payout, donor=ayesha, kind="platform_donor", amount="500")
    services.soft_credit_add(gift=payout, donor=zain, kind="platform_donor", amount="400")
    gift(omar, "200.00", "check", d, campaign=gg)  # checks 200
    # Last fiscal year: Dinners gets a check from before this year (outside the fiscal year).
    gift(omar, "75.00", "check", in_last_fy(fy_start, 2), campaign=dinners)  # checks 75
    gift(zain, "60.00", "cash", in_last_fy(fy_start, 0))
    gift(farah, "40.00", "cash", older, campaign=old)
    gift(ayesha, "20.00", "cash", older)

    member_ayesha = factories.make_board_member(donor=ayesha)
    member_omar = factories.make_board_member(user=board_user, donor=omar)
    factories.make_board_goal(
        member_ayesha, fiscal_year=fy, give_goal=D("5000.00"), get_goal=D("3000.00")
    )
    factories.make_board_goal(
        member_omar, fiscal_year=fy, give_goal=D("1000.00"), get_goal=D("2000.00")
    )
    return Cast(
        org=org,
        fy=fy,
        fy_start=fy_start,
        last_fy_start=last_start,
        dinners=dinners,
        gg=gg,
        old=old,
        ayesha=ayesha,
        omar=omar,
        company=company,
        platform=platform,
        farah=farah,
        zain=zain,
        pledge=pledge,
        member_ayesha=member_ayesha,
        member_omar=member_omar,
    )
