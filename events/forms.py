from __future__ import annotations

from django import forms

from donors.forms import PlainTextForm
from donors.models import Tag
from events.models import Answer, Event
from events.selectors import events_for, guest_lists_for
from events.services import DAF_REFUSAL


class RSVPForm(PlainTextForm):
    answer = forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect)
    party_size = forms.TypedChoiceField(
        coerce=int, label="How many of you, yourself included", initial=1
    )
    guest_names = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Your guests' names",
    )
    dietary_needs = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Dietary needs (vegetarian, allergies…)",
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["party_size"].choices = [
            (n, str(n)) for n in range(1, event.party_size_limit + 1)
        ]


class PublicRSVPForm(RSVPForm):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(
        help_text="We email you a link to confirm your answer: nothing is recorded until you "
        "open it."
    )
    field_order = ["first_name", "last_name", "email", "answer", "party_size"]


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


class InviteForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(queryset=None, required=False)
    states = forms.CharField(
        required=False, help_text="Two-letter codes separated by commas: IN, CA", max_length=200
    )
    past_events = forms.ModelMultipleChoiceField(
        queryset=None, required=False, help_text="Donors who came (answered yes) to these."
    )
    guest_lists = forms.ModelMultipleChoiceField(queryset=None, required=False)
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

    def clean_states(self):
        raw = self.cleaned_data.get("states", "")
        states = [s.strip().upper() for s in raw.replace(";", ",").split(",") if s.strip()]
        bad = [s for s in states if len(s) != 2 or not s.isalpha()]
        if bad:
            raise forms.ValidationError(f"Not a two-letter state code: {', '.join(bad)}")
        return states

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(k) for k in ("tags", "states", "past_events", "guest_lists")):
            raise forms.ValidationError("Choose at least one tag, state, past event or list.")
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
