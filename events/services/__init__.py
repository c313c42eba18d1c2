"""Every write to events goes through these functions; views, admin actions, tasks and (later)
the Stripe webhook call them and nothing else writes events, RSVPs, invitations or tickets."""

from events.services.cancellation import (
    cancellation_recipient_count,
    event_cancellation_notices_send,
)
from events.services.checkin import rsvp_check_in, rsvp_check_in_undo, walk_in_add
from events.services.events import event_gift_record, event_save, ticket_type_save
from events.services.invitations import (
    event_reminders_send,
    invitation_send,
    invitations_create,
    invitations_send,
)
from events.services.rsvps import (
    PUBLIC_LINK_DAYS,
    PublicLinkExpired,
    PublicLinkInvalid,
    PublicLinkUsed,
    donor_for_email,
    rsvp_closed_message,
    rsvp_confirm_public,
    rsvp_confirmation_send,
    rsvp_details_save,
    rsvp_public_answer,
    rsvp_public_request_send,
    rsvp_request_public,
    rsvp_submit,
    rsvps_delete,
    seats_taken,
)
from events.services.tickets import (
    DAF_REFUSAL,
    HOLD_LIMIT,
    ticket_checkout_metadata,
    ticket_checkout_start,
    ticket_hold_create,
    ticket_hold_release,
    ticket_purchase_from_checkout,
    ticket_purchase_record,
    ticket_sale_refusal,
    tickets_left,
)

__all__ = [
    "DAF_REFUSAL",
    "HOLD_LIMIT",
    "PUBLIC_LINK_DAYS",
    "PublicLinkExpired",
    "PublicLinkInvalid",
    "PublicLinkUsed",
    "cancellation_recipient_count",
    "donor_for_email",
    "event_cancellation_notices_send",
    "event_gift_record",
    "event_reminders_send",
    "event_save",
    "invitation_send",
    "invitations_create",
    "invitations_send",
    "rsvp_check_in",
    "rsvp_check_in_undo",
    "rsvp_closed_message",
    "rsvp_confirm_public",
    "rsvp_confirmation_send",
    "rsvp_public_answer",
    "rsvp_public_request_send",
    "rsvp_request_public",
    "rsvp_submit",
    "rsvp_details_save",
    "rsvps_delete",
    "seats_taken",
    "ticket_checkout_metadata",
    "ticket_checkout_start",
    "ticket_hold_create",
    "ticket_hold_release",
    "ticket_purchase_from_checkout",
    "ticket_purchase_record",
    "ticket_sale_refusal",
    "ticket_type_save",
    "tickets_left",
    "walk_in_add",
]
