"""No role can infer what it may not see through the back office's lists: every model field, and
every field one relation away, tried as a filter in the URL, for every admin and every role; the
sort links of every column; and the search box.

What each role may see is written out here, apart from the admins' own declarations, so that
a list that offers a hidden figure fails here: the giving figures of a donor and the money of
an event are for those who see giving (SPEC's role table: event organizers see "is a donor",
never amounts), and a record a role may not open is hidden from it whole."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import models
from django.test import Client, RequestFactory

from common.roles import ADMINISTRATOR, BOARD_MEMBER, EVENT_ORGANIZER, STAFF
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = (ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER)

# Fields hidden from whoever does not see giving (donors.view_gift), by model.
GIVING = {
    "donors.donor": {
        "lifetime_total",
        "largest_gift",
        "gift_count",
        "first_gift_date",
        "last_gift_date",
        "years_given",
    },
    "events.event": {"costs", "revenue_goal", "campaign"},
}
# Relations a list shows although the role may not open the record behind them: a ticket's gift
# (what a ticket cost is the one amount organizers see), the user behind a board member, an
# import run or an audit entry (a name, shown in the row).
SHOWN_THROUGH = {
    "events.ticketpurchase": {"gift"},
    "donors.boardmember": {"user"},
    "donors.task": {"owner"},
    "donors.importrun": {"user"},
    "auditlog.logentry": {"actor"},
}
# Filters a page links to without offering them in the sidebar: the records one import created,
# the gifts of one donor, the gifts answering one appeal.
LINKED_FILTERS = {
    "donors.donor": {"import_run__id__exact"},
    "donors.gift": {"import_run__id__exact", "donor__id__exact", "appeal__id__exact"},
    "donors.ask": {"member__id__exact"},
    # A mailing's page links to who it reached.
    "donors.mailingrecipient": {"mailing__id__exact"},
}

LOOKUPS = ("exact", "gte", "isnull")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _refused(response) -> bool:
    """Django's answers to a lookup it will not run: 400, or the "?e=1" redirect."""
    return response.status_code == 400 or (
        response.status_code == 302 and response["Location"].endswith("e=1")
    )


def _rows(response) -> int:
    assert response.status_code == 200, response.status_code
    return len(response.context["cl"].result_list)


@pytest.fixture
def generous(organization):
    """A donor whose giving is $65,432.09 over two gifts, and an event with a goal and costs."""
    donor = factories.make_donor(first_name="Nadia", last_name="Qureshi")
    factories.make_gift(
        donor=donor, amount=Decimal("65000.00"), gift_date=datetime.date(2024, 5, 1)
    )
    factories.make_gift(donor=donor, amount=Decimal("432.09"), gift_date=datetime.date(2025, 2, 3))
    event = factories.make_event(name="Fremont Gala", revenue_goal=Decimal("50000.00"))
    event.costs = Decimal("12345.67")
    event.save(update_fields=["costs"])
    return donor, event


def test_an_organizer_cannot_read_a_donors_giving_by_filtering_the_donor_list(generous, organizer):
    dana = _client(organizer)
    url = "/admin/donors/donor/?q=Qureshi&"
    probes = {
        "lifetime_total__gte": ("65432.09", "65432.10"),
        "largest_gift__gte": ("65000.00", "65000.01"),
        "gift_count__gte": ("2", "3"),
        "first_gift_date__gte": ("2024-05-01", "2024-05-02"),
        "last_gift_date__gte": ("2025-02-03", "2025-02-04"),
    }
    for lookup, (at, above) in probes.items():
        answers = [dana.get(f"{url}{lookup}={at}"), dana.get(f"{url}{lookup}={above}")]
        assert all(_refused(r) for r in answers), (lookup, [r.status_code for r in answers])
    # The same donor is found by name: the figures are what was refused, not the list.
    assert _rows(dana.get(url)) == 1


def test_an_organizer_cannot_read_an_events_costs_or_goal_by_filtering_the_event_list(
    generous, organizer
):
    _, event = generous
    event.organizers.add(organizer)
    dana = _client(organizer)
    for lookup, (at, above) in {
        "costs__gte": ("12345.67", "12345.68"),
        "revenue_goal__gte": ("50000.00", "50000.01"),
    }.items():
        answers = [dana.get(f"/admin/events/event/?{lookup}={at}"),
                   dana.get(f"/admin/events/event/?{lookup}={above}")]  # fmt: skip
        assert all(_refused(r) for r in answers), (lookup, [r.status_code for r in answers])
    assert _rows(dana.get("/admin/events/event/")) == 1


def test_staff_cannot_filter_a_list_on_a_field_it_does_not_offer_either(generous, staff):
    # Staff see giving, but a list answers only the filters it offers: a URL is no back door.
    response = _client(staff).get("/admin/donors/donor/?lifetime_total__gte=1")
    assert _refused(response)


def test_the_filters_a_list_offers_and_the_links_to_it_still_work(generous, staff, organizer):
    donor, _ = generous
    client = _client(staff)
    assert _rows(client.get("/admin/donors/donor/?kind__exact=person")) == 1
    assert _rows(client.get("/admin/donors/gift/?tax_year=2024")) == 1
    assert _rows(client.get(f"/admin/donors/gift/?donor__id__exact={donor.pk}")) == 2
    assert _rows(client.get("/admin/donors/donor/?import_run__id__exact=1")) == 0
    assert _rows(_client(organizer).get("/admin/donors/donor/?email_opt_in__exact=1")) == 1


# The walk: every admin, every role, every field and relation one level deep.


def test_every_admin_builds_on_the_back_office_base():
    from donors.admin.base import BackOfficeAdmin

    others = [m._meta.label for m, a in admin.site._registry.items()
              if not isinstance(a, BackOfficeAdmin)]  # fmt: skip
    assert not others, f"admins that would answer any filter in the URL: {others}"


def _label(model) -> str:
    return model._meta.label_lower


def _may_view(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def _visible(user, admin_model, path: list[str]) -> bool:
    """Whether ``user`` may see the field at ``path`` (names of fields) from ``admin_model``."""
    model = admin_model
    for i, name in enumerate(path):
        field = model._meta.get_field(name)
        if not user.has_perm("donors.view_gift") and name in GIVING.get(_label(model), ()):
            return False
        if not field.is_relation:
            return True
        related = field.related_model
        passes = model is admin_model and name in SHOWN_THROUGH.get(_label(admin_model), ())
        # fk__id is the relation's own column: it names no more than the relation does.
        own_column = i == len(path) - 2 and path[-1] == related._meta.pk.name and field.concrete
        if not (passes or own_column or _may_view(user, related)):
            return False
        model = related
    return True


def _value(field) -> str:
    if isinstance(field, models.BooleanField):
        return "1"
    if isinstance(field, models.DateTimeField):
        return "2025-01-01T00:00:00+00:00"
    if isinstance(field, models.DateField):
        return "2025-01-01"
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        return "1"
    if field.is_relation or isinstance(field, models.AutoField):
        return "1"
    if isinstance(field, models.UUIDField):
        return "00000000-0000-0000-0000-000000000001"
    return "x"


def _fields(model):
    """Concrete fields and relations of a model (not generic relations, which filter nothing)."""
    return [
        f for f in model._meta.get_fields()
        if (f.concrete or f.is_relation) and not getattr(f, "is_generic_relation", False)
        and f.__class__.__name__ not in {"GenericForeignKey", "GenericRelation"}
    ]  # fmt: skip


def _paths(model):
    """Each field as [name], and each field of a related model as [relation, name]."""
    for field in _fields(model):
        if field.is_relation and field.related_model is None:
            continue
        yield [field.name], field
        if field.is_relation:
            for related in _fields(field.related_model):
                if related.is_relation and related.related_model is None:
                    continue
                yield [field.name, related.name], related


@pytest.fixture
def everything(role_users):
    from events.models import Event

    factories.make_one_of_everything(0)
    for event in Event.objects.all():
        event.organizers.add(role_users[EVENT_ORGANIZER])


def _list(model_admin, user, params=None):
    """The list page for ``user`` with ``params`` in its URL, asked of the admin directly (no
    session or middleware: 24,000 of them run in a minute); None when the lookup is refused as
    Django refuses one (the 400 of a disallowed lookup, or the "?e=1" redirect). Anything
    else raised is what a visitor would get as a 500, and fails the test."""
    request = RequestFactory().get("/admin/list/", params or {})
    request.user = user  # the same object throughout: its permissions are read once
    request._messages = CookieStorage(request)
    try:
        response = model_admin.changelist_view(request)
    except DisallowedModelAdminLookup:
        return None
    if response.status_code == 302 and response["Location"].endswith("e=1"):
        return None
    assert response.status_code == 200, (model_admin, params, response.status_code)
    response.render()
    return response


def _offered(response) -> set[str]:
    cl = response.context_data["cl"]
    return {p for spec in cl.filter_specs for p in spec.expected_parameters()}


def test_no_list_accepts_a_filter_it_does_not_offer_or_on_a_field_the_role_may_not_see(
    everything, role_users
):
    accepted = []
    for model, model_admin in admin.site._registry.items():
        for role, user in role_users.items():
            if not model_admin.has_view_permission(_request(user)):
                continue
            offered = _offered(_list(model_admin, user)) | LINKED_FILTERS.get(_label(model), set())
            if model_admin.date_hierarchy:  # the year, month and day links become these
                offered |= {f"{model_admin.date_hierarchy}__{lookup}" for lookup in ("gte", "lt")}
            for path, field in _paths(model):
                for lookup in LOOKUPS:
                    key = "__".join([*path, lookup])
                    if _list(model_admin, user, {key: _value(field)}) is None:
                        continue
                    accepted.append((_label(model), role, key))
                    where = f"{model._meta.label} list"
                    assert key in offered, f"{role} filters the {where} by {key}: not offered"
                    assert _visible(user, model, path), f"{role} filters the {where} by {key}"
    # The walk reached the filters the lists offer (a walk that refuses everything proves
    # nothing): e.g. gifts by status, RSVPs by answer, donors by mail preference.
    assert ("donors.gift", STAFF, "status__exact") in accepted
    assert ("events.rsvp", EVENT_ORGANIZER, "walk_in__exact") in accepted
    assert ("donors.donor", EVENT_ORGANIZER, "mail_opt_in__exact") in accepted


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _order_paths(cl) -> list[str]:
    """What the list is sorted by, as lookup paths (a name, or an F() inside an OrderBy)."""
    paths = []
    for item in cl.queryset.query.order_by:
        name = item if isinstance(item, str) else getattr(item.expression, "name", None)
        if name:
            paths.append(name.lstrip("-"))
    return paths


def _field_path(model, dotted: str) -> list[str] | None:
    """A lookup path as field names (transforms and lookups dropped); None if it names no field."""
    names = []
    for part in dotted.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:
            break
        names.append(field.name)
        if not field.is_relation:
            break
        model = field.related_model
    return names or None


def test_no_list_sorts_or_searches_on_what_the_role_may_not_see(everything, role_users):
    for model, model_admin in admin.site._registry.items():
        for role, user in role_users.items():
            if not model_admin.has_view_permission(_request(user)):
                continue
            cl = _list(model_admin, user).context_data["cl"]
            for field in cl.search_fields:
                path = _field_path(model, field.lstrip("^=@"))
                assert path and _visible(user, model, path), f"{role} searches {model} by {field}"
            for o in [*range(len(cl.list_display) + 2), "-1", "x", "0.1.2.3.4.5.6.7.8"]:
                response = _list(model_admin, user, {"o": o})
                assert response is not None, (model, role, o)
                for dotted in _order_paths(response.context_data["cl"]):
                    path = _field_path(model, dotted)
                    assert path is None or _visible(user, model, path), (
                        f"{role} sorts the {model._meta.label} list by {dotted} (o={o})"
                    )


def test_an_organizer_searching_for_a_donors_total_finds_nobody(generous, organizer, staff):
    dana = _client(organizer)
    for figure in ("65432.09", "65,432.09", "65432"):
        assert _rows(dana.get("/admin/donors/donor/", {"q": figure})) == 0
    assert _rows(dana.get("/admin/donors/donor/", {"q": "Qureshi"})) == 1
