"""The thank-you queue: when and how each gift's donor was thanked, and by whom.

Gifts already on the books are marked thanked "before the thank-you queue" (at the time they
were recorded): the queue starts with the gifts recorded from now on, not with years of gifts
thanked outside this system.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0023_donation_currencies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="gift",
            name="thanked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="gift",
            name="thanked_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                help_text="Empty when the system thanked the donor (the email sent at once).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="gift",
            name="thanked_via",
            field=models.CharField(
                blank=True,
                choices=[
                    ("email", "Email"),
                    ("letter", "Letter"),
                    ("call", "Call"),
                    ("earlier", "Before the thank-you queue"),
                ],
                editable=False,
                max_length=10,
            ),
        ),
        migrations.RunSQL(
            "UPDATE donors_gift SET thanked_at = created_at, thanked_via = 'earlier'",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="gift",
            index=models.Index(
                condition=models.Q(("thanked_at__isnull", True)),
                fields=["created_at", "id"],
                name="gift_to_thank_idx",
            ),
        ),
    ]
