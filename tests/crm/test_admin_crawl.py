"""Every admin URL, asked with missing ids and junk in its filters, as each role: whatever a
curious or careless visitor types answers a page, a redirect or a 4xx, never a 500.

The crawl finds the URLs itself (the admin registry and each admin's get_urls), so a new admin
or admin page is crawled without being listed here."""

from __future__ import annotations

import re

import pytest
from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import URLPattern

from tests import factories

pytestmark = pytest.mark.django_db

MISSING = "999999"
# What people and scripts put in a filter: words, numbers no database holds, NUL bytes.
JUNK = ["x", "1e999999", "99999", "-99999999999999999999", "\x00", "", "2025-13-45", "a" * 2000]
STANDARD = {"changelist", "add", "change", "delete", "history", "auditlog"}


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _not_a_500(response, what) -> None:
    if response.status_code >= 500:
        FAILURES.append(what)


FAILURES: list = []


def _refused(response) -> bool:
    return response.status_code == 400 or (
        response.status_code == 302 and response["Location"].endswith("e=1")
    )


def _base(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def test_a_missing_records_audit_history_answers_not_found_not_a_500(staff, organization):
    client = _client(staff)
    response = client.get("/admin/donors/donor/999999/auditlog/")
    # As Django answers a missing record's change or history page: back to the index, saying so.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    message = str(list(client.get("/admin/").context["messages"])[0])
    assert "doesn’t exist" in message or "doesn't exist" in message
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditlogHistoryAdminMixin):
            response = client.get(f"{_base(model)}{MISSING}/auditlog/")
            assert response.status_code in (302, 403, 404), (model, response.status_code)


def test_a_gift_filter_too_large_to_be_an_amount_is_refused_not_a_500(staff, organization):
    factories.make_gift()
    client = _client(staff)
    for query in ("amount__gte=1e999999", "tax_date__gte=notadate", "id__in=x"):
        response = client.get(f"/admin/donors/gift/?{query}")
        assert _refused(response), (query, response.status_code)


def _custom_urls(model_admin):
    """Each page an admin adds to the standard ones, with junk for its ids."""
    opts = model_admin.opts
    standard = {f"{opts.app_label}_{opts.model_name}_{page}" for page in STANDARD}
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name in standard or str(pattern.pattern) in ("", "<path:object_id>/"):
            continue
        route = str(pattern.pattern)
        route = re.sub(r"<int:\w+>", MISSING, route)
        yield re.sub(r"<(?:\w+:)?\w+>", "junk", route)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def everything(role_users):
    factories.make_one_of_everything(0)


def test_no_admin_url_answers_a_500_to_any_role_whatever_its_ids_and_filters(
    everything, role_users
):
    for role, user in role_users.items():
        client = _client(user)
        for model, model_admin in admin.site._registry.items():
            base = _base(model)
            urls = [
                base,
                f"{base}add/",
                f"{base}{MISSING}/change/",
                f"{base}junk/change/",
                f"{base}{MISSING}/delete/",
                f"{base}{MISSING}/history/",
                f"{base}{MISSING}/auditlog/",
                f"{base}{MISSING}/",
            ]
            urls += [f"{base}{route}" for route in _custom_urls(model_admin)]
            for url in urls:
                _not_a_500(client.get(url, {"year": "x", "format": "x", "page": "x"}), (role, url))
            if not model_admin.has_view_permission(_request(user)):
                continue
            cl = _list(model_admin, user, {}).context_data["cl"]
            params = {p for spec in cl.filter_specs for p in spec.expected_parameters()}
            params |= {"q", "p", "o", "e", "_to_field", "all", "_facets", "_popup"}
            params |= {"amount__gte", "tax_date__gte", "id__in", "pk", "year"}
            for param in sorted(params):
                for junk in JUNK:
                    try:
                        _list(model_admin, user, {param: junk})
                    except (SuspiciousOperation, PermissionDenied, Http404):
                        pass  # a 400, 403 or 404
                    except Exception as error:  # what a visitor gets as a 500
                        FAILURES.append((role, base, param, junk, repr(error)[:200]))
    assert not FAILURES, "\n".join(map(repr, FAILURES))


def _list(model_admin, user, params):
    """The list page asked of the admin directly, its rows read (no session, middleware or
    template: the crawl asks thousands; the page's template is rendered once per list)."""
    request = RequestFactory().get("/admin/list/", params)
    request.user = user  # the same object throughout: its permissions are read once
    request._messages = CookieStorage(request)
    response = model_admin.changelist_view(request)
    if getattr(response, "context_data", None) and "cl" in response.context_data:
        list(response.context_data["cl"].result_list)
        if not params:
            response.render()
    return response
