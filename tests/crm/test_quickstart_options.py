"""quickstart's options (--no-demo, --serve) and the demo on awkward days."""

import datetime
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from common import roles
from crm.demo import demo_data_load
from donors.models import BoardMember, BoardRole, Donor, Gift, GiftMethod, Organization
from tests import factories


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _quickstart(*args: str) -> str:
    out = io.StringIO()
    call_command("quickstart", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_no_demo_creates_roles_profile_and_logins_only(db):
    out = _quickstart("--no-demo")
    assert "not loaded (--no-demo)" in out
    assert Organization.current() is not None
    usernames = set(User.objects.values_list("username", flat=True))
    assert usernames == {"admin", "staff", "board", "organizer"}
    assert not Donor.objects.exists()
    assert not Gift.objects.exists()


def test_the_board_login_gets_the_chair_once_there_is_a_board(db):
    _quickstart("--no-demo")
    factories.make_board_member(role=BoardRole.MEMBER)
    chair = factories.make_board_member(role=BoardRole.CHAIR)
    out = _quickstart("--no-demo")
    assert BoardMember.objects.get(user__username="board") == chair
    assert f"seat of {chair.donor}" in out


def test_it_does_not_load_the_demo_into_a_database_with_donors_of_its_own(db):
    factories.make_organization()
    factories.make_gift()
    out = _quickstart()
    assert "not loaded: the database already holds donors" in out
    assert Donor.objects.count() == 1
    assert Gift.objects.count() == 1


def test_it_loads_the_demo_on_new_years_day_without_future_gifts(db):
    factories.make_organization()
    new_year = datetime.date(timezone.localdate().year, 1, 1)
    demo_data_load(today=new_year)
    assert Gift.objects.aggregate(last=Max("tax_date"))["last"] <= new_year
    assert Gift.objects.aggregate(last=Max("gift_date"))["last"] <= new_year
    assert set(Gift.objects.values_list("method", flat=True)) == set(GiftMethod.values)
    assert BoardMember.objects.count() == 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(predicate, timeout: float = 240.0, process=None, log=None):
    """Wait for a start-up, however slow the machine (a fresh database is migrated first: a
    minute or more when other suites share the cores); stop at once if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            output = log.read_text() if log is not None else ""
            raise AssertionError(f"quickstart exited ({process.returncode}) first:\n{output}")
        time.sleep(0.2)
    raise AssertionError("gave up waiting")


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _as_from_a_terminal():
    # Ctrl-C in a terminal reaches a process whose SIGINT is at its default. A suite started as
    # a background job (CI runs the PostgreSQL suite with `&`) hands its children SIGINT
    # ignored, so quickstart would never see the Ctrl-C this test sends.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_serve_runs_the_server_and_a_task_cluster_that_stops_with_it(tmp_path: Path, stop_with):
    port = _free_port()
    log = tmp_path / "quickstart.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "quickstart", "--no-demo", "--serve",
             "--addrport", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=_as_from_a_terminal,
        )  # fmt: skip
    try:
        found = _wait_for(
            lambda: re.search(r"Task cluster started \(pid (\d+)\)", log.read_text()),
            process=server,
            log=log,
        )
        cluster_pid = int(found.group(1))
        page = _wait_for(
            lambda: _get(f"http://127.0.0.1:{port}/admin/login/"), process=server, log=log
        )
        assert page == 200
        assert _alive(cluster_pid)
        server.send_signal(stop_with)
        # The command gives the cluster 20 s to stop before killing it; a loaded machine adds more.
        try:
            assert server.wait(timeout=90) == 0
        except subprocess.TimeoutExpired:
            raise AssertionError(f"quickstart did not stop:\n{log.read_text()}") from None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert not _alive(cluster_pid)
    assert "Task cluster stopped." in log.read_text()
    assert roles.ADMINISTRATOR in log.read_text()
