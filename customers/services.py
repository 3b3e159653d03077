"""Customer account operations (S4, S5, S6).

Every state change of a customer goes through here: registration and operator invitations
with their confirmation link, groups, deletion/anonymisation, the open-amount limit of
payment methods and the loyalty-points ledger. Views, admin, commands and signal receivers
all call these functions.
"""

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.exceptions import DomainError
from shop.mail import erase_recipient, queue_staff_email
from shop.models import ShopSettings

from . import signals
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
# Accounts: registration (operator invitations and confirmation links: customers.confirmation)
# ---------------------------------------------------------------------------------------


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
    the apps what stands in the way (credit the shop still owes the customer), while nothing
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
        # Read before the receivers below anonymise the rows that hold them.
        addresses = {user.email}
        for _receiver, found in signals.customer_addresses.send(sender=User, customer=user):
            addresses.update(found or ())
        for _receiver, result in signals.customer_deleting.send(sender=User, customer=user, by=by):
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


def delete_own_account(user, password):
    """Storefront "Delete my account": password check, deletion, e-mail to the operator."""
    if user.is_staff:
        raise CustomerError(_("Staff accounts cannot be deleted here."))
    if not user.check_password(password or ""):
        raise CustomerError(_("The password is not correct."), field="password")
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
