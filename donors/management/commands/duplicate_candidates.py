import json

from django.core.management.base import BaseCommand

from common.door import entry
from donors.duplicates import THRESHOLD
from donors.selectors import duplicate_candidates, duplicate_donor_pairs


class Command(BaseCommand):
    help = (
        "Print the likely duplicate donors the duplicates page shows: each pair with both "
        f"donors' ids, emails and names, the score (0 to 100, shown from {THRESHOLD}) and the "
        "reasons. Pairs marked as different people are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON list of {score, reasons, first: {id, name, email}, second: {...}}.",
        )

    @entry("command duplicate_candidates")
    def handle(self, *args, **options):
        pairs = [
            {
                "score": row["score"],
                "reasons": row["reasons"],
                **{
                    side: {
                        "id": row[side].pk,
                        "name": str(row[side]),
                        "email": row[side].primary_email or "",
                    }
                    for side in ("first", "second")
                },
            }
            for row in duplicate_donor_pairs(duplicate_candidates())
        ]
        if options["json"]:
            self.stdout.write(json.dumps(pairs, indent=2))
            return

        def donor(side: dict) -> str:
            return f"#{side['id']} {side['name']}" + (
                f" <{side['email']}>" if side["email"] else ""
            )

        for pair in pairs:
            self.stdout.write(
                f"{pair['score']:3d}  {donor(pair['first'])}  ~  {donor(pair['second'])}  "
                f"({'; '.join(pair['reasons'])})"
            )
        self.stdout.write(f"{len(pairs)} likely duplicate pairs.")
