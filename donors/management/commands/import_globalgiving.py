from django.core.management.base import CommandError

from common.door import entry
from donors.imports import globalgiving
from donors.imports.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import GlobalGiving's partner donation report: one gift per payout from the "
        "GlobalGiving platform donor, each donor behind it a soft credit (platform_donor). "
        "Columns (default header in brackets), remapped with --map FIELD=HEADER: "
        + "; ".join(f"{k} [{v}]" for k, v in globalgiving.DEFAULT_MAPPING.items())
    )
    noun = "donation rows"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="the report's header for one field, e.g. --map payout='Payment Reference'",
        )
        parser.add_argument(
            "--date-format", help="the report's date format if not YYYY-MM-DD, e.g. %%m/%%d/%%Y"
        )

    def run_engine(self, sheet, user, options):
        mapping = {}
        for item in options["map"]:
            field, sep, header = item.partition("=")
            if not sep or field not in globalgiving.DEFAULT_MAPPING:
                raise CommandError(
                    f"--map {item!r}: use FIELD=HEADER with FIELD one of "
                    + ", ".join(globalgiving.DEFAULT_MAPPING)
                )
            mapping[field] = header
        return globalgiving.globalgiving_import(
            sheet=sheet,
            mapping=mapping,
            date_format=options["date_format"],
            user=user,
            dry_run=options["dry_run"],
            skip_errors=options["skip_errors"],
        )

    @entry("command import_globalgiving")
    def handle(self, *args, **options):
        return super().handle(*args, **options)
