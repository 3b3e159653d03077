"""The garbage collector in a web process: what stays loaded is frozen out of its scans.

A web worker holds a few hundred thousand long-lived objects: Django's apps, models and
admin, the URL patterns, compiled templates, the kept rows. CPython's full collection walks
all of them — on the checkout journey about 100 ms every few hundred journeys, a pause that
lands on whichever request is running (issue 28). ``gc.freeze()`` moves the objects alive at
that moment into a permanent generation that collections skip, as Python's documentation
advises for servers that fork. ``shop/wsgi.py`` freezes twice: once when the application and
its URLs are loaded, and once after the first ``GC_FREEZE_AFTER_REQUESTS`` requests of the
process, when the templates and rows every page needs are loaded too. Each freeze collects
first, so no garbage is frozen; objects freed later by reference counting are freed as
always (only cycles among frozen objects would stay, bounded by what was alive at the
freeze). ``GC_FREEZE_AFTER_REQUESTS=0`` turns both off.
"""

import gc

from django.conf import settings
from django.core.signals import request_finished

UID = "shop.memory.freeze_after_warm_up"


def freeze_loaded():
    """Collect, then freeze every object alive now."""
    gc.collect()
    gc.freeze()


def freeze_for_web_process():
    """At the start of a web process (after ``get_wsgi_application()``): freeze what is
    loaded now, and once more after the process's first requests."""
    requests = settings.GC_FREEZE_AFTER_REQUESTS
    if requests <= 0:
        return
    from django.urls import get_resolver

    get_resolver()._populate()  # the URL patterns, built on the first request otherwise
    freeze_loaded()
    seen = 0

    def finished(sender, **kwargs):
        nonlocal seen
        seen += 1
        if seen >= requests:
            request_finished.disconnect(dispatch_uid=UID)
            freeze_loaded()

    request_finished.connect(finished, dispatch_uid=UID, weak=False)
