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


class DonorStanding(models.Model):
    """A donor's giving by the organization's fiscal years, for the dashboard's donor states
    and the LYBUNT and SYBUNT lists: one row per donor who ever gave (counted gifts net of
    refunds), written by ``donor_figures_refresh`` with the donor's other figures and by
    ``donor_standings_rebuild`` when the fiscal year's first month changes. ``state`` is the
    dashboard's label of the primary address, kept by triggers on the addresses table."""

    # No foreign-key constraint in the database: checking it at commit locked and re-read
    # every donor row a bulk import touched (0.4 s of a 100,000-gift import) for a row the
    # figures refresh writes from that donor's own gifts. Deleting a donor still deletes its
    # standing (Django's cascade), and donor_standings_rebuild recounts from the gifts.
    donor = models.OneToOneField(
        "donors.Donor",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="standing",
        db_constraint=False,
    )
    first_fiscal_year = models.PositiveSmallIntegerField()
    last_fiscal_year = models.PositiveSmallIntegerField()
    previous_fiscal_year = models.PositiveSmallIntegerField(
        null=True, help_text="The latest fiscal year with giving before the last one."
    )
    last_year_total = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Given in the last fiscal year."
    )
    lifetime_total = models.DecimalField(max_digits=14, decimal_places=2)
    state = models.CharField(max_length=100)

    class Meta:
        indexes = [
            # The LYBUNT and SYBUNT lists, largest lifetime givers first: read by size, each
            # filtered by its last fiscal year as it goes (LYBUNT had an index of its own,
            # dropped in migration donors 0029: each index cost an import about 0.25 s per
            # 100,000 donors, for a page read a few milliseconds faster).
            models.Index(fields=["-lifetime_total", "donor"], name="donorstanding_lifetime_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.donor_id}: FY{self.first_fiscal_year}-FY{self.last_fiscal_year}"


class GivingSummary(models.Model):
    """The donor standings counted by (first, last, previous fiscal year, state): the
    dashboard's donor states and giving by state read a few hundred rows of it instead of
    every donor. Kept by database triggers on the standings table (``donors.services.
    standings``), so every way a standing is written keeps it right. Money in whole cents."""

    first_fiscal_year = models.PositiveSmallIntegerField()
    last_fiscal_year = models.PositiveSmallIntegerField()
    previous_key = models.PositiveSmallIntegerField(
        help_text="The previous fiscal year; 0 for none."
    )
    state = models.CharField(max_length=100)
    donors = models.IntegerField(default=0)
    lifetime_cents = models.BigIntegerField(default=0)
    last_year_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first_fiscal_year", "last_fiscal_year", "previous_key", "state"],
                name="givingsummary_unique",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"FY{self.first_fiscal_year}-FY{self.last_fiscal_year} ({self.previous_key}) "
            f"{self.state}: {self.donors}"
        )
