"""Segments at scale: counting saved donor searches over 100,000 donors and 1,000,000 gifts
(PostgreSQL).

Builds the board dashboard's data (bench/dashboard.py: five fiscal years of gifts, campaigns,
funds none, an eight-member board with solicitor credits; every donor's figures and standings
brought up to date by the product's own service), then adds what segments also read: a fund on
a tenth of the gifts, five tags on about 8% of the donors each, email and mail consent refused
by some, and three past events with 3,000 RSVPs each (most checked in). Then times
``segment_count`` (what the builder's count and the segment list show) for several realistic
segments, median and best of 5 after a warm-up. Target: each under one second.

    bench/run segments [--gifts 1000000] [--donors 100000] [--reuse]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import time

from _common import fresh_database, timed


def build_more(rng: random.Random) -> None:
    """Tags, consent, a fund and events on top of the dashboard's data."""
    from django.db import connection
    from django.utils import timezone

    from donors.models import Donor, Fund, Tag
    from events.models import RSVP, Event

    t0 = time.perf_counter()
    donor_ids = list(Donor.objects.values_list("pk", flat=True))
    tags = [Tag.objects.create(name=name) for name in ("gala", "volunteer", "alumni", "press",
                                                         "major-prospect")]  # fmt: skip
    through = Donor.tags.through
    for tag in tags:
        chosen = rng.sample(donor_ids, len(donor_ids) * 8 // 100)
        through.objects.bulk_create(
            (through(donor_id=d, tag_id=tag.pk) for d in chosen), batch_size=10_000
        )
    refused_email = rng.sample(donor_ids, len(donor_ids) * 15 // 100)
    Donor.objects.filter(pk__in=refused_email).update(email_opt_in=False)
    refused_mail = rng.sample(donor_ids, len(donor_ids) * 5 // 100)
    Donor.objects.filter(pk__in=refused_mail).update(mail_opt_in=False)
    Donor.objects.filter(pk__in=rng.sample(donor_ids, 1000)).update(do_not_solicit=True)
    fund = Fund.objects.create(name="Flood relief", is_restricted=True)
    with connection.cursor() as cursor:
        # A tenth of the gifts go to the fund (a bulk fixture write, not the product's path).
        cursor.execute("UPDATE donors_gift SET fund_id = %s WHERE id %% 10 = 3", [fund.pk])
    now = timezone.now()
    for k in range(3):
        starts = now - datetime.timedelta(days=120 * (k + 1))
        event = Event.objects.create(
            name=f"Dinner {k}", slug=f"dinner-{k}", venue="Grand Hall", city="Carmel",
            state="IN", time_zone="America/Indiana/Indianapolis", capacity=5000,
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), status="closed",
        )  # fmt: skip
        guests = rng.sample(donor_ids, 3000)
        RSVP.objects.bulk_create(
            RSVP(
                event=event,
                donor_id=d,
                answer="yes" if i % 10 else "no",
                checked_in_count=1 if i % 10 and i % 4 else 0,
                checked_in_at=starts if i % 10 and i % 4 else None,
            )
            for i, d in enumerate(guests)
        )
    print(f"  tags, consent, fund and events in {time.perf_counter() - t0:.1f} s")


def segments() -> list[tuple[str, dict]]:
    from donors.models import BoardMember, Campaign, Fund, Tag
    from donors.segments import current_fiscal_year
    from events.models import Event

    fy = current_fiscal_year()
    old = list(
        Campaign.objects.filter(slug__in=["appeal-0", "appeal-1"]).values_list("pk", flat=True)
    )
    annual = Campaign.objects.get(slug="annual").pk
    gala = Tag.objects.get(name="gala").pk
    events = list(Event.objects.values_list("pk", flat=True))
    members = list(BoardMember.objects.values_list("pk", flat=True)[:2])
    return [
        ("LYBUNT in Indiana", {"lybunt": True, "states": ["IN"]}),
        ("SYBUNT, email OK, not do-not-solicit",
         {"sybunt": True, "email_opt_in": True, "do_not_solicit": False}),
        ("gave to 2 old appeals, not last fiscal year",
         {"campaigns": old, "not_gave_in_fiscal_year": fy - 1}),
        ("gave to the annual fund this year", {"campaigns": [annual], "gave_in_fiscal_year": fy}),
        ("lifetime $1,000-$5,000, email OK, tagged gala",
         {"lifetime_total": {"min": "1000", "max": "5000"}, "email_opt_in": True,
          "tags": [gala]}),
        ("came to any of 3 events", {"events_attended": events}),
        ("answered yes to an event, in California",
         {"events_rsvp_yes": events, "states": ["CA"]}),
        ("solicited by 2 board members", {"solicited_by": members}),
        ("gave last year by card, ZIP starting 4",
         {"gave_in_fiscal_year": fy - 1, "methods": ["card"], "zip_prefixes": ["4"]}),
        ("largest gift $1,000+, last gift in 2 years, mail OK",
         {"largest_gift": {"min": "1000"},
          "last_gift_date": {"from": (datetime.date.today() - datetime.timedelta(days=730))
                             .isoformat()},
          "mail_opt_in": True}),
        ("gave to the flood fund, first gift 3+ years ago",
         {"funds": [Fund.objects.get(name="Flood relief").pk],
          "first_gift_date": {"to": (datetime.date.today() - datetime.timedelta(days=1095))
                              .isoformat()}}),
        ("every criterion at once (none left)",
         {"lybunt": True, "sybunt": True, "states": ["IN"]}),
    ]  # fmt: skip


def measure() -> None:
    from django.db import connection

    from donors.models import Donor, Gift
    from donors.segments import segment_count

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  {Donor.objects.count():,} donors, {Gift.objects.count():,} gifts\n")
    print(f"  {'segment':52} {'donors':>8} {'median ms':>10} {'best ms':>9}")
    worst = 0.0
    for label, definition in segments():
        count = segment_count(definition)
        median, best = timed(lambda d=definition: segment_count(d), repeat=5)
        worst = max(worst, median)
        print(f"  {label:52} {count:8,} {median:10.1f} {best:9.1f}")
    verdict = "under" if worst < 1000 else "OVER"
    print(f"\n  slowest median {worst:.1f} ms: {verdict} the 1 s target")
    print(f"  load average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gifts", type=int, default=1_000_000)
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="measure the data already built")
    args = parser.parse_args()
    if args.reuse:
        import django

        django.setup()
        print("Segments (PostgreSQL, data reused)")
    else:
        fresh_database()
        print(f"Segments over {args.donors:,} donors and {args.gifts:,} gifts (PostgreSQL)")
        from dashboard import build, refresh_figures

        build(args.donors, args.gifts)
        build_more(random.Random(11))
        refresh_figures()
    measure()


if __name__ == "__main__":
    main()
