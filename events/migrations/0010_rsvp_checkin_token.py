"""Each RSVP gets its door code (the QR code of its confirmation email) and the key of the door
attempt that checked it in. Existing RSVPs get a code of their own here: the column is added
empty, filled row by row, then made unique."""

import secrets

import common.validators
from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    RSVP = apps.get_model("events", "RSVP")
    for pk in RSVP.objects.filter(checkin_token__isnull=True).values_list("pk", flat=True):
        RSVP.objects.filter(pk=pk).update(checkin_token=secrets.token_urlsafe(12))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_calendar_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="rsvp",
            name="checkin_attempt",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="rsvp",
            name="checkin_token",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rsvp",
            name="checkin_token",
            field=models.CharField(
                default=common.validators.door_code,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
