"""A QR code as a PNG image (for an email, where an SVG is not shown by every mail program),
drawn by the qrcode library (Pillow underneath)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants

# Error correction M: still reads on a cracked or dim phone screen with about 15% of it lost.
# 4 modules of white margin (the quiet zone the standard asks for); 10 pixels a module make a
# code about 250 pixels across, sharp on a phone held up to the door's camera.
_LEVEL = qrcode.constants.ERROR_CORRECT_M


def qr_png(value: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """The PNG of a QR code holding value, black on white."""
    code = qrcode.QRCode(error_correction=_LEVEL, box_size=box_size, border=border)
    code.add_data(value)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()
