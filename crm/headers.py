"""Response headers that are policy, not content: the Permissions-Policy.

(The Content-Security-Policy is django-csp's middleware, configured in settings.)
"""

from __future__ import annotations

from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` as ``camera=(), fullscreen=(self)``."""

    def origin(value: str) -> str:
        return value if value in ("self", "*") else f'"{value}"'

    return ", ".join(
        f"{feature}=({' '.join(origin(o) for o in origins)})" for feature, origins in policy.items()
    )


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response: the browser features no page here uses
    (camera, microphone, location, payment requests…) are switched off, so a script that got
    in anyway could not use them either."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
