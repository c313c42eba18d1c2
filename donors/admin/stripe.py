"""Stripe's events as the webhook stored them, and the "needs attention" list: the events the
books could not record (a payment settled in a currency other than US dollars, an event
that kept failing), each with its reason, until staff say what they did about it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q

from donors.admin.base import AuditedAdmin, ServiceModelForm
from donors.models import StripeEvent
from donors.models.stripe import NEEDS_ATTENTION
from donors.selectors import stripe_events_needing_attention
from donors.services.online import stripe_event_resolve

STATES = {
    "attention": ("Needs attention", NEEDS_ATTENTION),
    "resolved": ("Resolved", ~Q(attention="") & Q(resolved_at__isnull=False)),
    "waiting": ("Waiting", Q(attention="", processed_at__isnull=True)),
    "recorded": ("Recorded", Q(attention="", processed_at__isnull=False)),
}


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in STATES.items()]

    def queryset(self, request, queryset):
        if self.value() == "attention":
            # The staff home's figure counts this same queryset.
            return queryset & stripe_events_needing_attention()
        state = STATES.get(self.value() or "")
        return queryset.filter(state[1]) if state else queryset


class ResolveForm(ServiceModelForm):
    class Meta:
        model = StripeEvent
        fields = ["resolution"]
        labels = {"resolution": "What was done about it"}
        help_texts = {
            "resolution": "Saving marks the event resolved: it leaves the needs attention list, "
            "with your name and these words in its history."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].required = True


@admin.register(StripeEvent)
class StripeEventAdmin(AuditedAdmin):
    list_display = ["received_at", "type", "event_id", "state_shown", "attention_shown"]
    list_filter = [StateFilter, "type"]
    search_fields = ["=event_id"]
    list_per_page = 50
    actions = ["mark_resolved"]
    fields = [
        ("event_id", "type"),
        ("created", "received_at"),
        ("processed_at", "attempts", "next_attempt_at"),
        "last_error",
        "attention",
        ("resolved_at", "resolved_by"),
        "resolution",
        "payload",
    ]
    shown_through = ("resolved_by",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="state")
    def state_shown(self, obj):
        return obj.state

    @admin.display(description="why it needs attention")
    def attention_shown(self, obj):
        text = obj.attention
        return text if len(text) <= 160 else text[:157] + "…"

    def get_readonly_fields(self, request, obj=None):
        names = [n for row in self.fields for n in (row if isinstance(row, tuple) else [row])]
        if obj is not None and obj.needs_attention:
            return [n for n in names if n != "resolution"]
        return names

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.needs_attention:
            kwargs["form"] = ResolveForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data.get("resolution", "") if "resolution" in form.fields else ""
        stripe_event_resolve(event=obj, user=request.user, note=note)

    @admin.action(description="Mark resolved (staff dealt with them)", permissions=["change"])
    def mark_resolved(self, request, queryset):
        done = sum(
            stripe_event_resolve(event=event, user=request.user, note="Marked resolved.")
            for event in queryset.filter(NEEDS_ATTENTION)
        )
        self.message_user(
            request,
            f"{done} events marked resolved."
            if done
            else "None of those events needed attention: nothing changed.",
            messages.SUCCESS if done else messages.WARNING,
        )
