"""The thank-you sent at once for each online gift, with its receipt attached: a template staff
edit like the others, seeded with these words (copied here, not imported, so that replaying
the migration seeds the same words whatever the code says later)."""

from django.db import migrations, models

SUBJECT = "Thank you for your gift to {{ org_name }}"
BODY = (
    "Dear {{ donor_name }},\n"
    "\n"
    "Thank you for your gift of {{ amount }} on {{ gift_date }}. Gifts like yours keep "
    "our work going, and we are grateful.\n"
    "\n"
    "Your receipt {{ number }} is attached; keep it with your tax records. {{ gift_form }} "
    "You can check it at any time at {{ verify_url }}\n"
    "\n"
    "With gratitude,\n"
    "{{ signatory_name }}\n"
    "{{ signatory_title }}, {{ org_name }}\n"
    "\n"
    "{{ ny_disclosure }}\n"
)


def seed(apps, schema_editor):
    EmailTemplate = apps.get_model("compliance", "EmailTemplate")
    EmailTemplate.objects.get_or_create(
        key="thank_you_receipt", defaults={"subject": SUBJECT, "body": BODY}
    )


def unseed(apps, schema_editor):
    apps.get_model("compliance", "EmailTemplate").objects.filter(key="thank_you_receipt").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0012_schedule_b_rule_help"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emailtemplate",
            name="key",
            field=models.CharField(
                choices=[
                    ("receipt", "Receipt"),
                    ("void_notice", "Receipt voided"),
                    ("statement", "Year-end statement"),
                    ("thank_you", "Thank-you letter (not a tax receipt)"),
                    ("thank_you_receipt", "Thank-you with the receipt (sent at once)"),
                ],
                max_length=30,
                unique=True,
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
