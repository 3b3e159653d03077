"""Customer account operations (S4, S5, S6).

Every state change of a customer goes through here: registration and operator invitations
with their confirmation link, groups, deletion/anonymisation, the open-amount limit of
payment methods and the loyalty-points ledger. Views, admin, commands and signal receivers
all call these functions.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.exceptions import DomainError
from shop.mail import erase_recipient, queue_staff_email
from shop.models import ShopSettings

from . import erasure, signals
from .errors import CustomerError
from .models import (
    Address,
    CustomerGroup,
    User,
)

# ---------------------------------------------------------------------------------------
# Ordering: lock, rejected customers, open-amount limit (S5; the open amount itself and
# the check of limited payment methods are in orders.limits)
# ---------------------------------------------------------------------------------------


def lock_for_order(customer):
    """Lock the customer row for the placement transaction and refuse rejected customers.

    Checked here, not only at login, so a session opened before the customer was rejected
    cannot order either; the lock serialises the open-amount check of parallel orders.
    """
    locked = (
        User.objects.select_for_update(of=("self",)).select_related("group").get(pk=customer.pk)
    )
    if locked.is_rejected or not locked.is_active:
        raise CustomerError(_("Your customer account is blocked. Please contact us."))
    return locked


def check_guest_may_order(email):
    """A guest order under the e-mail address of a rejected customer is that customer
    ordering (also when a session of theirs silently became a guest's): refused alike."""
    email = (email or "").strip()
    if email and User.objects.filter(email__iexact=email, is_rejected=True).exists():
        raise CustomerError(_("Your customer account is blocked. Please contact us."))


def rejected_session_customer(request):
    """The rejected customer whose login session ``request`` still carries, or None.

    The authentication backend no longer returns a rejected user, so such a session looks
    like a guest's; the checkout uses this to refuse the order instead of taking it as a
    guest order."""
    from django.contrib.auth import SESSION_KEY

    user_id = str(request.session.get(SESSION_KEY) or "")
    if not user_id.isdigit() or request.user.is_authenticated:
        return None
    return User.objects.filter(pk=int(user_id), is_rejected=True, is_staff=False).first()


def open_amount_limit(customer, shop_settings=None):
    """Customer override, else the group's limit, else the shop default."""
    if customer is not None and customer.open_amount_limit is not None:
        return customer.open_amount_limit
    if customer is not None and customer.group_id and customer.group.open_amount_limit is not None:
        return customer.group.open_amount_limit
    return (shop_settings or ShopSettings.load()).default_open_amount_limit


# ---------------------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------------------


def assign_group(customers, group):
    """Put the given customers (queryset or iterable of users/ids) into ``group`` (or none)."""
    ids = [c.pk if isinstance(c, User) else c for c in customers]
    with transaction.atomic():
        return User.objects.customers().filter(pk__in=ids).update(group=group)


def delete_group(group, move_to=None):
    """Delete ``group``; its members move to ``move_to`` or to no group."""
    if move_to is not None and move_to.pk == group.pk:
        raise CustomerError(_("Choose a different group to move the members to."), field="move_to")
    with transaction.atomic():
        group = CustomerGroup.objects.select_for_update().get(pk=group.pk)
        moved = User.objects.filter(group=group).update(group=move_to)
        group.delete()
    return moved


# ---------------------------------------------------------------------------------------
# Deletion (S4): test customers with their orders; real customers anonymised
# ---------------------------------------------------------------------------------------


def erasure_refusals(user, by=None):
    """What stands in the way of deleting ``user`` now, as the refusal would say it: the
    errors the ``customer_erasure_check`` receivers return. Changes nothing; the deletion
    page lists them before the operator confirms."""
    results = signals.customer_erasure_check.send(sender=User, customer=user, by=by)
    return [result for _receiver, result in results if isinstance(result, DomainError)]


def delete_customer(user, by=None):
    """Irreversibly delete a customer account (S4).

    - test customer: the account and all its orders are deleted;
    - real customer with orders: the account is deleted, personal data in the orders is
      anonymised, orders and invoices stay for the books;
    - customer without orders: the account is deleted.

    Returns a dict describing what happened. First ``signals.customer_erasure_check`` asks
    the apps what stands in the way (credit the shop still owes the customer, open business:
    an order paid and not shipped, an open return, a withdrawal to process, a refund not
    paid out yet), while nothing
    has changed yet; a refusal is raised as the receiver worded it. Then
    ``signals.customer_deleting`` lets the apps that hold data about the person (orders,
    codes, credit, threads, reviews) erase or anonymise it in the same transaction; what a
    receiver returns as a dict is added to the summary (e.g. ``orders_deleted``,
    ``orders_anonymised``). All or nothing: a receiver that raises rolls everything back.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user.pk).first()
        if user is None:
            raise CustomerError(_("This customer no longer exists."))
        if user.is_staff:
            raise CustomerError(_("Staff users are not deleted as customers."))
        refusals = erasure_refusals(user, by=by)  # before the erasure's own steps change them
        if len(refusals) == 1:
            raise refusals[0]
        if refusals:
            raise CustomerError(" ".join(refusal.message for refusal in refusals))
        summary = {
            "customer_number": user.customer_number,
            "email": user.email,
            "name": user.get_full_name(),
            "test": user.is_test,
        }
        # Read before the receivers below anonymise the rows that hold them. An earlier
        # address another account holds now is that person's: their e-mails stay.
        details = erasure.person_details(user)
        addresses = erasure.own_addresses(user)
        for _receiver, found in signals.customer_addresses.send(sender=User, customer=user):
            addresses.update(a.strip().lower() for a in found or () if a and a.strip())
        taken = set(
            User.objects.exclude(pk=user.pk)
            .annotate(address=Lower("email"))
            .filter(address__in=addresses)
            .values_list("address", flat=True)
        )
        addresses -= taken - {user.email.lower()}
        for _receiver, result in signals.customer_deleting.send(
            sender=User, customer=user, by=by, details=details
        ):
            if isinstance(result, dict):
                summary.update(result)
        summary["emails_deleted"] = erase_recipient(*sorted(addresses))
        try:
            user.delete()
        except (ProtectedError, RestrictedError) as exc:
            kinds = (
                sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
                if (isinstance(exc, ProtectedError))
                else sorted({obj._meta.verbose_name_plural for obj in exc.restricted_objects})
            )
            raise CustomerError(
                _(
                    "The customer cannot be deleted while other records still refer to it: %(kinds)s."
                )
                % {"kinds": ", ".join(str(k) for k in kinds)}
            ) from None
    return summary


def guest_erasure_refusal(email, by=None):
    """Why the guest known by ``email`` cannot be erased as a guest, or None: the address is
    a customer account's, now or as an earlier login — that person is erased with the
    account (their guest orders under it go with it) —, or what the
    ``customer_erasure_check`` receivers return for the guest (``customer`` None,
    ``emails``: open business with the person), joined."""
    from shop.db import json_array_contains

    email = (email or "").strip().lower()
    if "@" not in email:
        return CustomerError(_("%(email)s is not an e-mail address.") % {"email": email})
    owner = (
        User.objects.filter(email__iexact=email).first()
        or User.objects.filter(json_array_contains("previous_emails", email)).first()
    )
    if owner is not None:
        return CustomerError(
            _(
                "The address %(email)s belongs to customer %(number)s: delete the customer "
                "account instead, which erases the guest data under this address too."
            )
            % {"email": email, "number": owner.customer_number or owner.pk}
        )
    results = signals.customer_erasure_check.send(sender=User, customer=None, by=by, emails=[email])
    refusals = [result for _receiver, result in results if isinstance(result, DomainError)]
    if len(refusals) == 1:
        return refusals[0]
    if refusals:
        return CustomerError(" ".join(refusal.message for refusal in refusals))
    return None


def delete_guest(email, by=None):
    """Irreversibly erase a guest known only by ``email`` (GDPR Art. 17): what the apps hold
    under that address is erased or anonymised as for a customer (``signals.guest_deleting``:
    unpaid pending orders canceled, orders anonymised — their invoices keep their own copy of
    the buyer —, threads and reviews anonymised), and the e-mails sent to it are deleted.

    Refused (:func:`guest_erasure_refusal`) when the address is a customer account's or
    while there is open business with the guest (``customer_erasure_check``). Returns
    a summary dict like :func:`delete_customer`. All or nothing."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        refusal = guest_erasure_refusal(email, by=by)
        if refusal is not None:
            raise refusal
        details = erasure.person_details(None, emails=[email])
        summary = {"email": email}
        for _receiver, result in signals.guest_deleting.send(
            sender=User, email=email, by=by, details=details
        ):
            if isinstance(result, dict):
                summary.update(result)
        summary["emails_deleted"] = erase_recipient(*sorted(details.emails))
    return summary


def delete_own_account(user, password):
    """Storefront "Delete my account": password check, deletion, e-mail to the operator."""
    if user.is_staff:
        raise CustomerError(_("Staff accounts cannot be deleted here."))
    # The same limited check as for the login address and the password: a stolen session
    # must not be a way to guess the password (and then erase the account).
    check_current_password(user, password, field="password")
    with transaction.atomic():
        summary = delete_customer(user, by=None)
        queue_staff_email(  # in the operator's backoffice language
            "customer_deleted_operator",
            settings.OPERATOR_EMAIL,
            {"summary": summary, "deleted_at": timezone.now()},
        )
    return summary


# ---------------------------------------------------------------------------------------
# Addresses: at most one default address per customer (also a database constraint)
# ---------------------------------------------------------------------------------------


def _lock_customer(customer):
    """Serialise the address changes of one customer: the default moves between rows."""
    User.objects.select_for_update().only("pk").get(pk=customer.pk)


def _check_owner(customer, address):
    if address.pk and address.customer_id != customer.pk:
        raise CustomerError(_("This address belongs to another customer."))


def save_address(customer, address):
    """Save ``address`` as one of ``customer``'s addresses.

    It becomes the default when it is marked so or is the customer's only address; the
    previous default stops being one first.
    """
    _check_owner(customer, address)
    with transaction.atomic():
        _lock_customer(customer)
        address.customer = customer
        others = Address.objects.filter(customer=customer).exclude(pk=address.pk)
        if address.is_default or not others.exists():
            others.filter(is_default=True).update(is_default=False)
            address.is_default = True
        address.save()
    return address


def set_default_address(customer, address):
    """Make ``address`` the customer's default address."""
    _check_owner(customer, address)
    with transaction.atomic():
        _lock_customer(customer)
        others = Address.objects.filter(customer=customer).exclude(pk=address.pk)
        others.filter(is_default=True).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


def delete_address(customer, address):
    """Delete one of the customer's addresses; when it was the default, the oldest remaining
    address becomes the default."""
    _check_owner(customer, address)
    with transaction.atomic():
        _lock_customer(customer)
        was_default = Address.objects.filter(pk=address.pk, is_default=True).exists()
        address.delete()
        if was_default:
            first = Address.objects.filter(customer=customer).order_by("id").first()
            if first is not None:
                Address.objects.filter(pk=first.pk).update(is_default=True)


# The fields an invoice or a parcel goes by; the phone is not what makes an address another.
ADDRESS_KEY_FIELDS = ("first_name", "last_name", "company", "street", "postcode", "city", "country")
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street", "postcode", "city", "country")


def address_key(values):
    """``values`` (an Address, or a dict of its fields) as addresses are compared: without
    differences of case and spacing ("ß" is "ss"), the postcode without separators ("00 950"
    is "00-950", also in an address saved before the postcode rule)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    key = []
    for name in ADDRESS_KEY_FIELDS:
        text = " ".join(str(get(name) or "").split()).casefold()
        if name == "postcode":
            text = "".join(char for char in text if char.isalnum())
        key.append(text)
    return tuple(key)


def equal_address(addresses, values):
    """The first of ``addresses`` equal to ``values`` (:func:`address_key`), or None."""
    key = address_key(values)
    return next((address for address in addresses if address_key(address) == key), None)


def remember_address(customer, values, phone=""):
    """Keep an address the customer has just used (an order's billing or delivery address,
    ``values``: a dict of ADDRESS_KEY_FIELDS) in their address book — unless an equal one is
    there already, so ordering again adds nothing. Their first address becomes the default
    (:func:`save_address`). Returns the address in the book, or None for an incomplete one."""
    values = {name: " ".join(str(values.get(name) or "").split()) for name in ADDRESS_KEY_FIELDS}
    if not all(values[name] for name in REQUIRED_ADDRESS_FIELDS):
        return None
    with transaction.atomic():
        _lock_customer(customer)  # two orders at once add one address
        existing = equal_address(Address.objects.filter(customer=customer), values)
        if existing is not None:
            return existing
        return save_address(customer, Address(**values, phone=(phone or "").strip()))


# ---------------------------------------------------------------------------------------
# The customer's own login: a new e-mail address needs the current password and is taken
# over only once a link sent to it is opened; a new password needs the current one. The
# address in use hears of both, so a customer whose session or password was stolen learns
# of it while the account is still theirs.
# ---------------------------------------------------------------------------------------

EMAIL_CHANGE_SALT = "customers.email-change"
# As long as an account-confirmation or password-reset link (README "Secrets and their
# rotation": a key rotation keeps the old key this long).
EMAIL_CHANGE_DAYS = 3


def password_check_limit():
    """Wrong current passwords per account and quarter of an hour. A stolen session must not
    be a way to guess the password that protects the login address and the password."""
    from shop.ratelimit import RateLimit

    return RateLimit(
        "customers.current-password",
        limit=("ACCOUNT_PASSWORD_CHECK_LIMIT", 5),
        window=("ACCOUNT_PASSWORD_CHECK_SECONDS", 15 * 60),
    )


def check_current_password(customer, password, field="current_password"):
    """Refuse a wrong current password (and, after too many, every password for a while)."""
    limit = password_check_limit()
    if limit.exceeded(customer.pk):
        raise CustomerError(_("Too many attempts. Please try again in a few minutes."), field=field)
    if not customer.check_password(password or ""):
        limit.hit(customer.pk)
        raise CustomerError(_("The password is not correct."), field=field)


class EmailChangeError(CustomerError):
    """A link to confirm a new e-mail address that cannot be used. ``reason``: invalid,
    foreign (another account's link), expired, used (the address or the password changed
    since it was sent), replaced (a newer request or a cancellation ended it) or taken
    (another account has the address now)."""

    def __init__(self, message, reason, new_email=""):
        super().__init__(message)
        self.reason = reason
        self.new_email = new_email


def _email_change_state(customer, new_email, requested_at, secret=None):
    """What a confirmation link is only valid with: the account's address and password as
    they were when it was sent, and the request it was sent for. Confirming changes the
    address, so a link works once, and any other confirmed change or a new password (the
    advice to a customer who did not ask for the change) ends every link still out there."""
    from django.utils.crypto import salted_hmac

    # The number of confirmed changes (``previous_emails`` only grows): changing the address
    # away and back again does not bring an old link back to life.
    value = (
        f"{customer.pk}:{customer.email}:{customer.password}:{len(customer.previous_emails)}"
        f":{new_email}:{requested_at}"
    )
    digest = salted_hmac(EMAIL_CHANGE_SALT, value, secret=secret, algorithm="sha256")
    return digest.hexdigest()[:32]  # 128 bits keep the link short enough to copy


def _requested_at(customer):
    """The pending request's moment as its links carry it ("" without one)."""
    at = customer.pending_email_requested_at
    return at.isoformat() if at else ""


def email_change_token(customer):
    """The signed, dated token of the link for ``customer``'s pending change of the login
    address (:func:`start_email_change`)."""
    from django.core import signing

    at = _requested_at(customer)
    return signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).sign_object(
        {
            "id": customer.pk,
            "email": customer.pending_email,
            "at": at,
            "state": _email_change_state(customer, customer.pending_email, at),
        }
    )


def start_email_change(customer, new_email):
    """Record ``new_email`` as ``customer``'s pending change, replacing any earlier request
    (whose links stop working), and return the token of its link. The caller holds the row
    lock and has checked the password and the address (:func:`request_email_change`)."""
    customer.pending_email = new_email
    customer.pending_email_requested_at = timezone.now()
    customer.save(update_fields=["pending_email", "pending_email_requested_at"])
    return email_change_token(customer)


def pending_email_change(customer):
    """``(new address, requested at)`` of the customer's change still waiting for its link
    to be opened, or None (none asked for, or its link has expired)."""
    from datetime import timedelta

    at = customer.pending_email_requested_at
    if not customer.pending_email or at is None:
        return None
    if at <= timezone.now() - timedelta(days=EMAIL_CHANGE_DAYS):
        return None
    return customer.pending_email, at


def cancel_email_change(customer):
    """The customer withdraws the pending change of the login address: its link no longer
    works. Returns the address that was pending, or None when there was none."""
    with transaction.atomic():
        customer = User.objects.select_for_update().get(pk=customer.pk)
        pending = customer.pending_email
        if not pending and customer.pending_email_requested_at is None:
            return None
        customer.pending_email, customer.pending_email_requested_at = "", None
        customer.save(update_fields=["pending_email", "pending_email_requested_at"])
    return pending or None


# The same request sent again this soon (a double click) is the one sent before.
REPEAT_WINDOW = timedelta(minutes=2)


def _pending_registrations(email):
    """Storefront registrations of ``email`` nobody confirmed (``customers.confirmation``):
    they hold an address nobody proved, so they block no one who proves it."""
    return User.objects.filter(
        email__iexact=email,
        is_confirmed=False,
        is_staff=False,
        is_rejected=False,
        orders__isnull=True,
    ).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def _other_accounts(email, customer):
    """Accounts other than ``customer``'s that hold ``email`` — but a registration nobody
    confirmed (a stranger's, or an old one of the customer's)."""
    return (
        User.objects.filter(email__iexact=email)
        .exclude(pk=customer.pk)
        .exclude(pk__in=_pending_registrations(email).values("pk"))
    )


def request_email_change(customer, new_email, password):
    """The customer asks for ``new_email`` as login: check the current password and that no
    other account has the address, then e-mail a confirmation link to the new address and a
    notice to the current one. Nothing changes on the account but the pending request until
    the link is opened (:func:`confirm_email_change`); a request replaces the one before, so
    only the link of the latest works. Returns the new address, or None when it is the
    current one."""
    from django.urls import reverse

    from shop.mail import queue_email

    new_email = (new_email or "").strip().lower()
    with transaction.atomic():
        customer = User.objects.select_for_update().get(pk=customer.pk)
        if new_email == customer.email:
            return None
        check_current_password(customer, password)
        if _other_accounts(new_email, customer).exists():
            raise CustomerError(
                _("Another account already uses this e-mail address."), field="email"
            )
        at = customer.pending_email_requested_at
        if customer.pending_email == new_email and at and at > timezone.now() - REPEAT_WINDOW:
            return new_email  # the same request sent twice (a double click): its link stays
        token = start_email_change(customer, new_email)
        context = {"customer": customer, "new_email": new_email, "days": EMAIL_CHANGE_DAYS}
        queue_email(
            "account_email_confirm",
            new_email,
            {
                **context,
                "url": settings.SITE_URL + reverse("customers:email_confirm", args=[token]),
            },
            language=customer.language,
        )
        queue_email(
            "account_email_change_requested",
            customer.email,
            {**context, "reset_url": settings.SITE_URL + reverse("customers:password_reset")},
            language=customer.language,
        )
    return new_email


def check_email_change(customer, token):
    """The new address of a confirmation link for ``customer``, or EmailChangeError."""
    from datetime import timedelta

    from django.core import signing
    from django.utils.crypto import constant_time_compare

    signer = signing.TimestampSigner(salt=EMAIL_CHANGE_SALT)
    try:
        data = signer.unsign_object(token)
        new_email, state = str(data["email"]), str(data["state"])
        at = str(data.get("at", ""))  # links sent before requests were recorded: none
        is_own = data["id"] == customer.pk
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        raise EmailChangeError(
            _("This confirmation link is not valid. Please check that you copied it completely."),
            "invalid",
        ) from None
    if not is_own:
        raise EmailChangeError(
            _(
                "This link belongs to another customer account. Please log in with the "
                "account whose e-mail address you want to change."
            ),
            "foreign",
        )
    try:
        signer.unsign(token, max_age=timedelta(days=EMAIL_CHANGE_DAYS))
    except signing.SignatureExpired:
        raise EmailChangeError(
            _("This confirmation link has expired. Please enter the new address again."),
            "expired",
            new_email,
        ) from None
    if customer.email == new_email:
        raise EmailChangeError(
            _("This link has already been used: your e-mail address is %(email)s.")
            % {"email": new_email},
            "used",
            new_email,
        )
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if not any(
        constant_time_compare(state, _email_change_state(customer, new_email, at, k)) for k in keys
    ):
        raise EmailChangeError(
            _(
                "This link is no longer valid: your e-mail address or your password has "
                "changed since it was sent. Please enter the new address again."
            ),
            "used",
            new_email,
        )
    # The account is as it was; the link must also be the one of the request still pending.
    if (customer.pending_email, _requested_at(customer)) != (new_email, at):
        if customer.pending_email:
            message = _(
                "This link is no longer valid: you asked for another change of your e-mail "
                "address after it was sent. Please use the link in the most recent e-mail."
            )
        else:
            message = _(
                "This link is no longer valid: the change of your e-mail address was "
                "cancelled. Please enter the new address again."
            )
        raise EmailChangeError(message, "replaced", new_email)
    return new_email


def confirm_email_change(customer, token):
    """Make the new address of a valid confirmation link ``customer``'s login, checked once
    more to be no other account's, and tell the previous address. Returns the customer."""
    from shop.mail import queue_email

    with transaction.atomic():
        customer = User.objects.select_for_update().get(pk=customer.pk)
        new_email = check_email_change(customer, token)  # under the lock: used once
        taken = EmailChangeError(
            _("Another account already uses this e-mail address."), "taken", new_email
        )
        if _other_accounts(new_email, customer).exists():
            raise taken
        # The address is proven now (this link went to it): a registration of it nobody
        # confirmed goes (it would else take the address from the confirmed account).
        _pending_registrations(new_email).exclude(pk=customer.pk).delete()
        old_email, customer.email = customer.email, new_email
        # Every confirmed change is recorded (also back to an earlier address): the list is
        # the erasure's earlier addresses and the links' change counter.
        customer.previous_emails = [*customer.previous_emails, old_email]
        customer.pending_email, customer.pending_email_requested_at = "", None
        try:
            with transaction.atomic():
                customer.save(
                    update_fields=[
                        "email",
                        "previous_emails",
                        "pending_email",
                        "pending_email_requested_at",
                    ]
                )
        except IntegrityError as exc:  # taken in parallel (user_email_ci_unique)
            raise taken from exc
        queue_email(
            "account_email_changed",
            old_email,
            {"customer": customer, "old_email": old_email, "new_email": new_email},
            language=customer.language,
        )
    return customer


def change_password(customer, old_password, new_password):
    """The customer's new password, with the current one; the account's address is told."""
    from django.urls import reverse

    from shop.mail import queue_email

    with transaction.atomic():
        customer = User.objects.select_for_update().get(pk=customer.pk)
        if (
            old_password != new_password
            and customer.check_password(new_password)
            and not customer.check_password(old_password)
        ):
            # The same change sent twice (a double click): made already, nothing to do —
            # not "the password is not correct" (and a wrong attempt counted).
            return customer
        check_current_password(customer, old_password, field="old_password")
        password_validation.validate_password(new_password, customer)
        customer.set_password(new_password)
        customer.save(update_fields=["password"])
        queue_email(
            "account_email_password_changed",
            customer.email,
            {
                "customer": customer,
                "reset_url": settings.SITE_URL + reverse("customers:password_reset"),
            },
            language=customer.language,
        )
    return customer
