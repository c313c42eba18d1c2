from __future__ import annotations

import dataclasses

from django import forms
from django.core.exceptions import ValidationError

from donors.forms import PlainTextForm
from donors.models import Segment, Tag
from donors.segments import definition_clean
from events.models import Answer, Event
from events.selectors import events_for, guest_lists_for
from events.services import DAF_REFUSAL, GuestDetails


class RSVPForm(PlainTextForm):
    """An answer, with each person of the party: a name (the guests brought), a meal from the
    event's menu (when it has one) and dietary needs. The template shows the people's fields
    together (``guest_rows``), after the answer and party size."""

    answer = forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect)
    party_size = forms.TypedChoiceField(
        coerce=int, label="How many of you, yourself included", initial=1
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["party_size"].choices = [
            (n, str(n)) for n in range(1, event.party_size_limit + 1)
        ]
        self.menu = list(event.menu_choices.all())
        for number in range(1, event.party_size_limit + 1):
            whose = "Your" if number == 1 else f"Guest {number}'s"
            if number > 1:
                self.fields[f"guest_{number}_name"] = forms.CharField(
                    required=False, max_length=200, label=f"{whose} name"
                )
            if self.menu:
                self.fields[f"guest_{number}_meal"] = forms.ModelChoiceField(
                    queryset=event.menu_choices.all(),
                    required=False,
                    empty_label="Choose later",
                    label=f"{whose} meal",
                )
            self.fields[f"guest_{number}_dietary"] = forms.CharField(
                required=False,
                max_length=500,
                label=f"{whose} dietary needs"
                + (" (vegetarian, allergies…)" if number == 1 else ""),
            )

    @property
    def guest_rows(self) -> list[dict]:
        """The people's fields, one group per person."""
        rows = []
        for number in range(1, self.event.party_size_limit + 1):
            names = [f"guest_{number}_{part}" for part in ("name", "meal", "dietary")]
            rows.append(
                {
                    "number": number,
                    "title": "You" if number == 1 else f"Guest {number}",
                    "fields": [self[name] for name in names if name in self.fields],
                }
            )
        return rows

    def main_fields(self):
        return [field for field in self if not field.name.startswith("guest_")]

    def guest_details(self) -> list[GuestDetails]:
        """The party's people as typed, guest 1 (the person answering) first."""
        data = self.cleaned_data
        return [
            GuestDetails(
                name=data.get(f"guest_{number}_name", "") or "",
                meal=data.get(f"guest_{number}_meal"),
                dietary_needs=data.get(f"guest_{number}_dietary", "") or "",
            )
            for number in range(1, self.event.party_size_limit + 1)
        ]

    @staticmethod
    def initial_for(rsvp) -> dict:
        """The form's values for an answer already given."""
        initial = {"answer": rsvp.answer, "party_size": rsvp.party_size}
        for guest in rsvp.guests.all():
            initial[f"guest_{guest.position}_name"] = guest.name
            initial[f"guest_{guest.position}_meal"] = guest.meal_id
            initial[f"guest_{guest.position}_dietary"] = guest.dietary_needs
        return initial


class PublicRSVPForm(RSVPForm):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(
        help_text="We email you a link to confirm your answer: nothing is recorded until you "
        "open it."
    )
    field_order = ["first_name", "last_name", "email", "answer", "party_size"]

    def guest_details(self) -> list[GuestDetails]:
        people = super().guest_details()
        # Guest 1 is the person answering: their own name, as typed above.
        you = f"{self.cleaned_data.get('first_name', '')} {self.cleaned_data.get('last_name', '')}"
        people[0] = dataclasses.replace(people[0], name=you.strip())
        return people


class WalkInForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=1, max_value=50, initial=1)
    dietary_needs = forms.CharField(max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("first_name", "").strip() or cleaned.get("last_name", "").strip()):
            raise forms.ValidationError("Give the guest's name.")
        return cleaned


CHOICE_FIELDS = ("tags", "states", "past_events", "guest_lists", "segments")


class InviteForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(queryset=None, required=False)
    states = forms.CharField(
        required=False, help_text="Two-letter codes separated by commas: IN, CA", max_length=200
    )
    past_events = forms.ModelMultipleChoiceField(
        queryset=None, required=False, help_text="Donors who came (answered yes) to these."
    )
    guest_lists = forms.ModelMultipleChoiceField(queryset=None, required=False)
    segments = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        help_text="Saved donor searches (Segments, in the back office): everyone in them.",
    )
    include_organizations = forms.BooleanField(
        required=False,
        label="Include organizations",
        help_text="Companies, foundations, donor-advised fund sponsors, giving platforms and "
        "government offices. Left unticked, only people and households are invited.",
    )
    confirm = forms.BooleanField(
        required=False, widget=forms.HiddenInput, help_text="Set by the preview's Send button."
    )

    def __init__(self, *args, event: Event, user, **kwargs):
        """``user`` is offered only the past events and guest lists they may see (an
        organizer: the events they organize, their lists and those shared with them)."""
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["past_events"].queryset = events_for(user).exclude(pk=event.pk)
        self.fields["guest_lists"].queryset = guest_lists_for(user)
        if user.has_perm("donors.view_segment"):
            self.fields["segments"].queryset = Segment.objects.all()
        else:  # event organizers see no segments (they are giving history)
            del self.fields["segments"]

    def clean_segments(self):
        segments = self.cleaned_data.get("segments") or []
        for segment in segments:
            try:
                definition_clean(segment.definition)
            except ValidationError as error:
                raise forms.ValidationError(
                    f"The segment “{segment}” has criteria to correct first: "
                    + " ".join(error.messages)
                ) from None
        return segments

    def clean_states(self):
        raw = self.cleaned_data.get("states", "")
        states = [s.strip().upper() for s in raw.replace(";", ",").split(",") if s.strip()]
        bad = [s for s in states if len(s) != 2 or not s.isalpha()]
        if bad:
            raise forms.ValidationError(f"Not a two-letter state code: {', '.join(bad)}")
        return states

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(k) for k in CHOICE_FIELDS):
            raise forms.ValidationError(
                "Choose at least one tag, state, past event, list or segment."
                if "segments" in self.fields
                else "Choose at least one tag, state, past event or list."
            )
        return cleaned


class TicketBuyForm(PlainTextForm):
    """Buying tickets on the public event page; the payment itself is made in Stripe Checkout."""

    ticket_type = forms.ModelChoiceField(queryset=None, empty_label=None, label="Ticket")
    quantity = forms.IntegerField(min_value=1, max_value=20, initial=1, label="How many tickets")
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(help_text="Your confirmation and receipt go here.")
    benefit_declined = forms.BooleanField(
        required=False,
        label="I decline the dinner: the whole payment is a gift",
        help_text="Tick this if you will not attend: the whole payment is then a deductible "
        "gift, and no seat is kept for you.",
    )
    daf = forms.BooleanField(
        required=False,
        label="I am paying from a donor-advised fund (DAF)",
    )

    def __init__(self, *args, event: Event, **kwargs):
        # The RSVP form shares the page and has a first name, last name and email too: ids of
        # their own, so each label (and each error's link) leads to this form's field.
        kwargs.setdefault("auto_id", "id_ticket_%s")
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["ticket_type"].queryset = event.ticket_types.all()
        self.fields["ticket_type"].label_from_instance = lambda t: f"{t.name} (${t.price:,.2f})"

    def clean_daf(self):
        if self.cleaned_data.get("daf"):
            raise forms.ValidationError(
                f"{DAF_REFUSAL} A DAF grant can be a gift to us, but not the price of a ticket."
            )
        return False
