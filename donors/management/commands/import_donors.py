from common.door import entry
from donors.imports.command import ImportCommand
from donors.imports.donors import donors_import


class Command(ImportCommand):
    help = (
        "Import donors from a CSV or XLSX file: donor_* and address columns, phone, tags, "
        "email_opt_in, do_not_solicit, anonymous. Donors are matched by email, then by name and "
        "postal code; a new donor is created only when none matches."
    )
    engine = donors_import
    noun = "donor rows"

    @entry("command import_donors")
    def handle(self, *args, **options):
        return super().handle(*args, **options)
