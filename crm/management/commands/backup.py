import json

from django.core.management.base import BaseCommand, CommandError

from crm.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write the whole database to PATH: on PostgreSQL a pg_dump custom-format archive "
        "(pg_dump must be on PATH, the server's major version or newer), on SQLite a copy made "
        "by SQLite's online backup. The app may keep running. The file appears only when "
        "complete; an existing file of that name is replaced then. Restore it with "
        "`manage.py restore PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to write.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    def handle(self, *args, **options):
        try:
            summary = database_backup(options["path"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        else:
            self.stdout.write(
                f"Backed up {summary.tables} tables ({summary.rows:,} rows) to {summary.path} "
                f"({summary.bytes:,} bytes) in {summary.seconds:g} s."
            )
