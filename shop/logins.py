"""The login throttle's records (django-axes) as personal data: a failed login keeps the
address typed as user name, the IP and the browser.

Successful logins are not recorded at all (``AXES_DISABLE_ACCESS_LOG``): the throttle does
not need them. The failed ones are kept ``LOGIN_RECORDS_RETENTION_DAYS`` (the retention rule
"login records", registered in ``shop.personal_data``) and go with the person when a customer
is erased (``forget``, called by customers' receiver of ``customer_deleting``). Rows of the
successful-login table written before it was switched off go the same way.
"""

from functools import reduce
from operator import or_

from django.db.models import Q


def _models():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return (AccessAttempt, AccessFailureLog, AccessLog)


def purge_before(cutoff, dry_run=False):
    """Delete (or with ``dry_run`` count) the login records dated before ``cutoff``."""
    count = 0
    for model in _models():
        rows = model.objects.filter(attempt_time__lt=cutoff)
        count += rows.count() if dry_run else _delete(rows)
    return count


def _delete(rows):
    """Delete ``rows``; the number of them (not of the rows cascaded with them)."""
    _total, per_model = rows.delete()
    return per_model.get(rows.model._meta.label, 0)


def forget(*usernames):
    """Delete the login records of every one of ``usernames`` (any case): the addresses a
    person logged in with. Returns the number of rows deleted."""
    names = {(name or "").strip() for name in usernames} - {""}
    if not names:
        return 0
    condition = reduce(or_, (Q(username__iexact=name) for name in sorted(names)))
    count = 0
    for model in _models():
        count += _delete(model.objects.filter(condition))
    return count


def username_lookup(address):
    """The rows of a login table under the e-mail address ``address`` (privacy report)."""
    return Q(username__iexact=(address or "").strip())


def throttle_username(request, credentials=None):
    """The user name the login throttle counts (``AXES_USERNAME_CALLABLE``): the address as
    the login looks it up — without surrounding spaces, in lower case. Otherwise every
    spelling ("JAN@…", " jan@… ") had five tries of its own and logged in while the
    account was locked."""
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        value = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get(field)
    return value.strip().lower() if isinstance(value, str) else value
