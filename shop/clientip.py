"""The client's IP address, also behind reverse proxies (``TRUSTED_PROXY_HOPS``).

One answer for every place that needs it: rate limits, the access log, django-axes
(``AXES_CLIENT_IP_CALLABLE``). ``X-Forwarded-For`` is written by whoever sent the request,
so it is only read as far as trusted proxies wrote it: each proxy appends the address it
received the request from, so behind N trusted proxies the client is the N-th address from
the right. Everything left of it may be forged by the client and is ignored.
"""

import ipaddress

from django.conf import settings


def normalise_ip(value):
    """``value`` as a canonical IP address string, or ``""`` if it is not one."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return ""


def client_ip(request):
    """The client's address, normalised; ``""`` if unknown.

    With ``TRUSTED_PROXY_HOPS = 0`` (the default) this is ``REMOTE_ADDR`` and
    ``X-Forwarded-For`` is ignored. With N > 0 it is the address N hops from the right end
    of ``X-Forwarded-For``; if the header is missing, too short or holds no valid address
    there, the request did not come through the proxies as configured and ``REMOTE_ADDR``
    is used.
    """
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(chain) >= hops:
            address = normalise_ip(chain[-hops])
            if address:
                return address
    return normalise_ip(request.META.get("REMOTE_ADDR"))
