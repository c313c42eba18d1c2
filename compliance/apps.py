from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Receipts and compliance"

    def ready(self) -> None:
        from compliance import audit

        audit.register()
