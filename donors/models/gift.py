from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router
from django.db.models import F, Q
from django.utils import timezone

from donors.models.base import CheckedText
from donors.models.campaign import Campaign, Fund
from donors.models.donor import Donor
from donors.money import in_currency, kept


class GiftMethod(models.TextChoices):
    CARD = "card", "Card"
    ACH = "ach", "Bank transfer (ACH)"
    CHECK = "check", "Check"
    CASH = "cash", "Cash"
    WIRE = "wire", "Wire"
    STOCK = "stock", "Stock"
    IN_KIND = "in_kind", "In-kind"
    DAF_GRANT = "daf_grant", "DAF grant"
    GLOBALGIVING = "globalgiving", "GlobalGiving"
    EMPLOYER_MATCH = "employer_match", "Employer match"
    OTHER = "other", "Other"


NON_CASH_METHODS = frozenset({GiftMethod.STOCK, GiftMethod.IN_KIND})


class GiftStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    DISPUTED = "disputed", "Disputed"
    FAILED = "failed", "Failed"


# The statuses whose money the organization keeps (net of partial refunds).
COUNTED_STATUSES = (GiftStatus.SUCCEEDED, GiftStatus.PARTIALLY_REFUNDED)


class TributeKind(models.TextChoices):
    NONE = "", "No tribute"
    HONOR = "honor", "In honor of"
    MEMORY = "memory", "In memory of"


class ThankedVia(models.TextChoices):
    """How a gift's donor was thanked (the thank-you queue)."""

    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    CALL = "call", "Call"
    # Gifts already on the books when the queue was introduced (donors migration 0024).
    EARLIER = "earlier", "Before the thank-you queue"


class SoftCreditKind(models.TextChoices):
    MATCH = "match", "Employee behind a match"
    DAF_ADVISOR = "daf_advisor", "Advisor behind a DAF grant"
    SOLICITOR = "solicitor", "Solicited by"
    TRIBUTE = "tribute", "Tribute"
    PLATFORM_DONOR = "platform_donor", "Donor behind a platform payout"


last4_validator = RegexValidator(r"^\d{4}$", "The last four digits only.")


# The ids no two gifts share, each unique only where set (Gift.Meta.constraints).
_UNIQUE_IDS = (
    ("stripe_payment_id", "Stripe payment id"),
    ("stripe_charge_id", "Stripe charge id"),
    ("external_id", "external id"),
    ("import_fingerprint", "import fingerprint"),
)
_UNIQUE_ID_CONSTRAINTS = frozenset(f"gift_{field}_unique" for field, _ in _UNIQUE_IDS)


class Gift(CheckedText, models.Model):
    """One payment. Amounts are USD Decimals; the tax date is derived by the gift services."""

    # Indexed by gift_donor_taxdate_idx (donor, tax_date), which serves donor look-ups too.
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="gifts", db_index=False)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0, db_default=0)
    status = models.CharField(
        max_length=20,
        choices=GiftStatus.choices,
        default=GiftStatus.SUCCEEDED,
        # Indexed only where it tells gifts apart (gift_status_idx below): nearly every gift
        # succeeded, and a look-up by status is for the others.
        db_index=False,
        db_default=GiftStatus.SUCCEEDED,
    )
    method = models.CharField(max_length=20, choices=GiftMethod.choices)

    gift_date = models.DateField(
        help_text="The day the gift was made; for a mailed check, the day it was received."
    )
    tax_date = models.DateField(
        editable=False,
        help_text="Decides the donor's tax year: a check's postmark, a card charge's local date.",
    )
    charged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the processor charged it (card and ACH)."
    )
    date_received = models.DateField(null=True, blank=True)
    date_deposited = models.DateField(null=True, blank=True)
    check_number = models.CharField(max_length=30, blank=True)
    postmark_date = models.DateField(null=True, blank=True)

    # Indexed by gift_campaign_status_idx (campaign, status).
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        db_index=False,
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="gifts", db_index=False
    )
    # The appeal the gift answers (its code on a reply slip, an import's ``appeal`` column or a
    # donate link). Indexed by gift_appeal_idx, which holds only the gifts that answer one.
    # No foreign-key constraint in the database (PostgreSQL; migration donors 0029), nor for
    # thanked_by below: checked at commit for every gift written, empty or not (0.13 s per
    # 100,000 imported gifts each). An appeal with gifts still cannot be deleted (Django's
    # PROTECT, and appeals_delete says why).
    appeal = models.ForeignKey(
        "donors.Appeal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        db_index=False,
        db_constraint=False,
    )
    designation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The donor's own words on where it should go.",
        default="",
        db_default="",
    )

    benefit_value = models.DecimalField(
        "value of benefit received",
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="Good-faith fair-market value of goods or services given in return.",
    )
    benefit_description = models.CharField(max_length=300, blank=True)
    benefit_declined = models.BooleanField(
        default=False, help_text="The donor declined the benefit: the whole payment is a gift."
    )
    benefit_is_low_cost_article = models.BooleanField(
        "benefit is a low-cost article",
        default=False,
        help_text=(
            "The benefit is a low-cost article bearing the organization's name or logo (a mug, "
            "a tote bag): disregarded when it cost at most that year's limit and the payment "
            "is at least that year's minimum (2025: $13.60 for $68)."
        ),
        db_default=False,
    )
    non_cash_description = models.TextField(
        blank=True, help_text="Stock or in-kind: what was given. Receipts print no value for it."
    )
    stock_shares = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    stock_issuer = models.CharField(max_length=200, blank=True)

    processor = models.CharField(
        max_length=20, blank=True, help_text="stripe, globalgiving, …", default="", db_default=""
    )
    stripe_payment_id = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        help_text="The payment intent (or the charge where there is none).",
    )
    stripe_charge_id = models.CharField(max_length=255, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, null=True, blank=True)
    card_last4 = models.CharField(
        max_length=4,
        blank=True,
        validators=[last4_validator],
        help_text="Never the full number.",
        default="",
        db_default="",
    )
    external_id = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        help_text="Id from an imported file or a platform report; makes re-imports idempotent.",
    )
    import_fingerprint = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="Imported without an external id: donor, date, amount and method, hashed; "
        "makes re-imports of the same file idempotent.",
    )
    # No foreign-key constraint in the database (PostgreSQL; migration donors 0029): checking
    # it at commit cost a look-up of the same run for every gift an import wrote (about 0.5 s
    # of a 100,000-gift import). Runs are written by the import engines only and never
    # deleted; were one deleted, Django itself (on_delete) would clear its gifts' link.
    import_run = models.ForeignKey(
        "donors.ImportRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="gifts",
        db_constraint=False,
    )
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    net = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # A payment made in another currency (a British donor's pounds): the amount and fee above
    # are the US dollars it settled as; what the donor paid is kept here.
    original_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="Paid in another currency: its code (GBP, CAD). The amount is in US dollars.",
        default="",
        db_default="",
    )
    original_amount = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="What the donor paid, in the original currency.",
    )
    exchange_rate = models.DecimalField(
        max_digits=18,
        decimal_places=9,
        null=True,
        blank=True,
        help_text="US dollars per unit of the original currency, as the processor settled it.",
    )

    pledge = models.ForeignKey(
        "donors.Pledge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        db_index=False,
    )
    recurring_plan = models.ForeignKey(
        "donors.RecurringPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        db_index=False,
    )

    tribute_kind = models.CharField(
        max_length=10,
        choices=TributeKind.choices,
        blank=True,
        default=TributeKind.NONE,
        db_default=TributeKind.NONE,
    )
    tribute_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    tribute_notify_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    tribute_notify_email = models.EmailField(blank=True, default="", db_default="")
    tribute_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the tribute notification was sent."
    )

    # Public support (Form 990 Schedule A Part II); Schedule B lists these gifts all the same.
    earmarked = models.BooleanField(
        "earmarked by a donor",
        default=False,
        help_text="A grant from a governmental unit or publicly supported organization "
        "(GlobalGiving, a DAF sponsor) that a donor earmarked for this organization: public "
        "support holds it to the 2% limit like any donor's gift.",
        db_default=False,
    )
    unusual_grant = models.BooleanField(
        default=False,
        help_text="An unusual grant (large, unexpected, from a disinterested party): left out of "
        "public support and total support (Schedule A Part II line 1).",
        db_default=False,
    )

    # The thank-you queue: a gift waits there until its donor is thanked (donors.services.thanks).
    thanked_at = models.DateTimeField(null=True, blank=True, editable=False)
    thanked_via = models.CharField(
        max_length=10,
        choices=ThankedVia.choices,
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    thanked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="Empty when the system thanked the donor (the email sent at once).",
    )

    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-tax_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gift_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="gift_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(benefit_value__gte=0), name="gift_benefit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="gift_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(original_currency="", original_amount__isnull=True)
                | (~Q(original_currency="") & Q(original_amount__gt=0)),
                name="gift_original_amount_with_currency",
            ),
            models.CheckConstraint(
                condition=~Q(tribute_kind="") | Q(tribute_name=""),
                name="gift_tribute_name_needs_kind",
            ),
            *(
                models.UniqueConstraint(
                    fields=[field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"gift_{field}_unique",
                    violation_error_message=f"Another gift already has this {label}.",
                )
                for field, label in _UNIQUE_IDS
            ),
        ]
        # Indexes on columns most gifts leave empty hold only the gifts that have a value:
        # each index a new gift does not enter is time saved on every insert (an import of
        # 100,000 gifts spent about 0.7 s entering empty values). A lookup by value still
        # uses them; nothing looks gifts up by an empty value.
        indexes = [
            models.Index(fields=["donor", "tax_date"], name="gift_donor_taxdate_idx"),
            # The list's order: a deep page reads only this index (see EstimatedCountPaginator).
            models.Index(fields=["tax_date", "id"], name="gift_taxdate_id_idx"),
            models.Index(
                fields=["campaign", "status"],
                name="gift_campaign_status_idx",
                condition=Q(campaign__isnull=False),
            ),
            models.Index(
                fields=["check_number"], name="gift_check_number_idx", condition=~Q(check_number="")
            ),
            models.Index(
                fields=["appeal", "donor"],
                name="gift_appeal_idx",
                condition=Q(appeal__isnull=False),
            ),
            # Gifts by status, for the statuses that tell them apart (refunded, disputed,
            # failed, pending): a gift that succeeded, nearly every gift, is not entered.
            models.Index(
                fields=["status"], name="gift_status_idx", condition=~Q(status="succeeded")
            ),
            # The thank-you queue's order: only the gifts not yet thanked (a few, whatever the
            # size of the books).
            models.Index(
                fields=["created_at", "id"],
                name="gift_to_thank_idx",
                condition=Q(thanked_at__isnull=True),
            ),
            *(
                models.Index(
                    fields=[field],
                    name=f"gift_{field}_idx",
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field in ("fund", "pledge", "recurring_plan", "stripe_invoice_id")
            ),
        ]

    def __str__(self) -> str:
        amount = f"${self.amount:,.2f}" if self.amount is not None else "A gift"
        return f"{amount} from {self.donor} on {self.gift_date}" if self.donor_id else amount

    def validate_constraints(self, exclude=None) -> None:
        """Skip re-checking the CheckConstraints above in Python: the database enforces them
        on save, and ``gift_problems`` (run by ``clean``) states each of them in words staff
        understand. Django would check each one with a query built from all of the gift's
        fields, which made validating a gift about five times slower. Other constraints are
        still validated as usual; a clash on one of the partial unique ids is reported on its
        field, as a plain ``unique=True`` would be."""
        errors: dict = {}
        using = router.db_for_write(type(self), instance=self)
        unique_ids = {}
        for constraint in self._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                continue
            if constraint.name in _UNIQUE_ID_CONSTRAINTS:
                field = constraint.fields[0]
                if field not in (exclude or ()) and getattr(self, field) is not None:
                    unique_ids[field] = constraint
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude, using=using)
            except ValidationError as error:
                if isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1:
                    error = ValidationError({constraint.fields[0]: error.messages})
                errors = error.update_error_dict(errors)
        for field, message in self._unique_id_clashes(unique_ids, using).items():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def _unique_id_clashes(self, constraints: dict, using: str) -> dict[str, str]:
        """The partial unique ids (Stripe's, the external id, the import fingerprint) this gift
        shares with another, all read in one query. Django would check each constraint with a
        query built from every field of the gift (for a Stripe payment two queries, and most
        of the time of validating it)."""
        if not constraints:
            return {}
        wanted = Q()
        for field in constraints:
            wanted |= Q(**{field: getattr(self, field)})
        others = type(self)._default_manager.using(using).filter(wanted)
        if not self._state.adding and self.pk is not None:
            others = others.exclude(pk=self.pk)
        clashes = {}
        for row in others.order_by().values_list(*constraints):
            for field, value in zip(constraints, row, strict=True):
                if value == getattr(self, field):
                    clashes[field] = str(constraints[field].get_violation_error_message())
        return clashes

    def clean(self) -> None:
        # lazy: donors.rules imports donors.models at load
        from donors.rules import gift_problems

        donor = self.donor if self.donor_id else None
        problems = gift_problems(
            self, donor_kind=donor.kind if donor else None, today=timezone.localdate()
        )
        for field in ("stripe_payment_id", "stripe_charge_id", "stripe_invoice_id", "external_id"):
            if getattr(self, field) == "":
                setattr(self, field, None)
        # A missing amount (the form refused what was typed) leaves nothing to check the
        # pledge's balance against.
        if self.pledge_id and donor and self.amount is not None and "amount" not in problems:
            problems.update(self._pledge_problems(donor))
        if self.recurring_plan_id and donor and self.recurring_plan.donor_id != donor.pk:
            problems["recurring_plan"] = "This monthly plan belongs to another donor."
        if problems:
            raise ValidationError(problems)

    def _pledge_problems(self, donor) -> dict[str, str]:
        # lazy: donors.selectors and donors.money_rules import donors.models at load
        from donors.money_rules import PledgeProblem, pledge_payment_problem
        from donors.selectors import pledge_balance_of

        pledge = self.pledge
        balance = pledge_balance_of(pledge, exclude_gift_id=self.pk)
        problem = pledge_payment_problem(
            pledge_donor_id=pledge.donor_id,
            pledge_status=pledge.status,
            balance=balance,
            donor_id=donor.pk,
            method=self.method,
            amount=self.amount,
        )
        words = {
            PledgeProblem.OTHER_DONOR: "This pledge belongs to another donor.",
            PledgeProblem.CANCELLED: "This pledge was cancelled.",
            PledgeProblem.OVER_BALANCE: f"This payment (${self.amount:,.2f}) is more than the "
            f"pledge's unpaid balance (${balance:,.2f}).",
        }
        return {"pledge": words[problem]} if problem else {}

    @property
    def amount_kept(self):
        """What the organization keeps: the amount less refunds."""
        return kept(self.amount, self.amount_refunded)

    @property
    def original_paid(self) -> str:
        """What the donor paid in another currency ("£100.00"); "" for a dollar gift."""
        if not self.original_currency or self.original_amount is None:
            return ""
        return in_currency(self.original_amount, self.original_currency)


class SoftCredit(models.Model):
    """Recognition without the money: counts toward goals, never toward anyone's tax figures."""

    gift = models.ForeignKey(Gift, on_delete=models.CASCADE, related_name="soft_credits")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="soft_credits")
    kind = models.CharField(max_length=20, choices=SoftCreditKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gift", "donor", "kind"], name="softcredit_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="softcredit_amount_positive"),
        ]

    def __str__(self) -> str:
        amount = f" (${self.amount:,.2f})" if self.amount is not None else ""
        donor = self.donor if self.donor_id else "nobody yet"
        return f"{self.get_kind_display()}: {donor}{amount}"

    def clean(self) -> None:
        # In the gift's add form the gift is not saved yet (no gift_id), but the inline has
        # already attached it: judge against it all the same.
        gift = self.gift if self.gift_id or SoftCredit.gift.is_cached(self) else None
        if gift is None:
            return
        if self.donor_id and gift.donor_id and self.donor_id == gift.donor_id:
            raise ValidationError({"donor": "A gift's own donor already has the hard credit."})
        if self.amount is not None and gift.amount is not None and self.amount > gift.amount:
            raise ValidationError({"amount": "A soft credit cannot be more than the gift."})
