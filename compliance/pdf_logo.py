"""The organization's logo at the top of receipts and statements: prepared (common.pdf_logo)
once per process, and again only after the profile changes, so a batch of 10,000 statements
decodes the logo once per worker, not once per statement.
"""

from __future__ import annotations

import logging
import threading

from PIL import Image, UnidentifiedImageError

from common.pdf_logo import Logo, draw_logo, prepare_logo
from donors.models import Organization

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "logo": None}


def current_logo() -> Logo | None:
    """The organization's logo, prepared once per process and again only after the profile
    changes (one small query to know that)."""
    row = Organization.objects.filter(pk=1).values_list("logo_sha256").first()
    if row is None or not row[0]:
        return None
    key = row[0]
    with _lock:
        if _cache["key"] != key:
            data = Organization.objects.filter(pk=1).values_list("logo", flat=True).first()
            _cache["logo"] = _prepared_or_none(bytes(data)) if data else None
            _cache["key"] = key
        return _cache["logo"]


def _prepared_or_none(data: bytes) -> Logo | None:
    """The upload checks (common.validators.validate_logo) keep out what cannot be
    decoded; a logo stored around them (an older version, a database restore) prints receipts
    without a logo instead of failing every one of them."""
    try:
        return prepare_logo(data)
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError,
            ValueError) as error:  # fmt: skip
        logger.warning("The organization's logo cannot be printed: %s", error)
        return None


__all__ = ["Logo", "current_logo", "draw_logo", "prepare_logo"]
