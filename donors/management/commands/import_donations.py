from common.door import entry
from donors.imports.command import ImportCommand
from donors.imports.gifts import gifts_import


class Command(ImportCommand):
    help = (
        "Import gifts from a CSV or XLSX file (SPEC's gift columns). Every bad row is reported "
        "with its line and reason; a file with errors imports nothing unless --skip-errors. "
        "Re-importing the same file changes nothing."
    )
    engine = gifts_import
    noun = "gift rows"

    @entry("command import_donations")
    def handle(self, *args, **options):
        return super().handle(*args, **options)
