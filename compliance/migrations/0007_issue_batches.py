from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0006_thank_you_letters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("StatementBatch", "IssueBatch"),
        migrations.AlterModelOptions(
            name="issuebatch",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "background batch",
                "verbose_name_plural": "background batches",
            },
        ),
        migrations.AlterField(
            model_name="issuebatch",
            name="send",
            field=models.BooleanField(default=False, help_text="Email each one when issued."),
        ),
        migrations.AddField(
            model_name="issuebatch",
            name="kind",
            field=models.CharField(
                choices=[
                    ("statements", "Year-end statements"),
                    ("receipts", "Receipts for every due gift of the year"),
                ],
                default="statements",
                max_length=20,
            ),
        ),
    ]
