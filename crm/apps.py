from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Back office"

    def ready(self) -> None:
        # lazy: axes.signals and crm.audit import models, and Django imports apps.py before
        # the models exist (so do the handlers below).
        from axes.signals import user_locked_out

        from common import audit as audit_origin
        from common import door
        from crm import audit

        audit.register()
        door.connect()
        audit_origin.connect()
        # django-axes announces a lockout only through this signal: it is where the audit
        # record of the lockout is written.
        user_locked_out.connect(_record_lockout, dispatch_uid="crm.lockout")
        # Permissions exist only after migrate has run, so the role groups are brought up to
        # date right after it: a new model's permissions reach the roles with no extra step.
        post_migrate.connect(_sync_roles, sender=self)
        post_migrate.connect(_ensure_dashboard_upkeep, sender=self)


def _record_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    from crm.services import signin_lockout_record  # lazy: models (see ready)

    signin_lockout_record(username=username or "", ip_address=ip_address)


def _sync_roles(sender, using="default", **kwargs) -> None:
    from common.roles import roles_sync  # lazy: models (see ready)

    roles_sync(using=using)


def _ensure_dashboard_upkeep(sender, using="default", **kwargs) -> None:
    tables = connections[using].introspection.table_names()
    if "donors_giftmonthtotal" in tables:
        from donors.services.month_totals import gift_month_totals_ensure  # lazy: models

        # A later migration that alters the gifts table drops its triggers on SQLite.
        gift_month_totals_ensure()
    if "donors_givingsummary" in tables:
        from donors.services.standings import donor_standings_ensure  # lazy: models

        # Likewise for the standings' and the addresses' triggers.
        donor_standings_ensure()
    # The schedule table exists only once django-q2's migrations have run.
    if "django_q_schedule" in tables:
        from donors.services.globalgiving import globalgiving_schedule_ensure  # lazy: models

        globalgiving_schedule_ensure()
