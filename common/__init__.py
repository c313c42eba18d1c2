"""Pieces every app uses (PDF text and fonts, role names, ...). This package imports no app
(crm, donors, events, compliance): lint-imports checks it in CI (pyproject.toml)."""
