"""The emails and addresses a gift file gives donors it matched, added as extra ones in bulk,
with their audit records."""

from __future__ import annotations

from collections import defaultdict

from donors.db import where_in
from donors.imports.audit import BulkAudit
from donors.imports.resolve import DonorResolver, address_key, chunks
from donors.imports.result import UNCHANGED, UPDATED
from donors.models import DonorAddress, DonorEmail


def contact_additions(rows, resolver: DonorResolver) -> tuple[list[dict], list[dict]]:
    """The emails and addresses the rows give that their matched donors lack, as rows to
    insert: extra ones (primary only for a donor who has none), each once, whatever case or
    spacing the file writes them in. A row that adds one counts as updated, not unchanged."""
    wanted = []
    for row in rows:
        if row.errors or row.donor.is_new:
            continue
        email = row.spec.email
        if email and resolver.has_email(row.donor.id, email):
            email = ""  # the email it was matched by: nothing to look up
        if email or row.spec.address:
            wanted.append((row, email))
    emails, addresses = defaultdict(set), defaultdict(set)
    with_email, with_address = set(), set()
    for part in chunks({r.donor.id for r, _ in wanted}):
        for donor_id, email in where_in(DonorEmail.objects, "donor_id", part).values_list(
            "donor_id", "email"
        ):
            emails[donor_id].add(email.lower())
            with_email.add(donor_id)
        for address in where_in(DonorAddress.objects, "donor_id", part).values(
            "donor_id", "line1", "line2", "city", "postal_code", "country"
        ):
            addresses[address["donor_id"]].add(address_key(address))
            with_address.add(address["donor_id"])
    new_emails, new_addresses = [], []
    for row, email in wanted:
        donor, spec, added = row.donor.id, row.spec, False
        if email and email not in emails[donor]:
            emails[donor].add(email)
            new_emails.append(
                {"donor_id": donor, "email": email, "is_primary": donor not in with_email}
            )
            with_email.add(donor)
            added = True
        if spec.address and address_key(spec.address) not in addresses[donor]:
            addresses[donor].add(address_key(spec.address))
            new_addresses.append(
                {"donor_id": donor, "is_primary": donor not in with_address, **spec.address}
            )
            with_address.add(donor)
            added = True
        if added and row.status == UNCHANGED:
            row.status = UPDATED
    return new_emails, new_addresses


def contacts_logged(run, model, rows: list[dict], ids: list[int]) -> None:
    """The audit records of contact details added in bulk (bulk inserts send no signal to the
    audit log): who imported them, from which import run, as a creation would be recorded."""
    audit = BulkAudit(model, run)
    for row, pk in zip(rows, ids, strict=True):
        audit.created(pk, str(model(**row)), tuple(row), tuple(row.values()))
    audit.write()
