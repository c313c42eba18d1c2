"""What every model that holds text people type shares: the text rule of donors.text, applied
by ``full_clean`` (which the services and the admin's forms run)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
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


class PlainConditions:
    """A model mixin: a unique constraint whose condition only compares the record's own
    fields with constants (``Q(is_primary=True)``) is checked the plain way: the condition
    read off the record in Python, then one ``exists()`` when it holds. Django evaluates such
    a condition in the database with a query built from every field of the record, which made
    adding a contact several times slower. Any other constraint is validated as Django does."""

    def validate_constraints(self, exclude=None):
        plain, others = [], []
        for constraint in self._meta.constraints:
            (plain if _plain_condition(self, constraint) is not None else others).append(constraint)
        errors: dict = {}
        try:
            _validate(self, others, exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for constraint in plain:
            if exclude and set(constraint.fields) & set(exclude):
                continue
            condition = _plain_condition(self, constraint)
            if not all(getattr(self, name) == value for name, value in condition.items()):
                continue
            keys = {}
            for name in constraint.fields:
                field = self._meta.get_field(name)
                keys[field.attname] = getattr(self, field.attname)
            if any(value is None for value in keys.values()):
                continue  # NULLs never clash
            others_qs = type(self)._default_manager.filter(**keys, **condition)
            if not self._state.adding and self.pk is not None:
                others_qs = others_qs.exclude(pk=self.pk)
            if others_qs.exists():
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                )
        if errors:
            raise ValidationError(errors)


def _validate(instance, constraints, exclude) -> None:
    errors: dict = {}
    for constraint in constraints:
        try:
            constraint.validate(type(instance), instance, exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _plain_condition(instance, constraint) -> dict | None:
    """``{attname: constant}`` for a unique constraint on fields whose condition is an AND of
    ``field=constant`` (no lookups, no expressions); None for any other constraint."""
    if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
        return None
    condition = constraint.condition
    if condition is None or condition.negated or condition.connector != "AND":
        return None
    plain = {}
    for child in condition.children:
        if not isinstance(child, tuple):
            return None
        name, value = child
        if "__" in name or hasattr(value, "resolve_expression"):
            return None
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            return None
        plain[field.attname] = value
    return plain


def loaded_relations(instance) -> list[str]:
    """The record's foreign keys whose record the caller handed over already read (a gift's
    donor or pledge, a new email's donor): validating them would read each again only to learn
    that it exists. The database's foreign keys still refuse a record deleted meanwhile."""
    loaded = []
    for field in type(instance)._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if (
            related is not None
            and not related._state.adding
            and related.pk is not None
            and related.pk == getattr(instance, field.attname)
            and not field.get_limit_choices_to()
        ):
            loaded.append(field.name)
    return loaded
