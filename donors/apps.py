from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = "Donors and gifts"

    def ready(self) -> None:
        # lazy: donors.audit imports models, and Django imports apps.py before the models exist.
        from donors import audit

        audit.register()
