"""GlobalGiving's public Project Service API, behind plain functions and plain data.

``fetch_project`` asks for one project's figures and answers a ``ProjectFigures`` or raises
``GlobalGivingError`` with a reason a person can read: nothing else of the API leaks out.
Numbers arrive sometimes as JSON numbers and sometimes as strings; both are read exactly (as
Decimal), and an answer without sane figures is an error, never zeros.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Statuses worth asking again: the service is busy or briefly broken.
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_MAX_BODY = 1_000_000


@dataclass(frozen=True)
class ProjectFigures:
    project_id: str
    title: str
    status: str
    funding: Decimal
    goal: Decimal
    remaining: Decimal | None
    donation_count: int


class GlobalGivingError(Exception):
    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


def project_url(base: str, project_id: str, api_key: str) -> str:
    path = f"/api/public/projectservice/projects/{urllib.parse.quote(str(project_id), safe='')}"
    return base.rstrip("/") + path + "?" + urllib.parse.urlencode({"api_key": api_key})


def fetch_project(
    *,
    base: str,
    api_key: str,
    project_id: str,
    timeout: float = 10.0,
    attempts: int = 3,
    backoff: float = 2.0,
) -> ProjectFigures:
    """One project's figures; a down or slow API is asked ``attempts`` times in all."""
    url = project_url(base, project_id, api_key)
    last_error: GlobalGivingError | None = None
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            status, body = _get(url, timeout)
        except GlobalGivingError as exc:  # no answer at all: worth another try
            last_error = exc
        else:
            if status == 200:
                return parse_project(body, project_id=str(project_id))
            last_error = GlobalGivingError(
                f"GlobalGiving answered HTTP {status}", http_status=status
            )
            if status not in _RETRY_STATUSES:
                break
        if attempt < attempts and backoff:
            time.sleep(backoff * attempt)
    assert last_error is not None
    raise last_error


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "msp-backoffice"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(_MAX_BODY)
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except TimeoutError:
        raise GlobalGivingError(f"GlobalGiving did not answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise GlobalGivingError(f"GlobalGiving did not answer within {timeout:g} s") from None
        raise GlobalGivingError(f"GlobalGiving could not be reached: {reason}") from None
    except (OSError, ValueError) as exc:  # reset connection, malformed answer line
        raise GlobalGivingError(f"GlobalGiving could not be reached: {exc}") from None


def _amount(project: dict, key: str, *, required: bool = True) -> Decimal | None:
    value = project.get(key)
    if value is None or value == "":
        if required:
            raise GlobalGivingError(f"GlobalGiving's answer has no {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise GlobalGivingError(f"GlobalGiving's {key} is not a number: {value!r}")
    try:
        # str() first: a JSON number parsed as float keeps the digits it was written with.
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise GlobalGivingError(f"GlobalGiving's {key} is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e11"):
        raise GlobalGivingError(f"GlobalGiving's {key} is not a sane amount: {value!r}")
    return amount.quantize(Decimal("0.01"))


def _count(project: dict, key: str) -> int:
    value = project.get(key)
    if isinstance(value, bool):
        value = None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise GlobalGivingError(f"GlobalGiving's {key} is not a count: {value!r}") from None
    if value is None or not number.is_finite() or number < 0 or number != number.to_integral():
        raise GlobalGivingError(f"GlobalGiving's {key} is not a count: {value!r}")
    return int(number)


def parse_project(body: bytes | str, *, project_id: str) -> ProjectFigures:
    """Read one project out of the API's answer (a single project or a collection)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise GlobalGivingError("GlobalGiving's answer is not JSON") from None
    project = data.get("project") if isinstance(data, dict) else None
    if project is None and isinstance(data, dict) and isinstance(data.get("projects"), dict):
        listed = data["projects"].get("project") or []
        listed = listed if isinstance(listed, list) else [listed]
        matching = [p for p in listed if isinstance(p, dict) and str(p.get("id")) == project_id]
        project = matching[0] if matching else None
    if not isinstance(project, dict):
        raise GlobalGivingError(f"GlobalGiving's answer holds no project {project_id}")
    if "id" in project and str(project["id"]) != str(project_id):
        raise GlobalGivingError(
            f"GlobalGiving answered about project {project['id']}, not {project_id}"
        )
    return ProjectFigures(
        project_id=str(project_id),
        title=str(project.get("title") or "")[:300],
        status=str(project.get("status") or "")[:40],
        funding=_amount(project, "funding"),
        goal=_amount(project, "goal"),
        remaining=_amount(project, "remaining", required=False),
        donation_count=_count(project, "numberOfDonations"),
    )
