"""QR codes, encoded once for the whole project by zxing-cpp (C++: well under a millisecond a
code, where a pure-Python encoder takes several; a batch of statements prints 10,000).

``qr_image`` is the code itself, one pixel a module (the receipts and statements paint it scaled
up, compliance/pdf_qr.py); ``qr_png`` is a picture of it for an email, where an SVG is not shown
by every mail program.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

# Error correction M: a printed code still reads with about 15% of it smudged or folded, a
# code on a phone's screen through a crack or glare.
LEVEL = "M"


def qr_image(value: str) -> Image.Image:
    """The code of value (the smallest version that holds it), one pixel a module, no margin:
    black modules on white, in 1-bit."""
    code = zxingcpp.create_barcode(value, zxingcpp.BarcodeFormat.QRCode, ec_level=LEVEL)
    pixels = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    rows, columns = pixels.shape
    return Image.frombytes("L", (columns, rows), pixels.tobytes()).convert("1")


def qr_png(value: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """The PNG of a QR code holding value, black on white: box_size pixels a module (10 make a
    code about 250 pixels across, sharp on a phone held up to the door's camera) and border
    modules of white margin (4: the quiet zone the standard asks for)."""
    code = qr_image(value)
    side = code.width + 2 * border
    framed = Image.new("1", (side, side), 1)
    framed.paste(code, (border, border))
    out = io.BytesIO()
    framed.resize((side * box_size, side * box_size), Image.Resampling.NEAREST).save(out, "PNG")
    return out.getvalue()
