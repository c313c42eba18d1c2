"""The receipt PDF: one letter-size page drawn with reportlab's canvas API, from the receipt's
snapshot only (so a receipt prints the same on any later day, except the VOID mark)."""

from __future__ import annotations

import datetime
import functools
import io

from django.utils.formats import date_format
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import cm, inch
from reportlab.pdfgen.canvas import Canvas

from common import pdf_text
from compliance import rules
from compliance.models import Receipt, ReceiptKind
from compliance.pdf_logo import Logo, current_logo, draw_logo
from compliance.pdf_qr import draw_qr, qr_image
from donors.money import usd

PAGE_WIDTH, PAGE_HEIGHT = letter
MARGIN = 0.9 * inch
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LOGO_HEIGHT = 0.6 * inch
BOLD = pdf_text.BOLD
# The foot of a document's last page: the verification address as text at the left, its QR code
# (2.5 cm across, the size a phone reads from paper) at the right, the code's bottom level with
# the text's last line. The page's other text stays above FOOT_TOP (the code and its quiet zone).
QR_SIZE = 2.5 * cm
FOOT_Y = MARGIN - 10
QR_BOTTOM = FOOT_Y - 2
# 12 points clear around the code: more than its quiet zone (4 modules, under 10 points for
# any version that holds an address, 29 modules or more).
QR_GAP = 12
FOOT_TOP = QR_BOTTOM + QR_SIZE + QR_GAP
FOOT_TEXT_WIDTH = TEXT_WIDTH - QR_SIZE - QR_GAP  # for text beside the code

RECIPIENT_NOTES = {
    rules.Recipient.DAF_SPONSOR: (
        "This grant from a donor-advised fund is acknowledged to the sponsoring organization. "
        "No goods or services may be provided to the fund's advisor in exchange for it."
    ),
    rules.Recipient.EMPLOYER: "This matching gift is acknowledged to the employer that made it.",
    rules.Recipient.GLOBALGIVING: (
        "This acknowledges GlobalGiving's grant. GlobalGiving issues tax receipts to the "
        "individual donors who gave through it."
    ),
}


def new_canvas(buffer, title: str, author: str) -> Canvas:
    """A letter-size canvas with the fonts registered (once per process)."""
    pdf_text.register_fonts()
    canvas = pdf_text.DocumentCanvas(
        buffer, pagesize=letter, pageCompression=1, initialFontName=pdf_text.REGULAR
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    return canvas


@functools.lru_cache(maxsize=512)
def _wrapped(text: str, bold: bool, size: float) -> tuple[str, ...]:
    """Lines of a paragraph; cached, since every document repeats the organization's texts."""
    return tuple(pdf_text.wrap(text, bold=bold, size=size, max_width=TEXT_WIDTH))


@functools.lru_cache(maxsize=64)
def _heading_size(name: str) -> int:
    """The largest size (15 down to 9) at which the organization's name leaves room for the
    document's number on the right."""
    size = 15
    while size > 9 and pdf_text.width(name, bold=True, size=size) > TEXT_WIDTH - 150:
        size -= 1
    return size


def _day(value) -> str:
    return date_format(value, "F j, Y")


class _Writer:
    def __init__(self, canvas: Canvas, logo: Logo | None = None):
        self.canvas = canvas
        self.y = PAGE_HEIGHT - MARGIN
        if logo is not None:
            # The logo's top at the margin; the letterhead starts below it.
            draw_logo(canvas, logo, x=MARGIN, top=self.y + 10, height=LOGO_HEIGHT)
            self.y -= LOGO_HEIGHT + 6

    def line(self, text: str, *, bold=False, size=10, x=MARGIN, gap=1.35):
        pdf_text.draw(self.canvas, x, self.y, text, bold=bold, size=size)
        self.y -= size * gap

    def para(self, text: str, *, bold=False, size=10, gap=1.35, after=6):
        for row in _wrapped(text, bold, size):
            self.line(row, bold=bold, size=size, gap=gap)
        self.y -= after

    def space(self, points: float):
        self.y -= points


def _text(canvas, x, y, text, *, bold=False, size=9, align="left"):
    pdf_text.draw(canvas, x, y, text, bold=bold, size=size, align=align)


def paid_as(receipt: Receipt) -> str:
    """ " (paid as £100.00)" after the dollars of a gift paid in another currency and not
    refunded in part (the dollars received are what the receipt states). The receipt email
    says it too."""
    if receipt.method not in ("card", "ach") or receipt.amount_refunded:
        return ""
    paid = receipt.gift.original_paid
    return f" (paid as {paid})" if paid else ""


def receipt_body_lines(receipt: Receipt) -> list[str]:
    """The sentences that state the gift, shared by the PDF and the email."""
    lines = [f"Date of contribution: {_day(receipt.gift_date)}"]
    if receipt.is_non_cash:
        lines.append(f"Contribution (non-cash): {receipt.non_cash_description}")
        lines.append(
            "The organization states no value for a non-cash contribution; its value is for the "
            "donor to determine."
        )
    else:
        lines.append(f"Amount received: {usd(receipt.amount)}{paid_as(receipt)}")
    lines.append(rules.gift_form_sentence(receipt.method))
    if receipt.benefit_value > 0:
        lines.append(
            f"In exchange for this contribution you received {receipt.benefit_description or 'goods or services'}"
            f", with a good-faith estimated value of {usd(receipt.benefit_value)}. The amount "
            "deductible for federal income tax purposes is limited to the payment minus that "
            f"value: {usd(receipt.deductible_amount)}."
        )
    else:
        lines.append(rules.NO_GOODS_OR_SERVICES)
    return lines


def receipt_pdf(receipt: Receipt, *, logo: Logo | None | bool = True) -> bytes:
    """The receipt's PDF. logo: True for the organization's current logo (one small query,
    the image itself decoded once per process), or a Logo already fetched, or None."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Receipt {receipt.number}", receipt.org_name)
    draw_receipt(canvas, receipt, logo=current_logo() if logo is True else logo)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _letterhead(w: _Writer, document, title: str) -> tuple[float, float]:
    """The organization's name, address and EIN, with the document's title, number and issue
    date on the right; returns the top right corner for more lines there."""
    w.line(document.org_name, bold=True, size=_heading_size(document.org_name), gap=1.5)
    for row in document.org_address.splitlines():
        w.line(row, size=9)
    w.line(f"EIN {document.org_ein}", size=9)
    top, right = PAGE_HEIGHT - MARGIN, PAGE_WIDTH - MARGIN
    _text(w.canvas, right, top, f"{title} {document.number}", bold=True, size=11, align="right")
    _text(w.canvas, right, top - 14, f"Issued {_day(document.issued_at.date())}", align="right")
    return top, right


def _addressee(w: _Writer, document) -> None:
    w.line(document.donor_name, bold=True, size=11)
    for row in document.donor_address.splitlines():
        w.line(row)


def draw_receipt(canvas: Canvas, receipt: Receipt, *, logo: Logo | None = None) -> None:
    w = _Writer(canvas, logo)
    top, right = _letterhead(w, receipt, "Receipt")
    if receipt.kind == ReceiptKind.CORRECTED:
        replaced = receipt.replaces.number if receipt.replaces_id else ""
        _text(canvas, right, top - 27, f"Corrected receipt, replaces {replaced}", align="right")
    w.space(18)
    _addressee(w, receipt)
    w.space(16)

    w.line("Acknowledgment of your contribution", bold=True, size=13, gap=1.8)
    w.para(f"Thank you for your contribution to {receipt.org_name}.")
    for sentence in receipt_body_lines(receipt):
        w.para(sentence)
    note = RECIPIENT_NOTES.get(receipt.recipient)
    if note:
        w.para(note)
    w.para(receipt.org_exemption_statement, size=9)
    w.space(10)
    w.line(receipt.org_signatory_name, bold=True)
    w.line(f"{receipt.org_signatory_title}, {receipt.org_name}", size=9)
    w.space(12)
    if receipt.org_ny_disclosure:
        w.para(receipt.org_ny_disclosure, size=8)

    above = _verification_foot(
        canvas,
        receipt.verify_url,
        f"Verify this receipt at {receipt.verify_url} (code {receipt.verification_code})",
        size=8,
    )
    if receipt.is_void:
        _void_mark(
            canvas, f"VOID since {_day(receipt.voided_at.date())}: {receipt.void_reason}", y=above
        )


def _verification_foot(canvas: Canvas, url: str, text: str, *, size: float) -> float:
    """The foot of a document's last page: text (which prints url) at the left margin, wrapped
    beside the QR code of url at the right margin. Returns the baseline for a line above."""
    right = PAGE_WIDTH - MARGIN
    draw_qr(canvas, qr_image(url), x=right - QR_SIZE, y=QR_BOTTOM, size=QR_SIZE)
    y = FOOT_Y
    for row in reversed(pdf_text.wrap(text, size=size, max_width=FOOT_TEXT_WIDTH)):
        _text(canvas, MARGIN, y, row, size=size)
        y += size * 1.3
    return y + 4


def _void_mark(canvas: Canvas, note: str, *, y: float) -> None:
    """A large red VOID across the page, over its text, and the note at the foot (from
    baseline y up, beside the QR code)."""
    if isinstance(canvas, pdf_text.DocumentCanvas):
        canvas.flush_text()  # the page's text first, the mark over it
    canvas.saveState()
    canvas.setFillColor(Color(0.8, 0, 0, alpha=0.35))
    canvas.setFont(BOLD, 120)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -40, "VOID")
    canvas.restoreState()
    canvas.setFillColor(black)
    for row in reversed(pdf_text.wrap(note[:120], bold=True, size=9, max_width=FOOT_TEXT_WIDTH)):
        _text(canvas, MARGIN, y, row, bold=True)
        y += 11


# Year-end statements: a table of the year's gifts, the totals, and the soft credits apart.


def _money_or_dash(value) -> str:
    return usd(value) if value is not None else "no value stated"


def _fit(text: str, room: float, size: float = 9) -> str:
    """As much of ``text`` as fits in ``room`` points (most fit whole: one measure)."""
    while text and pdf_text.width(text, size=size) > room:
        text = text[: max(len(text) - 4, 0)]
    return text


def statement_pdf(statement, *, logo: Logo | None | bool = True) -> bytes:
    """The statement's PDF; logo as for receipt_pdf (a batch fetches it once and passes it)."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Statement {statement.number}", statement.org_name)
    draw_statement(canvas, statement, logo=current_logo() if logo is True else logo)
    canvas.save()
    return buffer.getvalue()


def _closing_height(statement) -> float:
    """Points the statement's closing lines take (the exemption statement, the signatory, the
    NY disclosure), so that they end above the foot's QR code on the last page."""
    height = 4 + len(_wrapped(statement.org_exemption_statement, False, 8)) * 8 * 1.35 + 6
    height += 9 * 1.35
    if statement.org_ny_disclosure:
        height += len(_wrapped(statement.org_ny_disclosure, False, 7)) * 7 * 1.35 + 6
    return height


def draw_statement(canvas: Canvas, statement, *, logo: Logo | None = None) -> None:
    """Draw one statement (one page or more) and end its last page."""
    w = _Writer(canvas, logo)
    _letterhead(w, statement, "Statement")
    w.space(14)
    _addressee(w, statement)
    w.space(12)
    w.line(f"Your {statement.year} giving statement", bold=True, size=13, gap=1.8)

    columns = [MARGIN, MARGIN + 58, MARGIN + 102, MARGIN + 262, MARGIN + 330, MARGIN + 420]
    headers = ["Date", "Type", "Gift", "Amount", "Value received", "Deductible"]

    def header():
        for x, text in zip(columns, headers, strict=True):
            _text(canvas, x, w.y, text, bold=True)
        w.y -= 13

    def need(points: float):
        if w.y - points < MARGIN + 30:
            canvas.showPage()
            w.y = PAGE_HEIGHT - MARGIN
            w.line(f"Statement {statement.number} (continued)", bold=True, size=9)
            header()

    header()
    for line in statement.lines:
        need(12)
        day = datetime.date.fromisoformat(line["date"])
        description = line["description"]
        if line["benefit_description"]:
            description = f"{description}; received {line['benefit_description']}"
        # non_cash: the cash-or-property rule (donors.money_rules) as applied at issue.
        non_cash = line["non_cash"]
        _text(canvas, columns[0], w.y, day.strftime("%b %-d, %Y"))
        _text(canvas, columns[1], w.y, "Property" if non_cash else "Cash")
        _text(canvas, columns[2], w.y, _fit(description, columns[3] - columns[2] - 6))
        _text(canvas, columns[3], w.y, "no value" if non_cash else _money_or_dash(line["amount"]))
        if not non_cash:
            _text(canvas, columns[4], w.y, usd(line["benefit_value"]))
            _text(canvas, columns[5], w.y, _money_or_dash(line["deductible_amount"]))
        w.y -= 12
    if not statement.lines:
        w.line("No tax-deductible gifts from you this year.", size=9)
    need(30)
    _text(canvas, columns[2], w.y, "Totals", bold=True)
    _text(canvas, columns[3], w.y, usd(statement.total_amount), bold=True)
    _text(canvas, columns[4], w.y, usd(statement.total_benefit), bold=True)
    _text(canvas, columns[5], w.y, usd(statement.total_deductible), bold=True)
    w.y -= 18
    need(60)
    for sentence in rules.cash_summary_lines(statement.lines):
        w.para(sentence, size=9, after=2)
    w.space(4)
    w.para(
        "Unless a value received is shown, no goods or services were provided in exchange for "
        "these contributions. Property gifts are listed without a value.",
        size=8,
    )
    if statement.soft_credits:
        need(40)
        w.line("Soft credits: not deductible by you", bold=True, size=10)
        w.para(
            "These gifts were made by others (an employer's match, a donor-advised fund, a "
            "platform) and are credited to you in recognition only. They are not deductible by "
            "you.",
            size=8,
        )
        for credit in statement.soft_credits:
            need(12)
            day = datetime.date.fromisoformat(credit["date"])
            w.line(
                f"{day:%b %-d, %Y}   {credit['kind']}: {credit['gift_from']}   "
                f"{usd(credit['amount'])}",
                size=9,
            )
    need(_closing_height(statement) + FOOT_TOP - (MARGIN + 30))
    w.space(4)
    w.para(statement.org_exemption_statement, size=8)
    w.line(f"{statement.org_signatory_name}, {statement.org_signatory_title}", size=9)
    if statement.org_ny_disclosure:
        w.para(statement.org_ny_disclosure, size=7)
    above = _verification_foot(
        canvas, statement.verify_url, f"Verify at {statement.verify_url}", size=7
    )
    if statement.is_void:
        _void_mark(canvas, f"VOID: {statement.void_reason}", y=above)
    canvas.showPage()
