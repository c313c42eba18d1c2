"""The audit trail is complete: campaigns, funds, tags, interactions, relationships and
not-duplicate marks are recorded with who changed them; a merge records every record it moved;
a donor's history page shows one history across everything about them, within the viewer's
role."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from donors import services
from donors.models import (
    Campaign,
    Donor,
    DonorEmail,
    DonorNotDuplicate,
    Fund,
    Gift,
    Interaction,
    Pledge,
    RecurringPlan,
    Relationship,
    SoftCredit,
    Tag,
)
from tests import factories
from tests.donors.admin_forms import form_data

pytestmark = pytest.mark.django_db


def _last(obj) -> LogEntry:
    return LogEntry.objects.get_for_object(obj).latest("pk")


def test_campaign_fund_and_tag_added_in_the_admin_are_audited_with_the_staff_member(
    client, organization, staff
):
    client.force_login(staff)
    campaign_page = client.get("/admin/donors/campaign/add/")
    data = form_data(campaign_page, "campaign")
    data.update(name="Spring appeal", slug="spring-appeal", goal="5000")
    assert client.post("/admin/donors/campaign/add/", data).status_code == 302
    data = form_data(client.get("/admin/donors/fund/add/"), "fund")
    data.update(name="Scholarships", is_restricted="on")
    assert client.post("/admin/donors/fund/add/", data).status_code == 302
    data = form_data(client.get("/admin/donors/tag/add/"), "tag")
    data.update(name="gala")
    assert client.post("/admin/donors/tag/add/", data).status_code == 302

    campaign = _last(Campaign.objects.get(slug="spring-appeal"))
    assert (campaign.action, campaign.actor) == (LogEntry.Action.CREATE, staff)
    assert campaign.changes_dict["goal"] == ["None", "5000"]
    fund = _last(Fund.objects.get(name="Scholarships"))
    assert (fund.actor, fund.changes_dict["is_restricted"]) == (staff, ["None", "True"])
    tag = _last(Tag.objects.get(name="gala"))
    assert (tag.actor, tag.changes_dict["name"]) == (staff, ["None", "gala"])

    url = f"/admin/donors/campaign/{Campaign.objects.get().pk}/change/"
    data = form_data(client.get(url), "campaign")
    data["goal"] = "7500"
    assert client.post(url, data).status_code == 302
    changed = _last(Campaign.objects.get())
    assert (changed.actor, changed.changes_dict) == (staff, {"goal": ["5000.00", "7500"]})


def test_interaction_relationship_and_tag_added_on_the_donor_page_are_audited(
    client, organization, staff
):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    spouse = factories.make_donor(first_name="Omar", last_name="Khan")
    tag = Tag.objects.create(name="volunteer")
    client.force_login(staff)
    url = f"/admin/donors/donor/{donor.pk}/change/"
    data = form_data(client.get(url), "donor")
    data["tags"] = [str(tag.pk)]
    data.update({
        "interactions-0-kind": Interaction.Kind.CALL,
        "interactions-0-occurred_on": "2026-03-02",
        "interactions-0-summary": "Thanked her for the gala gift.",
        "interactions-TOTAL_FORMS": "1",
        "relationships-0-kind": Relationship.Kind.SPOUSE,
        "relationships-0-to_donor": str(spouse.pk),
        "relationships-TOTAL_FORMS": "1",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""

    interaction = _last(Interaction.objects.get(donor=donor))
    assert (interaction.action, interaction.actor) == (LogEntry.Action.CREATE, staff)
    assert interaction.changes_dict["summary"] == ["None", "Thanked her for the gala gift."]
    relationship = _last(Relationship.objects.get(from_donor=donor))
    assert relationship.actor == staff
    assert relationship.changes_dict["to_donor"] == ["None", str(spouse.pk)]
    tags = _last(donor)
    assert tags.actor == staff
    added = {"type": "m2m", "operation": "add", "objects": ["volunteer"]}
    assert tags.changes_dict["tags"] == added


def test_marking_two_donors_different_is_audited_with_the_staff_member(client, organization, staff):
    first = factories.make_donor(first_name="Sara", last_name="Ahmed", email="sara@example.org")
    second = factories.make_donor(first_name="Sara", last_name="Ahmed", email="sara@example.org")
    client.force_login(staff)
    client.post(f"/admin/donors/donor/not-duplicates/{second.pk}/{first.pk}/")

    entry = _last(DonorNotDuplicate.objects.get())
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.changes_dict["donor_low"] == ["None", str(first.pk)]
    assert entry.changes_dict["donor_high"] == ["None", str(second.pk)]


def _donor_with_records(name: str, email: str) -> Donor:
    donor = factories.make_donor(first_name=name, last_name="Khan", email=email)
    factories.make_gift(donor=donor, amount=Decimal("100.00"))
    services.soft_credit_add(gift=factories.make_gift(), donor=donor, kind="solicitor")
    services.pledge_create(donor=donor, amount=Decimal(500), pledge_date=datetime.date(2025, 1, 1))
    services.recurring_plan_create(donor=donor, amount="20", started_on=datetime.date(2025, 1, 1))
    return donor


def test_a_merge_records_every_record_it_moved_with_who_merged(client, organization, staff):
    survivor = _donor_with_records("Ayesha", "ayesha@example.org")
    other = _donor_with_records("Ayesha", "a.khan@work.example")
    other_pk = other.pk
    moved = {
        Gift: list(Gift.objects.filter(donor=other)),
        Pledge: list(Pledge.objects.filter(donor=other)),
        RecurringPlan: list(RecurringPlan.objects.filter(donor=other)),
        SoftCredit: list(SoftCredit.objects.filter(donor=other)),
        DonorEmail: list(DonorEmail.objects.filter(donor=other)),
    }
    client.force_login(staff)
    response = client.post(
        f"/admin/donors/donor/merge/{survivor.pk}/{other_pk}/", {"survivor": str(survivor.pk)}
    )
    assert response.status_code == 302

    origin = f"merge of donor {other_pk} into {survivor.pk}"
    for model, records in moved.items():
        assert records, model
        for record in records:
            entry = (
                LogEntry.objects.get_for_object(record)
                .filter(changes__donor__isnull=False)
                .latest("pk")
            )
            assert entry.action == LogEntry.Action.UPDATE, model
            assert entry.actor == staff, model
            assert entry.changes_dict["donor"] == [str(other_pk), str(survivor.pk)], model
            assert entry.additional_data == {"origin": origin}
    # Still the summary on the donor kept.
    summary = _last(survivor)
    assert summary.actor == staff and "merged" in summary.changes_dict


def test_the_donor_history_shows_one_history_across_their_records(client, organization, staff):
    donor = _donor_with_records("Ayesha", "ayesha@example.org")
    gift = donor.gifts.get()
    services.gift_save(gift=gift)  # unchanged: no entry
    gift.amount = Decimal("125.00")
    services.gift_save(gift=gift)
    email = donor.emails.get()
    someone_else = factories.make_gift(amount=Decimal("999.00"))
    client.force_login(staff)

    page = client.get(f"/admin/donors/donor/{donor.pk}/auditlog/")

    assert page.status_code == 200
    entries = list(page.context["log_entries"])
    about = {(e.content_type.model_class(), e.object_id) for e in entries}
    assert (Donor, donor.pk) in about
    assert (DonorEmail, email.pk) in about
    assert (Gift, gift.pk) in about
    assert (Pledge, donor.pledges.get().pk) in about
    assert (RecurringPlan, donor.recurring_plans.get().pk) in about
    assert (SoftCredit, donor.soft_credits.get().pk) in about
    assert (Gift, someone_else.pk) not in about
    text = page.content.decode()
    assert f"Gift: {gift}" in text and "125.00" in text
    assert f"Donor email: {email}" in text


def test_an_event_organizer_never_sees_giving_in_a_donor_history(client, organization, organizer):
    donor = _donor_with_records("Ayesha", "ayesha@example.org")
    # Organizers do not see audit logs at all; even one allowed to sees no gift, pledge, plan
    # or soft credit of the donor there, only who they are and how to reach them.
    organizer.user_permissions.add(
        Permission.objects.get(
            content_type=ContentType.objects.get_for_model(LogEntry), codename="view_logentry"
        )
    )
    client.force_login(organizer)

    page = client.get(f"/admin/donors/donor/{donor.pk}/auditlog/")

    assert page.status_code == 200
    kinds = {e.content_type.model_class() for e in page.context["log_entries"]}
    assert DonorEmail in kinds
    assert not kinds & {Gift, SoftCredit, Pledge, RecurringPlan}
    assert "$100.00" not in page.content.decode()
