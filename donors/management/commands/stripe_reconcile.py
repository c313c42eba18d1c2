import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from common.door import entry
from donors.stripe.client import StripeUnavailable
from donors.stripe.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "List Stripe's charges and refunds since a date, record what the webhooks missed, and "
        "print every difference between Stripe and the books."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="YYYY-MM-DD (organization's time zone)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    @entry("command stripe_reconcile")
    def handle(self, *args, since: str, json: bool = False, **options):
        try:
            day = datetime.date.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since {since!r} is not a date such as 2026-01-31.") from None
        try:
            result = reconcile(since=day)
        except StripeUnavailable as exc:
            raise CommandError(f"Stripe could not be read: {exc}") from None
        if json:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(
            f"Since {result['since']}: {result['charges']} charges and {result['refunds']} "
            f"refunds at Stripe; {result['recorded']} recorded now."
        )
        for item in result["differences"]:
            self.stdout.write(f"- {item['kind']}: {item['message']}")
        if not result["differences"]:
            self.stdout.write("Stripe and the books agree.")


def _dumps(value) -> str:
    return json.dumps(value, indent=2, default=str)
