from django.db import migrations

# The words as first written (compliance.emails.DEFAULTS); staff edit them afterwards in the
# back office.
from compliance.emails import DEFAULTS as TEMPLATES  # noqa: E402


def seed(apps, schema_editor):
    EmailTemplate = apps.get_model("compliance", "EmailTemplate")
    for key, (subject, body) in TEMPLATES.items():
        EmailTemplate.objects.get_or_create(key=key, defaults={"subject": subject, "body": body})
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name="Void or correct receipts of refunded gifts",
        defaults={
            "func": "compliance.tasks.receipts_sync_task",
            "schedule_type": "I",  # every `minutes`
            "minutes": 5,
            "repeats": -1,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_benefit_limits_2025"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
