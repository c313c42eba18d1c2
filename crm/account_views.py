"""The second step of signing in, enrolment of an authenticator app, backup codes, accepting an
invitation and resetting a password: small views around crm.services (README "Signing in")."""

from __future__ import annotations

import re
from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import forms as admin_forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm import services
from crm.signin import after_login_url, two_factor_required_for
from donors.ratelimit import rate_limited

_SETUP_KEY = "crm_two_factor_setup_key"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': after_login_url(request)})}"


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    # The admin's look (header, colours) on pages outside the admin.
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_verify(request):
    """The code from the user's authenticator app (or one backup code), after their password."""
    if not user_has_device(request.user):
        return redirect(_with_next("two_factor_setup", request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(after_login_url(request))
        form.add_error(
            "code",
            "That code did not work. Type the 6 digits your app shows now, or one of your "
            "backup codes. After several wrong codes, wait a minute before trying again.",
        )
    return _page(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": after_login_url(request), "title": "Two-factor authentication"},
    )


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # Sized by the page's stylesheet, not in millimetres.
    return re.sub(r' (width|height)="[^"]*"', "", svg, count=2)


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the code (or type the key), confirm with one code, keep
    the backup codes. A user who has an app but has not given its code yet cannot replace it."""
    user = request.user
    if user_has_device(user) and not user.is_verified():
        return redirect(_with_next("two_factor_verify", request))
    key = request.session.get(_SETUP_KEY) or services.two_factor_secret_new()
    request.session[_SETUP_KEY] = key
    form = CodeForm(request.POST or None)
    if form.is_valid():
        enrolled = services.two_factor_enrol(user=user, key=key, code=form.cleaned_data["code"])
        if enrolled is not None:
            device, codes = enrolled
            otp_login(request, device)
            del request.session[_SETUP_KEY]
            return _page(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next": after_login_url(request), "title": "Your backup codes"},
            )
        form.add_error(
            "code", "That code did not match. Type the 6 digits your app shows now for this key."
        )
    device = TOTPDevice(user=user, key=key)
    secret = b32encode(unhexlify(key)).decode()
    return _page(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": mark_safe(_qr_svg(device)),  # built here from the key alone
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "secret_plain": secret,
            "required": settings.TWO_FACTOR_REQUIRED and two_factor_required_for(user),
            "enrolled": user_has_device(user),
            "next": after_login_url(request),
            "title": "Set up two-factor authentication",
        },
    )


@never_cache
@require_POST
@login_required
def two_factor_backup_codes(request):
    """A new set of backup codes, for a user who has signed in with their second factor."""
    if not (request.user.is_verified() and user_has_device(request.user)):
        return redirect("two_factor_setup")
    codes = services.backup_codes_renew(user=request.user)
    return _page(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": reverse("admin:index"), "title": "Your backup codes"},
    )


class PasswordSavedByService:
    """For Django's password forms: they set the password on the user and hand the saving to
    the service (Django's own views call ``form.save()``; the form never writes itself)."""

    def set_password_and_save(self, user, *args, commit=True, **kwargs):
        user = super().set_password_and_save(user, *args, commit=False, **kwargs)
        if commit:
            services.user_password_save(user=user)
        return user


class SetPasswordForm(PasswordSavedByService, auth_forms.SetPasswordForm):
    pass


class OwnPasswordChangeForm(PasswordSavedByService, admin_forms.AdminPasswordChangeForm):
    pass


class UserPasswordForm(PasswordSavedByService, auth_forms.AdminPasswordChangeForm):
    pass


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """The admin's "Change password" page for the signed-in user, saving through the service."""

    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("admin:password_change_done")

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class AdminLook:
    """Django's own auth views, with the admin's header."""

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            **super().get_context_data(**kwargs),
        }


class InviteAcceptView(AdminLook, auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, then (signed in) enrol the second factor."""

    form_class = SetPasswordForm
    token_generator = services.invite_tokens
    template_name = "registration/invite_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("two_factor_setup")
    reset_url_token = "set-password"


class PasswordResetView(AdminLook, auth_views.PasswordResetView):
    """Django's password reset, with a limit on how many emails one address can ask for."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        if rate_limited(request, scope="password_reset", limit=5, window=3600):
            context = self.get_context_data(form=self.get_form(), too_many=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def get_extra_email_context(self):
        return {"site_url": settings.SITE_URL, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}

    def form_valid(self, form):
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetDoneView(AdminLook, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(AdminLook, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm


class PasswordResetCompleteView(AdminLook, auth_views.PasswordResetCompleteView):
    pass
