"""What the log may say: a filter on the log's handler that blanks email addresses and the
configured secrets in every record, its arguments and its traceback, whichever library
wrote it. (The app's own log lines name records by id, never by a person's details; this
catches what libraries put in messages, such as django-q2 logging a failed task's exception,
"{'donor@example.org': (550, ...)}" from a refusing mail server.)"""

from __future__ import annotations

import logging
import re

from django.conf import settings

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_SECRET_SETTINGS = (
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "EMAIL_HOST_PASSWORD",
    "GLOBALGIVING_API_KEY",
)


def _secrets() -> list[str]:
    if not settings.configured:
        return []
    values = [getattr(settings, name, "") for name in _SECRET_SETTINGS]
    values += [db.get("PASSWORD", "") for db in settings.DATABASES.values()]
    # Short values would blank ordinary words; real secrets are long.
    return [str(v) for v in values if v and len(str(v)) >= 8]


def redact(text: str) -> str:
    for secret in _secrets():
        text = text.replace(secret, "[secret]")
    return EMAIL.sub("[email]", text)


class RedactFilter(logging.Filter):
    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = redact(record.getMessage()), ()
            if record.exc_info and not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:  # a record that cannot be formatted is logged as it is, not lost
            pass
        return True
