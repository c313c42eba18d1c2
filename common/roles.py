"""The four roles of SPEC's role table, as Django groups with model permissions.

``ROLE_PERMISSIONS`` is the single statement of what each role may do in the back office;
``roles_sync`` makes the groups match it exactly, and is safe to run any number of times.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

ADMINISTRATOR = "Administrator"
STAFF = "Staff"
BOARD_MEMBER = "Board member"
EVENT_ORGANIZER = "Event organizer"
ROLES = (ADMINISTRATOR, STAFF, BOARD_MEMBER, EVENT_ORGANIZER)

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)

# Models whose records Staff keep: donors, gifts, pledges, campaigns, the board roster.
_STAFF_MODELS = {
    "donors.donor": ALL,
    "donors.donoremail": ALL,
    "donors.donoraddress": ALL,
    "donors.tag": ALL,
    # Spellings of one name (Mohammed, Muhammad) for the duplicates page.
    "donors.namevariant": ALL,
    "donors.interaction": ALL,
    "donors.relationship": ALL,
    "donors.donoryeartotal": VIEW,
    "donors.gift": ALL,
    "donors.softcredit": ALL,
    "donors.propertyrecord": ALL,
    "donors.campaign": ALL,
    "donors.fund": ALL,
    # Reaching donors: segments and appeals (Staff build and send them).
    "donors.segment": ALL,
    "donors.appeal": ALL,
    "donors.appealrecipient": VIEW,
    # Appeal emails and newsletters: composed, tested and sent (a change), never deleted; who
    # each reached is written by the sending; addresses suppressed by hand, or lifted.
    "donors.mailing": ("view", "add", "change"),
    "donors.mailingrecipient": VIEW,
    "donors.emailsuppression": ("view", "add", "delete"),
    "donors.pledge": ALL,
    "donors.pledgeinstallment": ALL,
    "donors.recurringplan": ALL,
    "donors.giftadjustment": VIEW,
    # Stripe's stored events: Staff resolve the ones that need attention (a change).
    "donors.stripeevent": ("view", "change"),
    # Failed monthly payments (read-only: Stripe's events write them) and the words of the
    # emails their donors get (edited, never added or deleted).
    "donors.paymentfailure": VIEW,
    "donors.dunningtemplate": ("view", "change"),
    "donors.boardmember": ALL,
    "donors.boardgoal": ALL,
    "donors.committee": ALL,
    # The board's asks and the follow-up tasks on donors.
    "donors.ask": ALL,
    "donors.task": ALL,
    "donors.importrun": VIEW,
    "donors.globalgivingfetch": VIEW,
    "auditlog.logentry": VIEW,
    # Receipts: issued (add) and voided, replaced or sent (change), never edited or deleted.
    "compliance.receipt": ("view", "add", "change"),
    "compliance.benefitlimit": ("view", "add", "change"),
    "compliance.emailtemplate": ("view", "change"),
    "compliance.yearendstatement": ("view", "change"),
    "compliance.issuebatch": ("view", "add"),
    "compliance.filingprofile": ("view", "add", "change"),
    "compliance.compliancedeadline": ALL,
    "compliance.thankyouletter": ("view", "add"),
}

# Events: organizers run them (events, tickets, invitations, RSVPs, the door); Staff too, and
# only Staff (and Administrators) record gifts made at an event. Ticket purchases are the one
# kind of money organizers see and record (checks at the door); never changed or deleted here.
_EVENT_MODELS = {
    "events.event": ALL,
    "events.tickettype": ALL,
    "events.table": ALL,
    "events.menuchoice": ALL,
    "events.guestlist": ALL,
    "events.invitation": ALL,
    "events.rsvp": ("view", "change", "delete"),
    # Each person of a party (their meal, their needs): kept on the RSVP's page.
    "events.guest": ALL,
    "events.ticketpurchase": ("view", "add"),
}
_STAFF_MODELS.update(_EVENT_MODELS)
_STAFF_MODELS["events.eventgift"] = ("view", "add")

# Board members see the lists and figures (the asks and tasks of the whole board too), and keep
# only their own goals, asks (those of their seat) and tasks (those they own).
_BOARD_MODELS = {
    "donors.donor": VIEW,
    "donors.donoremail": VIEW,
    "donors.donoraddress": VIEW,
    "donors.tag": VIEW,
    "donors.donoryeartotal": VIEW,
    "donors.gift": VIEW,
    "donors.softcredit": VIEW,
    "donors.propertyrecord": VIEW,
    "donors.campaign": VIEW,
    "donors.fund": VIEW,
    # Segments and appeals' results: seen, never sent.
    "donors.segment": VIEW,
    "donors.appeal": VIEW,
    "donors.appealrecipient": VIEW,
    # Mailings and their results: seen, never composed, tested or sent.
    "donors.mailing": VIEW,
    "donors.mailingrecipient": VIEW,
    "donors.pledge": VIEW,
    "donors.pledgeinstallment": VIEW,
    "donors.recurringplan": VIEW,
    "donors.giftadjustment": VIEW,
    "donors.boardmember": VIEW,
    "donors.boardgoal": VIEW,
    "donors.committee": VIEW,
    "donors.ask": VIEW,
    "donors.task": VIEW,
    "events.event": VIEW,
    "events.tickettype": VIEW,
    "events.rsvp": VIEW,
    "events.guest": VIEW,
    "events.menuchoice": VIEW,
    "events.ticketpurchase": VIEW,
    "events.eventgift": VIEW,
    "compliance.receipt": VIEW,
    "compliance.benefitlimit": VIEW,
    "compliance.yearendstatement": VIEW,
    "compliance.compliancedeadline": VIEW,
    "compliance.thankyouletter": VIEW,
    "compliance.filingprofile": VIEW,
    "donors.globalgivingfetch": VIEW,
}
_BOARD_EXTRA = ["donors.change_own_boardgoal", "donors.change_own_ask", "donors.change_own_task"]

# Event organizers see who people are and how to reach them, never what they gave.
_ORGANIZER_MODELS = {
    "donors.donor": VIEW,
    "donors.donoremail": VIEW,
    "donors.donoraddress": VIEW,
    "donors.tag": VIEW,
    **_EVENT_MODELS,
}


def _codenames(models: dict[str, tuple[str, ...]]) -> list[str]:
    result = []
    for label, actions in models.items():
        app_label, model = label.split(".")
        result.extend(f"{app_label}.{action}_{model}" for action in actions)
    return result


def role_permissions() -> dict[str, set[str]]:
    """Each role's permissions as "app_label.codename" strings."""
    everything = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    return {
        ADMINISTRATOR: everything,
        STAFF: set(_codenames(_STAFF_MODELS)),
        BOARD_MEMBER: set(_codenames(_BOARD_MODELS)) | set(_BOARD_EXTRA),
        EVENT_ORGANIZER: set(_codenames(_ORGANIZER_MODELS)),
    }


@transaction.atomic
def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create the role groups and set their permissions to exactly what the table says."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    counts = {}
    for role, wanted in role_permissions().items():
        missing = sorted(name for name in wanted if name not in by_name)
        if missing:
            raise LookupError(f"role {role!r} names unknown permissions: {', '.join(missing)}")
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_name[name] for name in wanted])
        counts[role] = len(wanted)
    return counts
