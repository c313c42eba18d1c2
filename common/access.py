"""Who may open a back-office page: one decorator for the pages outside the admin."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def needs(permission: str):
    """The view for signed-in users holding ``permission`` ("app_label.codename"): a visitor
    is sent to sign in, a user without it gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
