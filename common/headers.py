"""The Permissions-Policy header's text, shared by the middleware that sends it on every
response (crm/headers.py) and the one page that opens a browser feature for itself (the door's
camera, events/views.py)."""

from __future__ import annotations

from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` as ``camera=(), fullscreen=(self)``."""

    def origin(value: str) -> str:
        return value if value in ("self", "*") else f'"{value}"'

    return ", ".join(
        f"{feature}=({' '.join(origin(o) for o in origins)})" for feature, origins in policy.items()
    )


def permissions_policy_allowing(*features: str) -> str:
    """The site's policy (settings.PERMISSIONS_POLICY) with ``features`` allowed to this site
    alone, for the page that needs them (the middleware leaves a page's own header alone)."""
    policy = {**settings.PERMISSIONS_POLICY, **{feature: ["self"] for feature in features}}
    return permissions_policy_header(policy)
