"""Appeal letters, mailing labels and #10 envelopes as PDFs to print, for an appeal's or a
segment's donors who may be written to.

The text goes through common.pdf_text, as on receipts: the same shipped fonts, so a name or an
address in Urdu, Arabic, Devanagari, Chinese or any script the receipts print comes out right
(shaped, right to left where it reads so). Batches are read in chunks (the donors, their
addresses and their merge fields each one query a chunk), so thousands of letters cost a few
queries per few hundred letters; the PDF itself is built in memory, a few KB a page.

Who gets one (``letter_recipients``): the segment's donors, less those marked do not solicit,
those who do not take mail (``mail_opt_in``) and those with no address a letter can reach;
each group is counted so staff see it before printing.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import unicodedata
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.template import Context, Template
from django.utils import timezone
from PIL import Image, UnidentifiedImageError
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch

from common import pdf_text
from common.pdf_logo import Logo, draw_logo, prepare_logo
from donors.merge import merge_check, merge_fields_for
from donors.models import Appeal, Donor, DonorAddress, Organization, Segment
from donors.segments import segment_donors
from donors.text import printable

CHUNK = 500

# --- who gets a letter ---------------------------------------------------------------------


def _usable_addresses() -> QuerySet[DonorAddress]:
    """Addresses a letter can reach: a street and a city, and in the US a state and a ZIP."""
    return (
        DonorAddress.objects.exclude(line1="")
        .exclude(city="")
        .filter(~Q(country="US") | (~Q(region="") & ~Q(postal_code="")))
    )


@dataclasses.dataclass(frozen=True)
class LeftOut:
    """The segment's donors who get nothing, by the first reason that applies."""

    do_not_solicit: int = 0
    no_mail_consent: int = 0
    no_address: int = 0

    @property
    def total(self) -> int:
        return self.do_not_solicit + self.no_mail_consent + self.no_address


def _segment_of(source: Appeal | Segment) -> Segment:
    if isinstance(source, Segment):
        return source
    if source.segment_id is None:
        raise ValidationError(
            f"The appeal {source.code} has no segment: choose who it asks before printing."
        )
    return source.segment


def letter_recipients(source: Appeal | Segment) -> tuple[QuerySet[Donor], LeftOut]:
    """The donors of an appeal's segment (or a segment) who get a letter, in print order (by
    name), and how many were left out and why. Raises ValidationError for an appeal without a
    segment or a segment whose criteria no longer hold."""
    segment = _segment_of(source)
    # The segment's donors as a subquery: whatever joins its criteria make, each donor once.
    members = Donor.objects.filter(pk__in=segment_donors(segment.definition).values("pk"))
    reachable = Exists(_usable_addresses().filter(donor=OuterRef("pk")))
    counts = members.annotate(reachable=reachable).aggregate(
        n_dns=Count("pk", filter=Q(do_not_solicit=True)),
        n_consent=Count("pk", filter=Q(do_not_solicit=False, mail_opt_in=False)),
        n_address=Count("pk", filter=Q(do_not_solicit=False, mail_opt_in=True, reachable=False)),
    )
    donors = (
        members.filter(do_not_solicit=False, mail_opt_in=True)
        .filter(reachable)
        .order_by("sort_name", "id")
    )
    left_out = LeftOut(
        do_not_solicit=counts["n_dns"],
        no_mail_consent=counts["n_consent"],
        no_address=counts["n_address"],
    )
    return donors, left_out


# --- reading a batch -----------------------------------------------------------------------


def address_lines(address: DonorAddress) -> list[str]:
    """An address as it is written on an envelope."""
    city = f"{address.city}, {address.region} {address.postal_code}".strip().rstrip(",")
    lines = [address.line1, address.line2, city]
    if address.country != "US":
        lines.append(address.country.name)
    return [printable(line).strip() for line in lines if line and line.strip()]


def mailing_addresses(ids: list[int]) -> dict[int, list[str]]:
    """Each donor's mailing address: one marked mailing first, then the primary, then the
    oldest; only addresses a letter can reach."""
    found: dict[int, list[str]] = {}
    rows = (
        _usable_addresses()
        .filter(donor_id__in=ids)
        .annotate(
            mailing=Case(
                When(kind=DonorAddress.Kind.MAILING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("donor_id", "mailing", "-is_primary", "id")
    )
    for address in rows:
        if address.donor_id not in found:
            found[address.donor_id] = address_lines(address)
    return found


@dataclasses.dataclass
class _Piece:
    donor: Donor
    address: list[str]


def _ids(donors: Iterable[Donor] | QuerySet[Donor]) -> list[int]:
    if isinstance(donors, QuerySet):
        return list(donors.values_list("pk", flat=True))
    return [donor.pk for donor in donors]


def _chunks(donors) -> Iterator[list[_Piece]]:
    """The donors in their order, a chunk at a time, each with its address (those without a
    usable address are skipped: ``letter_recipients`` has already left them out)."""
    ids = _ids(donors)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = Donor.objects.in_bulk(chunk)
        addresses = mailing_addresses(chunk)
        yield [_Piece(by_id[pk], addresses[pk]) for pk in chunk if pk in by_id and pk in addresses]


# --- drawing -------------------------------------------------------------------------------


def _canvas(buffer, *, title: str, pagesize=letter) -> pdf_text.DocumentCanvas:
    pdf_text.register_fonts()
    canvas = pdf_text.DocumentCanvas(
        buffer, pagesize=pagesize, pageCompression=1, initialFontName=pdf_text.REGULAR
    )
    canvas.setTitle(title)
    return canvas


def _fit(text: str, *, size: float, room: float, bold: bool = False, least: float = 6.5):
    """The size (down to ``least``) at which ``text`` fits ``room`` points, and the text cut
    short if even that is too wide."""
    while size > least and pdf_text.width(text, bold=bold, size=size) > room:
        size -= 0.5
    while len(text) > 1 and pdf_text.width(text, bold=bold, size=size) > room:
        text = text[:-2] + "…"
    return text, size


@functools.lru_cache(maxsize=1024)
def _wrapped(text: str, bold: bool, size: float, max_width: float) -> tuple[str, ...]:
    """Lines of a paragraph; cached, since every letter of a batch repeats most of them."""
    return tuple(pdf_text.wrap(text, bold=bold, size=size, max_width=max_width))


@functools.lru_cache(maxsize=1024)
def _rtl(text: str) -> bool:
    """Whether a paragraph reads right to left (its first strong character does)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def _org_address(org: Organization) -> list[str]:
    lines = [org.address_line1, org.address_line2, f"{org.city}, {org.state} {org.postal_code}"]
    if org.country != "US":
        lines.append(org.country.name)
    return [line for line in lines if line]


def _organization() -> Organization:
    org = Organization.current()
    if org is None:
        raise ValidationError(
            "The organization's profile is not filled in: an Administrator fills it in first."
        )
    return org


def _logo() -> Logo | None:
    """The organization's logo, prepared once for the batch; none if it cannot be read (the
    upload checks keep such a logo out, a restore may not), so the letters still print."""
    data = Organization.objects.filter(pk=1).values_list("logo", flat=True).first()
    if not data:
        return None
    try:
        return prepare_logo(bytes(data))
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError,
            ValueError):  # fmt: skip
        return None


PAGE_W, PAGE_H = letter
LOGO_HEIGHT = 0.6 * inch
MARGIN = 0.9 * inch
TEXT_W = PAGE_W - 2 * MARGIN
BODY = 10.5
LEADING = BODY * 1.4
FOOT = MARGIN  # the NY disclosure ends above this


def letters_check(appeal: Appeal) -> Organization:
    """Refuse, in words, an appeal whose letters cannot be printed."""
    problems = []
    if not appeal.letter_body.strip():
        problems.append("The appeal has no letter text: write the letter's words first.")
    else:
        try:
            merge_check(appeal.letter_body)
        except ValidationError as error:
            problems.extend(error.messages)
    org = _organization()
    if not org.ny_disclosure.strip():
        problems.append(
            "The organization profile has no New York solicitation disclosure: every "
            "solicitation carries it, so an Administrator adds it before letters are printed."
        )
    if problems:
        raise ValidationError(problems)
    return org


def _last_gift_sentence(fields: dict[str, str]) -> str:
    if fields["last_gift_amount"]:
        return (
            f"Thank you for your last gift of {fields['last_gift_amount']} on "
            f"{fields['last_gift_date']}: it went to work at once."
        )
    return f"Thank you for your interest in the work of {fields['org_name']}."


class _Letter:
    """One donor's letter: its pages drawn top down, a new page when one is full."""

    def __init__(self, canvas, org: Organization, piece: _Piece, *, today: str, code: str, logo):
        self.canvas, self.org, self.piece, self.code = canvas, org, piece, code
        self.page = 1
        self.y = PAGE_H - MARGIN
        self._letterhead(today, logo)

    def _letterhead(self, today: str, logo: Logo | None) -> None:
        c, org = self.canvas, self.org
        if logo is not None:
            draw_logo(c, logo, x=MARGIN, top=self.y + 10, height=LOGO_HEIGHT)
            self.y -= LOGO_HEIGHT + 6
        name, size = _fit(printable(org.legal_name), size=15, room=TEXT_W, bold=True)
        pdf_text.draw(c, MARGIN, self.y, name, bold=True, size=size)
        self.y -= size * 1.4
        contact = ", ".join(_org_address(org))
        reach = " · ".join(v for v in (org.phone, org.email, org.website) if v)
        for row in (contact, reach):
            if row:
                pdf_text.draw(c, MARGIN, self.y, _fit(row, size=8.5, room=TEXT_W)[0], size=8.5)
                self.y -= 11
        c.flush_text()
        c.setLineWidth(0.5)
        c.line(MARGIN, self.y + 4, PAGE_W - MARGIN, self.y + 4)
        self.y -= 22
        pdf_text.draw(c, MARGIN, self.y, today, size=BODY)
        self.y -= 30
        # The address block, as it would show through a window envelope's window.
        donor = self.piece.donor
        for row in [printable(str(donor)), *self.piece.address]:
            text, size = _fit(row, size=BODY, room=TEXT_W / 2)
            pdf_text.draw(c, MARGIN, self.y, text, size=size)
            self.y -= LEADING
        self.y -= 20

    def _room(self, points: float, reserve: float = 0) -> None:
        if self.y - points < FOOT + reserve:
            self.canvas.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN
            heading = f"{printable(str(self.piece.donor))}, page {self.page}"
            pdf_text.draw(self.canvas, MARGIN, self.y, heading, size=8.5)
            self.y -= 30

    def para(self, text: str, *, size: float = BODY, bold: bool = False, after: float = 8):
        for paragraph in text.splitlines() or [""]:
            if not paragraph.strip():
                self.y -= size * 0.8
                continue
            rtl = _rtl(paragraph)
            for row in _wrapped(paragraph, bold, size, TEXT_W):
                self._room(size * 1.4)
                x, align = (PAGE_W - MARGIN, "right") if rtl else (MARGIN, "left")
                pdf_text.draw(self.canvas, x, self.y, row, bold=bold, size=size, align=align)
                self.y -= size * 1.4
        self.y -= after

    def close(self, *, signer_name: str, signer_title: str, disclosure: str, donate_url: str):
        donor_no = self.piece.donor.pk
        disclosure_rows = _wrapped(disclosure, False, 7, TEXT_W)
        foot = len(disclosure_rows) * 9 + 30
        self._room(6 * LEADING + 14, reserve=foot)
        self.y -= 6
        self.para("With gratitude,", after=24)
        self.para(signer_name, bold=True, after=0)
        self.para(f"{signer_title}, {self.org.legal_name}", size=9, after=14)
        self.para(
            f"Reply code {self.code}-{donor_no}: please write it on your check's memo line, "
            f"or give online at {donate_url}",
            size=8.5,
            after=0,
        )
        # The NY disclosure at the foot of the letter's last page.
        y = FOOT + (len(disclosure_rows) - 1) * 9
        for row in disclosure_rows:
            pdf_text.draw(self.canvas, MARGIN, y, row, size=7)
            y -= 9
        self.canvas.showPage()


def _today() -> str:
    day: datetime.date = timezone.localdate()
    return f"{day:%B} {day.day}, {day.year}"


def letters_pdf(appeal: Appeal, donors) -> bytes:
    """One letter (a page, more if its words run long) for each donor, in their order.
    ``donors``: a queryset (``letter_recipients``'s) or a list of donors."""
    org = letters_check(appeal)
    signer_name = appeal.signer_name.strip() or org.signatory_name
    signer_title = appeal.signer_title.strip() or org.signatory_title
    buffer = io.BytesIO()
    canvas = _canvas(buffer, title=printable(f"Letters: {appeal.name}"))
    canvas.setAuthor(printable(org.legal_name))
    today, logo = _today(), _logo()
    # merge_render's template, compiled once for the batch (as merge_render renders it).
    body = Template(appeal.letter_body)
    n = 0
    for chunk in _chunks(donors):
        fields = merge_fields_for([piece.donor for piece in chunk], appeal=appeal)
        for piece in chunk:
            mine = fields[piece.donor.pk]
            page = _Letter(canvas, org, piece, today=today, code=appeal.code, logo=logo)
            page.para(f"Dear {printable(mine['salutation'])},", after=10)
            page.para(_last_gift_sentence(mine))
            page.para(printable(body.render(Context(mine, autoescape=False))))
            page.close(
                signer_name=printable(signer_name),
                signer_title=printable(signer_title),
                disclosure=printable(org.ny_disclosure),
                donate_url=mine["donate_url"],
            )
            n += 1
    if n == 0:
        _empty(canvas, "No donor gets a letter: nobody in the segment can be written to.")
    canvas.save()
    return buffer.getvalue()


def _empty(canvas, message: str) -> None:
    pdf_text.draw(canvas, MARGIN, PAGE_H - MARGIN, message, size=11)
    canvas.showPage()


# Avery 5160 (and 8160, 5260...): 30 labels of 2 5/8" x 1" on US letter, 3 across, 10 down;
# 1/2" top and bottom, 3/16" at the sides, 1/8" between the columns, none between the rows.
LABEL_W, LABEL_H = 2.625 * inch, 1 * inch
LABEL_TOP, LABEL_SIDE, LABEL_GAP = 0.5 * inch, 0.1875 * inch, 0.125 * inch
LABEL_COLUMNS, LABEL_ROWS = 3, 10
LABELS_PER_PAGE = LABEL_COLUMNS * LABEL_ROWS
LABEL_PAD = 0.15 * inch  # printers wander: text stays this far inside each label


def label_corner(n: int) -> tuple[float, float]:
    """The top-left corner of the nth label (0-29) on its sheet, row by row."""
    row, column = divmod(n % LABELS_PER_PAGE, LABEL_COLUMNS)
    x = LABEL_SIDE + column * (LABEL_W + LABEL_GAP)
    y = PAGE_H - LABEL_TOP - row * LABEL_H
    return x, y


def _block(canvas, x: float, top: float, lines: list[str], *, size: float, room: float, height):
    """Address lines from ``top`` down, set smaller if there are more than the height holds."""
    while size > 6.5 and len(lines) * size * 1.2 > height:
        size -= 0.5
    y = top - size
    for line in lines:
        text, fitted = _fit(line, size=size, room=room)
        pdf_text.draw(canvas, x, y, text, size=fitted)
        y -= size * 1.2


def labels_pdf(donors) -> bytes:
    """Avery 5160 address labels, one per donor, 30 a sheet."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, title="Mailing labels (Avery 5160)")
    n = 0
    for chunk in _chunks(donors):
        for piece in chunk:
            if n and n % LABELS_PER_PAGE == 0:
                canvas.showPage()
            x, top = label_corner(n)
            lines = [printable(str(piece.donor)), *piece.address]
            _block(
                canvas,
                x + LABEL_PAD,
                top - 0.1 * inch,
                lines,
                size=9,
                room=LABEL_W - 2 * LABEL_PAD,
                height=LABEL_H - 0.2 * inch,
            )
            n += 1
    if n == 0:
        _empty(canvas, "No labels: nobody in the list can be written to.")
    else:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# #10 envelope: 9 1/2" x 4 1/8", printed with the flap up, as printers feed it.
ENVELOPE = (9.5 * inch, 4.125 * inch)
RETURN_X, RETURN_TOP = 0.375 * inch, ENVELOPE[1] - 0.375 * inch
# The recipient's block starts right of centre and sits in the middle band, above the
# bottom 5/8" the Postal Service keeps clear for its barcode.
RECIPIENT_X, RECIPIENT_TOP = 4.0 * inch, 2.4 * inch
RECIPIENT_ROOM = ENVELOPE[0] - RECIPIENT_X - 0.5 * inch


def envelopes_pdf(donors) -> bytes:
    """#10 envelopes, one page each: the organization's return address top left, the donor's
    address in the middle right."""
    org = _organization()
    buffer = io.BytesIO()
    canvas = _canvas(buffer, title="#10 envelopes", pagesize=ENVELOPE)
    sender = [printable(org.legal_name), *(_org_address(org))]
    n = 0
    for chunk in _chunks(donors):
        for piece in chunk:
            _block(canvas, RETURN_X, RETURN_TOP, sender, size=8.5, room=3.2 * inch, height=80)
            lines = [printable(str(piece.donor)), *piece.address]
            _block(
                canvas,
                RECIPIENT_X,
                RECIPIENT_TOP,
                lines,
                size=11,
                room=RECIPIENT_ROOM,
                height=RECIPIENT_TOP - 0.75 * inch,
            )
            canvas.showPage()
            n += 1
    if n == 0:
        pdf_text.draw(canvas, RETURN_X, RETURN_TOP - 10, "No envelopes: nobody to write to.")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
