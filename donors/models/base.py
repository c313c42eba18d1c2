"""What every model that holds text people type shares: the text rule of donors.text, applied
by ``full_clean`` (which the services and the admin's forms run)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from donors.text import text_problem


class CheckedText:
    """A model mixin: ``clean_fields`` refuses text with a control character (tab and newline
    aside) in every CharField and TextField, and a line break in a CharField (a name, a title,
    a subject) unless the model names it in ``multi_line_fields``.

    A mixin, not a validator on each field: validators are part of a field's definition and
    would need a migration for every text column. Text already stored that breaks the rule is
    let through while it stays unchanged, so old data never stops a payment or an import from
    updating the record; the back office's forms (donors.admin.base.TextRules) ask the person
    editing it to correct it."""

    multi_line_fields: tuple[str, ...] = ()

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in (exclude or ()) or field.name in errors or field.choices:
                continue
            if not isinstance(field, models.CharField | models.TextField):
                continue
            value = getattr(self, field.attname)
            one_line = isinstance(field, models.CharField) and (
                field.name not in self.multi_line_fields
            )
            problem = text_problem(value, one_line=one_line)
            if problem and not self._stored_unchanged(field, value):
                errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)

    def _stored_unchanged(self, field, value) -> bool:
        # Read only when the text breaks the rule: one query, never on ordinary saves.
        if self._state.adding or self.pk is None:
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values_list(field.attname, flat=True)
        return stored.first() == value
