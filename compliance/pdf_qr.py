"""A QR code on a PDF page: encoded by zxing-cpp, painted as one small image.

A batch of 10,000 statements prints 10,000 codes, and a statement without its code takes about
2 ms (bench/statements.py). reportlab's own QR widget took about 3 ms to encode a code, and
painting it as vector rectangles (one per run of dark modules, some 370 a code) another 5 ms,
most of it writing those rectangles into the page: the batch ran five times slower with its codes.
zxing-cpp (C++) encodes a code in well under a millisecond, and the code goes on the page as an
image of one pixel a module, scaled up without smoothing (PDF images are not interpolated unless
they ask to be), so it prints as sharp as the rectangles did.
"""

from __future__ import annotations

import zxingcpp
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

# Error correction M: a printed code still reads with about 15% of it smudged or folded.
LEVEL = "M"


def qr_image(value: str) -> Image.Image:
    """The code of value (the smallest version that holds it), one pixel a module, no margin:
    black modules on white, in 1-bit."""
    code = zxingcpp.create_barcode(value, zxingcpp.BarcodeFormat.QRCode, ec_level=LEVEL)
    pixels = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    rows, columns = pixels.shape
    return Image.frombytes("L", (columns, rows), pixels.tobytes()).convert("1")


def draw_qr(canvas: Canvas, image: Image.Image, *, x: float, y: float, size: float) -> None:
    """Paint the code with its lower left corner at (x, y), size points across (the white
    margin the standard asks for, four modules, is outside that square: the caller keeps it
    clear)."""
    canvas.drawInlineImage(image, x, y, width=size, height=size)
