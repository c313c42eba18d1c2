"""Campaign progress: each gift once, received apart from pledged, by channel."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from donors.models import Campaign, GlobalGivingFetch
from donors.money_rules import channel_of
from donors.progress import Channel, campaign_progress
from donors.services import organization_save
from tests import dashboard_data as data
from tests import factories


@pytest.fixture
def cast(organization):
    return data.build(timezone.localdate())


def _by_name(progress):
    return {p.campaign.name: p for p in progress}


@pytest.mark.parametrize(
    "method,processor,amount,benefit,declined,expected",
    [
        ("globalgiving", "globalgiving", "5000", "0", False, Channel.GLOBALGIVING),
        ("card", "stripe", "150", "60", False, Channel.EVENTS),
        ("check", "", "150", "0", True, Channel.EVENTS),
        ("check", "", "1000", "0", False, Channel.MAJOR),
        ("card", "stripe", "999.99", "0", False, Channel.ONLINE),
        ("ach", "stripe", "10", "0", False, Channel.ONLINE),
        ("card", "", "10", "0", False, Channel.OTHER),
        ("check", "", "999.99", "0", False, Channel.CHECKS),
        ("stock", "", "500", "0", False, Channel.OTHER),
    ],
)
def test_each_gift_falls_in_one_channel(method, processor, amount, benefit, declined, expected):
    assert (
        channel_of(
            method=method,
            processor=processor,
            amount=D(amount),
            benefit_value=D(benefit),
            benefit_declined=declined,
            major_threshold=D("1000"),
        )
        == expected
    )


def test_active_campaigns_count_each_gift_once_net_of_refunds(cast):
    progress = _by_name(campaign_progress())
    assert set(progress) == {"Dinners", "GlobalGiving"}, "inactive campaigns are left out"
    dinners = progress["Dinners"]
    # 100 + 250 + (500 - 200) + 2500 + 150 + 400 + 75; the refunded 300 and the soft credits
    # (solicitor, match) add nothing.
    assert dinners.received == D("3775.00")
    assert dinners.gift_count == 7
    assert dinners.by_channel == {
        Channel.ONLINE: D("400.00"),
        Channel.CHECKS: D("725.00"),
        Channel.MAJOR: D("2500.00"),
        Channel.EVENTS: D("150.00"),
    }
    assert dinners.percent == 18  # 3775 / 20000


def test_unpaid_pledges_show_apart_from_what_was_received(cast):
    dinners = _by_name(campaign_progress())["Dinners"]
    # 1000 pledged, 400 paid; the cancelled 5000 pledge is not owed.
    assert dinners.pledged_unpaid == D("600.00")
    assert dinners.received == D("3775.00")


def test_globalgiving_campaign_counts_recorded_payouts_until_live_figures_exist(cast):
    gg = _by_name(campaign_progress())["GlobalGiving"]
    assert gg.received == D("1100.00")  # the 900 payout (its soft credits add nothing) + 200
    assert gg.by_channel == {Channel.GLOBALGIVING: D("900.00"), Channel.CHECKS: D("200.00")}


def test_globalgiving_campaign_uses_live_funding_instead_of_recorded_payouts(cast):
    GlobalGivingFetch.objects.create(
        project_id="98765", ok=True, funding=D("18342.50"), goal=D("50000"), donation_count=212
    )
    gg = _by_name(campaign_progress())["GlobalGiving"]
    # The 900 payout is inside GlobalGiving's 18,342.50: counted once, plus the 200 check.
    assert gg.received == D("18542.50")
    assert gg.recorded_through_globalgiving == D("900.00")
    assert gg.by_channel[Channel.GLOBALGIVING] == D("18342.50")
    assert gg.live.donation_count == 212


def test_major_gift_threshold_comes_from_the_organization(cast):
    cast.org.major_gift_threshold = D("5000.00")
    organization_save(organization=cast.org)
    dinners = _by_name(campaign_progress())["Dinners"]
    assert Channel.MAJOR not in dinners.by_channel
    assert dinners.by_channel[Channel.OTHER] == D("2500.00")  # the wire, now not major


def test_progress_runs_the_same_queries_for_more_campaigns(cast, django_assert_num_queries):
    with django_assert_num_queries(4):
        campaign_progress()
    for n in range(3):
        Campaign.objects.create(name=f"More {n}", slug=f"more-{n}", globalgiving_project_id=f"{n}")
    with django_assert_num_queries(4):
        assert len(campaign_progress()) == 5


def test_planned_channels_show_even_before_they_raise_anything(cast):
    cast.dinners.channels = ["events", "online", "checks", "major"]
    cast.dinners.full_clean()
    cast.dinners.save()
    factories.make_campaign(name="Spring", slug="spring", channels=["globalgiving", "online"])
    progress = _by_name(campaign_progress())
    assert progress["Spring"].channels == [
        ("online", "Online", D("0.00")),
        ("globalgiving", "GlobalGiving", D("0.00")),
    ]
    assert [c[0] for c in progress["Dinners"].channels] == ["online", "events", "checks", "major"]


def test_a_campaign_refuses_unknown_channels(organization):
    campaign = factories.make_campaign()
    campaign.channels = ["online", "radio"]
    with pytest.raises(ValidationError, match="Channels are a list of"):
        campaign.full_clean()


def test_staff_choose_a_campaigns_channels_in_the_back_office(client, staff, organization):
    client.force_login(staff)
    response = client.post(
        "/admin/donors/campaign/add/",
        {
            "name": "Gala",
            "slug": "gala",
            "goal": "1000",
            "is_active": "on",
            "channels": ["major", "events"],
            "description": "",
            "globalgiving_project_id": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.get(slug="gala").channels == ["events", "major"]
    page = client.get(f"/admin/donors/campaign/{Campaign.objects.get(slug='gala').pk}/change/")
    assert page.context["adminform"].form["channels"].value() == ["events", "major"]
