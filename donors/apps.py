from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = "Donors and gifts"

    def ready(self) -> None:
        # lazy: donors.audit imports models, and Django imports apps.py before the models exist.
        from anymail.signals import tracking
        from django.core.signals import request_started
        from django_q.signals import pre_execute

        from donors import audit
        from donors.mail_events import tracking_event_received
        from donors.models.organization import organization_forget

        audit.register()
        # The organization profile is read once per request and per task (another process may
        # have changed it since): Organization.current() remembers it until then.
        request_started.connect(organization_forget, dispatch_uid="donors.organization_forget")
        pre_execute.connect(organization_forget, dispatch_uid="donors.organization_forget_task")
        # Bounces and complaints: anymail delivers its webhooks' events only as a signal.
        tracking.connect(tracking_event_received, dispatch_uid="donors.email_tracking")
