"""The big unfiltered lists show PostgreSQL's estimate of their size ("about N gifts")
instead of counting every row; anything filtered or searched is counted exactly."""

from decimal import Decimal

import pytest
from django.db import connection

from donors.admin.base import EstimatedCountPaginator
from donors.models import Gift
from tests.factories import make_donor, make_gift


@pytest.fixture
def five_gifts(db, organization):
    donor = make_donor(first_name="Ayesha", last_name="Khan")
    for _ in range(4):
        make_gift(donor, amount=Decimal("25.00"))
    make_gift(make_donor(first_name="Omar", last_name="Malik"), amount=Decimal("40.00"))


def _paginator_line(response) -> str:
    html = response.content.decode()
    start = html.index('<p class="paginator">')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_unfiltered_big_list_says_about(client, staff, five_gifts, postgres_only, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donors_gift")
    client.force_login(staff)

    line = _paginator_line(client.get("/admin/donors/gift/"))
    assert "about 5 gifts" in line

    # A search is counted exactly, and never called an estimate.
    line = _paginator_line(client.get("/admin/donors/gift/?q=Malik"))
    assert line.endswith("1 gift")
    assert "about" not in line


def test_small_lists_and_sqlite_count_exactly(client, staff, five_gifts):
    client.force_login(staff)
    line = _paginator_line(client.get("/admin/donors/gift/"))
    assert line.endswith("5 gifts")
    assert "about" not in line


def test_below_the_threshold_postgresql_counts_exactly(client, staff, five_gifts, postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donors_gift")
    client.force_login(staff)
    line = _paginator_line(client.get("/admin/donors/gift/"))
    assert line.endswith("5 gifts")
    assert "about" not in line


def _row_links(response) -> list[str]:
    import re

    links = re.findall(r'href="/admin/donors/gift/(\d+)/change/', response.content.decode())
    return list(dict.fromkeys(links))  # each row links twice (date and amount)


def test_a_deep_page_shows_the_same_rows_in_the_same_order(client, staff, five_gifts, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from donors.admin.gifts import GiftAdmin

    monkeypatch.setattr(GiftAdmin, "list_per_page", 2)
    client.force_login(staff)
    pages = ["/admin/donors/gift/?p=1", "/admin/donors/gift/?p=2", "/admin/donors/gift/?p=3"]
    shallow = [_row_links(client.get(url)) for url in pages]
    assert [len(rows) for rows in shallow] == [2, 2, 1]

    # Treat every page as deep: its ids first, then those rows with their joins.
    monkeypatch.setattr(EstimatedCountPaginator, "DEFER_FROM", 0)
    with CaptureQueriesContext(connection) as queries:
        deep = [_row_links(client.get(url)) for url in pages]
    assert deep == shallow
    id_pages = [q for q in queries.captured_queries if '"donors_gift"."id" AS "pk"' in q["sql"]]
    assert len(id_pages) == 3


def test_a_long_list_sorted_by_any_column_reads_its_ids_first(
    client, staff, five_gifts, monkeypatch
):
    """Past DEFER_ABOVE rows even the first page sorts ids alone (a column no index serves,
    such as the amount, then sorts narrow rows, not whole ones) and shows the same rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from donors.admin.gifts import GiftAdmin

    monkeypatch.setattr(GiftAdmin, "list_per_page", 2)
    client.force_login(staff)
    urls = ["/admin/donors/gift/", "/admin/donors/gift/?o=3", "/admin/donors/gift/?o=-3"]
    plain = [_row_links(client.get(url)) for url in urls]
    monkeypatch.setattr(EstimatedCountPaginator, "DEFER_ABOVE", 2)
    with CaptureQueriesContext(connection) as queries:
        deferred = [_row_links(client.get(url)) for url in urls]
    assert deferred == plain
    largest = str(Gift.objects.get(amount=Decimal("40.00")).pk)
    assert largest not in plain[1] and plain[2][0] == largest  # sorted by amount both ways
    id_pages = [q for q in queries.captured_queries if '"donors_gift"."id" AS "pk"' in q["sql"]]
    assert len(id_pages) == 3


def test_a_filtered_list_past_the_cap_says_more_than(client, staff, five_gifts, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_UP_TO", 3)
    client.force_login(staff)
    response = client.get("/admin/donors/gift/?q=Khan")  # Ayesha's four gifts
    line = _paginator_line(response)
    assert "more than 3 gifts" in line
    # "Select all" names no wrong number.
    html = response.content.decode()
    assert "Select all matching gifts" in html
    assert "Select all 4" not in html

    # Under the cap the count is exact.
    line = _paginator_line(client.get("/admin/donors/gift/?q=Malik"))
    assert line.endswith("1 gift")
