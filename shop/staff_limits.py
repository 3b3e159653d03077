"""Daily limits per staff member for what one person may create out of nothing — gift cards
and credit (giftcards), loyalty points (customers). Each app keeps its own limit in the shop
settings, its own count of what a person created today and its own error; the rule is this
one: the limit binds a signed-in staff member without the app's "beyond the limit"
permission, and counting under a lock on the person's row makes two of their requests at
once wait for each other, so that neither passes on the other's old total."""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.utils import timezone


def start_of_today():
    """Midnight of the shop's day (Europe/Berlin), as an aware datetime."""
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def allowance(staff, limit, beyond_permission, used_today, lock=False):
    """``(limit, used today, left)`` for ``staff``, or None when the limit does not bind them
    (no staff member, no limit set, or ``beyond_permission``). ``used_today(staff)`` counts
    what they created since :func:`start_of_today`. ``lock``: inside the transaction that
    books more, lock the person's row first."""
    if staff is None or not staff.is_authenticated or limit is None:
        return None
    if staff.has_perm(beyond_permission):
        return None
    if lock:
        get_user_model().objects.select_for_update().filter(pk=staff.pk).first()
    used = used_today(staff)
    return limit, used, max(limit - used, limit - limit)
