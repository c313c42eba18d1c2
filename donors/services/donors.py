from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from common.door import service
from donors.models import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorKind,
    DonorNotDuplicate,
    Interaction,
    Relationship,
    Tag,
)
from donors.models.base import loaded_relations


def donor_names(donor: Donor) -> tuple[str, str, str]:
    """(display name, sort name, default salutation) made from the donor's name fields."""
    first, last = donor.first_name.strip(), donor.last_name.strip()
    org = donor.organization_name.strip()
    prefix, suffix = donor.prefix.strip(), donor.suffix.strip()
    if donor.kind == DonorKind.PERSON:
        display = " ".join(p for p in (first, last) if p)
        if suffix:
            display = f"{display}, {suffix}"
        sort = ", ".join(p for p in (last, first) if p)
        salutation = " ".join(p for p in (prefix, first if not prefix else "", last) if p)
    elif donor.kind == DonorKind.HOUSEHOLD:
        display = org or " ".join(p for p in (first, last) if p)
        sort = ", ".join(p for p in (last, first) if p) if last else display
        salutation = " ".join(p for p in (prefix, first, last) if p) or display
    else:
        display = org
        sort = org
        salutation = org
    return display, sort.lower(), salutation


@service
@transaction.atomic
def donor_save(*, donor: Donor) -> Donor:
    """Validate and save a donor whose fields were set by a form or a caller."""
    display, sort, salutation = donor_names(donor)
    donor.display_name, donor.sort_name = display, sort
    if donor.pk and donor.salutation.strip():
        # A salutation that was only the default of the old name follows a rename; one that
        # staff wrote themselves is kept.
        before = Donor.objects.filter(pk=donor.pk).first()
        if before is not None and donor.salutation == before.salutation == donor_names(before)[2]:
            donor.salutation = ""
    if not donor.salutation.strip():
        donor.salutation = salutation
    if donor.stripe_customer_id == "":
        donor.stripe_customer_id = None
    donor.full_clean()
    donor.save()
    return donor


@service
@transaction.atomic
def donor_create(
    *,
    kind: str = DonorKind.PERSON,
    first_name: str = "",
    last_name: str = "",
    organization_name: str = "",
    prefix: str = "",
    salutation: str = "",
    email: str | None = None,
    phone: str = "",
    address: dict | None = None,
    tags: Iterable[str] = (),
    time_zone: str = "",
    email_opt_in: bool = True,
    mail_opt_in: bool = True,
    do_not_solicit: bool = False,
    anonymous: bool = False,
    notes: str = "",
    stripe_customer_id: str | None = None,
    public_support_org: bool | None = None,
) -> Donor:
    donor = Donor(
        stripe_customer_id=stripe_customer_id,
        public_support_org=public_support_org,
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        organization_name=organization_name,
        prefix=prefix,
        salutation=salutation,
        phone=phone,
        time_zone=time_zone,
        email_opt_in=email_opt_in,
        mail_opt_in=mail_opt_in,
        do_not_solicit=do_not_solicit,
        anonymous=anonymous,
        notes=notes,
    )
    donor_save(donor=donor)
    if email:
        donor_email_add(donor=donor, email=email)
    if address:
        donor_address_add(donor=donor, **address)
    if tags:
        donor.tags.set([Tag.objects.get_or_create(name=name.strip())[0] for name in tags])
    return donor


def _demote_primary(contacts) -> None:
    # Saved one by one, not update(): each change of primary contact leaves its audit record.
    for contact in contacts:
        contact.is_primary = False
        contact.save(update_fields=["is_primary"])


@service
@transaction.atomic
def donor_email_add(
    *, donor: Donor, email: str, kind: str = DonorEmail.Kind.PERSONAL, primary: bool | None = None
) -> DonorEmail:
    """Add an address (or return the one already there); the first one becomes primary."""
    email = email.strip().lower()
    existing = donor.emails.filter(email=email).first()
    if existing:
        return existing
    if primary is None:
        primary = not donor.emails.filter(is_primary=True).exists()
    if primary:
        _demote_primary(donor.emails.filter(is_primary=True))
    record = DonorEmail(donor=donor, email=email, kind=kind, is_primary=primary)
    record.full_clean(exclude=loaded_relations(record))
    record.save()
    return record


@service
@transaction.atomic
def donor_address_add(
    *,
    donor: Donor,
    line1: str,
    city: str,
    region: str = "",
    postal_code: str = "",
    country: str = "US",
    line2: str = "",
    kind: str = DonorAddress.Kind.HOME,
    primary: bool | None = None,
) -> DonorAddress:
    if primary is None:
        primary = not donor.addresses.filter(is_primary=True).exists()
    if primary:
        _demote_primary(donor.addresses.filter(is_primary=True))
    record = DonorAddress(
        donor=donor,
        kind=kind,
        line1=line1,
        line2=line2,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        is_primary=primary,
    )
    record.full_clean(exclude=loaded_relations(record))
    record.save()
    return record


@service
@transaction.atomic
def donor_contacts_normalize(*, donor: Donor) -> None:
    """After contacts were edited: when none is marked primary, the oldest one is."""
    for related in (donor.emails, donor.addresses):
        if not related.filter(is_primary=True).exists():
            first = related.order_by("id").first()
            if first:
                first.is_primary = True
                first.save(update_fields=["is_primary"])


def _each_deleted(records: Iterable) -> int:
    # One by one, not QuerySet.delete(): each deletion leaves its audit record.
    count = 0
    for record in records:
        record.delete()
        count += 1
    return count


def _validated(record) -> None:
    record.full_clean()
    record.save()


@service
@transaction.atomic
def donors_delete(*, donors: Iterable[Donor]) -> int:
    """Delete donors (one whose gifts or pledges are kept is refused before this, by the
    admin's protected-records check, and by the database if not)."""
    return _each_deleted(donors)


@service
@transaction.atomic
def donor_tags_set(*, donor: Donor, tags: Iterable[Tag]) -> None:
    donor.tags.set(tags)


@service
@transaction.atomic
def donor_contacts_save(
    *, donor: Donor, contacts: Iterable[DonorEmail | DonorAddress], deleted: Iterable = ()
) -> None:
    """Emails or addresses edited together (a donor's page): the removed ones deleted, the
    others validated and saved, those no longer primary first (one primary at a time), and a
    primary chosen when none is left (donor_contacts_normalize)."""
    _each_deleted(deleted)
    for contact in sorted(contacts, key=lambda c: c.is_primary):
        contact.donor = donor
        _validated(contact)
    donor_contacts_normalize(donor=donor)


@service
@transaction.atomic
def relationships_save(
    *, donor: Donor, relationships: Iterable[Relationship], deleted: Iterable[Relationship] = ()
) -> None:
    _each_deleted(deleted)
    for relationship in relationships:
        relationship.from_donor = donor
        _validated(relationship)


@service
@transaction.atomic
def interactions_save(
    *,
    donor: Donor,
    interactions: Iterable[Interaction],
    deleted: Iterable[Interaction] = (),
    user=None,
) -> None:
    """Notes and interactions; a new one is signed by ``user``."""
    _each_deleted(deleted)
    for interaction in interactions:
        interaction.donor = donor
        if interaction.created_by_id is None and user is not None:
            interaction.created_by = user
        _validated(interaction)


@service
@transaction.atomic
def tag_save(*, tag: Tag) -> Tag:
    _validated(tag)
    return tag


@service
@transaction.atomic
def tags_delete(*, tags: Iterable[Tag]) -> int:
    return _each_deleted(tags)


@service
@transaction.atomic
def donors_mark_not_duplicate(*, first: Donor, second: Donor, user=None) -> DonorNotDuplicate:
    """Staff say two donors are different people: the duplicates page leaves the pair out."""
    low, high = sorted((first, second), key=lambda donor: donor.pk)
    mark, _ = DonorNotDuplicate.objects.get_or_create(
        donor_low=low, donor_high=high, defaults={"marked_by": user}
    )
    return mark
