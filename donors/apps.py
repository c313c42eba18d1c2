from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = "Donors and gifts"

    def ready(self) -> None:
        from donors import audit

        audit.register()
