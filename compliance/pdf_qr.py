"""A QR code on a PDF page, painted as one small image.

A batch of 10,000 statements prints 10,000 codes, and a statement without its code takes about
2 ms (bench/statements.py). Painted as vector rectangles (one per run of dark modules, some 370
a code) a code cost about 5 ms, most of it writing those rectangles into the page. The code
(common.qr, zxing-cpp) goes on the page as an image of one pixel a module, scaled up without
smoothing (PDF images are not interpolated unless they ask to be), so it prints as sharp.
"""

from __future__ import annotations

from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from common.qr import qr_image

__all__ = ["draw_qr", "qr_image"]


def draw_qr(canvas: Canvas, image: Image.Image, *, x: float, y: float, size: float) -> None:
    """Paint the code with its lower left corner at (x, y), size points across (the white
    margin the standard asks for, four modules, is outside that square: the caller keeps it
    clear)."""
    canvas.drawInlineImage(image, x, y, width=size, height=size)
