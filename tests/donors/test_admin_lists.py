"""Admin list pages answer with the same number of queries however many rows they show."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from donors.services import pledge_create, soft_credit_add
from tests.factories import make_campaign, make_donor, make_fund, make_gift


def _queries(client, url) -> int:
    cache.clear()  # a cold page: lists the admin caches (the state filter's) are read too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_rows(n):
    campaign, fund = make_campaign(), make_fund()
    for _ in range(n):
        donor = make_donor(tags=["dinner-2025"])
        gift = make_gift(donor, amount=Decimal("100.00"), campaign=campaign, fund=fund)
        soft_credit_add(gift=gift, donor=make_donor(), kind="solicitor")
        pledge_create(donor=donor, amount="500.00", pledge_date=datetime.date(2025, 1, 1))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/donors/donor/",
        "/admin/donors/gift/",
        "/admin/donors/softcredit/",
        "/admin/donors/pledge/",
        "/admin/donors/campaign/",
    ],
)
def test_list_page_queries_do_not_grow_with_rows(client, organization, staff, url):
    client.force_login(staff)
    _add_rows(2)
    few = _queries(client, url)
    _add_rows(6)
    assert _queries(client, url) == few
