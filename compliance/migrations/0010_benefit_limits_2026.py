"""The insubstantial-benefit limits of every year in use, and emails that say cash or property.

Figures (IRS Publication 1771; each year's Revenue Procedure of the autumn before, the section
headed "Insubstantial Benefit Limitations for Contributions Associated With Charitable
Fund-Raising Campaigns": a low-cost article's cost, the payment it must come with, and the
dollar cap beside 2% of the payment):
- 2024: Rev. Proc. 2023-34, section 3 (that heading): $13.20, $66, $132.
- 2026: Rev. Proc. 2025-32, section 3 (that heading): $14.00, $70, $140. These are the
  published 2026 inflation adjustments; the section's number (3.xx) could not be checked
  against the Internal Revenue Bulletin from here, so it is cited by its heading.
(2025, Rev. Proc. 2024-40: $13.60, $68, $136, seeded by 0002.) A year staff already entered
keeps their figures. The demo data and the back office span 2024-2026.

The receipt and statement emails gain one sentence each (cash or property; the cash total),
only where staff have not changed the words seeded by 0003. Written out here: no app code.
"""

from decimal import Decimal

from django.db import migrations, models

LIMITS = {
    2024: dict(
        low_cost_article_max=Decimal("13.20"),
        low_cost_article_min_payment=Decimal("66.00"),
        benefit_cap=Decimal("132.00"),
        benefit_percent=Decimal("0.0200"),
    ),
    2026: dict(
        low_cost_article_max=Decimal("14.00"),
        low_cost_article_min_payment=Decimal("70.00"),
        benefit_cap=Decimal("140.00"),
        benefit_percent=Decimal("0.0200"),
    ),
}

# (key, body as 0003 seeded it, body now); subjects are unchanged.
BODIES = [
    (
        "receipt",
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
        "Dear {{ donor_name }},\n"
        "\n"
        "Thank you for your gift of {{ amount }} received on {{ gift_date }}. "
        "{{ gift_form }} Your receipt {{ number }} is attached; keep it with your tax "
        "records.\n"
        "\n"
        "You can check it at any time at {{ verify_url }}\n"
        "\n"
        "With gratitude,\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n"
        "\n"
        "{{ ny_disclosure }}\n",
    ),
    (
        "statement",
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
        "Dear {{ donor_name }},\n"
        "\n"
        "Thank you for your support in {{ year }}. Your giving statement {{ number }} "
        "is attached: it lists each gift, what it was worth to you for tax purposes, "
        "and the total of {{ total_deductible }}.\n"
        "\n"
        "{{ cash_summary }}\n"
        "\n"
        "With gratitude,\n"
        "{{ signatory_name }}\n"
        "{{ signatory_title }}, {{ org_name }}\n"
        "\n"
        "{{ ny_disclosure }}\n",
    ),
]


def seed(apps, schema_editor):
    BenefitLimit = apps.get_model("compliance", "BenefitLimit")
    for year, values in LIMITS.items():
        BenefitLimit.objects.get_or_create(year=year, defaults=values)
    EmailTemplate = apps.get_model("compliance", "EmailTemplate")
    for key, seeded, now in BODIES:
        EmailTemplate.objects.filter(key=key, body=seeded).update(body=now)


def unseed(apps, schema_editor):
    # The limits stay (receipts may have been issued under them); the words go back.
    EmailTemplate = apps.get_model("compliance", "EmailTemplate")
    for key, seeded, now in BODIES:
        EmailTemplate.objects.filter(key=key, body=now).update(body=seeded)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0009_receipts_sweep_nightly"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="benefitlimit",
            options={
                "ordering": ["-year"],
                "verbose_name": "insubstantial-benefit limits",
                "verbose_name_plural": "insubstantial-benefit limits",
            },
        ),
        migrations.AlterField(
            model_name="emailtemplate",
            name="body",
            field=models.TextField(
                help_text="Plain text. Placeholders: {{ donor_name }}, {{ number }}, "
                "{{ gift_date }}, {{ amount }}, {{ deductible_amount }}, {{ org_name }}, "
                "{{ signatory_name }}, {{ signatory_title }}, {{ ny_disclosure }}, "
                "{{ verify_url }}, {{ void_reason }}, {{ corrected_number }}; receipts also "
                "{{ gift_form }} (cash or property), statements {{ cash_summary }} (the cash "
                "total, and the property gifts)."
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
