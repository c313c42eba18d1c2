"""Migrations are frozen (README, Layout): they import no app, so replaying one gives the same
database whatever the apps' code has become. The validators and defaults a migration names
come from ``common/``, which imports no app itself (lint-imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = {"crm", "donors", "events", "compliance"}
MIGRATIONS = sorted(p for app in APPS for p in (ROOT / app / "migrations").glob("0*.py"))


def app_imports(path: Path) -> list[str]:
    """The modules of the four apps that ``path`` imports, anywhere in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in APPS]
    return found


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) > 40


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_migration_imports_no_app(path):
    assert app_imports(path) == [], (
        f"{path.name} imports app code; copy what it needs into the migration, or name a "
        "validator or default from common/"
    )


def test_the_check_finds_an_import_of_an_app(tmp_path):
    migration = tmp_path / "0001_bad.py"
    migration.write_text(
        "import donors.models.base\nfrom events.models import Event\n"
        "from django.db import migrations\nimport common.validators\n"
    )
    assert app_imports(migration) == ["donors.models.base", "events.models"]
