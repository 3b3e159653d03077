"""Confirming that an account's e-mail address is its holder's: the signed, expiring link
sent to it. Only the newest link works.

* Accounts an operator creates (S4): the invitation e-mail; the link sets the password.
* Accounts a customer registers on the storefront: the registration e-mail; the link
  activates the account with the password chosen at the registration, asked again on the
  link's page. Until then the account cannot log in: the shop treats the records under an
  address as its holder's (guest orders and helpdesk requests in "Download my data" and
  "Delete my account"), so a registration must prove the address — and must not let
  whoever opens the link activate a password somebody else chose.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.mail import queue_email
from shop.ratelimit import RateLimit

from .models import AccountConfirmation, User
from .services import CustomerError

log = logging.getLogger(__name__)

CONFIRMATION_SALT = "customers.account-confirmation"
# Registrations and "send me a new link" e-mail an address anybody can type: at most this
# many confirmation e-mails per address and day, so the form is no way to flood a mailbox.
CONFIRMATION_MAILS = RateLimit("customers:confirmation-mail", limit=3, window=24 * 3600)


class ConfirmationError(CustomerError):
    """A confirmation link that cannot be used. ``reason`` is expired, used or invalid."""

    def __init__(self, message, reason, customer=None):
        super().__init__(message)
        self.reason = reason
        self.customer = customer


def confirmation_max_age():
    return timedelta(days=getattr(settings, "ACCOUNT_CONFIRMATION_DAYS", 3))


def invite_customer(user):
    """An operator created ``user``: no password until the customer confirms via e-mail."""
    with transaction.atomic():
        user.is_staff = False
        user.is_confirmed = False
        user.set_unusable_password()
        user.save()
        send_confirmation(user)
    return user


def register_customer(email, password, **fields):
    """Storefront registration: an account that logs in only once its address is confirmed
    (:func:`confirm_registration`); the confirmation e-mail goes out at once. The address of
    a confirmed account is refused ("already exists"); that of an account nobody confirmed
    yet — an earlier registration, an operator's invitation — is registered anew: the new
    password and names replace the pending ones, and only the new link works."""
    email = (email or "").strip().lower()
    taken = CustomerError(_("An account with this e-mail address already exists."), field="email")
    with transaction.atomic():
        pending = User.objects.select_for_update().filter(email__iexact=email).first()
        if pending is not None and (
            pending.is_confirmed or pending.is_staff or pending.is_rejected
        ):
            raise taken
        if pending is not None and not pending.has_usable_password():
            # An operator's invitation: its link (sent again) lets the customer choose the
            # password; the operator's account stays as it was.
            _refuse_flood(email)
            send_confirmation(pending)
            CONFIRMATION_MAILS.hit(email)
            return pending
        if pending is not None and _sent_just_now(pending) and pending.check_password(password):
            return pending  # the same registration sent twice (a double click): one link
        user = pending or User(email=email, is_confirmed=False)
        for name, value in fields.items():
            setattr(user, name, value)
        password_validation.validate_password(password, user)
        _refuse_flood(email)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # registered in parallel (user_email_ci_unique)
            raise taken from exc
        send_confirmation(user)
        CONFIRMATION_MAILS.hit(email)
    return user


def _refuse_flood(email):
    if CONFIRMATION_MAILS.exceeded(email):
        raise CustomerError(
            _(
                "We have sent this address several links today already: please use the "
                "newest one, or register again tomorrow."
            ),
            field="email",
        )


def _sent_just_now(user):
    confirmation = AccountConfirmation.objects.filter(customer=user).first()
    return confirmation is not None and confirmation.sent_at > timezone.now() - timedelta(minutes=2)


# A registration nobody confirmed is deleted this long after its last link was sent: it
# holds what somebody typed about a person whose address never answered.
UNCONFIRMED_REGISTRATION_DAYS = 30


def purge_unconfirmed_registrations(now=None):
    """Beat, daily: delete the storefront registrations whose address never confirmed them
    (a usable password, no confirmation, the last link sent ``UNCONFIRMED_REGISTRATION_DAYS``
    ago, no orders). An operator's invitation (no password yet) stays. Returns how many."""
    now = now or timezone.now()
    stale = User.objects.filter(
        is_confirmed=False,
        is_staff=False,
        confirmation__sent_at__lt=now - timedelta(days=UNCONFIRMED_REGISTRATION_DAYS),
        orders__isnull=True,
    ).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    count = 0
    for user in stale.distinct().iterator():
        try:
            with transaction.atomic():
                locked = User.objects.select_for_update().filter(pk=user.pk, is_confirmed=False)
                if locked.exists():
                    user.delete()
                    count += 1
        except ProtectedError:  # something refers to it after all: it stays, the rest go
            log.warning("Unconfirmed registration %s kept: other rows refer to it", user.pk)
    return count


def confirm_registration(token, password):
    """Activate the registered account of a valid link when ``password`` is the one chosen
    at its registration (the link alone would let the mailbox's owner activate a password
    a stranger chose with their address)."""
    with transaction.atomic():
        customer = check_confirmation(token)
        customer = User.objects.select_for_update().get(pk=customer.pk)
        if customer.is_confirmed:  # a parallel request used the link first
            raise ConfirmationError(_("This link has already been used."), "used", customer)
        if not customer.check_password(password):
            raise CustomerError(
                _(
                    "This is not the password chosen at the registration. Forgotten it? "
                    "Register again with this address: you will get a new link."
                ),
                field="password",
            )
        customer.is_confirmed = True
        customer.save(update_fields=["is_confirmed"])
        AccountConfirmation.objects.filter(customer=customer).update(confirmed_at=timezone.now())
    return customer


def confirmation_token(confirmation):
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(
        f"{confirmation.customer_id}:{confirmation.nonce}"
    )


def send_confirmation(user):
    """(Re)send the confirmation e-mail; only the newest link is valid afterwards."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_confirmed:
            raise CustomerError(_("This account has already been confirmed."))
        if user.is_rejected:
            raise CustomerError(_("This customer account is blocked. Please contact the shop."))
        confirmation, _created = AccountConfirmation.objects.update_or_create(
            customer=user,
            defaults={
                "nonce": secrets.token_hex(16),
                "sent_at": timezone.now(),
                "email": user.email.lower(),
            },
        )
        url = settings.SITE_URL + reverse(
            "customers:confirm", args=[confirmation_token(confirmation)]
        )
        queue_email(
            "customer_confirm",
            user.email,
            {
                "customer": user,
                "url": url,
                "days": confirmation_max_age().days,
                # registered on the storefront (a password chosen): else an invitation
                "registered": user.has_usable_password(),
            },
            language=user.language,
        )
    return confirmation


def check_confirmation(token):
    """Return the customer a confirmation link belongs to, or raise ConfirmationError."""
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        raise ConfirmationError(
            _("This confirmation link is not valid. Please check that you copied it completely."),
            "invalid",
        ) from None
    customer_id, _sep, nonce = value.partition(":")
    customer = User.objects.filter(pk=customer_id).select_related("confirmation").first()
    confirmation = getattr(customer, "confirmation", None) if customer else None
    if customer is None or confirmation is None:
        raise ConfirmationError(_("This confirmation link is not valid."), "invalid")
    if customer.is_rejected or not customer.is_active:
        raise ConfirmationError(
            _("This customer account is blocked. Please contact the shop."), "invalid"
        )
    if confirmation.email and confirmation.email != customer.email.lower():
        # sent to an address the account no longer has (an operator corrected it)
        raise ConfirmationError(_("This confirmation link is not valid."), "invalid")
    if customer.is_confirmed:
        raise ConfirmationError(
            _("This link has already been used: your account is confirmed. Please log in."),
            "used",
            customer,
        )
    if not secrets.compare_digest(confirmation.nonce, nonce):
        raise ConfirmationError(
            _("This link has been replaced by a newer one. Please use the latest e-mail."),
            "used",
            customer,
        )
    try:
        signer.unsign(token, max_age=confirmation_max_age())
    except signing.SignatureExpired:
        raise ConfirmationError(
            _("This confirmation link has expired."), "expired", customer
        ) from None
    return customer


def confirm_account(token, password):
    """Set the password and activate the account of a valid confirmation link."""
    with transaction.atomic():
        customer = check_confirmation(token)
        customer = User.objects.select_for_update().get(pk=customer.pk)
        if customer.is_confirmed:  # a parallel request used the link first
            raise ConfirmationError(_("This link has already been used."), "used", customer)
        password_validation.validate_password(password, customer)
        customer.set_password(password)
        customer.is_confirmed = True
        customer.save(update_fields=["password", "is_confirmed"])
        AccountConfirmation.objects.filter(customer=customer).update(confirmed_at=timezone.now())
    return customer


def resend_confirmation_for_token(token):
    """A used/expired link offers a new one: only links we signed ourselves qualify."""
    try:
        value = signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign(token)
    except signing.BadSignature:
        raise CustomerError(_("This confirmation link is not valid.")) from None
    customer = User.objects.filter(pk=value.partition(":")[0]).first()
    if customer is None:
        raise CustomerError(_("This confirmation link is not valid."))
    send_confirmation(customer)
    return customer


def resend_confirmation_for_email(email):
    """Send a new link if an unconfirmed account has this address; silent otherwise, so the
    form does not reveal which addresses have accounts."""
    customer = User.objects.filter(
        email__iexact=(email or "").strip(), is_confirmed=False, is_staff=False
    ).first()
    if customer is not None and not customer.is_rejected:
        address = customer.email.lower()
        if not CONFIRMATION_MAILS.exceeded(address):  # silent too: nothing is revealed
            send_confirmation(customer)
            CONFIRMATION_MAILS.hit(address)
    return customer
