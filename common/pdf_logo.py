"""The organization's logo on printed documents (receipts, statements, appeal letters).

The uploaded PNG or JPEG is decoded, flattened onto white, scaled to print size and compressed
once (``prepare_logo``); each PDF then only references that ready image object
(``draw_logo``), so a batch of 10,000 documents decodes the logo once. Where the logo comes
from (the organization's profile) is the apps' business: this module imports no app.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zlib

from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from common.pdf_text import PreparedObject

# 0.6 inch tall at 300 dpi is 180 pixels; keep some more for a wide logo's detail.
PRINT_BOX = (1500, 360)


@dataclasses.dataclass(frozen=True)
class Logo:
    name: str
    width: int  # pixels of the prepared image
    height: int
    pixels: bytes  # RGB rows, Flate-compressed
    pdf_bytes: bytes  # the image XObject as written into a PDF (dictionary and stream)


def prepare_logo(data: bytes) -> Logo:
    """Decode, flatten on white, shrink to print size and compress the logo (the slow part)."""
    with Image.open(io.BytesIO(data)) as source:
        source.load()
        if source.mode in ("RGBA", "LA") or "transparency" in source.info:
            rgba = source.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        else:
            image = source.convert("RGB")
    image.thumbnail(PRINT_BOX)
    pixels = zlib.compress(image.tobytes(), 6)
    pdf_bytes = (
        (
            f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
            f"/BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /FlateDecode "
            f"/Length {len(pixels)} >>\nstream\n"
        ).encode()
        + pixels
        + b"endstream\n"
    )
    name = "MSPLogo" + hashlib.sha256(data).hexdigest()[:16]
    return Logo(name=name, width=image.width, height=image.height, pixels=pixels,
                pdf_bytes=pdf_bytes)  # fmt: skip


def draw_logo(
    canvas: Canvas, logo: Logo, *, x: float, top: float, height: float, max_width: float = 216
) -> None:
    """Draw the logo with its top-left corner at (x, top), at most height tall and max_width
    wide, keeping its proportions. The image object is added to the document once."""
    scale = min(height / logo.height, max_width / logo.width)
    width, tall = logo.width * scale, logo.height * scale
    document = canvas._doc
    reg_name = document.getXObjectName(logo.name)
    if reg_name not in document.idToObject:
        # A thin object per document around the image written out once: reportlab marks the
        # objects it registers, while the prepared bytes (the expensive part) are shared.
        document.addForm(logo.name, PreparedObject(logo.pdf_bytes))
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, top - tall)
    canvas.scale(width, tall)
    canvas._code.append(f"/{reg_name} Do")
    canvas.restoreState()
    canvas._formsinuse.append(logo.name)
