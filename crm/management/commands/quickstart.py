"""python manage.py quickstart: from a fresh checkout to a back office with demo data."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from common.door import entry
from common.roles import roles_sync
from crm import demo
from donors.models import Donor, Gift

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Set up a working back office in one step: apply the database migrations, create the "
        "role groups (Administrator, Staff, Board member, Event organizer), the organization "
        "profile, the MSP demo data (about 400 donors and three years of gifts, pledges, "
        "monthly plans, the dinners, the GlobalGiving campaign and the board) and one demo "
        "login per role, then print the URL and the logins. Safe to run again: nothing that "
        "exists is changed or duplicated. The demo passwords are fixed and printed, so use "
        "them for a demo only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Create the roles, the organization profile and the logins; no donors or gifts.",
        )
        parser.add_argument(
            "--serve",
            action="store_true",
            help="Then start the development server and a django-q2 task cluster "
            "(manage.py qcluster, in the background; stopped with the server).",
        )
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help=f"Where --serve listens (default {DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON summary on standard output (the messages go to standard error).",
        )

    def handle(self, *args, **options):
        # With --json, standard output carries only the JSON document.
        say = self.stderr.write if options["json"] else self.stdout.write
        verbosity = options["verbosity"]
        summary: dict = {"url": _url(options["addrport"], "/admin/")}

        say("Applying database migrations…")
        call_command(
            "migrate",
            interactive=False,
            verbosity=max(verbosity - 1, 0),
            stdout=self.stderr if options["json"] else self.stdout,
        )
        counts = roles_sync()
        say("Roles: " + ", ".join(f"{role} ({n} permissions)" for role, n in counts.items()))
        self._set_up(say, summary, options)
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        if options["serve"]:
            self._serve(options["addrport"], say, quiet_stdout=options["json"])
        elif not options["json"]:
            say("Start the server with: python manage.py runserver (or quickstart --serve)")

    # Watched from here (the migrations above write with their own frozen models): the
    # organization, the demo and the logins are written through services only.
    @entry("command quickstart")
    def _set_up(self, say, summary: dict, options) -> None:
        organization, created = demo.organization_ensure()
        summary["organization_created"] = created
        state = "created" if created else "kept as it was"
        say(f"Organization profile: {organization.legal_name} ({state})")

        donors_before, gifts_before = Donor.objects.count(), Gift.objects.count()
        summary["demo"] = self._demo(say, skip=options["no_demo"])

        logins = demo.demo_users_ensure()
        seat = demo.board_login_link()
        runs = demo.organizer_events_link()
        if runs:
            say(f"The organizer login runs: {', '.join(runs)}")
        summary.update(
            donors=Donor.objects.count(),
            gifts=Gift.objects.count(),
            created={
                "donors": Donor.objects.count() - donors_before,
                "gifts": Gift.objects.count() - gifts_before,
                "users": sum(login.created for login in logins),
            },
            users=[
                {
                    "username": login.username,
                    "role": login.role,
                    "password": login.password,
                    "created": login.created,
                }
                for login in logins
            ],
            board_seat=str(seat) if seat else None,
        )
        self._print_logins(say, summary["url"], logins, seat)

    def _demo(self, say, *, skip: bool) -> str:
        if skip:
            say("Demo data: not loaded (--no-demo).")
            return "not_requested"
        state = demo.demo_data_state()
        if state == "loaded":
            say("Demo data already loaded: nothing changed.")
            return "already_loaded"
        if state == "foreign":
            say(self.style.WARNING(
                "Demo data not loaded: the database already holds donors or gifts of its own."
            ))  # fmt: skip
            return "skipped"
        say("Loading the MSP demo data…")
        started = time.monotonic()
        loaded = demo.demo_data_load()
        say(
            f"Demo data loaded: {loaded['donors']} donors and {loaded['gifts']} gifts "
            f"in {time.monotonic() - started:.1f} s."
        )
        return "loaded"

    def _print_logins(self, say, url, logins, seat) -> None:
        say("")
        say(f"Open {url} and log in as:")
        width = max(len(login.username) for login in logins)
        for login in logins:
            if login.password:
                secret = f"password {login.password}"
            else:
                secret = "(its password was changed)"
            line = f"  {login.username:<{width}}  {secret:<30} {login.role}"
            if seat and login.username == seat.user.username:
                line += f", seat of {seat.donor}"
            if not login.created:
                line += " (existed already, left as it was)"
            say(line)
        if any(login.password for login in logins):
            say(self.style.WARNING(
                "WARNING: these passwords are for demo use only. Change them "
                "(python manage.py changepassword admin) or delete these users before any real "
                "data goes in."
            ))  # fmt: skip
        if settings.TWO_FACTOR_REQUIRED:
            say(
                "Two-factor authentication is on: each login sets up an authenticator app at its "
                "first sign-in."
            )
        else:
            say(
                "Two-factor authentication is off (DEBUG is on): these logins need no code. "
                "With DEBUG off, Administrators, Staff and Board members must set it up."
            )
        say("")

    def _serve(self, addrport: str, say, *, quiet_stdout: bool) -> None:
        host, _, port = addrport.rpartition(":")
        if not _port_is_free(host or "127.0.0.1", int(port)):
            raise CommandError(f"{addrport} is already in use: pass --addrport HOST:PORT.")
        manage = str(settings.BASE_DIR / "manage.py")
        cluster = subprocess.Popen([sys.executable, manage, "qcluster"])
        say(f"Task cluster started (pid {cluster.pid}); it stops with the server.")
        # A plain `kill` should stop the cluster too, not only Ctrl-C.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            # No autoreloader: it would re-run this whole command in a child process.
            call_command(
                "runserver",
                addrport,
                use_reloader=False,
                stdout=self.stderr if quiet_stdout else self.stdout,
            )
        except SystemExit:  # runserver exits this way on Ctrl-C
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            _stop(cluster)
            say("Task cluster stopped.")


def _url(addrport: str, path: str) -> str:
    host, _, port = addrport.rpartition(":")
    return f"http://{host or '127.0.0.1'}:{port}{path}"


def _port_is_free(host: str, port: int) -> bool:
    # runserver ends the process with os._exit() when it cannot bind, which would leave the
    # task cluster running: find out first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
