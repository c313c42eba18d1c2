"""Receipts and the yearly limits leave an audit record of every change (django-auditlog)."""

from auditlog.registry import auditlog

from compliance import models as m


def register() -> None:
    auditlog.register(m.Receipt)
    auditlog.register(m.BenefitLimit)
    auditlog.register(m.EmailTemplate, exclude_fields=["updated_at"])
    auditlog.register(m.FilingProfile)
    auditlog.register(m.ComplianceDeadline)
    auditlog.register(m.ThankYouLetter)
    # Statements are issued with bulk_create and voided with an UPDATE when replaced: both
    # write their entries through common.audit.log_bulk (compliance.services.statements).
    auditlog.register(m.YearEndStatement)
    # Who started which batch; its progress counters are not changes anyone made.
    auditlog.register(m.IssueBatch, exclude_fields=["total", "done", "issued", "created_at"])
