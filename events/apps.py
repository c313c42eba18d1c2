from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # lazy: events.audit and events.services import models, and Django imports apps.py
        # before they exist.
        from donors.stripe.kinds import checkout_kind_register
        from events import audit, segments
        from events.services import tickets

        audit.register()
        # Segments' criteria on events (donors.segments: donors may not import events).
        segments.register()
        # Paid tickets reach the books through the donors app's Stripe webhook, which knows
        # nothing of events: it hands sessions of this kind to the functions registered here.
        checkout_kind_register(
            tickets.CHECKOUT_KIND,
            completed=lambda session: tickets.ticket_purchase_from_checkout(session=session),
            expired=tickets.ticket_checkout_expired,
        )
