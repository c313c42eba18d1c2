"""The full pass over every valid receipt runs nightly, not every five minutes.

A refund or lost dispute now reaches its gift's receipt at once (donors queues
compliance.tasks.receipts_follow_gift_task when the money changes); the pass stays as the
safety net for anything that slipped by. Its first run is the coming 03:00 in the server's
time zone, then daily. Frozen: the names are written out here, no app code imported.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations

FUNC = "compliance.tasks.receipts_sync_task"
NIGHTLY_NAME = "Nightly safety net: void or correct receipts of refunded gifts"
OLD_NAME = "Void or correct receipts of refunded gifts"


def _next_night() -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.now(zone)
    night = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if night <= now:
        night += datetime.timedelta(days=1)
    return night


def nightly(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    updated = Schedule.objects.filter(func=FUNC).update(
        name=NIGHTLY_NAME, schedule_type="D", minutes=None, next_run=_next_night()
    )
    if not updated:
        Schedule.objects.create(
            name=NIGHTLY_NAME, func=FUNC, schedule_type="D", repeats=-1, next_run=_next_night()
        )


def every_five_minutes(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(func=FUNC).update(name=OLD_NAME, schedule_type="I", minutes=5)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0008_documents_move_with_donor_merge"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(nightly, every_five_minutes)]
