"""Response headers that are policy, not content: the Permissions-Policy.

(The Content-Security-Policy is django-csp's middleware, configured in settings.)
"""

from __future__ import annotations

from django.conf import settings

from common.headers import permissions_policy_header

__all__ = ["PermissionsPolicyMiddleware", "permissions_policy_header"]


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response: the browser features no page here uses
    (camera, microphone, location, payment requests…) are switched off, so a script that got
    in anyway could not use them either. The door's check-in page alone opens the camera, to
    itself, to scan the guests' QR codes (events/views.py)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        # A page that needs a feature (the door's camera) sends its own header: kept.
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
