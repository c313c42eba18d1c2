"""Field validators and defaults that models name in their migrations. Here, importing no app,
so that a migration names them without importing an app's code (README, Layout: migrations
carry their own SQL and data). Each model imports its own from here."""

from __future__ import annotations

import io
import secrets
import warnings
import zoneinfo

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000
LOGO_FORMATS = ("PNG", "JPEG")


def validate_logo(value: bytes) -> None:
    """A logo is a readable PNG or JPEG of at most 1 MB and 4000 pixels a side (or none)."""
    if not value:
        return
    data = bytes(value)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo is {len(data) / 1024 / 1024:.1f} MB; upload one of at most 1 MB."
        )
    try:
        # Pillow refuses an image of more pixels than it will decode safely (a few KB of PNG
        # can declare billions), and only warns below twice that: both are refused here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, size = image.format, image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            f"The logo has too many pixels to be read safely; upload one of at most "
            f"{LOGO_MAX_PIXELS} pixels a side."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("The logo is not a PNG or JPEG image that can be read.") from None
    if kind not in LOGO_FORMATS:
        raise ValidationError(f"The logo must be a PNG or JPEG image, not {kind}.")
    if max(size) > LOGO_MAX_PIXELS:
        raise ValidationError(
            f"The logo is {size[0]}×{size[1]} pixels; at most {LOGO_MAX_PIXELS} a side."
        )


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not a time zone name such as America/New_York."
        ) from None


def invitation_token() -> str:
    """An invitation's link token (its RSVP page): 192 random bits."""
    return secrets.token_urlsafe(24)


def door_code() -> str:
    """A guest's door code (the QR code in their confirmation email): 96 random bits, 16
    characters, short enough to read out or type at the door."""
    return secrets.token_urlsafe(12)


def verification_code() -> str:
    """A printed receipt's or statement's verification code (its QR code): 144 random bits."""
    return secrets.token_urlsafe(18)
