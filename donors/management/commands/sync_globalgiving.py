import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.timesince import timesince

from common.door import entry
from donors.progress import globalgiving_latest
from donors.services.globalgiving import globalgiving_sync


class Command(BaseCommand):
    help = (
        "Fetch the GlobalGiving campaign's live figures (funding, goal, number of donations) "
        "and keep them with their time. When the API is down the last good figures stay; the "
        "command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")
        parser.add_argument("--project", action="append", help="Only this project id (repeatable).")

    @entry("command sync_globalgiving")
    def handle(self, *args, **options):
        result = globalgiving_sync(project_ids=options["project"])
        if not result.configured:
            raise CommandError("GlobalGiving is not configured: set GLOBALGIVING_API_KEY.")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self._report(result)
        if not result.fetches:
            raise CommandError(
                "No GlobalGiving project to fetch: set GLOBALGIVING_PROJECT_ID or a campaign's "
                "GlobalGiving project id."
            )
        if not result.ok:
            raise CommandError("GlobalGiving could not be read; the last good figures stay.")

    def _report(self, result):
        live = globalgiving_latest(f.project_id for f in result.fetches)
        now = timezone.now()
        for fetch in result.fetches:
            if fetch.ok:
                self.stdout.write(
                    f"Project {fetch.project_id}: ${fetch.funding:,.2f} of ${fetch.goal:,.2f} "
                    f"from {fetch.donation_count} donations ({fetch.project_status or 'no status'})."
                )
                continue
            kept = live[fetch.project_id]
            since = (
                f"the figures of {timesince(kept.fetched_at, now)} ago stay (${kept.funding:,.2f})"
                if kept.has_figures
                else "no good figures were ever fetched"
            )
            self.stderr.write(f"Project {fetch.project_id}: {fetch.error}; {since}.")
