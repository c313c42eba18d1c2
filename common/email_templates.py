"""Checks shared by the email texts staff edit (receipts, failed-payment notices, ...)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError


def template_fields_check(record, names: tuple[str, ...] = ("subject", "body")) -> None:
    """Each of ``names`` on ``record`` must compile as a Django template: the error is raised
    on its field, in words staff can act on."""
    for name in names:
        try:
            Template(getattr(record, name) or "")
        except TemplateSyntaxError as error:
            raise ValidationError({name: f"This template has an error: {error}"}) from None
