"""A ceiling on every request body, checked from its declared length before a byte is read.

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams file uploads to disk
whatever their size: a 2 GB "CSV" would keep a web worker busy receiving it before the import
form could refuse it for its size. The largest body the app takes is an import file, so the
ceiling is the import limit plus room for the form around it. The web server in front should
refuse the same (nginx: client_max_body_size).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse


def request_ceiling() -> int:
    return (settings.IMPORT_MAX_FILE_MB + 1) * 1024 * 1024


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "The request's length is not a number.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if declared > request_ceiling():
            megabytes = settings.IMPORT_MAX_FILE_MB
            return HttpResponse(
                f"This upload is too large: files of up to {megabytes} MB are accepted.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
