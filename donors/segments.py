"""Segments: which donors a saved search holds, as one query.

A segment's ``definition`` is a JSON object of criteria, each key one criterion and all of
them met (AND). Each criterion is registered once, here or by an app built on donors (events
registers "attended or RSVPed to an event" in its ``AppConfig.ready``: donors may not import
events), with the function that turns its value into a filter on ``Donor``.

The API the rest of the product uses:

- ``segment_donors(definition)``: the donors, a ``QuerySet[Donor]`` (unordered, distinct);
- ``segment_count(definition)``: how many;
- ``definition_clean(definition)``: the definition checked, or ``ValidationError`` saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from donors.models import Donor


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    # Turns the (checked) value into a Q on Donor.
    to_q: Callable[[Any], Q]
    # Checks and normalizes a value, raising ValidationError with a message for a person.
    clean: Callable[[Any], Any]


CRITERIA: dict[str, Criterion] = {}


def criterion_register(criterion: Criterion) -> None:
    """Add a criterion segments may use. Registering the same key again replaces it."""
    CRITERIA[criterion.key] = criterion


def definition_clean(definition: dict) -> dict:
    """The definition with each value checked and normalized, unknown keys refused."""
    if not isinstance(definition, dict):
        raise ValidationError("A segment's criteria are a set of named conditions.")
    unknown = sorted(set(definition) - set(CRITERIA))
    if unknown:
        raise ValidationError(f"Unknown criteria: {', '.join(unknown)}.")
    cleaned = {}
    errors = {}
    for key, value in definition.items():
        if value in (None, "", [], {}):
            continue
        try:
            cleaned[key] = CRITERIA[key].clean(value)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def segment_donors(definition: dict) -> QuerySet[Donor]:
    """The donors meeting every criterion of ``definition``."""
    definition = definition_clean(definition)
    q = Q()
    for key, value in definition.items():
        q &= CRITERIA[key].to_q(value)
    return Donor.objects.filter(q)


def segment_count(definition: dict) -> int:
    return segment_donors(definition).count()


def _strings(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Give a list of words.")
    return sorted({v.strip() for v in value})


def _ids(value) -> list[int]:
    if not isinstance(value, list):
        value = [value]
    try:
        return sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValidationError("Give a list of record numbers.") from None


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError("Give yes or no.")


criterion_register(
    Criterion(
        "states",
        "State",
        lambda states: Q(addresses__is_primary=True, addresses__region__in=states),
        lambda v: [s.upper() for s in _strings(v)],
    )
)
criterion_register(
    Criterion("tags", "Tagged", lambda ids: Q(tags__in=ids), _ids),
)
criterion_register(
    Criterion("email_opt_in", "Email OK", lambda flag: Q(email_opt_in=flag), _flag),
)
criterion_register(
    Criterion("do_not_solicit", "Do not solicit", lambda flag: Q(do_not_solicit=flag), _flag),
)
