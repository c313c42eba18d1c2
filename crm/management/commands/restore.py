import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from crm.backups import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup written by `manage.py backup` (of the same "
        "engine: a PostgreSQL backup into PostgreSQL, with pg_restore on PATH; a SQLite one "
        "into SQLite). Every record made since the backup is lost. Stop the web server and "
        "the task cluster first. Asks for confirmation unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to restore.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (scripts; required when there is no terminal).",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    def handle(self, *args, **options):
        if options["interactive"] and not self._confirmed(options["path"]):
            raise CommandError(
                "Restore cancelled: nothing was changed. (To restore without the question, "
                "add --no-input.)"
            )
        try:
            summary = database_restore(options["path"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
            return
        self.stdout.write(
            f"Restored {summary.tables} tables ({summary.rows:,} rows) from {summary.path} "
            f"in {summary.seconds:g} s."
        )
        if summary.unapplied_migrations:
            self.stdout.write(
                f"The backup predates {len(summary.unapplied_migrations)} migration(s) of this "
                f"version: run `manage.py migrate` before starting the app."
            )

    def _confirmed(self, path) -> bool:
        database = connection.settings_dict["NAME"]
        try:
            answer = input(
                f"This replaces every record in the database {database} with the backup "
                f"{path}. Type 'yes' to continue: "
            )
        except EOFError:  # no terminal (CI, cron): never a yes
            self.stderr.write("\nNo answer could be read.")
            return False
        return answer.strip().lower() == "yes"
