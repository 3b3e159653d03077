from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "rejected": _("This customer account is blocked. Please contact the shop."),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        user = User.objects.filter(email__iexact=email).first()
        if (
            user is not None
            and user.is_rejected
            and user.check_password(self.cleaned_data.get("password") or "")
        ):
            raise forms.ValidationError(self.error_messages["rejected"], code="rejected")
        return super().clean()
