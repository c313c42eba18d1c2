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
