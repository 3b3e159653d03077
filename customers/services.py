"""Customer account operations (S4, S5, S6).

Every state change of a customer goes through here: registration and operator invitations
with their confirmation link, groups, deletion/anonymisation, the open-amount limit of
payment methods and the loyalty-points ledger. Views, admin, commands and signal receivers
all call these functions.
"""

import math
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, RestrictedError, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.exceptions import DomainError
from shop.mail import erase_recipient, queue_email
from shop.models import PaymentMethod, ShopSettings
from shop.money import ZERO

from . import signals
from .models import (
    AccountConfirmation,
    Address,
    CustomerGroup,
    LoyaltyAccount,
    LoyaltyEntry,
    User,
)


class CustomerError(DomainError):
    pass


# ---------------------------------------------------------------------------------------
# Ordering: lock, rejected customers, open-amount limit (S5)
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


def open_amount(customer):
    """Sum of grand totals of the customer's orders that are not paid, canceled or closed."""
    from orders.models import Order

    total = (
        Order.objects.filter(customer=customer)
        .open_amount_relevant()
        .aggregate(s=Sum("grand_total"))["s"]
    )
    return total or ZERO


def open_amount_limit(customer, shop_settings=None):
    """Customer override, else the group's limit, else the shop default."""
    if customer is not None and customer.open_amount_limit is not None:
        return customer.open_amount_limit
    if customer is not None and customer.group_id and customer.group.open_amount_limit is not None:
        return customer.group.open_amount_limit
    return (shop_settings or ShopSettings.load()).default_open_amount_limit


def limited_method_allowed(customer, order_total, shop_settings=None):
    """``open amount + order total <= limit``: equal to the limit is still allowed."""
    shop_settings = shop_settings or ShopSettings.load()
    if customer is None:
        return shop_settings.guests_may_use_limited_methods
    return open_amount(customer) + Decimal(order_total) <= open_amount_limit(
        customer, shop_settings
    )


def allowed_payment_methods(customer, order_total):
    methods = list(PaymentMethod.objects.filter(is_active=True))
    if any(m.limited_by_open_amount for m in methods):
        if not limited_method_allowed(customer, order_total):
            methods = [m for m in methods if not m.limited_by_open_amount]
    return methods


def assert_payment_method_allowed(method, customer, order_total):
    """Called inside the placement transaction with the customer row locked."""
    if method.limited_by_open_amount and not limited_method_allowed(customer, order_total):
        raise CustomerError(
            _("%(method)s is not available for this order. Please choose another payment method.")
            % {"method": method.name},
            field="payment_method",
        )


def credit_overview(customer):
    """Open amount, limit and remaining headroom, as shown on the customer detail page."""
    shop_settings = ShopSettings.load()
    amount = open_amount(customer)
    limit = open_amount_limit(customer, shop_settings)
    if customer.open_amount_limit is not None:
        source = _("customer")
    elif customer.group_id and customer.group.open_amount_limit is not None:
        source = _("group %(name)s") % {"name": customer.group.name}
    else:
        source = _("shop default")
    return {
        "open_amount": amount,
        "limit": limit,
        "limit_source": source,
        "headroom": limit - amount,
    }


# ---------------------------------------------------------------------------------------
# Accounts: registration, operator invitation and confirmation link
# ---------------------------------------------------------------------------------------

CONFIRMATION_SALT = "customers.account-confirmation"


class ConfirmationError(CustomerError):
    """A confirmation link that cannot be used. ``reason`` is expired, used or invalid."""

    def __init__(self, message, reason, customer=None):
        super().__init__(message)
        self.reason = reason
        self.customer = customer


def confirmation_max_age():
    return timedelta(days=getattr(settings, "ACCOUNT_CONFIRMATION_DAYS", 3))


def register_customer(email, password, **fields):
    """Storefront self-registration: an active, confirmed account."""
    email = (email or "").strip().lower()
    taken = CustomerError(_("An account with this e-mail address already exists."), field="email")
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise taken
        user = User(email=email, is_confirmed=True, **fields)
        password_validation.validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # registered in parallel (user_email_ci_unique)
            raise taken from exc
    return user


def invite_customer(user):
    """An operator created ``user``: no password until the customer confirms via e-mail."""
    with transaction.atomic():
        user.is_staff = False
        user.is_confirmed = False
        user.set_unusable_password()
        user.save()
        send_confirmation(user)
    return user


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
        confirmation, _created = AccountConfirmation.objects.update_or_create(
            customer=user,
            defaults={"nonce": secrets.token_hex(16), "sent_at": timezone.now()},
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
        send_confirmation(customer)
    return customer


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


def anonymise_orders(orders):
    """Replace personal data in orders; amounts and the invoices' own snapshot stay."""
    from orders.models import Order

    deleted = _("Deleted")
    count = 0
    for order in orders.select_for_update():
        placeholder = f"deleted-{order.number or order.pk}@invalid"
        Order.objects.filter(pk=order.pk).update(
            customer=None,
            email=placeholder,
            phone="",
            customer_note="",
            billing_first_name=deleted,
            billing_last_name=deleted,
            billing_company="",
            billing_street=deleted,
            shipping_first_name=deleted,
            shipping_last_name=deleted,
            shipping_company="",
            shipping_street=deleted,
        )
        count += 1
    return count


def delete_customer(user, by=None):
    """Irreversibly delete a customer account (S4).

    - test customer: the account and all its orders are deleted;
    - real customer with orders: the account is deleted, personal data in the orders is
      anonymised, orders and invoices stay for the books;
    - customer without orders: the account is deleted.

    Returns a dict describing what happened. ``signals.customer_deleting`` lets other apps
    erase what they hold about the person in the same transaction.
    """
    from orders.models import Order

    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user.pk).first()
        if user is None:
            raise CustomerError(_("This customer no longer exists."))
        if user.is_staff:
            raise CustomerError(_("Staff users are not deleted as customers."))
        summary = {
            "customer_number": user.customer_number,
            "email": user.email,
            "name": user.get_full_name(),
            "test": user.is_test,
            "orders_deleted": 0,
            "orders_anonymised": 0,
        }
        signals.customer_deleting.send(sender=User, customer=user, by=by)
        orders = Order.objects.filter(customer=user)
        if user.is_test:
            summary["orders_deleted"] = orders.count()
            try:
                orders.delete()
            except (ProtectedError, RestrictedError):
                raise CustomerError(
                    _(
                        "The orders of this test customer are referenced by other records "
                        "(e.g. invoices) and cannot be deleted."
                    )
                ) from None
        else:
            summary["orders_anonymised"] = anonymise_orders(orders)
        summary["emails_deleted"] = erase_recipient(user.email)
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


def delete_own_account(user, password):
    """Storefront "Delete my account": password check, deletion, e-mail to the operator."""
    if user.is_staff:
        raise CustomerError(_("Staff accounts cannot be deleted here."))
    if not user.check_password(password or ""):
        raise CustomerError(_("The password is not correct."), field="password")
    with transaction.atomic():
        summary = delete_customer(user, by=None)
        queue_email(
            "customer_deleted_operator",
            settings.OPERATOR_EMAIL,
            {"summary": summary, "deleted_at": timezone.now()},
        )
    return summary


# ---------------------------------------------------------------------------------------
# Loyalty points (S6)
# ---------------------------------------------------------------------------------------


def _locked_account(customer_id):
    # INSERT … ON CONFLICT DO NOTHING, then lock: safe when two transactions create it at once.
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(customer_id=customer_id)], ignore_conflicts=True
    )
    return LoyaltyAccount.objects.select_for_update().get(customer_id=customer_id)


def _book(customer_id, points, reason, order=None, note=""):
    account = _locked_account(customer_id)
    if account.balance + points < 0:
        raise CustomerError(
            _("Not enough loyalty points: %(balance)d available, %(points)d needed.")
            % {"balance": account.balance, "points": -points},
            field="points",
        )
    entry = LoyaltyEntry.objects.create(
        customer_id=customer_id, points=points, reason=reason, order=order, note=note[:200]
    )
    LoyaltyAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    return entry


def points_balance(customer):
    if customer is None or customer.pk is None:
        return 0
    return (
        LoyaltyAccount.objects.filter(customer_id=customer.pk)
        .values_list("balance", flat=True)
        .first()
        or 0
    )


def points_for_order(order, shop_settings=None):
    """Points earned by a paid order: rate × goods value after discount, without gift cards."""
    rate = (shop_settings or ShopSettings.load()).loyalty_points_per_euro
    goods = sum((line.line_total for line in order.lines.all() if not line.is_giftcard), ZERO)
    goods -= order.discount_total - order.shipping_discount
    if goods <= 0 or rate <= 0:
        return 0
    return math.floor(goods * rate)


def earn_points_for_order(order):
    """Book the points of a paid order once; no customer or nothing to earn → None."""
    if order.customer_id is None:
        return None
    with transaction.atomic():
        _locked_account(order.customer_id)  # serialises earn/reverse of this customer
        if LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.EARN).exists():
            return None
        points = points_for_order(order)
        if points <= 0:
            return None
        return _book(
            order.customer_id,
            points,
            LoyaltyEntry.Reason.EARN,
            order=order,
            note=_("Order %(number)s") % {"number": order.number},
        )


def reverse_points_for_order(order):
    """Take back what the order earned, never below zero; the shortfall is noted."""
    if order.customer_id is None:
        return None
    with transaction.atomic():
        account = _locked_account(order.customer_id)
        earned = (
            LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.EARN).aggregate(
                s=Sum("points")
            )["s"]
            or 0
        )
        if (
            not earned
            or LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.REVERSE).exists()
        ):
            return None
        points = min(earned, account.balance)
        note = _("Order %(number)s canceled") % {"number": order.number}
        if points < earned:
            note += " · " + _("%(missing)d points already spent") % {"missing": earned - points}
        return _book(
            order.customer_id, -points, LoyaltyEntry.Reason.REVERSE, order=order, note=note
        )


def spend_points(customer, points, reason):
    """Deduct ``points`` (> 0) for ``reason`` (a text, e.g. the bought discount code).

    Runs in the caller's transaction when there is one (buying a code: points and code
    together or neither); raises CustomerError if the balance is insufficient.
    """
    points = int(points)
    if points <= 0:
        raise CustomerError(_("The number of points must be positive."), field="points")
    with transaction.atomic():
        return _book(customer.pk, -points, LoyaltyEntry.Reason.SPEND, note=str(reason))


def adjust_points(customer, points, note, by=None):
    """Manual correction by an operator (positive or negative), with a reason."""
    points = int(points)
    if points == 0:
        raise CustomerError(_("Enter a non-zero number of points."), field="points")
    if not (note or "").strip():
        raise CustomerError(_("Please give a reason for the correction."), field="note")
    if by is not None:
        note = f"{note.strip()} ({by.email})"
    with transaction.atomic():
        return _book(customer.pk, points, LoyaltyEntry.Reason.ADJUST, note=note)


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
