"""Merging two records of one donor into the survivor.

Every record that points at the other donor moves to the survivor. The relations are found
through the donor's reverse relations, hidden ones (``related_name="+"``) included, so models
added later (RSVPs, receipts, letters, notices) move too without registering.

A model whose rows must never change (an issued receipt or statement) says so with a class
attribute ``donor_merge_pointer_only = True``: its rows move by their donor pointer alone, in
one UPDATE of that column (nothing they printed, their number or verification code changes),
each with an audit record of the move; ``donor_merge_origin_field`` names a column that keeps
the pk of the donor a document was issued to. Unique constraints of such a model must allow
both donors' documents to stay (the statements' one-per-year rule counts by that origin).

A model whose unique rows say a thing happened to a donor once (a cancellation notice per
event) sets ``donor_merge_drop_clashes = True``: where both donors have such a row, the
survivor's stays and the other's goes, instead of the merge being refused.

Every record a merge moves has an audit entry of its own: its donor, the other's pk → the
survivor's, with who merged (common.audit); rows moved by one UPDATE get theirs in one insert.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ForeignObjectRel

from common.audit import audit_origin, log_bulk
from common.door import service
from donors.models import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorNotDuplicate,
    DonorStanding,
    DonorYearTotal,
    Relationship,
    SoftCredit,
)
from donors.services.donors import donor_save
from donors.services.figures import donor_figures_refresh

# Filled from the other donor when the survivor has nothing there.
_FILLED = [
    "prefix", "first_name", "last_name", "suffix", "organization_name", "salutation", "phone",
    "time_zone", "stripe_customer_id",
]  # fmt: skip


def _contacts_move(model, survivor: Donor, other: Donor, key) -> None:
    mine = {key(c) for c in model.objects.filter(donor=survivor)}
    has_primary = model.objects.filter(donor=survivor, is_primary=True).exists()
    for contact in model.objects.filter(donor=other):
        if key(contact) in mine:
            contact.delete()
            continue
        contact.donor = survivor
        if has_primary:
            contact.is_primary = False
        has_primary = has_primary or contact.is_primary
        contact.save(update_fields=["donor", "is_primary"])  # audited one by one: contact data


def _relationships_move(survivor: Donor, other: Donor) -> None:
    Relationship.objects.filter(from_donor=other, to_donor=survivor).delete()
    Relationship.objects.filter(from_donor=survivor, to_donor=other).delete()
    for field in ("from_donor", "to_donor"):
        opposite = "to_donor" if field == "from_donor" else "from_donor"
        existing = set(
            Relationship.objects.filter(**{field: survivor}).values_list("kind", opposite)
        )
        for relation in Relationship.objects.filter(**{field: other}):
            if (relation.kind, getattr(relation, f"{opposite}_id")) in existing:
                relation.delete()
            else:
                setattr(relation, field, survivor)
                relation.save(update_fields=[field])


def _not_duplicate_marks_move(survivor: Donor, other: Donor) -> None:
    """Staff said the other and a third donor are different people: so are the survivor and
    that third donor. A mark between the two merged donors goes."""
    for mark in DonorNotDuplicate.objects.filter(
        models.Q(donor_low=other) | models.Q(donor_high=other)
    ):
        partner = mark.donor_high_id if mark.donor_low_id == other.pk else mark.donor_low_id
        mark.delete()
        if partner != survivor.pk:
            low, high = sorted([survivor.pk, partner])
            DonorNotDuplicate.objects.get_or_create(donor_low_id=low, donor_high_id=high)


def _soft_credits_move(survivor: Donor, other: Donor) -> None:
    # A soft credit on the survivor's own gift would credit them twice; one the survivor
    # already has on the same gift is a duplicate.
    SoftCredit.objects.filter(donor=other, gift__donor=survivor).delete()
    mine = set(SoftCredit.objects.filter(donor=survivor).values_list("gift_id", "kind"))
    for credit in SoftCredit.objects.filter(donor=other):
        if (credit.gift_id, credit.kind) in mine:
            credit.delete()
        else:
            credit.donor = survivor
            credit.save(update_fields=["donor"])


_SPECIAL = {
    DonorEmail: lambda s, o: _contacts_move(DonorEmail, s, o, lambda c: c.email),
    DonorAddress: lambda s, o: _contacts_move(
        DonorAddress, s, o, lambda c: (c.line1.lower().strip(), c.postal_code[:5], c.country)
    ),
    Relationship: _relationships_move,
    SoftCredit: _soft_credits_move,
    DonorYearTotal: lambda s, o: DonorYearTotal.objects.filter(donor=o).delete(),
    # Figures like the yearly totals: the survivor's are counted again after the merge.
    DonorStanding: lambda s, o: DonorStanding.objects.filter(donor=o).delete(),
    DonorNotDuplicate: _not_duplicate_marks_move,
}


def _donor_relations() -> list[ForeignObjectRel]:
    """Every relation that points at a donor, hidden ones (``related_name="+"``) included."""
    return [
        f for f in Donor._meta.get_fields(include_hidden=True) if isinstance(f, ForeignObjectRel)
    ]


def _clashing_rows(rel, *, survivor: Donor, other: Donor):
    """The other's rows of ``rel`` that a unique constraint would not let point at the
    survivor too, with the constraint's other fields; one (query, fields) per constraint."""
    model, name = rel.related_model, rel.field.name
    manager = model._default_manager
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        fields = list(constraint.fields)
        if name not in fields or len(fields) < 2:
            continue
        rest = [f for f in fields if f != name]
        mine = set(manager.filter(**{name: survivor}).values_list(*rest))
        theirs = [
            values
            for values in manager.filter(**{name: other}).values_list(*rest)
            if values in mine
        ]
        if theirs:
            clash = models.Q()
            for values in theirs:
                clash |= models.Q(**dict(zip(rest, values, strict=True)))
            yield manager.filter(**{name: other}).filter(clash), rest


def _moved_rows(model, field: str, *, other: Donor, survivor: Donor) -> list:
    """The other's rows of ``model`` about to move, read once for their audit entries, each
    showing the survivor already (its name is what the entry shows)."""
    related = [f.name for f in model._meta.concrete_fields if f.many_to_one and f.name != field]
    rows = model._default_manager.filter(**{field: other}).select_related(*related)
    rows = list(rows.order_by("pk"))
    for row in rows:
        setattr(row, field, survivor)
    return rows


def _moves_log(rows: list, field: str, *, other: Donor, survivor: Donor, **extra) -> None:
    """One audit entry per moved row, written in one insert: its donor, old pk → new."""
    log_bulk(rows, changes={field: [str(other.pk), str(survivor.pk)], **extra})


def _documents_repoint(model, field: str, *, survivor: Donor, other: Donor) -> int:
    """Move issued documents to the survivor by their donor pointer only: a queryset UPDATE of
    that one column (and of the origin column, once), never a save of the document, so what
    was issued (snapshot, amounts, number, PDF, verification code) stays byte for byte. Each
    move is audited on the document."""
    rows = model._default_manager.filter(**{field: other})
    documents = _moved_rows(model, field, other=other, survivor=survivor)
    if not documents:
        return 0
    origin = getattr(model, "donor_merge_origin_field", None)
    if origin:  # the first donor it was issued to stays named through later merges
        rows.filter(**{f"{origin}__isnull": True}).update(**{origin: other.pk})
    count = rows.update(**{field: survivor})
    _moves_log(
        documents, field, other=other, survivor=survivor,
        reason=["", "donor merge (nothing printed changed)"],
    )  # fmt: skip
    return count


def _donor_links_move(rel, *, survivor: Donor, other: Donor) -> int:
    """A many-to-many to donors (a guest list's donors): the other's links go to the survivor
    (or go, where the survivor is linked already); each record changed is audited."""
    through = rel.through
    source = rel.field.m2m_reverse_field_name()
    target = rel.field.m2m_field_name()
    rows = through.objects.filter(**{source: other})
    changed = list(rel.related_model._default_manager.filter(pk__in=rows.values(f"{target}_id")))
    have = set(through.objects.filter(**{source: survivor}).values_list(f"{target}_id", flat=True))
    rows.filter(**{f"{target}_id__in": have}).delete()
    count = rows.update(**{source: survivor})
    log_bulk(changed, changes={rel.field.name: [str(other.pk), str(survivor.pk)]})
    return count


def merge_blockers(*, survivor: Donor, other: Donor) -> list[str]:
    """Why these two cannot be merged this way round, in words; empty when they can."""
    problems = []
    if survivor.pk == other.pk:
        problems.append("A donor cannot be merged into itself.")
    for rel in _donor_relations():
        model = rel.related_model
        if (
            rel.one_to_many
            and model not in _SPECIAL  # those merge their clashes themselves
            and not getattr(model, "donor_merge_drop_clashes", False)
        ):
            problems += _unique_clashes(rel, survivor=survivor, other=other)
        if rel.one_to_one and model not in _SPECIAL:
            theirs = model._default_manager.filter(**{rel.field.name: other}).exists()
            mine = model._default_manager.filter(**{rel.field.name: survivor}).exists()
            if theirs and mine:
                problems.append(
                    f"Both donors have a {model._meta.verbose_name}: remove one before merging."
                )
    return problems


def _unique_clashes(rel, *, survivor: Donor, other: Donor) -> list[str]:
    """Rows that could not both point at the survivor: a unique constraint of the related model
    (one RSVP per donor and event, say) that both donors' rows share, said in words instead of
    failing in the database."""
    model = rel.related_model
    problems = []
    for _rows, rest in _clashing_rows(rel, survivor=survivor, other=other):
        what = ", ".join(str(model._meta.get_field(f).verbose_name) for f in rest)
        problems.append(
            f"Both donors have a {model._meta.verbose_name} for the same {what}: "
            "remove one of the two before merging."
        )
    return problems


@service
@transaction.atomic
def donors_merge(*, survivor: Donor, other: Donor, user=None) -> Donor:
    """Move everything of ``other`` to ``survivor``, keep the richer contact data and the more
    careful communication preferences, delete ``other``; audited."""
    problems = merge_blockers(survivor=survivor, other=other)
    if problems:
        raise ValidationError(problems)
    # Every entry of the merge names the user and the merge (the bulk ones too: common.audit).
    with audit_origin(f"merge of donor {other.pk} into {survivor.pk}", actor=user):
        moved: dict[str, int] = {}
        special_done = set()
        for rel in _donor_relations():
            model = rel.related_model
            if rel.many_to_many:
                count = _donor_links_move(rel, survivor=survivor, other=other)
                moved[str(model._meta.verbose_name_plural)] = count
                continue
            if getattr(model, "donor_merge_pointer_only", False):
                count = _documents_repoint(model, rel.field.name, survivor=survivor, other=other)
                if count:
                    moved[str(model._meta.verbose_name_plural)] = count
                continue
            if model in _SPECIAL:  # once per model, whichever of its fields comes first
                if model not in special_done:
                    special_done.add(model)
                    _SPECIAL[model](survivor, other)
                continue
            if getattr(model, "donor_merge_drop_clashes", False):
                for clashing, _rest in _clashing_rows(rel, survivor=survivor, other=other):
                    clashing.delete()
            rows = model._default_manager.filter(**{rel.field.name: other})
            records = _moved_rows(model, rel.field.name, other=other, survivor=survivor)
            count = rows.update(**{rel.field.name: survivor})
            _moves_log(records, rel.field.name, other=other, survivor=survivor)
            if count:
                label = str(model._meta.verbose_name_plural)
                moved[label] = moved.get(label, 0) + count
        for field in Donor._meta.many_to_many:
            getattr(survivor, field.name).add(*getattr(other, field.name).all())

        other_values = {f: getattr(other, f) for f in _FILLED}
        other_label = f"{other} (#{other.pk})"
        if other.notes.strip():
            survivor.notes = "\n\n".join(
                p for p in (survivor.notes.strip(), other.notes.strip()) if p
            )
        # Consent: the more careful choice of the two wins.
        survivor.email_opt_in = survivor.email_opt_in and other.email_opt_in
        survivor.mail_opt_in = survivor.mail_opt_in and other.mail_opt_in
        survivor.do_not_solicit = survivor.do_not_solicit or other.do_not_solicit
        survivor.anonymous = survivor.anonymous or other.anonymous
        other.delete()
        for field, value in other_values.items():
            if value and not getattr(survivor, field):
                setattr(survivor, field, value)
        donor_save(donor=survivor)
        LogEntry.objects.log_create(
            survivor,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"merged": [other_label, f"moved: {moved}"]},
        )
    donor_figures_refresh(donor_ids=[survivor.pk])
    return survivor
