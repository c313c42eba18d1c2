"""Receipts and the data the receipt rules need. Receipts are written by compliance.services
only, and never edited once issued: they are voided (keeping their number) and replaced."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from common import validators
from common.email_templates import template_fields_check
from donors.deductible import BenefitLimits
from donors.models.base import CheckedText
from donors.money_rules import is_cash


class BenefitLimit(models.Model):
    """The IRS's yearly limits for insubstantial benefits; staff add each new year's figures
    (published in the Revenue Procedure of the autumn before)."""

    year = models.PositiveSmallIntegerField(unique=True)
    low_cost_article_max = models.DecimalField(
        "low-cost article: cost at most",
        max_digits=8,
        decimal_places=2,
        help_text="2025: $13.60 (an article bearing the organization's name or logo).",
    )
    low_cost_article_min_payment = models.DecimalField(
        "low-cost article: for a payment of at least",
        max_digits=8,
        decimal_places=2,
        help_text="2025: $68.00.",
    )
    benefit_cap = models.DecimalField(
        "benefits worth at most (dollar cap)",
        max_digits=8,
        decimal_places=2,
        help_text="2025: $136.00; the lesser of this and the percentage applies.",
    )
    benefit_percent = models.DecimalField(
        "benefits worth at most (share of the payment)",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0200"),
        help_text="0.0200 is 2%.",
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = "insubstantial-benefit limits"
        verbose_name_plural = "insubstantial-benefit limits"
        constraints = [
            models.CheckConstraint(
                condition=Q(low_cost_article_max__gt=0)
                & Q(low_cost_article_min_payment__gt=0)
                & Q(benefit_cap__gt=0)
                & Q(benefit_percent__gt=0)
                & Q(benefit_percent__lt=1),
                name="benefitlimit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Insubstantial-benefit limits {self.year}"

    def as_rules(self) -> BenefitLimits:
        return BenefitLimits(
            year=self.year,
            low_cost_article_max=self.low_cost_article_max,
            low_cost_article_min_payment=self.low_cost_article_min_payment,
            benefit_cap=self.benefit_cap,
            benefit_percent=self.benefit_percent,
        )


class ReceiptCounter(models.Model):
    """The last number used in a series ("receipt", "statement") in a year. Issuing locks
    this row (SELECT … FOR UPDATE) in the same transaction that saves the document, so
    numbers neither repeat nor skip."""

    series = models.CharField(max_length=20, default="receipt")
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="receiptcounter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_sequence}"


class PrintedSnapshot(models.Model):
    """Who and what a printed document names, frozen when it is issued."""

    donor_name = models.CharField(max_length=300)
    donor_address = models.TextField(blank=True)
    donor_email = models.EmailField(blank=True)
    org_name = models.CharField(max_length=200)
    org_ein = models.CharField(max_length=10)
    org_address = models.TextField()
    org_exemption_statement = models.TextField()
    org_signatory_name = models.CharField(max_length=200)
    org_signatory_title = models.CharField(max_length=200)
    org_ny_disclosure = models.TextField(blank=True)
    org_website = models.URLField(blank=True)

    class Meta:
        abstract = True

    # Both documents (Receipt, YearEndStatement) have voided_at and verification_code.
    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def verify_path(self) -> str:
        return reverse("receipt_verify", args=[self.verification_code])

    @property
    def verify_url(self) -> str:
        """The public verification address, on this site (settings.SITE_URL)."""
        return f"{settings.SITE_URL}{self.verify_path}"


class ReceiptKind(models.TextChoices):
    ACKNOWLEDGMENT = "acknowledgment", "Acknowledgment"
    CORRECTED = "corrected", "Corrected acknowledgment"


class Receipt(PrintedSnapshot):
    """One gift's written acknowledgment, with everything it printed as it was at issue."""

    # An issued receipt never changes what it printed. A donor merge only repoints it to the
    # donor kept, with an audit record, and notes whom it was issued to (donors.services.merge
    # reads these two attributes).
    donor_merge_pointer_only = True
    donor_merge_origin_field = "merged_from_donor_pk"

    number = models.CharField(max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    kind = models.CharField(
        max_length=20, choices=ReceiptKind.choices, default=ReceiptKind.ACKNOWLEDGMENT
    )
    gift = models.ForeignKey("donors.Gift", on_delete=models.PROTECT, related_name="receipts")
    donor = models.ForeignKey("donors.Donor", on_delete=models.PROTECT, related_name="receipts")
    merged_from_donor_pk = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The donor this was issued to, when a donor merge moved it to its donor.",
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text="The voided receipt this one corrects.",
    )
    recipient = models.CharField(max_length=20, help_text="donor, daf_sponsor, employer, …")
    verification_code = models.CharField(
        max_length=40, unique=True, default=validators.verification_code
    )

    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_notice_sent_at = models.DateTimeField(null=True, blank=True)

    gift_date = models.DateField(help_text="The gift's tax date.")
    method = models.CharField(max_length=20)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The payment kept, net of refunds."
    )
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    benefit_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Value received, as printed."
    )
    benefit_description = models.CharField(max_length=300, blank=True)
    deductible_amount = models.DecimalField(max_digits=12, decimal_places=2)
    non_cash_description = models.TextField(
        blank=True, help_text="Non-cash gifts: what was given, printed with no value."
    )

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_year_sequence"),
            models.UniqueConstraint(
                fields=["gift"], condition=Q(voided_at__isnull=True), name="receipt_one_valid"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="receipt_void_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(deductible_amount__gte=0)
                & Q(deductible_amount__lte=models.F("amount")),
                name="receipt_amounts_sane",
            ),
        ]
        indexes = [models.Index(fields=["donor", "year"], name="receipt_donor_year_idx")]

    def __str__(self) -> str:
        return f"Receipt {self.number}" + (" (void)" if self.voided_at else "")

    @property
    def is_non_cash(self) -> bool:
        """A property gift (donors.money_rules: stock, in-kind), printed without a value."""
        return not is_cash(self.method)


class EmailTemplateKey(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    VOID_NOTICE = "void_notice", "Receipt voided"
    STATEMENT = "statement", "Year-end statement"
    THANK_YOU = "thank_you", "Thank-you letter (not a tax receipt)"
    THANK_YOU_RECEIPT = "thank_you_receipt", "Thank-you with the receipt (sent at once)"


class EmailTemplate(CheckedText, models.Model):
    """The words of an email the project sends; staff edit them in the back office.

    Subject and body are Django templates: {{ donor_name }}, {{ number }}, {{ amount }},
    {{ org_name }}, {{ ny_disclosure }} and the others listed in the help text.
    """

    key = models.CharField(max_length=30, choices=EmailTemplateKey.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Plain text. Placeholders: {{ donor_name }}, {{ number }}, {{ gift_date }}, "
        "{{ amount }}, {{ deductible_amount }}, {{ org_name }}, {{ signatory_name }}, "
        "{{ signatory_title }}, {{ ny_disclosure }}, {{ verify_url }}, {{ void_reason }}, "
        "{{ corrected_number }}; receipts also {{ gift_form }} (cash or property), statements "
        "{{ cash_summary }} (the cash total, and the property gifts)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()

    def clean(self) -> None:
        template_fields_check(self)


class YearEndStatement(PrintedSnapshot):
    """One donor's giving statement for a calendar year: every receiptable gift with its
    deductible amount, and their soft credits apart (not deductible by them). Regenerated
    statements replace the old one (voided, keeping its number)."""

    donor_merge_pointer_only = True  # see Receipt
    donor_merge_origin_field = "merged_from_donor_pk"

    number = models.CharField(max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField(editable=False)
    donor = models.ForeignKey(
        "donors.Donor", on_delete=models.PROTECT, related_name="year_end_statements"
    )
    merged_from_donor_pk = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The donor this was issued to, when a donor merge moved it to its donor.",
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    verification_code = models.CharField(
        max_length=40, unique=True, default=validators.verification_code
    )
    lines = models.JSONField(
        default=list, help_text="The gifts: date, description, amount, value received, deductible."
    )
    soft_credits = models.JSONField(default=list, help_text="Recognition only: not deductible.")
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    total_benefit = models.DecimalField(max_digits=14, decimal_places=2)
    total_deductible = models.DecimalField(max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="statement_year_sequence"),
            # One valid statement per donor and year, counted by the donor it was issued to:
            # after a merge the donor kept holds both donors' statements of a year, each as
            # issued, until a new statement replaces them.
            models.UniqueConstraint(
                Coalesce("merged_from_donor_pk", "donor_id", output_field=models.IntegerField()),
                "year",
                condition=Q(voided_at__isnull=True),
                name="statement_one_valid_per_year",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="statement_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Statement {self.number}" + (" (void)" if self.voided_at else "")


class IssueBatch(models.Model):
    """A background run issuing a whole year's receipts or statements, with its progress for
    the page that shows it."""

    class Kind(models.TextChoices):
        STATEMENTS = "statements", "Year-end statements"
        RECEIPTS = "receipts", "Receipts for every due gift of the year"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATEMENTS)
    year = models.PositiveSmallIntegerField()
    send = models.BooleanField(default=False, help_text="Email each one when issued.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "background batch"
        verbose_name_plural = "background batches"

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.year}: {self.done}/{self.total} "
            f"({self.get_status_display()})"
        )


class FilingProfile(models.Model):
    """The organization's filing choices (one row): which Schedule B rule it uses, and the
    dates of its compliance calendar where they differ from the rule."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    schedule_b_special_rule = models.BooleanField(
        "use the 2% special rule for Schedule B",
        default=False,
        help_text="For 509(a)(1) organizations meeting the 33⅓% support test (Schedule A Part "
        "II line 13, 16a or 16b): list only contributors who gave at least the greater of $5,000 "
        "and 2% of the year's contributions (Form 990 Part VIII line 1h).",
    )

    class Meta:
        verbose_name = "filing profile"
        verbose_name_plural = "filing profile"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="filingprofile_single_row"),
        ]

    def __str__(self) -> str:
        return "Filing profile"

    @classmethod
    def current(cls) -> FilingProfile:
        return cls.objects.filter(pk=1).first() or cls()


FORM_8282_BY_HAND = (
    "A Form 8282 is planned from the sale or disposal recorded on the property gift's page, "
    "not added here: choose another kind."
)


class ComplianceDeadline(CheckedText, models.Model):
    """A filing the organization must make: Form 990, NY CHAR500, CA RRF-1, or one staff add.
    The dates start from the rule and are the organization's to change."""

    class Kind(models.TextChoices):
        FORM_990 = "form_990", "IRS Form 990"
        NY_CHAR500 = "ny_char500", "New York CHAR500"
        CA_RRF1 = "ca_rrf1", "California RRF-1"
        FORM_8282 = "form_8282", "IRS Form 8282"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    done_on = models.DateField(null=True, blank=True, help_text="When it was filed.")
    reminded_30_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Form 8282: the property gift sold or disposed of (compliance.services.calendar).
    # Indexed by deadline_one_per_gift, which holds only the rows that have one.
    gift = models.ForeignKey(
        "donors.Gift",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="compliance_deadlines",
        help_text="The property gift whose disposal this Form 8282 reports.",
    )

    class Meta:
        ordering = ["due_date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "fiscal_year"],
                condition=~Q(kind__in=["other", "form_8282"]),
                name="deadline_one_per_kind_and_year",
            ),
            models.UniqueConstraint(
                fields=["gift"],
                condition=Q(gift__isnull=False),
                name="deadline_one_per_gift",
            ),
            models.CheckConstraint(
                condition=Q(kind="form_8282", gift__isnull=False)
                | (~Q(kind="form_8282") & Q(gift__isnull=True)),
                name="deadline_8282_has_its_gift",
                violation_error_message=FORM_8282_BY_HAND,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for FY{self.fiscal_year}, due {self.due_date}"

    def clean(self) -> None:
        # The check constraint's own words, on the field: the admin's form leaves the gift
        # out, so Django would not check the constraint before the service does.
        if self.kind == self.Kind.FORM_8282 and self.gift_id is None:
            raise ValidationError({"kind": FORM_8282_BY_HAND})


class ThankYouLetter(models.Model):
    """A thank-you to someone whose gift the organization does not receipt: a GlobalGiving
    donor, a DAF's advisor, an employee whose employer matched. It says it is not a tax
    receipt. One per soft credit, sent once."""

    # A donor merge moves a sent letter by its donor pointer only (donors.services.merge).
    donor_merge_pointer_only = True

    soft_credit = models.OneToOneField(
        "donors.SoftCredit", on_delete=models.PROTECT, related_name="thank_you_letter"
    )
    donor = models.ForeignKey("donors.Donor", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    donor_name = models.CharField(max_length=300)
    email = models.EmailField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    gift_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Thank-you to {self.donor_name} ({self.gift_date})"
