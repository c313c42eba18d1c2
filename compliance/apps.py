from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Receipts and compliance"

    def ready(self) -> None:
        # lazy: compliance.audit and compliance.services.receipts import compliance.models, which
        # Django loads only once the app registry is ready (after this module).
        from compliance import audit
        from compliance.services.receipts import _limits_for
        from donors import deductible

        audit.register()
        # The year's benefit limits are kept here; donors.deductible (used by events too)
        # reads them through this source, without importing compliance.
        deductible.benefit_limits_source(_limits_for)
