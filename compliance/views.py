"""The public receipt verification page: anyone holding a receipt can check it is genuine."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance import rules
from compliance.models import Receipt, YearEndStatement
from donors.ratelimit import rate_limited

VERIFY_LIMIT = 30  # lookups per address per window
VERIFY_WINDOW = 300  # seconds
CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


@never_cache
@require_safe
def receipt_verify(request, code: str):
    limits = {"limit": VERIFY_LIMIT, "window": VERIFY_WINDOW}
    if rate_limited(request, scope="receipt-verify", **limits):
        response = render(request, "compliance/verify.html", {"too_many": True}, status=429)
        response["Retry-After"] = str(VERIFY_WINDOW)
        return response
    # Codes are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in a
    # query) is no receipt, answered without asking the database.
    if not CODE.fullmatch(code):
        return render(request, "compliance/verify.html", {"unknown": True}, status=404)
    receipt = (
        Receipt.objects.filter(verification_code=code)
        .only(
            "number",
            "issued_at",
            "amount",
            "gift_date",
            "voided_at",
            "donor_name",
            "non_cash_description",
            "kind",
        )
        .first()
    )
    if receipt is None:
        receipt = (
            YearEndStatement.objects.filter(verification_code=code)
            .only("number", "issued_at", "total_amount", "year", "voided_at", "donor_name")
            .first()
        )
        if receipt is None:
            return render(request, "compliance/verify.html", {"unknown": True}, status=404)
        return render(
            request,
            "compliance/verify.html",
            {
                "statement": receipt,
                "initials": rules.donor_initials(receipt.donor_name),
            },
        )
    context = {
        "receipt": receipt,
        "initials": rules.donor_initials(receipt.donor_name),
    }
    return render(request, "compliance/verify.html", context)
