from django.db import migrations

# The words as first written, copied from compliance.emails.DEFAULTS so that replaying this
# migration seeds the same words whatever the code says later; staff edit them afterwards in
# the back office.
TEMPLATES = {
    "receipt": (
        "Your receipt {{ number }} from {{ org_name }}",
        "Dear {{ donor_name }},\n"
        "\n"
        "Thank you for your gift of {{ amount }} received on {{ gift_date }}. Your "
        "receipt {{ number }} is attached; keep it with your tax records.\n"
        "\n"
        "You can check it at any time at {{ verify_url }}\n"
        "\n"
        "With gratitude,\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n"
        "\n"
        "{{ ny_disclosure }}\n",
    ),
    "void_notice": (
        "Your receipt {{ number }} from {{ org_name }} is void",
        "Dear {{ donor_name }},\n"
        "\n"
        "Receipt {{ number }} for your gift on {{ gift_date }} is no longer valid: "
        "{{ void_reason }}.\n"
        "{% if corrected_number %}A corrected receipt, {{ corrected_number }}, "
        "replaces it and follows in a separate email.\n"
        "{% else %}Please do not use it for your tax records.\n"
        "{% endif %}\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n",
    ),
    "statement": (
        "Your {{ year }} giving statement from {{ org_name }}",
        "Dear {{ donor_name }},\n"
        "\n"
        "Thank you for your support in {{ year }}. Your giving statement {{ number }} "
        "is attached: it lists each gift, what it was worth to you for tax purposes, "
        "and the total of {{ total_deductible }}.\n"
        "\n"
        "With gratitude,\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n"
        "\n"
        "{{ ny_disclosure }}\n",
    ),
    "thank_you": (
        "Thank you from {{ org_name }}",
        "Dear {{ donor_name }},\n"
        "\n"
        "Thank you for your gift of {{ amount }} on {{ gift_date }}{{ through }}.\n"
        "\n"
        "THIS LETTER IS NOT A TAX RECEIPT. {{ receipt_note }}\n"
        "\n"
        "With gratitude,\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n"
        "\n"
        "{{ ny_disclosure }}\n",
    ),
}


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
