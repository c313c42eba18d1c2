"""The donors' own page (/my/): sign-in links and donor sessions, each kept as the hash of
its token, and the hourly task that forgets the old ones."""

import django.db.models.deletion
from django.db import migrations, models

FORGET_SCHEDULE = "Forget old donor sign-in links and sessions (hourly)"


def schedule_forget(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=FORGET_SCHEDULE,
        defaults={
            "func": "crm.donor_access.forget_old_task",
            "schedule_type": "H",
            "repeats": -1,
        },
    )


def unschedule_forget(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=FORGET_SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_audit_entries_without_foreign_key_checks"),
        ("donors", "0020_asks_and_tasks"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="DonorSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "donor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="donors.donor",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="DonorSignInLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "donor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="donors.donor",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["expires_at"], name="donorsigninlink_expires_idx")
                ],
            },
        ),
        migrations.RunPython(schedule_forget, unschedule_forget),
    ]
