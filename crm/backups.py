"""Whole-database backups and restores, for `manage.py backup` and `manage.py restore`.

PostgreSQL is dumped and restored by its own tools, pg_dump and pg_restore (custom format), so
a backup is also usable without this app. SQLite is copied by its online backup API
(sqlite3.Connection.backup), which gives a consistent copy while the app keeps running.
A backup file says what it is by its first bytes, so a restore refuses a file of the other
engine (or no backup at all) before it touches anything.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """What went wrong, in words for the person running the command."""


@dataclass
class BackupSummary:
    path: str
    engine: str
    bytes: int
    tables: int
    rows: int
    seconds: float
    unapplied_migrations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _connection(alias: str):
    connection = connections[alias]
    connection.ensure_connection()
    return connection


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows in each of the database's tables."""
    connection = _connection(alias)
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def file_engine(path: Path) -> str | None:
    """ "sqlite" or "postgresql" for a backup file of that engine, else None."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def _pg_command(tool: str, settings_dict: dict) -> tuple[list[str], dict]:
    """The tool's connection arguments and environment (the password never on the command
    line, where other users of the machine could read it)."""
    if not shutil.which(tool):
        raise BackupError(
            f"{tool} was not found on PATH: install PostgreSQL's client tools "
            f"(on Debian: apt-get install postgresql-client) in the same major version as "
            f"the server."
        )
    args = [tool, "--no-password", "--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    if sslmode := settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else 'no message'}")


def database_backup(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write the whole database to ``path``. The file appears only once complete: a failed
    backup leaves an earlier file of the same name as it was."""
    started = time.monotonic()
    connection = _connection(alias)
    engine = connection.vendor
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        if engine == "sqlite":
            target = sqlite3.connect(temporary)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            args, env = _pg_command("pg_dump", connection.settings_dict)
            _run([*args, "--format=custom", "--file", temporary], env, "pg_dump")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    counts = table_counts(alias)
    return BackupSummary(
        path=str(path),
        engine=engine,
        bytes=path.stat().st_size,
        tables=len(counts),
        rows=sum(counts.values()),
        seconds=round(time.monotonic() - started, 2),
    )


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()[0]
            migrations = source.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'django_migrations'"
            ).fetchone()[0]
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite backup: {exc}.") from None
    if ok != "ok":
        raise BackupError(f"{path} is damaged (SQLite's check says: {ok}).")
    if not migrations:
        raise BackupError(f"{path} is a SQLite database, but not a backup of this app.")


def database_restore(path: Path, *, alias: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Replace the whole database with the backup at ``path``. A file that is not a backup
    of this engine is refused before anything changes; PostgreSQL restores in one
    transaction, so a failure leaves the database as it was."""
    started = time.monotonic()
    connection = _connection(alias)
    engine = connection.vendor
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    found = file_engine(path)
    if found is None:
        raise BackupError(
            f"{path} is not a backup made by `manage.py backup` (neither a PostgreSQL "
            f"custom-format dump nor a SQLite database). Nothing was changed."
        )
    if found != engine:
        raise BackupError(
            f"{path} is a {ENGINE_NAMES[found]} backup, and this database is "
            f"{ENGINE_NAMES[engine]}: a backup restores only into the same engine. "
            f"Nothing was changed."
        )
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")

    if engine == "sqlite":
        _check_sqlite_file(path)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = _pg_command("pg_restore", connection.settings_dict)
        _run([*args[:1], "--list", str(path)], env, f"Reading {path}")
        # The app's own connection would hold no lock, but close it so that nothing of the
        # old schema stays cached on it.
        connection.close()
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            env,
            "pg_restore",
        )
    connection.close()

    ContentType.objects.clear_cache()
    counts = table_counts(alias)
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return BackupSummary(
        path=str(path),
        engine=engine,
        bytes=path.stat().st_size,
        tables=len(counts),
        rows=sum(counts.values()),
        seconds=round(time.monotonic() - started, 2),
        unapplied_migrations=[f"{m.app_label}.{m.name}" for m, _ in plan],
    )
