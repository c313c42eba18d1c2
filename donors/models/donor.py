import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from common.validators import validate_time_zone
from donors.models.base import CheckedText, PlainConditions

US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP",
}  # fmt: skip


class DonorKind(models.TextChoices):
    PERSON = "person", "Person"
    HOUSEHOLD = "household", "Household"
    COMPANY = "company", "Company"
    FOUNDATION = "foundation", "Foundation"
    DAF_SPONSOR = "daf_sponsor", "Donor-advised fund sponsor"
    PLATFORM = "platform", "Giving platform"
    GOVERNMENT = "government", "Governmental unit"


# Kinds that are governmental units or publicly supported organizations unless the donor's own
# setting says otherwise: their gifts count in full toward public support, never held to the 2%
# limit (Schedule A Part II line 5). GlobalGiving and the DAF sponsors are public charities;
# a foundation is a private one until staff mark it (a community foundation, say).
PUBLIC_SUPPORT_KINDS = frozenset({DonorKind.GOVERNMENT, DonorKind.DAF_SPONSOR, DonorKind.PLATFORM})


def public_support_org_q(prefix: str = "") -> Q:
    """The donors (``prefix`` to reach them from a gift: ``"donor__"``) whose gifts count in
    full toward public support: ``Donor.counts_in_full_for_public_support`` in the database."""
    return Q(**{f"{prefix}public_support_org": True}) | Q(
        **{f"{prefix}public_support_org__isnull": True, f"{prefix}kind__in": PUBLIC_SUPPORT_KINDS}
    )


class Tag(CheckedText, models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Donor(CheckedText, models.Model):
    """Anyone who gives or might: a person, a household or an organization."""

    kind = models.CharField(max_length=20, choices=DonorKind.choices, default=DonorKind.PERSON)
    prefix = models.CharField(max_length=30, blank=True, help_text="Dr., Mr., Ms., Drs.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    suffix = models.CharField(max_length=30, blank=True)
    organization_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="For companies, foundations, fund sponsors, platforms; a household's name.",
    )
    display_name = models.CharField(max_length=300, editable=False)  # searched with icontains
    sort_name = models.CharField(max_length=300, editable=False)
    salutation = models.CharField(
        max_length=200,
        blank=True,
        help_text='How letters address them, e.g. "Drs. Ayesha and Omar Khan". '
        "Left blank, it is made from the name.",
    )
    public_support_org = models.BooleanField(
        "governmental unit or publicly supported organization",
        null=True,
        blank=True,
        choices=[
            (None, "By kind: yes for governmental units, DAF sponsors and giving platforms"),
            (True, "Yes"),
            (False, "No"),
        ],
        help_text="Yes: its gifts count in full toward public support (Schedule A Part II), "
        "unless a gift is marked earmarked by a donor. A public charity such as a community "
        "foundation is one; a private foundation or a company is not.",
    )
    phone = PhoneNumberField(blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Decides the date of card gifts; blank uses the organization's.",
    )
    email_opt_in = models.BooleanField("email OK", default=True)
    mail_opt_in = models.BooleanField("mail OK", default=True)
    do_not_solicit = models.BooleanField(default=False)
    anonymous = models.BooleanField(
        default=False, help_text="Never name them in public lists or acknowledgments."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="donors")
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    notes = models.TextField(blank=True)
    import_run = models.ForeignKey(
        "donors.ImportRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="donors",
        help_text="The import that created this donor, if one did.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Lifetime figures, recomputed by the database whenever a gift changes
    # (donors.services.figures.donor_figures_refresh). Succeeded gifts net of refunds.
    first_gift_date = models.DateField(null=True, blank=True, editable=False)
    # Not indexed, so that rewriting the figures is a HOT update (no index touched; the table
    # keeps room for it, see migration 0013): a list ordered by them sorts 100,000 donors
    # in about 30 ms, as fast as it read the index.
    last_gift_date = models.DateField(null=True, blank=True, editable=False)
    lifetime_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    largest_gift = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    gift_count = models.PositiveIntegerField(default=0, editable=False)
    years_given = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(Lower("last_name"), "first_name", name="donor_name_idx"),
            # The list's order: a deep page reads only this index (see EstimatedCountPaginator).
            models.Index(fields=["sort_name", "id"], name="donor_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Donor {self.pk}"

    @property
    def is_organization(self) -> bool:
        return self.kind in {
            DonorKind.COMPANY,
            DonorKind.FOUNDATION,
            DonorKind.DAF_SPONSOR,
            DonorKind.PLATFORM,
            DonorKind.GOVERNMENT,
        }

    @property
    def counts_in_full_for_public_support(self) -> bool:
        if self.public_support_org is not None:
            return self.public_support_org
        return self.kind in PUBLIC_SUPPORT_KINDS

    def clean(self) -> None:
        if self.kind == DonorKind.PERSON:
            if not (self.first_name.strip() or self.last_name.strip()):
                raise ValidationError({"last_name": "A person needs a first or last name."})
        elif not self.organization_name.strip() and not (
            self.kind == DonorKind.HOUSEHOLD and self.last_name.strip()
        ):
            raise ValidationError(
                {"organization_name": f"A {self.get_kind_display().lower()} needs a name."}
            )


class DonorEmail(PlainConditions, CheckedText, models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["donor", "email"], name="donoremail_unique"),
            models.UniqueConstraint(
                fields=["donor"], condition=Q(is_primary=True), name="donoremail_one_primary"
            ),
        ]
        indexes = [models.Index(fields=["email"], name="donoremail_email_idx")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()


class DonorAddress(PlainConditions, CheckedText, models.Model):
    class Kind(models.TextChoices):
        HOME = "home", "Home"
        WORK = "work", "Work"
        MAILING = "mailing", "Mailing"
        OTHER = "other", "Other"

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(
        "state / province", max_length=100, blank=True, help_text="Two letters in the US: IN, CA."
    )
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(default="US")
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["donor"], condition=Q(is_primary=True), name="donoraddress_one_primary"
            ),
        ]
        indexes = [
            models.Index(fields=["region"], name="donoraddress_region_idx"),
            models.Index(fields=["postal_code"], name="donoraddress_postal_idx"),
        ]

    def __str__(self) -> str:
        parts = [self.line1, self.line2, self.city, f"{self.region} {self.postal_code}".strip()]
        if self.country != "US":
            parts.append(self.country.name)
        return ", ".join(p for p in parts if p)

    def clean(self) -> None:
        errors = {}
        if self.country == "US":
            self.region = (self.region or "").strip().upper()
            if self.region not in US_STATES:
                errors["region"] = "Use the two-letter state code, such as IN or CA."
            digits = (self.postal_code or "").strip()
            if not re.fullmatch(r"\d{5}(-\d{4})?", digits):
                errors["postal_code"] = "A US ZIP code is five digits, or ZIP+4 as 46204-1234."
        if errors:
            raise ValidationError(errors)


class DonorYearTotal(models.Model):
    """What a donor gave in one calendar (tax) year; kept by the gift services."""

    # Indexed by donoryeartotal_unique (donor, year), which serves donor look-ups too. No
    # foreign-key constraint in the database (PostgreSQL; migration donors 0029), as for the
    # standings: checking it at commit re-read a donor row for every yearly row the figures
    # refresh wrote (about 0.5 s of a 100,000-gift import) for rows written from that donor's
    # own gifts. Deleting a donor still deletes them (Django's cascade).
    donor = models.ForeignKey(
        Donor,
        on_delete=models.CASCADE,
        related_name="year_totals",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    gift_count = models.PositiveIntegerField()
    first_gift_date = models.DateField()
    last_gift_date = models.DateField()
    largest_gift = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["donor", "year"], name="donoryeartotal_unique"),
        ]
        indexes = [models.Index(fields=["year", "donor"], name="donoryeartotal_year_idx")]

    def __str__(self) -> str:
        return f"{self.donor} {self.year}: {self.total}"


class Interaction(CheckedText, models.Model):
    """A note, call, meeting or letter: the donor's story beyond their gifts."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    occurred_on = models.DateField()
    summary = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class Relationship(CheckedText, models.Model):
    """A tie between two donors, read as "<from_donor> is <kind> <to_donor>"."""

    class Kind(models.TextChoices):
        SPOUSE = "spouse", "spouse of"
        PARTNER = "partner", "partner of"
        HOUSEHOLD_MEMBER = "household_member", "member of household"
        EMPLOYEE = "employee", "employee of"
        BOARD_MEMBER = "board_member", "board member of"
        PARENT = "parent", "parent of"
        CHILD = "child", "child of"
        SIBLING = "sibling", "sibling of"
        ADVISOR = "advisor", "fund advisor at"
        OTHER = "other", "related to"

    from_donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    to_donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_donor", "kind", "to_donor"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_donor=models.F("to_donor")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_donor} is {self.get_kind_display()} {self.to_donor}"


class DonorNotDuplicate(models.Model):
    """Two donors staff looked at and said are different people: the duplicates page leaves
    the pair out from then on. Stored with the lower id first."""

    donor_low = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    donor_high = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["donor_low", "donor_high"], name="notduplicate_unique"),
            models.CheckConstraint(
                condition=Q(donor_low__lt=models.F("donor_high")), name="notduplicate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_low_id} and {self.donor_high_id} are different donors"
