import copy
import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_countries.fields import CountryField

from common.validators import validate_logo, validate_time_zone
from donors import currencies
from donors.models.base import CheckedText

ein_validator = RegexValidator(r"^\d{2}-\d{7}$", "Write the EIN as 12-3456789.")


# Organization.current()'s remembered row: empty until read, emptied on every save of the profile
# in this process and at the start of every request and task (donors.apps), so another
# process's change is seen by the next request.
_memo: list = []


def organization_forget(**_signal) -> None:
    """Forget the remembered profile: the next ``Organization.current()`` reads it again."""
    _memo.clear()


class Organization(CheckedText, models.Model):
    """The charity itself: one row, edited by Administrators, printed on every receipt."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    legal_name = models.CharField(max_length=200)
    ein = models.CharField("EIN", max_length=10, validators=[ein_validator])
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=50)
    postal_code = models.CharField(max_length=20)
    country = CountryField(default="US")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    exemption_statement = models.TextField(
        "501(c)(3) statement",
        default=(
            "{name} is a tax-exempt organization under Section 501(c)(3) of the Internal "
            "Revenue Code. Contributions are deductible to the extent allowed by law."
        ),
        help_text="Printed on receipts. {name} and {ein} are replaced by the values above.",
    )
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text="Dates of card gifts from donors with no known time zone use this one.",
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="1 for a fiscal year that is the calendar year, 7 for July to June.",
    )
    major_gift_threshold = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=1000,
        validators=[MinValueValidator(1)],
        help_text="A single gift of at least this amount counts as a major gift on the dashboard.",
    )
    ny_disclosure = models.TextField(
        "New York solicitation disclosure",
        blank=True,
        help_text="NY Executive Law 174-b statement printed on every solicitation.",
    )
    ca_disclosure = models.TextField(
        "California charitable-sale statement",
        blank=True,
        help_text="Printed on event pages and tickets; {deductible} is the deductible share.",
    )
    donation_currencies = models.CharField(
        "currencies offered besides US dollars",
        max_length=200,
        blank=True,
        help_text="ISO codes, such as GBP CAD EUR AED: the donation page offers US dollars and "
        "these. Gifts are recorded in the US dollars Stripe settles them as. Accepted: "
        + ", ".join(c for c in currencies.CURRENCIES if c != "USD")
        + ".",
    )
    suggested_amounts = models.TextField(
        "suggested amounts",
        blank=True,
        help_text="One line per currency, such as GBP: 10, 25, 50, 100, 250. A currency without "
        "a line shows its usual amounts (US dollars: 25, 50, 100, 250, 500).",
    )
    logo = models.BinaryField(
        blank=True,
        default=b"",
        validators=[validate_logo],
        help_text="PNG or JPEG, at most 1 MB: printed at the top of receipts and statements.",
    )
    logo_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organization profile"
        verbose_name_plural = "organization profile"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="organization_single_row"),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs):
        organization_forget()
        super().save(*args, **kwargs)
        organization_forget()

    def delete(self, *args, **kwargs):
        organization_forget()
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        problems = {}
        for field, parse in (
            ("donation_currencies", currencies.parse_codes),
            ("suggested_amounts", currencies.parse_suggested),
        ):
            try:
                parse(getattr(self, field))
            except currencies.SettingError as exc:
                problems[field] = str(exc)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def current(cls) -> "Organization | None":
        """The profile, read once per request, task or process and remembered until then
        (``organization_forget``): every gift recorded asks for it (its time zone, the
        major-gift threshold). Each caller gets its own copy, so one that edits it (a form)
        never changes what the next one reads.

        Without the logo (up to 1 MB): the PDFs read the logo on their own (compliance.pdf_logo).
        """
        if not _memo:
            _memo.append(cls.objects.defer("logo").filter(pk=1).first())
        found = _memo[0]
        return copy.copy(found) if found is not None else None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def fiscal_year_of(self, day: datetime.date) -> int:
        """Fiscal years are named by the calendar year they end in (FY2026 ends in 2026)."""
        if self.fiscal_year_start_month == 1:
            return day.year
        return day.year + 1 if day.month >= self.fiscal_year_start_month else day.year

    def fiscal_year_bounds(self, fiscal_year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of a fiscal year."""
        start_month = self.fiscal_year_start_month
        start_year = fiscal_year if start_month == 1 else fiscal_year - 1
        start = datetime.date(start_year, start_month, 1)
        end = datetime.date(start_year + 1, start_month, 1) - datetime.timedelta(days=1)
        return start, end

    def donation_offers(self) -> list[currencies.Offer]:
        """What the donation page offers: US dollars, then the currencies set here."""
        return currencies.offers(self.donation_currencies, self.suggested_amounts)
