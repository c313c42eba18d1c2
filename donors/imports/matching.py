"""Which gift already recorded each row of a gift file is: by external_id, else by a fingerprint
of donor, date, amount and method, also when the id came only in a later file (or went away).
Set-based: a few queries per 5,000 rows."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal

from donors.db import where_in
from donors.imports.resolve import chunks
from donors.models import Gift

_CENT = Decimal("0.01")


def fingerprint(donor_id: int, gift_date, amount: Decimal, method: str) -> str:
    key = f"{donor_id}|{gift_date.isoformat()}|{amount.quantize(_CENT)}|{method}"
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def existing_gifts_find(rows, fields: list[str]) -> None:
    """Set ``row.existing`` (the recorded gift's ``fields``, as a dict) of each row without
    errors, when there is one; a row that cannot be told apart gets an error instead.

    A row with an external_id is the gift with that id; failing that, the gift imported
    earlier from the same row without an id (same fingerprint: donor, date, amount, method),
    which then gets the id (a row whose check number is that gift's first). A row without an
    external_id is the gift imported without one with the same fingerprint; failing that, the
    one gift imported with an id that has the same donor, date, amount and method (and check
    number, when the row gives one), whose id it keeps. Two gifts that an id or a check number
    tells apart are never taken for one: a gift is claimed by one row at most, and a row that
    could be either of two recorded gifts is an error (give it its external_id).
    """
    live = [r for r in rows if not r.errors]
    for row in live:
        if not row.donor.is_new:
            row.gift.import_fingerprint = fingerprint(
                row.donor.id, row.gift.gift_date, row.gift.amount, row.gift.method
            )
    with_id = [r for r in live if r.gift.external_id]
    without_id = [r for r in live if not r.gift.external_id and r.gift.import_fingerprint]
    by_external = {}
    for part in chunks({r.gift.external_id for r in with_id}):
        for values in where_in(Gift.objects, "external_id", part).values(*fields):
            by_external[values["external_id"]] = values
    by_print = {}
    prints = {r.gift.import_fingerprint for r in without_id}
    prints |= {r.gift.import_fingerprint for r in with_id if r.gift.external_id not in by_external
               and r.gift.import_fingerprint}  # fmt: skip
    for part in chunks(prints):
        for values in where_in(Gift.objects, "import_fingerprint", part).values(*fields):
            by_print[values["import_fingerprint"]] = values
    claimed = set()
    for row in with_id:
        row.existing = by_external.get(row.gift.external_id)
        if row.existing:
            claimed.add(row.existing["id"])
    for row in without_id:
        found = by_print.get(row.gift.import_fingerprint)
        if found and found["external_id"] is None:  # one with an id: see below
            row.existing = found
            claimed.add(found["id"])
    # Imported first without an id, now with one: the row whose check number is the gift's
    # comes first, then the file's order.
    waiting = [r for r in with_id if r.existing is None and r.gift.import_fingerprint]
    waiting.sort(key=lambda r: r.gift.check_number != (by_print.get(r.gift.import_fingerprint)
                                                        or {}).get("check_number"))  # fmt: skip
    for row in waiting:
        found = by_print.get(row.gift.import_fingerprint)
        if found and found["external_id"] is None and found["id"] not in claimed:
            row.existing = found
            claimed.add(found["id"])
    # Imported first with an id, now without: the gifts with ids of these donors.
    waiting = [r for r in without_id if r.existing is None]
    candidates = defaultdict(list)
    for part in chunks({r.donor.id for r in waiting}):
        for values in (
            where_in(Gift.objects, "donor_id", part)
            .filter(external_id__isnull=False)
            .values(*fields)
        ):
            key = fingerprint(
                values["donor_id"], values["gift_date"], values["amount"], values["method"]
            )
            candidates[key].append(values)
    for row in waiting:
        found = [
            values
            for values in candidates.get(row.gift.import_fingerprint, ())
            if values["id"] not in claimed
            and (not row.gift.check_number or values["check_number"] == row.gift.check_number)
        ]
        if len(found) == 1:
            row.existing = found[0]
            claimed.add(found[0]["id"])
        elif found:
            ids = ", ".join(sorted(v["external_id"] for v in found))
            row.errors.append(
                (
                    "external_id",
                    f"same donor, date, amount and method as "
                    f"{len(found)} gifts already imported (external_id {ids}): give "
                    "this row its external_id",
                )
            )
