"""Campaigns and funds, as staff keep them in the back office."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from common.door import service
from donors.models import Campaign, Fund


@service
@transaction.atomic
def campaign_save(*, campaign: Campaign) -> Campaign:
    campaign.full_clean()
    campaign.save()
    return campaign


@service
@transaction.atomic
def campaigns_delete(*, campaigns: Iterable[Campaign]) -> int:
    """One by one, so each deletion leaves its audit record (one with gifts is protected)."""
    count = 0
    for campaign in campaigns:
        campaign.delete()
        count += 1
    return count


@service
@transaction.atomic
def fund_save(*, fund: Fund) -> Fund:
    fund.full_clean()
    fund.save()
    return fund


@service
@transaction.atomic
def funds_delete(*, funds: Iterable[Fund]) -> int:
    count = 0
    for fund in funds:
        fund.delete()
        count += 1
    return count
