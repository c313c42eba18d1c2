"""No list page in the back office runs a query per row: the count stays the same whether a
page shows a few rows or three times as many."""

from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


def _changelist_queries(client, url) -> int:
    cache.clear()  # a cold page: lists the admin caches (the state filter's) are read too
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_every_changelist_runs_the_same_queries_for_more_rows(client, administrator, staff):
    factories.make_one_of_everything(0)
    urls = {
        model: reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    }
    for user in (administrator, staff):
        client.force_login(user)
        before = {m: _changelist_queries(client, url) for m, url in urls.items() if _sees(user, m)}
        for round_no in (1, 2):
            factories.make_one_of_everything(round_no)
        after = {m: _changelist_queries(client, url) for m, url in urls.items() if _sees(user, m)}
        grew = {m._meta.label: (before[m], after[m]) for m in before if after[m] != before[m]}
        assert not grew, f"queries grew with rows (before, after): {grew}"
        assert len(before) >= 5


def test_donor_and_gift_list_pages_have_pinned_query_counts(client, staff):
    for round_no in range(3):
        factories.make_one_of_everything(round_no)
    client.force_login(staff)
    # Donors: session, user, 2 permission reads, 3 filter choice lists (state, year, tags),
    # count, the page (emails and addresses as subqueries), the tags of the page's donors.
    assert _changelist_queries(client, reverse("admin:donors_donor_changelist")) == 10
    # Gifts: session, user, 2 permission reads, 3 filter lists (tax year, campaign, fund),
    # the years with benefit limits (the column that flags a year without), count, the page
    # (donor, campaign and fund joined).
    assert _changelist_queries(client, reverse("admin:donors_gift_changelist")) == 10


def _sees(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
