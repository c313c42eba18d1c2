"""Text on the PDFs in any script: the TrueType fonts shipped in common/fonts, chosen
character by character, with right-to-left runs put in visual order and shaped.

Shared by every app that prints names (compliance's receipts and statements, events' door
list): on a canvas with ``draw``, in reportlab's platypus (tables, frames) with ``TextBlock``.

DejaVu Sans prints Latin (with every diacritic), Greek, Cyrillic, Armenian, Georgian and
Hebrew; Noto Naskh Arabic prints Arabic, Urdu and Persian; Noto Sans prints Devanagari,
Gurmukhi, Bengali and Thai; Droid Sans Fallback prints Chinese and Japanese. Korean Hangul and
scripts outside these are not covered: they print as empty boxes (README, "Receipts").

Each font is parsed and registered once per process, on first use. reportlab embeds only the
glyphs a document uses (a subset), so a document costs no more for the fonts it does not need.
Arabic-script and Indic runs are shaped by HarfBuzz (uharfbuzz, through reportlab's shapeStr).
The bidirectional ordering is UAX #9 reduced to what a one-line name or address needs: the
paragraph's direction from its first strong character, neutrals between two characters of the
same direction take it, numbers stay left-to-right, and runs are reversed by level (rule L2).
"""

from __future__ import annotations

import functools
import threading
import unicodedata
import zlib
from collections import OrderedDict
from pathlib import Path

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    ShapedStr,
    TTFont,
    makeToUnicodeCMap,
    shapeStr,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import Flowable

FONT_DIR = Path(__file__).resolve().parent / "fonts"

REGULAR = "MSPSans"
BOLD = "MSPSans-Bold"

# Registered name -> file. The first of each chain is the document's own face; the others are
# consulted, in order, for a character it lacks.
_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    "MSPArabic": "NotoNaskhArabic-Regular.ttf",
    "MSPArabic-Bold": "NotoNaskhArabic-Bold.ttf",
    "MSPDevanagari": "NotoSansDevanagari-Regular.ttf",
    "MSPGurmukhi": "NotoSansGurmukhi-Regular.ttf",
    "MSPBengali": "NotoSansBengali-Regular.ttf",
    "MSPThai": "NotoSansThai-Regular.ttf",
    "MSPCJK": "DroidSansFallbackFull.ttf",
}
_CHAINS = {
    REGULAR: (REGULAR, "MSPDevanagari", "MSPGurmukhi", "MSPBengali", "MSPThai", "MSPCJK"),
    BOLD: (BOLD, "MSPDevanagari", "MSPGurmukhi", "MSPBengali", "MSPThai", "MSPCJK"),
}
# Arabic-script letters come from one font, so that the letters of a word join.
_ARABIC_FONT = {REGULAR: "MSPArabic", BOLD: "MSPArabic-Bold"}
_ARABIC_RANGES = ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))

_lock = threading.Lock()
_SUBSETS_KEPT = 256  # per font; an entry is one compressed subset (tens of KB)


class PreparedObject(pdfdoc.PDFObject):
    """A PDF object written from parts prepared in advance: bytes as they are, and references
    to other objects resolved in each document. reportlab would rebuild and re-encode the same
    dictionaries for every document."""

    __RefOnly__ = 1  # written once, referred to by number (as reportlab's fonts and streams)

    def __init__(self, *parts):
        self.parts = parts

    def format(self, document):
        if type(document.encrypt) is not pdfdoc.NoEncryption:
            raise ValueError("prepared PDF objects are not written into encrypted documents")
        return b"".join(
            part if type(part) is bytes else part.format(document) for part in self.parts
        )


def _raw_stream(content: bytes, **entries) -> bytes:
    """A Flate-compressed stream, dictionary and all, ready to write as is."""
    keys = "".join(f" /{key} {value}" for key, value in sorted(entries.items()))
    head = f"<< /Filter /FlateDecode /Length {len(content)}{keys} >>\nstream\n".encode()
    return head + content + b"endstream\n"


class _Subset:
    """One subset of a font, ready to write into any document: the font program and the
    ToUnicode map compressed, the widths and the descriptor written out. (Each document gets
    its own thin PreparedObject around these bytes: reportlab marks the objects it registers.)"""

    __slots__ = ("base_name", "widths", "cmap", "program", "descriptor_head", "last_char")

    def __init__(self, face, base_name: str, subset: list[int]):
        self.base_name = base_name
        self.last_char = len(subset) - 1
        self.widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset))).format(None)
        cmap = makeToUnicodeCMap(base_name, subset).encode("latin-1")
        self.cmap = _raw_stream(zlib.compress(cmap))
        program = face.makeSubset(subset)
        self.program = _raw_stream(zlib.compress(program), Length1=len(program))
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        bbox = " ".join(str(v) for v in face.bbox)
        self.descriptor_head = (
            f"<< /Type /FontDescriptor /Ascent {face.ascent} /CapHeight {face.capHeight} "
            f"/Descent {face.descent} /Flags {flags} /FontBBox [ {bbox} ] "
            f"/FontName /{base_name} /ItalicAngle {face.italicAngle} /StemV {face.stemV} "
            f"/MissingWidth {face.defaultWidth} /FontFile2 "
        ).encode()


class CachingTTFont(TTFont):
    """A TrueType font whose subsets are built, compressed and written out once per process.

    reportlab builds each document's subsets anew (parse, subset, compress, format: most of
    the cost of a one-page PDF). Documents that use the same characters get the same subset
    (the first one holds ASCII at fixed codes), so the finished objects are kept and reused.
    The objects are those reportlab's TTFont.addObjects writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._subsets: OrderedDict[tuple, _Subset] = OrderedDict()
        self._subsets_lock = threading.Lock()

    def _subset(self, base_name: str, subset: list[int]) -> _Subset:
        key = (base_name, tuple(subset))
        with self._subsets_lock:
            found = self._subsets.get(key)
            if found is not None:
                self._subsets.move_to_end(key)
                return found
        found = _Subset(self.face, base_name, subset)
        with self._subsets_lock:
            self._subsets[key] = found
            while len(self._subsets) > _SUBSETS_KEPT:
                self._subsets.popitem(last=False)
        return found

    def addObjects(self, doc):
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            ready = self._subset(base_name, subset)
            program = doc.Reference(
                PreparedObject(ready.program), f"fontFile:{face.filename}({base_name})"
            )
            descriptor = doc.Reference(
                PreparedObject(ready.descriptor_head, program, b" >>"),
                "fontDescriptor:" + base_name,
            )
            cmap = doc.Reference(PreparedObject(ready.cmap), "toUnicodeCMap:" + base_name)
            font = PreparedObject(
                f"<< /Type /Font /Subtype /TrueType /Name /{internal_name} "
                f"/BaseFont /{base_name} /FirstChar 0 /LastChar {ready.last_char} "
                "/FontDescriptor ".encode(),
                descriptor,
                b" /ToUnicode ",
                cmap,
                b" /Widths ",
                ready.widths,
                b" >>",
            )
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


# The fonts this process has parsed and registered, by name. Asked for a name it does not
# know, pdfmetrics.getFont first searches every standard font's AFM file for it (about 0.6 s).
_registered: dict[str, TTFont] = {}


def _font(name: str) -> TTFont:
    """The registered font, parsing its file the first time this process asks for it."""
    font = _registered.get(name)
    if font is not None:
        return font
    with _lock:
        font = _registered.get(name)
        if font is None:
            font = CachingTTFont(name, str(FONT_DIR / _FILES[name]), asciiReadable=True)
            pdfmetrics.registerFont(font)
            _registered[name] = font
        return font


def register_fonts() -> None:
    """Register the document faces (cheap); fallbacks register themselves when first needed."""
    _font(REGULAR)
    _font(BOLD)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def _is_arabic(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _ARABIC_RANGES)


@functools.lru_cache(maxsize=4096)
def _font_for(char: str, face: str) -> str:
    code = ord(char)
    if _is_arabic(code):
        return _ARABIC_FONT[face]
    for name in _CHAINS[face]:
        if code in _font(name).face.charToGlyph:
            return name
    return face  # no font has it: the face's own empty box


@functools.lru_cache(maxsize=4096)
def _direction(char: str) -> str:
    """'L', 'R' (strong), 'N' (number) or '' (neutral)."""
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind in ("EN", "AN"):
        return "N"
    return ""


def _levels(text: str) -> list[int]:
    """Each character's embedding level (0 or 2 left-to-right, 1 right-to-left)."""
    kinds = [_direction(c) for c in text]
    base = next((1 if k == "R" else 0 for k in kinds if k in ("L", "R")), 0)
    # UAX #9 W7 and N1, simplified: a number takes the direction of the strong character
    # before it (the paragraph's at the start), and counts as that for the neutrals around it.
    strong, last = [], "R" if base else "L"
    for k in kinds:
        if k == "L" or k == "R":
            last = k
        strong.append(last if k == "N" else k)
    _bracket_pairs_resolve(text, strong, "R" if base else "L")
    # The strong direction each character sees before and after it.
    before, last = [], "R" if base else "L"
    for k in strong:
        before.append(last)
        if k:
            last = k
    after, nxt = [""] * len(strong), "R" if base else "L"
    for i in range(len(strong) - 1, -1, -1):
        after[i] = nxt
        if strong[i]:
            nxt = strong[i]
    levels = []
    for i, k in enumerate(kinds):
        if k == "":
            k = strong[i] or (before[i] if before[i] == after[i] else ("R" if base else "L"))
        if k == "N":
            levels.append(2 if (base or strong[i] == "R") else 0)
        elif k == "R":
            levels.append(1)
        else:
            levels.append(2 if base else 0)
    return levels


_OPENING = {")": "(", "]": "[", "}": "{"}


def _bracket_pairs_resolve(text: str, strong: list[str], embedding: str) -> None:
    """UAX #9 N0, simplified: both brackets of a pair take the paragraph's direction when
    something inside has it; else the other direction when something inside has that and so
    does the text before the pair ("Ayesha (عائشہ خان) 42" keeps its brackets left to right)."""
    stack, pairs = [], []
    for i, char in enumerate(text):
        if char in "([{":
            stack.append((char, i))
        elif char in _OPENING:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == _OPENING[char]:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    for opening, closing in sorted(pairs):
        inside = set(strong[opening + 1 : closing]) - {""}
        if not inside:
            continue
        direction = embedding
        if embedding not in inside:
            preceding = next((k for k in reversed(strong[:opening]) if k), embedding)
            direction = preceding
        strong[opening] = strong[closing] = direction


def _runs(text: str, face: str) -> list[tuple[str, str, int]]:
    """(text, font, level) runs in visual order."""
    levels = _levels(text)
    runs: list[list] = []
    for char, level in zip(text, levels, strict=True):
        font = _font_for(char, face)
        if (
            runs
            and runs[-1][2] == level
            and (
                runs[-1][1] == font
                or (not _direction(char) and ord(char) in _font(runs[-1][1]).face.charToGlyph)
            )
        ):
            runs[-1][0] += char
        else:
            runs.append([char, font, level])
    # Rule L2: from the highest level down to the lowest odd one, reverse every sequence of runs
    # at that level or above. A run's own characters are ordered by the shaper (odd levels).
    top = max(levels, default=0)
    for level in range(top, 0, -1):
        i = 0
        while i < len(runs):
            if runs[i][2] >= level:
                j = i
                while j < len(runs) and runs[j][2] >= level:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
            else:
                i += 1
    return [(t, f, lv) for t, f, lv in runs]


def _piece(text: str, font: str, level: int, size: float):
    """The string to draw (shaped where the script needs it) and its width."""
    if level % 2 or font not in (REGULAR, BOLD):
        shaped = shapeStr(text, font, size)
        if isinstance(shaped, ShapedStr):
            return shaped, sum(d.x_advance for d in shaped.__shapeData__) * size / 1000
    return text, pdfmetrics.stringWidth(text, font, size)


def _simple(text: str) -> bool:
    return text.isascii() or all(ord(c) < 0x0370 for c in text)


@functools.lru_cache(maxsize=2048)
def _layout(text: str, face: str, size: float):
    pieces = [_piece(t, f, lv, size) + (f,) for t, f, lv in _runs(text, face)]
    return tuple(pieces), sum(p[1] for p in pieces)


def width(text: str, *, bold: bool = False, size: float = 10) -> float:
    face = BOLD if bold else REGULAR
    if _simple(text):
        return pdfmetrics.stringWidth(text, face, size)
    return _layout(text, face, size)[1]


class DocumentCanvas(Canvas):
    """A canvas that gathers a page's lines of text into one PDF text object.

    reportlab's drawString makes a text object per call (and measures the string it is not
    asked to measure); a statement draws some fifty lines, so one object per page is markedly
    cheaper. The text is written out before the page ends (showPage, save) or when a drawing
    must come after it (flush_text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._text = None
        self._text_font = None

    def text_object(self, font: str, size: float):
        text = self._text
        if text is None:
            text = self._text = self.beginText()
            self._text_font = None
        if self._text_font != (font, size):
            text.setFont(font, size)
            self._text_font = (font, size)
        return text

    def flush_text(self) -> None:
        if self._text is not None:
            self.drawText(self._text)
            self._text = None
            self._text_font = None

    def showPage(self):
        self.flush_text()
        super().showPage()

    def save(self):
        self.flush_text()
        super().save()


def _put(canvas: DocumentCanvas, x: float, y: float, piece, font: str, size: float) -> None:
    text = canvas.text_object(font, size)
    text.setTextOrigin(x, y)
    if type(piece) is str and piece.isascii() and piece.isprintable():
        # Printable ASCII sits at its own codes in a font's first subset (reportlab's
        # "asciiReadable" layout), so it is written as is: the same operators _formatText
        # writes, without looking each character up.
        if text._curSubset != 0:
            name = _font(font).getSubsetInternalName(0, canvas._doc)
            text._code.append(f"{name} {fp_str(size)} Tf {fp_str(text._leading)} TL")
            text._curSubset = 0
        text._code.append(f"({escapePDF(piece)}) Tj")
    else:
        text._code.append(text._formatText(piece))


def draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    bold: bool = False,
    size: float = 10,
    align: str = "left",
) -> None:
    """Draw one line of text. align: left, right (x is the right edge) or centre (x is the
    middle)."""
    face = BOLD if bold else REGULAR
    if isinstance(canvas, DocumentCanvas):
        if _simple(text):
            width = pdfmetrics.stringWidth(text, face, size) if align != "left" else 0.0
            pieces = ((text, width, face),)
        else:
            pieces, width = _layout(text, face, size)
        if align == "right":
            x -= width
        elif align == "centre":
            x -= width / 2
        for piece, piece_width, font in pieces:
            _put(canvas, x, y, piece, font, size)
            x += piece_width
        return
    if _simple(text):
        canvas.setFont(face, size)
        if align == "right":
            canvas.drawRightString(x, y, text)
        elif align == "centre":
            canvas.drawCentredString(x, y, text)
        else:
            canvas.drawString(x, y, text)
        return
    pieces, total = _layout(text, face, size)
    if align == "right":
        x -= total
    elif align == "centre":
        x -= total / 2
    for piece, piece_width, font in pieces:
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += piece_width
    canvas.setFont(face, size)


def wrap(text: str, *, bold: bool = False, size: float = 10, max_width: float) -> list[str]:
    """Break a paragraph into lines no wider than max_width, at spaces (a word wider than the
    line stands alone)."""
    rows: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and width(candidate, bold=bold, size=size) > max_width:
                rows.append(line)
                line = word
            else:
                line = candidate
        rows.append(line)
    return rows


class TextBlock(Flowable):
    """A paragraph for platypus (a table cell, a frame) drawn with ``draw``, so a name in any
    script prints (reportlab's Paragraph uses one font and neither shapes nor reorders). It
    wraps at spaces to the width it is given and keeps the text's own line breaks."""

    def __init__(self, text: str, *, bold: bool = False, size: float = 9, leading=None):
        super().__init__()
        self.text = text or ""
        self.bold = bold
        self.size = size
        self.leading = leading or size * 1.25
        self._lines: list[str] = []

    def wrap(self, availWidth, availHeight):
        register_fonts()
        self._lines = wrap(self.text, bold=self.bold, size=self.size, max_width=availWidth)
        self.width = availWidth
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def draw(self):
        for number, line in enumerate(self._lines):
            y = self.height - number * self.leading - self.size
            draw(self.canv, 0, y, line, bold=self.bold, size=self.size)
