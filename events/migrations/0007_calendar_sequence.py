from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_tickethold_client_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="queued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
