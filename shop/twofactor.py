"""Two-factor authentication for the backoffice (SPEC S16), built on django-otp.

``TwoFactorSiteMixin`` goes in front of ``AdminSite`` in ``BackofficeSite``. With
``settings.BACKOFFICE_REQUIRE_2FA`` on, a staff member is only let in when the session was
verified with an OTP device (``request.user.is_verified()``, set by OTPMiddleware):

* password login as usual, then
* no confirmed TOTP device yet -> enrolment: QR code + secret, confirm with a code, get 10
  single-use recovery codes (an otp_static StaticDevice) shown exactly once;
* otherwise -> enter the current TOTP code or one recovery code.

Losing the phone *and* the recovery codes: a shop manager deletes the member's devices under
"Two-factor devices" in the backoffice; the next login enrols again.
"""

from base64 import b32encode
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import staffrows

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Backoffice authenticator"
RECOVERY_DEVICE_NAME = "Backoffice recovery codes"


def two_factor_required():
    return getattr(settings, "BACKOFFICE_REQUIRE_2FA", True)


def is_verified(user):
    # A user object freshly attached by auth.login() has no is_verified until the next
    # request passes OTPMiddleware: treat it as not verified.
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_second_factor(request):
    user = request.user
    return (
        two_factor_required()
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not is_verified(user)
    )


def has_confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalise_token(raw):
    return "".join((raw or "").split()).replace("-", "").lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )

    def clean_token(self):
        token = normalise_token(self.cleaned_data["token"])
        if not token.isalnum():
            raise forms.ValidationError(_("Enter the code from your app or a recovery code."))
        return token


def verify_token(user, token):
    """Return the device that accepts ``token`` (and consumes it), or None.

    The user's device rows are locked first, so a recovery code cannot be used twice by two
    concurrent requests and a TOTP code cannot be replayed in parallel.
    """
    with transaction.atomic():
        list(TOTPDevice.objects.select_for_update().filter(user=user).values_list("pk"))
        list(StaticDevice.objects.select_for_update().filter(user=user).values_list("pk"))
        return match_token(user, token)


def is_throttled(user):
    """True if django-otp's back-off after wrong codes currently blocks this user's devices."""
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    return bool(devices) and not any(d.verify_is_allowed()[0] for d in devices)


def pending_totp_device(user):
    """The unconfirmed device being enrolled (kept across reloads so the QR code is stable)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def provisioning_uri(device, issuer):
    issuer = str(issuer).replace(":", "")
    label = f"{issuer}:{device.user.get_username()}"
    params = {
        "secret": b32encode(device.bin_key).decode(),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


def qr_svg(data):
    """Inline SVG markup of a QR code (no external request, not affected by img-src CSP)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))


@transaction.atomic
def confirm_enrolment(device, token):
    """Confirm the pending TOTP device with a code; create fresh recovery codes.

    Returns (recovery codes in plain text, to be shown once; the confirmed device), or None
    if the code was wrong.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator and one set of recovery codes per staff member.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes, device


def _grouped(secret, size=4):
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


class TwoFactorSiteMixin:
    """AdminSite mixin: backoffice access needs a verified OTP device (see module doc)."""

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or is_verified(request.user)

    def get_urls(self):
        return [
            path("2fa/verify/", self.otp_verify_view, name="otp_verify"),
            path("2fa/setup/", self.otp_setup_view, name="otp_setup"),
            *super().get_urls(),
        ]

    # --- the password step hands over to the second factor -------------------------------

    def login(self, request, extra_context=None):
        if needs_second_factor(request):
            return self._second_factor_redirect(request)
        response = super().login(request, extra_context)
        if request.method == "POST" and needs_second_factor(request):
            return self._second_factor_redirect(request)
        return response

    def _next_url(self, request):
        url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return reverse("admin:index", current_app=self.name)

    def _second_factor_redirect(self, request):
        name = "otp_verify" if has_confirmed_totp(request.user) else "otp_setup"
        url = reverse(f"admin:{name}", current_app=self.name)
        return HttpResponseRedirect(
            f"{url}?{urlencode({REDIRECT_FIELD_NAME: self._next_url(request)})}"
        )

    def _guard(self, request):
        """Redirect away unless a staff member awaits the second factor; handle 'cancel'."""
        if request.method == "POST" and "cancel" in request.POST:
            auth_logout(request)
            return redirect("admin:login")
        if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
            return redirect("admin:login")
        if not needs_second_factor(request):
            return HttpResponseRedirect(self._next_url(request))
        return None

    def _render(self, request, template, context):
        request.current_app = self.name
        return TemplateResponse(
            request,
            template,
            {
                **self.each_context(request),
                "next": self._next_url(request),
                "username": request.user.get_username(),
                **context,
            },
        )

    # --- views -------------------------------------------------------------------------

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def otp_verify_view(self, request):
        if response := self._guard(request):
            return response
        if not has_confirmed_totp(request.user):
            return self._second_factor_redirect(request)
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if is_throttled(request.user):
                # django-otp doubles the wait after every wrong code; say so, check nothing.
                form.add_error(
                    "token", _("Too many wrong codes. Wait a few seconds, then try again.")
                )
            elif device := verify_token(request.user, form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(self._next_url(request))
            else:
                form.add_error("token", _("This code is not valid (or was already used)."))
        return self._render(
            request,
            "admin/twofactor/verify.html",
            {"form": form, "title": _("Two-factor authentication")},
        )

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    def otp_setup_view(self, request):
        if response := self._guard(request):
            return response
        if has_confirmed_totp(request.user):
            return self._second_factor_redirect(request)
        device = pending_totp_device(request.user)
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if not device.verify_is_allowed()[0]:
                form.add_error(
                    "token", _("Too many wrong codes. Wait a few seconds, then try again.")
                )
            elif result := confirm_enrolment(device, form.cleaned_data["token"]):
                codes, device = result
                otp_login(request, device)
                return self._render(
                    request,
                    "admin/twofactor/recovery_codes.html",
                    {"codes": codes, "title": _("Your recovery codes")},
                )
            else:
                form.add_error("token", _("This code is not valid. Check the time on your phone."))
        issuer = self._issuer()
        return self._render(
            request,
            "admin/twofactor/setup.html",
            {
                "form": form,
                "title": _("Set up two-factor authentication"),
                "qr_svg": qr_svg(provisioning_uri(device, issuer)),
                "secret": _grouped(b32encode(device.bin_key).decode()),
                "issuer": issuer,
            },
        )

    def _issuer(self):
        from .models import ShopSettings

        return ShopSettings.load().shop_name or "Shop backoffice"


class KeptDeviceOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the session's device kept per process under the staff
    version (``shop.staffrows``; the triggers of shop/0041 move it on every change of a
    device): one query less on every backoffice request."""

    def _device_from_persistent_id(self, persistent_id):
        return staffrows.kept(
            "device",
            persistent_id,
            lambda: super(KeptDeviceOTPMiddleware, self)._device_from_persistent_id(persistent_id),
            # Only the devices whose tables have the trigger.
            keep=lambda device: isinstance(device, TOTPDevice | StaticDevice),
        )
