from django.db import models


class GiftMonthTotal(models.Model):
    """Kept gifts summed by tax month, campaign and channel, for the dashboard at scale.

    Kept by database triggers on the gifts table (see migration 0002_dashboard_globalgiving),
    so every way a gift is written (services, bulk imports, ``update()``) keeps it right, and
    rebuilt by ``gift_month_totals_rebuild`` when the major-gift threshold changes. Money is in
    whole cents so the running sums stay exact on SQLite too. Only succeeded and partially
    refunded gifts count, net of refunds; soft credits never do.
    """

    month = models.DateField(help_text="The first day of the tax month.")
    campaign_key = models.BigIntegerField(help_text="The campaign's id; 0 for none.")
    channel = models.CharField(max_length=20)
    total_cents = models.BigIntegerField(default=0)
    gift_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "campaign_key", "channel"], name="giftmonthtotal_unique"
            ),
        ]
        indexes = [models.Index(fields=["campaign_key"], name="giftmonthtotal_campaign_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} campaign {self.campaign_key} {self.channel}: {self.total_cents}"
