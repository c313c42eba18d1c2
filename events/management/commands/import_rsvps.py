from common.door import entry
from donors.imports.command import ImportCommand
from events.imports import rsvps_import


class Command(ImportCommand):
    help = (
        "Import RSVPs from a CSV or XLSX file: event (the event's slug), donor_email and/or "
        "donor_first_name and donor_last_name, answer (yes, no, maybe), party_size, guest_names, "
        "dietary_needs, table. Each answer goes through the RSVP rules (capacity, waitlist, "
        "party-size limit, deadline); importing the same file again changes nothing."
    )
    engine = rsvps_import
    noun = "RSVP rows"
    handle = entry("command import_rsvps")(ImportCommand.handle)
