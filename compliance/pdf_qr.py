"""A QR code on a PDF page, encoded by reportlab's own QR widget (QrCodeWidget).

The widget encodes the value and lays out its modules; they are painted here as one filled
path, one rectangle per run of dark modules in a row. The widget's own draw() builds a shape
object per run and renderPDF draws each in its own graphics state, some 25 ms a code, where
one path takes about 1 ms: a batch of 10,000 statements prints 10,000 codes (bench/statements.py,
2 ms a statement without its code).
"""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

# Error correction M: a printed code still reads with about 15% of it smudged or folded.
LEVEL = "M"
# The white margin (quiet zone) the standard asks for around the code, in modules.
QUIET_MODULES = 4
# One mask pattern for every code. The widget's make() builds the code eight times to score each
# pattern (about 15 ms, where a whole statement takes 2 ms). Any of the eight is valid and every
# reader decodes it; the scoring avoids long runs and finder-like stretches that make a code a
# little harder to locate, rare with a random verification code under the checkerboard (0).
MASK_PATTERN = 0


def qr_modules(value: str) -> list[list[bool]]:
    """The code's modules, row by row from the top (True for dark), as the widget encodes them
    (the smallest version that holds value), with MASK_PATTERN."""
    code = QrCodeWidget(value, barLevel=LEVEL, barBorder=QUIET_MODULES).qr
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return code.modules


def draw_qr(canvas: Canvas, modules: list[list[bool]], *, x: float, y: float, size: float):
    """Paint the code with its lower left corner at (x, y), size points across (the quiet zone
    is outside that square, QUIET_MODULES wide: the caller keeps it clear)."""
    count = len(modules)
    step = size / count
    path = canvas.beginPath()
    for row_number, row in enumerate(modules):
        bottom = y + size - (row_number + 1) * step
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + column * step, bottom, length * step, step)
            column += length
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
