"""Signed guest links to a thread (customers without an account read answers there).

The link carries the thread's token, signed so it can be neither guessed nor altered. Kept
apart from ``services`` so that the model's ``get_absolute_url`` can build the link without
importing the services.
"""

from django.core import signing
from django.urls import reverse

SIGNING_SALT = "helpdesk.thread"


def signed_thread_path(thread):
    """A guest link to the thread: the token, signed so it cannot be guessed or altered."""
    value = signing.Signer(salt=SIGNING_SALT).sign(thread.token)
    return reverse("helpdesk:guest_thread", args=[value])


def token_from_signed(value):
    """The thread token of a signed guest link, or None if the link was tampered with."""
    try:
        return signing.Signer(salt=SIGNING_SALT).unsign(value)
    except signing.BadSignature:
        return None
