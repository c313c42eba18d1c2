"""Guests as people: each person of a party with their meal from the event's menu and their
dietary needs, and the seating chart (a party at a table, never more people than seats)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from common.door import service
from events.models import RSVP, Answer, Event, Guest, MenuChoice, Table


@dataclasses.dataclass(frozen=True)
class GuestDetails:
    """One person of a party as a form gives them: guest 1 is the person who answered (a blank
    name stands for theirs)."""

    name: str = ""
    meal: MenuChoice | None = None
    dietary_needs: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.meal or self.dietary_needs.strip())


@service
@transaction.atomic
def menu_choice_save(*, menu_choice: MenuChoice) -> MenuChoice:
    menu_choice.full_clean()
    menu_choice.save()
    return menu_choice


@service
@transaction.atomic
def menu_choice_delete(*, menu_choice: MenuChoice) -> None:
    """Take a meal off the menu: the guests who chose it are left with no meal chosen."""
    menu_choice.delete()


@service
@transaction.atomic
def guest_save(*, guest: Guest) -> Guest:
    """Save one person of a party (the admin's RSVP page)."""
    guest.name = guest.name.strip()
    guest.dietary_needs = guest.dietary_needs.strip()
    guest.full_clean()
    guest.save()
    return guest


@service
@transaction.atomic
def guest_delete(*, guest: Guest) -> None:
    guest.delete()


@service
@transaction.atomic
def guests_set(*, rsvp: RSVP, guests: Sequence[GuestDetails]) -> list[Guest]:
    """The party's people as a form lists them, guest 1 first: each position gets its row
    (changed only where it differs, so the audit trail shows what changed), a blank one has
    none, and rows beyond the party size go."""
    # Guest 1 stays first; the guests named after them close up (a blank row between is none).
    guests = [guests[0] if guests else GuestDetails(), *(g for g in guests[1:] if not g.blank)]
    if len(guests) > rsvp.party_size:
        brought = len(guests) - 1
        raise ValidationError(
            {
                "party_size": f"You named {_plural(brought, 'guest')} for a party of "
                f"{rsvp.party_size}: choose a party of {len(guests)} or leave a guest "
                "out."
            }  # fmt: skip
        )
    current = {guest.position: guest for guest in rsvp.guests.select_for_update()}
    kept = []
    for position, details in enumerate(guests[: rsvp.party_size], start=1):
        guest = current.pop(position, None)
        if details.blank:
            if guest is not None:
                guest.delete()
            continue
        guest = guest or Guest(rsvp=rsvp, position=position)
        wanted = (details.name.strip(), details.meal.pk if details.meal else None,
                  details.dietary_needs.strip())  # fmt: skip
        if guest.pk and (guest.name, guest.meal_id, guest.dietary_needs) == wanted:
            kept.append(guest)
            continue
        guest.name, guest.meal, guest.dietary_needs = (
            details.name,
            details.meal,
            details.dietary_needs,
        )
        kept.append(guest_save(guest=guest))
    for extra in current.values():
        extra.delete()
    return kept


@service
@transaction.atomic
def guests_trim(*, rsvp: RSVP) -> int:
    """A party got smaller (or said no): the people beyond its size go."""
    count = 0
    # A 'no' brings nobody; a party waiting for seats keeps its guests.
    keep = 1 if rsvp.answer == Answer.NO else rsvp.party_size
    for guest in rsvp.guests.filter(position__gt=keep):
        guest.delete()  # one by one: each leaves its own audit record
        count += 1
    return count


@service
def guest_names_as_details(*, rsvp: RSVP | None, names: str) -> list[GuestDetails]:
    """Guests named one a line (an import's guest_names column), as the party's people: guest 1
    as recorded, and a guest whose name is unchanged keeps their meal and needs."""
    current = {g.position: g for g in rsvp.guests.all()} if rsvp and rsvp.pk else {}
    first = current.get(1)
    details = [
        GuestDetails(first.name, first.meal, first.dietary_needs) if first else GuestDetails()
    ]
    for position, name in enumerate(
        (line.strip() for line in names.splitlines() if line.strip()), start=2
    ):
        same = current.get(position)
        if same is not None and same.name == name:
            details.append(GuestDetails(name, same.meal, same.dietary_needs))
        else:
            details.append(GuestDetails(name))
    return details


# --- Seating ---------------------------------------------------------------------------------


@service
def seated_at(table: Table, *, exclude_id: int | None = None) -> int:
    """People of confirmed parties seated at the table."""
    return table.seated(exclude_id=exclude_id)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@service
def table_seat_check(*, rsvp: RSVP, table: Table, party_size: int | None = None) -> None:
    """Refuse, with the figures, a party the table has no room for."""
    if table.event_id != rsvp.event_id:
        raise ValidationError({"table": "That table belongs to another event."})
    size = party_size or rsvp.party_size
    left = table.seats - seated_at(table, exclude_id=rsvp.pk)
    if size > left:
        left_text = "no seats left" if left <= 0 else f"{_plural(left, 'seat')} left"
        raise ValidationError(
            {"table": f"{table.name} has {left_text}; {rsvp.party_name} is {size}."}
        )


@service
@transaction.atomic
def rsvp_table_set(*, rsvp: RSVP, table: Table | None) -> RSVP:
    """Seat a confirmed party at a table (the seating chart), or take it off its table (None).
    Refused, with the figures, when the table has too few seats left."""
    # One seating change at a time per event: two organizers cannot fill one seat twice.
    Event.objects.select_for_update().filter(pk=rsvp.event_id).first()
    rsvp = RSVP.objects.select_related("donor").get(pk=rsvp.pk)
    if table is not None:
        table = Table.objects.get(pk=table.pk)
        if not rsvp.confirmed:
            party = rsvp.party_name
            raise ValidationError({"table": f"{party[0].upper()}{party[1:]} is not confirmed."})
        table_seat_check(rsvp=rsvp, table=table)
    if rsvp.table_id != (table.pk if table else None):
        rsvp.table = table
        rsvp.save(update_fields=["table"])
    return rsvp


__all__ = [
    "GuestDetails",
    "guest_delete",
    "guest_names_as_details",
    "guest_save",
    "guests_set",
    "guests_trim",
    "menu_choice_delete",
    "menu_choice_save",
    "rsvp_table_set",
    "seated_at",
    "table_seat_check",
]
