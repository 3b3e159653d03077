import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shop.exceptions import DomainError, add_to_form

from . import confirmation, loyalty, panels, services
from .forms import (
    AddressForm,
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegisteredPasswordForm,
    RegistrationForm,
    ResendConfirmationForm,
    SetPasswordForm,
)
from .models import Address

AUTH_BACKEND = "customers.backends.ShopUserBackend"


class LoginView(auth_views.LoginView):
    template_name = "customers/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _add_errors(form, exc):
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error("password1" if "password1" in form.fields else None, message)
    else:
        add_to_form(form, exc)


def register(request):
    if request.user.is_authenticated:
        return redirect("customers:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            user = confirmation.register_customer(
                cd["email"],
                cd["password1"],
                first_name=cd["first_name"],
                last_name=cd["last_name"],
                company=cd["company"],
                phone=cd["phone"],
                language=(request.LANGUAGE_CODE or settings.LANGUAGE_CODE)[:2],
            )
        except (services.CustomerError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            # Nobody is logged in before the address is confirmed (customers.confirmation).
            days = confirmation.confirmation_max_age().days
            messages.success(
                request,
                ngettext(
                    "Almost done: we have sent a link to %(email)s. Open it within %(days)s "
                    "day to activate your customer account.",
                    "Almost done: we have sent a link to %(email)s. Open it within %(days)s "
                    "days to activate your customer account.",
                    days,
                )
                % {"email": user.email, "days": days},
            )
            return redirect("customers:login")
    return render(request, "customers/register.html", {"form": form})


@sensitive_post_parameters("password", "password1", "password2")
def confirm(request, token):
    """Link from the confirmation e-mail: check it, then let the customer set a password (an
    operator's invitation) or enter the one chosen at the registration (a storefront
    registration: the account has a usable password)."""
    try:
        customer = confirmation.check_confirmation(token)
    except confirmation.ConfirmationError as exc:
        return render(
            request,
            "customers/confirm_failed.html",
            {"error": exc, "token": token, "resend_form": ResendConfirmationForm()},
            status=400 if exc.reason == "invalid" else 410,
        )
    registered = customer.has_usable_password()
    form = (RegisteredPasswordForm if registered else SetPasswordForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if registered:
                customer = confirmation.confirm_registration(token, form.cleaned_data["password"])
            else:
                customer = confirmation.confirm_account(token, form.cleaned_data["password1"])
        except confirmation.ConfirmationError as exc:
            return render(
                request,
                "customers/confirm_failed.html",
                {"error": exc, "token": token, "resend_form": ResendConfirmationForm()},
                status=410,
            )
        except (ValidationError, services.CustomerError) as exc:
            _add_errors(form, exc)
        else:
            login(request, customer, backend=AUTH_BACKEND)
            messages.success(request, _("Your account is confirmed. Welcome!"))
            return redirect("customers:account")
    return render(
        request,
        "customers/confirm.html",
        {"form": form, "customer": customer, "registered": registered},
    )


@require_POST
def confirm_resend(request, token):
    """ "Send me a new link" from an expired or replaced confirmation link."""
    try:
        confirmation.resend_confirmation_for_token(token)
    except services.CustomerError as exc:
        messages.error(request, exc.message)
        return redirect("customers:confirm_request")
    messages.success(request, _("We have sent you a new confirmation link."))
    return redirect("customers:login")


def confirm_request(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation.resend_confirmation_for_email(form.cleaned_data["email"])
        except services.CustomerError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "If an unconfirmed account exists for this address, "
                    "we have sent it a new confirmation link."
                ),
            )
            return redirect("customers:login")
    return render(request, "customers/confirm_request.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "customers/password_reset.html"
    success_url = reverse_lazy("customers:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "customers/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "customers/password_reset_confirm.html"
    success_url = reverse_lazy("customers:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "customers/password_reset_complete.html"


@login_required
def account(request):
    orders = request.user.orders.select_related("payment_method")[:5]
    return render(
        request,
        "customers/account.html",
        {
            "orders": orders,
            "points": loyalty.points_balance(request.user),
            "pending_email_change": services.pending_email_change(request.user),
        },
    )


@sensitive_post_parameters("current_password")
@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: a wrong password or a taken address saves nothing at all;
            # the e-mails go out in the language the customer may just have chosen.
            with transaction.atomic():
                customer = form.save()
                new_email = form.new_email and services.request_email_change(
                    customer, form.new_email, form.cleaned_data["current_password"]
                )
        except services.CustomerError as exc:
            add_to_form(form, exc)
        else:
            if not new_email or set(form.changed_data) - {"email", "current_password"}:
                messages.success(request, _("Your details have been saved."))
            if new_email:
                messages.info(
                    request,
                    _(
                        "We have sent a link to %(new)s. Your e-mail address changes when you "
                        "open it; until then, log in with %(old)s as before."
                    )
                    % {"new": new_email, "old": customer.email},
                )
            return redirect("customers:profile")
    return render(
        request,
        "customers/profile.html",
        {"form": form, "pending_email_change": services.pending_email_change(request.user)},
    )


@require_POST
@login_required
def email_change_cancel(request):
    """The customer withdraws the change of the login address still waiting for its link
    (e.g. a mistyped address): the link no longer works."""
    cancelled = services.cancel_email_change(request.user)
    if cancelled:
        messages.success(
            request,
            _(
                "The change of your e-mail address to %(email)s has been cancelled: the link "
                "we sent no longer works."
            )
            % {"email": cancelled},
        )
    back = request.POST.get("next", "")
    if back not in (reverse("customers:account"), reverse("customers:profile")):
        back = reverse("customers:profile")
    return redirect(back)


def _email_change_failed(request, exc):
    status = {"invalid": 400, "foreign": 404, "taken": 409}.get(exc.reason, 410)
    return render(request, "customers/email_change_failed.html", {"error": exc}, status=status)


@login_required
def email_confirm(request, token):
    """The link e-mailed to a new address. Only the logged-in customer whose account it is
    can use it — whoever else reads the mailbox (a mistyped address) cannot take the
    account; the login page brings the customer back here. A button, not the page view,
    makes the change: mail scanners open links too."""
    try:
        new_email = services.check_email_change(request.user, token)
    except services.EmailChangeError as exc:
        return _email_change_failed(request, exc)
    if request.method == "POST":
        try:
            services.confirm_email_change(request.user, token)
        except services.EmailChangeError as exc:
            return _email_change_failed(request, exc)
        messages.success(
            request,
            _("Your e-mail address is now %(email)s. Please use it to log in.")
            % {"email": new_email},
        )
        return redirect("customers:profile")
    return render(request, "customers/email_confirm.html", {"new_email": new_email})


@sensitive_post_parameters()
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.change_password(
                request.user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password2"],
            )
        except services.CustomerError as exc:
            add_to_form(form, exc)
        except ValidationError as exc:
            form.add_error("new_password2", exc)
        else:
            update_session_auth_hash(request, customer)  # this session stays, others end
            messages.success(request, _("Your password has been changed."))
            return redirect("customers:profile")
    return render(request, "customers/password_change.html", {"form": form})


@login_required
def addresses(request):
    return render(
        request,
        "customers/addresses.html",
        {"addresses": request.user.addresses.all()},
    )


@login_required
def address_edit(request, pk=None):
    address = get_object_or_404(Address, pk=pk, customer=request.user) if pk else None
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_address(request.user, form.save(commit=False))
        messages.success(request, _("The address has been saved."))
        return redirect("customers:addresses")
    return render(request, "customers/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete(request, pk):
    address = get_object_or_404(Address, pk=pk, customer=request.user)
    services.delete_address(request.user, address)
    messages.success(request, _("The address has been deleted."))
    return redirect("customers:addresses")


@login_required
@require_POST
def address_default(request, pk):
    address = get_object_or_404(Address, pk=pk, customer=request.user)
    services.set_default_address(request.user, address)
    messages.success(request, _("The default address has been changed."))
    return redirect("customers:addresses")


@login_required
def delete_account(request):
    if request.user.is_staff:
        raise Http404
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_own_account(request.user, form.cleaned_data["password"])
        except DomainError as exc:  # also raised by other apps' customer_deleting receivers
            add_to_form(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Goodbye!"))
            return redirect("shop:home")
    return render(
        request,
        "customers/delete_account.html",
        {"form": form, "notes": panels.deletion_notes(request.user)},
    )


@login_required
def consents(request):
    """The page "Privacy & consents": each consent the customer gave (which, when, the text
    they agreed to, for which orders), with a button to withdraw it (GDPR Art. 7(3)); the
    apps that keep the consents register them (``panels.register_consent``)."""
    if request.user.is_staff:
        raise Http404
    return render(
        request, "customers/consents.html", {"consents": panels.consents_of(request.user)}
    )


@login_required
@require_POST
def consent_withdraw(request):
    if request.user.is_staff:
        raise Http404
    message = panels.withdraw_consent(request.user, request.POST.get("consent", ""))
    if message is None:
        raise Http404
    messages.success(request, message)
    return redirect("customers:consents")


def lockout(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE), for storefront and backoffice."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    return render(request, "customers/lockout.html", {"minutes": minutes}, status=429)
