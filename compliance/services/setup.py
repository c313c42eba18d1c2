"""What staff set up for compliance in the back office: the email templates, the filings
calendar, the Schedule B choice and the IRS benefit limits. Each change is validated here and
recorded by the audit log (the models are registered in compliance.audit)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from common.door import service
from compliance.models import (
    BenefitLimit,
    ComplianceDeadline,
    EmailTemplate,
    FilingProfile,
)


def _saved(record):
    record.full_clean()
    record.save()
    return record


@service
@transaction.atomic
def email_template_save(*, template: EmailTemplate) -> EmailTemplate:
    """Save an email template's subject and body (its placeholders checked by clean())."""
    return _saved(template)


@service
@transaction.atomic
def email_templates_delete(*, template_ids: Iterable[int]) -> int:
    """Delete templates: the emails they named fall back to the built-in wording."""
    return _delete(EmailTemplate, template_ids)


@service
@transaction.atomic
def deadline_save(*, deadline: ComplianceDeadline) -> ComplianceDeadline:
    """Add a filing to the calendar, move its date to the organization's own, or mark it
    filed."""
    return _saved(deadline)


@service
@transaction.atomic
def deadlines_delete(*, deadline_ids: Iterable[int]) -> int:
    """Take filings off the calendar (a planned one comes back at the next day's planning)."""
    return _delete(ComplianceDeadline, deadline_ids)


@service
@transaction.atomic
def filing_profile_save(*, profile: FilingProfile) -> FilingProfile:
    """Change the organization's filing choices (the Schedule B rule)."""
    return _saved(profile)


@service
@transaction.atomic
def benefit_limit_save(*, limit: BenefitLimit) -> BenefitLimit:
    """Record or correct a year's IRS limits on benefits (receipts issued later use them)."""
    return _saved(limit)


@service
@transaction.atomic
def benefit_limits_delete(*, limit_ids: Iterable[int]) -> int:
    return _delete(BenefitLimit, limit_ids)


def _delete(model, ids: Iterable[int]) -> int:
    # One by one: the count is of these records, not of what a cascade takes with them.
    count = 0
    for record in model.objects.filter(pk__in=list(ids)).order_by("pk"):
        record.delete()
        count += 1
    return count
