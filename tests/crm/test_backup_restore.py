"""`manage.py backup PATH` and `manage.py restore PATH`: the whole database round trip on
either engine, every table's rows equal after as before; a file of the other engine, or no
backup at all, refused before anything changes; a restore never runs unconfirmed."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from donors.models import Donor, Gift, GlobalGivingFetch
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def checksums() -> dict[str, tuple[int, str]]:
    """For each table: its row count and a hash of its rows in a fixed order."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def _run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _round_trip(tmp_path):
    factories.make_one_of_everything()
    before = checksums()
    assert sum(count for count, _ in before.values()) > 100
    path = tmp_path / "msp.backup"

    summary = json.loads(_run("backup", str(path), "--json"))
    assert summary["engine"] == connection.vendor
    assert summary["tables"] == len(before)
    assert summary["rows"] == sum(count for count, _ in before.values())
    assert path.stat().st_size == summary["bytes"] > 0

    # What happens after the backup: an edit, a new donor, a deleted record.
    Donor.objects.update(first_name="Changed")
    factories.make_donor(email="after@example.org")
    GlobalGivingFetch.objects.filter(ok=False).delete()
    assert checksums() != before

    restored = json.loads(_run("restore", str(path), "--no-input", "--json"))
    assert checksums() == before
    assert restored["rows"] == summary["rows"]
    assert restored["unapplied_migrations"] == []
    assert not Donor.objects.filter(emails__email="after@example.org").exists()

    # The database is usable: new records take fresh ids after the restored ones.
    highest = Gift.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert factories.make_gift(amount=D("12.34")).pk > highest


def test_a_sqlite_database_comes_back_table_for_table(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs on SQLite (the default)")
    _round_trip(tmp_path)


def test_a_postgresql_database_comes_back_table_for_table(postgres_only, tmp_path):
    _round_trip(tmp_path)


def test_a_restore_refuses_a_file_that_is_not_a_backup_of_this_engine(tmp_path):
    donor = factories.make_donor(first_name="Kept")
    csv = tmp_path / "donors.csv"
    csv.write_text("donor_email\nsomeone@example.org\n")
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)  # how a pg_dump archive starts
        expected = "is a PostgreSQL backup, and this database is SQLite"
    else:
        with sqlite3.connect(other) as made:
            made.execute("CREATE TABLE django_migrations (id integer)")
        expected = "is a SQLite backup, and this database is PostgreSQL"

    with pytest.raises(CommandError, match=expected):
        _run("restore", str(other), "--no-input")
    with pytest.raises(CommandError, match="is not a backup made by `manage.py backup`"):
        _run("restore", str(csv), "--no-input")
    with pytest.raises(CommandError, match="There is no file at"):
        _run("restore", str(tmp_path / "missing.backup"), "--no-input")
    donor.refresh_from_db()
    assert donor.first_name == "Kept"


def test_a_restore_asks_first_and_changes_nothing_without_a_yes(tmp_path, monkeypatch):
    factories.make_donor(first_name="Before")
    path = tmp_path / "msp.backup"
    _run("backup", str(path))
    factories.make_donor(first_name="After")

    with pytest.raises(CommandError, match="Restore cancelled: nothing was changed"):
        _run("restore", str(path), stdin="no\n", monkeypatch=monkeypatch)
    # No terminal at all (CI, cron): never taken as a yes.
    with pytest.raises(CommandError, match="Restore cancelled"):
        _run("restore", str(path), stdin="", monkeypatch=monkeypatch)
    assert Donor.objects.filter(first_name="After").exists()

    out = _run("restore", str(path), stdin="yes\n", monkeypatch=monkeypatch)
    assert "Restored" in out
    assert not Donor.objects.filter(first_name="After").exists()
    assert Donor.objects.filter(first_name="Before").exists()


def test_both_commands_explain_themselves(capsys):
    for command, says in [("backup", "pg_dump"), ("restore", "--no-input")]:
        with pytest.raises(SystemExit):
            call_command(command, "--help")
        assert says in capsys.readouterr().out
