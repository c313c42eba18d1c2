"""What text the back office accepts: one rule for forms, models, imports and public pages.

Control characters (a NUL byte, a vertical tab pasted from a PDF, an escape) break exports,
email headers and PDFs long after they were typed, so they are refused where text comes in.
Tab and newline are ordinary in notes and addresses; a name or a subject is one line.
This module imports no app: every app and the shell may use it.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab (9), newline (10) and carriage return (13), DEL, and the C1 block.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def _describe(char: str) -> str:
    if char == "\x00":
        return "a NUL byte"
    name = unicodedata.name(char, "")
    return f"the control character U+{ord(char):04X}" + (f" ({name})" if name else "")


def text_problem(value: str, *, one_line: bool = False) -> str | None:
    """Why ``value`` cannot be stored as typed, in words for the person who typed it; None
    when it can. ``one_line`` refuses line breaks too (names, subjects, titles)."""
    if not isinstance(value, str) or not value:
        return None
    bad = _CONTROL.search(value)
    if bad:
        return f"Remove {_describe(bad.group())}: it cannot be stored or printed."
    if one_line and _LINE_BREAK.search(value):
        return "Write this on one line: it cannot contain a line break."
    return None


def printable(value: str) -> str:
    """``value`` with any control character already stored replaced by a space: what an export
    or a PDF writes so that old data never makes it fail. Tabs and newlines stay."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(" ", value)


def one_line(value: str) -> str:
    """``value`` as one line: each run of whitespace, line breaks and control characters
    becomes one space. For what must be one line whatever is stored: an email's subject (a
    line break there is refused by the mail library, and the email is never sent)."""
    return " ".join(printable(value).split())
