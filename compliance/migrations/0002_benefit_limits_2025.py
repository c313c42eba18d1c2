from decimal import Decimal

from django.db import migrations

# IRS Publication 1771 figures for 2025 (Rev. Proc. 2024-40). Staff add later years in the
# admin ("Insubstantial-benefit limits") as the IRS publishes them.
LIMITS = {
    2025: dict(
        low_cost_article_max=Decimal("13.60"),
        low_cost_article_min_payment=Decimal("68.00"),
        benefit_cap=Decimal("136.00"),
        benefit_percent=Decimal("0.0200"),
    ),
}


def seed(apps, schema_editor):
    BenefitLimit = apps.get_model("compliance", "BenefitLimit")
    for year, values in LIMITS.items():
        BenefitLimit.objects.get_or_create(year=year, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_receipts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
