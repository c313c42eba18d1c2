import unicodedata

from django.core.exceptions import ValidationError
from django.db import models

from donors.models.base import CheckedText


def _letters(text: str) -> str:
    # The same reduction as donors.duplicates.variant_word, kept here so that the models
    # module does not import the scoring (which imports jellyfish).
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalpha())


class NameVariant(CheckedText, models.Model):
    """One spelling of a name and the spelling it is the same as: "mohammed" is "muhammad".
    The duplicates page treats names with the same canonical spelling as one name. Seeded with
    common South Asian transliterations; staff add their own."""

    variant = models.CharField(
        max_length=60, unique=True, help_text="A spelling as donors write it: Mohammed."
    )
    canonical = models.CharField(
        max_length=60,
        db_index=True,
        help_text="The spelling it stands for; every variant of one name shares it: Muhammad.",
    )

    class Meta:
        ordering = ["canonical", "variant"]

    def __str__(self) -> str:
        return f"{self.variant} → {self.canonical}"

    def clean(self) -> None:
        self.variant, self.canonical = _letters(self.variant), _letters(self.canonical)
        errors = {}
        if not self.variant:
            errors["variant"] = "Write the spelling in letters (A to Z)."
        if not self.canonical:
            errors["canonical"] = "Write the spelling in letters (A to Z)."
        elif self.variant == self.canonical:
            errors["canonical"] = "A spelling is already the same as itself: name another one."
        if errors:
            raise ValidationError(errors)
