"""Running the project as a separate process, the way an operator starts it.

Settings are read once, at start-up, from the environment: to see what a variable does, or what
the app does when the database is gone, the test has to start a new process with that
environment rather than patch settings in this one.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every variable crm/settings.py reads (tests/crm/test_settings.py checks this list is complete).
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT",
    "TIME_ZONE",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "GLOBALGIVING_API_KEY",
    "GLOBALGIVING_API_BASE",
    "GLOBALGIVING_PROJECT_ID",
    "REDIS_URL",
    "Q_SYNC",
    "Q_WORKERS",
    "LOG_LEVEL",
    "SECURE_SSL_REDIRECT",
    "SITE_URL",
    "EXPORT_BACKGROUND_ROWS",
    "EXPORT_FILE_HOURS",
    "TWO_FACTOR_REQUIRED",
    "SIGNIN_LOCKOUT_FAILURES",
    "SIGNIN_LOCKOUT_MINUTES",
    "SESSION_IDLE_MINUTES",
    "SIGNIN_LINK_HOURS",
    "MY_LINK_MINUTES",
    "MY_SESSION_IDLE_MINUTES",
    "IMPORT_MAX_FILE_MB",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_COLUMNS",
    "IMPORT_MAX_CELL_CHARS",
    "IMPORT_MAX_UNZIPPED_MB",
    "IMPORT_MAX_ZIP_RATIO",
    "IMPORT_UPLOAD_HOURS",
    "MAILING_BATCH_SIZE",
    "ANYMAIL_WEBHOOK_SECRET",
)


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any of the app's variables, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.pop("Q_CLUSTER_NAME", None)  # django-q2 reads it too
    env["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


class _Process:
    """A project process started for a test, its output kept in a temporary file and read into
    ``output`` once it stops (terminated, then killed if it lingers)."""

    stop_timeout = 15

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.output = ""

    def _start(self, args: list[str]) -> None:
        self._log = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def __exit__(self, *exc_info) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=15)
        self._log.seek(0)
        self.output = self._log.read()
        self._log.close()


class Server(_Process):
    """The app under gunicorn (as in production; runserver refuses to start without a database)."""

    def __init__(self, env: dict[str, str]):
        super().__init__(env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self._start(
            [
                sys.executable, "-m", "gunicorn", "crm.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", "1",
                "--timeout", "30",
                "--no-control-socket",
            ]
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not port_answers("127.0.0.1", self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"gunicorn did not start:\n{self.output}")
            time.sleep(0.1)
        return self

    def get_json(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:  # 4xx and 5xx still carry the JSON body
            with error:
                return error.code, json.loads(error.read())


class Cluster(_Process):
    """A django-q2 cluster (``manage.py qcluster``), as an operator starts it beside the web
    workers; ``output`` holds what it printed (the console email backend's emails) once it
    stops."""

    stop_timeout = 30

    def __enter__(self) -> Cluster:
        self._start([sys.executable, "manage.py", "qcluster"])
        return self

    def running(self) -> bool:
        return self._proc.poll() is None
