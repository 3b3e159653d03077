import functools

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shop.fields import EmailFormField, WholeNumberField, validate_phone
from shop.formtokens import OneTimeForm
from shop.locales import country_choices
from shop.mail import queue_email
from shop.ratelimit import RateLimit

from .loyalty import MAX_ADJUSTMENT
from .models import Address, CustomerGroup, User
from .postcodes import normalise_postcode
from .vat import normalize_vat_id

# A business customer's data for e-invoices (account profile and backoffice customer page).
BUSINESS_FIELDS = ["vat_id", "buyer_reference", "purchase_order_reference"]


class BusinessFieldsMixin:
    def clean_vat_id(self):
        # stored compact and upper-case (a database check holds it): "de 136 695 976" is fine
        return normalize_vat_id(self.cleaned_data.get("vat_id"))


class LoginForm(auth_forms.AuthenticationForm):
    # At most EMAIL_MAX_LENGTH characters: the login throttle records the name as typed.
    username = EmailFormField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # Django's says "Please enter a correct e-mail and password" (German: "Bitte … eingeben",
        # as if a field were empty) and that both may be case-sensitive — an e-mail address is
        # not.
        "invalid_login": _("The e-mail address or the password is not correct."),
        "rejected": _("This customer account is blocked. Please contact the shop."),
        "unconfirmed": _(
            "This customer account is not activated yet: please open the link we sent to "
            "your e-mail address when you registered."
        ),
    }

    def clean(self):
        # authenticate() first, so every attempt — also on a blocked account — is counted
        # by the login throttle; only a correct password reveals that the account is blocked.
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None and getattr(self.request, "axes_locked_out", False):
                raise
            email = (self.cleaned_data.get("username") or "").lower()
            user = User.objects.filter(email__iexact=email).first()
            if user is not None and user.check_password(self.cleaned_data.get("password") or ""):
                for code, applies in (
                    ("rejected", user.is_rejected),
                    ("unconfirmed", not user.is_confirmed),
                ):
                    if applies:
                        raise forms.ValidationError(self.error_messages[code], code=code) from None
            raise


class PasswordFields(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords do not match."))
        return p2


class RegistrationForm(PasswordFields):
    email = EmailFormField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=50, required=False, validators=[validate_phone]
    )

    field_order = ["email", "first_name", "last_name", "company", "phone", "password1", "password2"]


class SetPasswordForm(PasswordFields):
    pass


class RegisteredPasswordForm(forms.Form):
    """The registration link's page: the password chosen at the registration, again."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ResendConfirmationForm(forms.Form):
    email = EmailFormField(label=_("E-mail"))


class ProfileForm(BusinessFieldsMixin, forms.ModelForm):
    """The customer's own details. The e-mail address is the login: ``save()`` never writes
    it; a new one asks for the current password and is taken over once the customer opens
    the link sent to it (``services.request_email_change``)."""

    email = EmailFormField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Only needed to change your e-mail address."),
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "company",
            *BUSINESS_FIELDS,
            "phone",
            "language",
        ]

    field_order = ["email", "current_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.email

    def clean_email(self):
        # Whether another account has the address is said only after the current password
        # (customers.services.request_email_change): a stolen session must not be a way to
        # find out which addresses have an account here.
        return self.cleaned_data["email"].strip().lower()

    @property
    def new_email(self):
        """The address the customer asks for, or None when it stays as it is."""
        email = self.cleaned_data.get("email")
        return email if email and email != self.instance.email else None

    def clean(self):
        data = super().clean()
        if self.new_email and not data.get("current_password"):
            self.add_error(
                "current_password",
                _("Please enter your current password to change your e-mail address."),
            )
        return data


class CountrySelect(forms.Select):
    """The country list of an address (about 250 names) as Django's ``Select`` writes it, but
    its options written once per process and list and the chosen one marked in the copy:
    Django renders a template per option, 12 ms of a customer's backoffice page (an empty
    address form for "Add another address" on every view) and of every address form."""

    def render(self, name, value, attrs=None, renderer=None):
        options = _country_options(tuple(self.choices))
        if value not in (None, ""):
            chosen = f'<option value="{escape(value)}">'
            options = options.replace(chosen, f'<option value="{escape(value)}" selected>', 1)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),
        )


@functools.lru_cache(maxsize=32)
def _country_options(choices):
    return "".join(
        format_html('<option value="{}">{}</option>', code, name) for code, name in choices
    )


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = [
            "first_name",
            "last_name",
            "company",
            "street",
            "postcode",
            "city",
            "country",
            "phone",
            "is_default",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list of country names in the reader's language instead of a code to type in.
        stored = self.instance.country if self.instance.pk else ""
        self.countries = dict(country_choices(keep=stored))
        self.fields["country"].widget = CountrySelect(choices=list(self.countries.items()))

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country not in self.countries:
            raise forms.ValidationError(_("Please choose a country from the list."))
        return country

    def clean(self):
        data = super().clean()
        # The postcode in its country's form (customers.postcodes) — checked when it or the
        # country is entered or changed: an address saved before the rule stays editable as
        # it is (the checkout checks the postcode it delivers to anyway).
        changed = {"postcode", "country"} & set(self.changed_data) or not self.instance.pk
        if changed and data.get("postcode") and data.get("country"):
            try:
                data["postcode"] = normalise_postcode(data["postcode"], data["country"])
            except forms.ValidationError as exc:
                self.add_error("postcode", exc)
        return data


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted irreversibly."), required=True
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form; the current password is checked by ``services.change_password``, which
    also limits wrong guesses."""

    def clean_old_password(self):
        return self.cleaned_data["old_password"]


# "Forgot your password?" e-mails an address anybody can type: at most three a day each.
RESET_MAILS = RateLimit("customers:reset-mail", limit=3, window=24 * 3600)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset flow, with the e-mail going through the shop outbox."""

    email = EmailFormField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        # An account not confirmed yet logs in only through its confirmation link (a
        # forgotten password: register again with the address, which sends a new one).
        for user in super().get_users(email):
            if not user.is_rejected and user.is_confirmed:
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        # An address anybody can type: at most RESET_MAILS a day, the page says the same.
        if RESET_MAILS.attempt(to_email.strip().lower()):
            return
        url = settings.SITE_URL + reverse(
            "customers:password_reset_confirm", args=[context["uid"], context["token"]]
        )
        queue_email(
            "customer_password_reset",
            to_email,
            {"customer": user, "url": url},
            language=user.language,
        )


# --- backoffice -------------------------------------------------------------------------


class CustomerAddForm(BusinessFieldsMixin, forms.ModelForm):
    """The operator creates a customer without a password; the customer sets it via e-mail."""

    class Meta:
        model = User
        fields = [
            "email",
            "first_name",
            "last_name",
            "company",
            *BUSINESS_FIELDS,
            "phone",
            "language",
            "group",
            "open_amount_limit",
            "is_test",
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class CustomerChangeForm(BusinessFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "email",
            "first_name",
            "last_name",
            "company",
            *BUSINESS_FIELDS,
            "phone",
            "language",
            "group",
            "open_amount_limit",
            "is_rejected",
            "is_test",
            "is_active",
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email


class AssignGroupForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Customer group"),
        queryset=CustomerGroup.objects.all(),
        required=False,
        empty_label=_("— no group —"),
    )


class DeleteGroupForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label=_("Move the members to"),
        queryset=CustomerGroup.objects.none(),
        required=False,
        empty_label=_("— no group —"),
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = CustomerGroup.objects.exclude(pk=group.pk)


class PointsAdjustmentForm(OneTimeForm):
    points = WholeNumberField(
        label=_("Points (+/−)"), min_value=-MAX_ADJUSTMENT, max_value=MAX_ADJUSTMENT
    )
    note = forms.CharField(label=_("Reason"), max_length=150)
