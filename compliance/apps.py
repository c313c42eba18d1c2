from django.apps import AppConfig

from donors import deductible


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Receipts and compliance"

    def ready(self) -> None:
        # lazy: compliance.audit and compliance.services.receipts import models, and Django
        # imports apps.py before the models exist.
        from compliance import audit
        from compliance.services.receipts import _limits_for

        audit.register()
        # The year's benefit limits are kept here; donors.deductible (used by events too)
        # reads them through this source, without importing compliance.
        deductible.benefit_limits_source(_limits_for)
