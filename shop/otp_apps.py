"""django-otp's plugins with a name for the backoffice's app list.

The plugins have no verbose name, so the start page listed their labels ("OTP_TOTP",
"OTP_STATIC"). Installed through these configs (``settings.INSTALLED_APPS``) they keep their
app labels and tables. (A module of their own: ``shop/apps.py`` must hold one config only,
or Django would not know which one is the shop's.)
"""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig


class TOTPConfig(OTPTOTPConfig):
    verbose_name = _("Two-factor authentication: authenticator apps")


class StaticOTPConfig(OTPStaticConfig):
    verbose_name = _("Two-factor authentication: recovery codes")
