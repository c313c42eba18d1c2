"""Sign-in rules that hold on every signed-in page: the second factor, the idle timeout and the
lockout backend (README "Signing in")."""

from __future__ import annotations

import ipaddress
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device

from common import roles
from donors.ratelimit import client_ip

# Roles that must use a second factor; Event organizers may.
TWO_FACTOR_ROLES = (roles.ADMINISTRATOR, roles.STAFF, roles.BOARD_MEMBER)

# Pages a signed-in user may reach before their second factor: the steps themselves, signing
# out, and the pages that work without signing in at all.
_OPEN_URL_NAMES = (
    "two_factor_verify",
    "two_factor_setup",
    "admin:logout",
    "admin:login",
    "admin_password_reset",
    "password_reset_done",
    "password_reset_complete",
)
_OPEN_PREFIXES = ("/static/", "/media/", "/account/reset/", "/account/invite/")


def two_factor_required_for(user) -> bool:
    """True when this user's role must sign in with a second factor."""
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=TWO_FACTOR_ROLES).exists()


def _is_open(path: str) -> bool:
    return path.startswith(_OPEN_PREFIXES) or path in {reverse(name) for name in _OPEN_URL_NAMES}


class TwoFactorMiddleware:
    """With TWO_FACTOR_REQUIRED on, a user who signed in with a password alone reaches nothing
    but the second step: the code from their app when they have one, else enrolment when their
    role requires it. Organizers without a device go on (the second factor is their choice)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.TWO_FACTOR_REQUIRED
            and user.is_authenticated
            and not user.is_verified()
            and not _is_open(request.path)
        ):
            if user_has_device(user):
                return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
            if two_factor_required_for(user):
                return redirect_to_login(request.get_full_path(), reverse("two_factor_setup"))
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Signs out a session left alone longer than SESSION_IDLE_MINUTES.

    The last request's time is kept in the shared cache, not the session: writing the session on
    every request would add a database write to every page. A session signed in through the
    login page carries a mark (written with the sign-in's own session save), so that its
    last-seen time missing from the cache (expired, evicted, the cache cleared) reads as idle,
    never as fresh."""

    # Seconds between two writes of the same session's last-seen time.
    RESOLUTION = 30
    MARK = "signin_idle_tracked"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        was_signed_in = request.user.is_authenticated
        key = request.session.session_key
        if key and was_signed_in:
            cache_key = f"signin:seen:{key}"
            now = time.time()
            seen = cache.get(cache_key)
            idle = seen is None and request.session.get(self.MARK)
            idle = idle or (seen is not None and now - seen > settings.SESSION_IDLE_MINUTES * 60)
            if idle:
                cache.delete(cache_key)
                # Signed out, the request goes on as anyone's: a back-office page sends it to
                # the login page, a public page simply answers.
                logout(request)
            elif seen is None or now - seen > self.RESOLUTION:
                # Kept as long as the session cookie can live: gone means evicted, not idle.
                cache.set(cache_key, now, timeout=settings.SESSION_COOKIE_AGE)
        response = self.get_response(request)
        if not was_signed_in and request.user.is_authenticated and request.session.session_key:
            # This request signed in: mark the session and start its clock.
            request.session[self.MARK] = True
            cache.set(
                f"signin:seen:{request.session.session_key}",
                time.time(),
                timeout=settings.SESSION_COOKIE_AGE,
            )
        return response


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before every password sign-in. Code that authenticates without a
    request (the test client's login, a shell) has no address to count: it is let through to
    the password check, where axes would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def signin_client_ip(request) -> str | None:
    """django-axes' client address: the public forms' own (``client_ip``, the same trust in
    proxies), or None when it is not an address at all (a request made in code), which the
    database's address columns would refuse."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def after_login_url(request) -> str:
    """Where the second step sends the user: their `next` when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")
