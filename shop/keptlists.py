"""Backoffice lists kept as rendered pages in each web process (issue 28).

Rendering a list of 50 orders — the rows, the filters, the navigation — is about 25 ms of
Python, and an operator reloads the same list all day. ``KeptChangeListMixin`` keeps the
rendered page per process and hands it out again while nothing it shows has changed.

**Never stale.** A kept page's key names everything the page is made of:

* the list's own rows: ``kept_list_version()`` of the admin, a count that every committed
  change of the list's table moves on in the committing transaction (for orders:
  ``orders.admin_list.list_version``, orders/0033) and that is read before the list;
* the staff member, their permissions and language (``shop.staffrows``' staff version);
* the names of payment and shipping methods, products and the shop's name (the storefront
  version, ``shop.pagecache``);
* the language, the time zone and today's date (filters count days), and the whole URL.

A version read before the list and kept with the page it was rendered from means that a
later request with the same version gets rows at least as new as its own snapshot. A page
is kept no longer than ``PAGE_CACHE_SECONDS`` in any case (the limit for a change of the
storefront's rows made outside the ORM).

**Only what is the same for this staff member.** GET requests with only the query
parameters the admin names (``kept_list_params``: its filters on its own table, the search,
page and order), with no message waiting; a page is kept only if it is a 200 page that set no
cookie and left the session alone. The CSRF token of its action form is a slot filled in
for each request. Every request is still written to the access log with the rows it shows
(the kept ``KeptChangeList`` stands in for Django's change list there).
"""

import threading
import time
from collections import OrderedDict
from functools import partial

from asgiref.local import Local
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation

from . import pagecache, staffrows

# {what the page is (admin, staff member, URL, language, time zone, date): KeptPage}, one page
# for each: a page of older versions is replaced, not kept beside the new one until it ages
# out of the LRU (the orders list moves on with every order placed).
_pages = OrderedDict()
_lock = threading.Lock()


# --- list versions read along with the session ---------------------------------------------

# {admin's model label: SQL expression of its list version}: a backoffice request reads them in
# its session's round trip (shop.sessions), for the rest of the request — a view of a kept
# list then costs the session query and the access log's entry, nothing else. Registered by
# each ``KeptChangeListMixin`` that names ``kept_list_sql``. Read at the request's start, so
# still before its list: only GET requests use kept pages, and none writes rows of its list
# before showing it.
_along = {}
_request = Local()


def read_along(label, sql):
    _along[label] = sql


def open_request(backoffice):
    _request.backoffice = backoffice
    _request.versions = None


def close_request():
    _request.backoffice = False
    _request.versions = None


def along_sql():
    """[(label, SQL expression)]: the list versions to read with this request's session (a
    backoffice request that has read none yet)."""
    if not getattr(_request, "backoffice", False) or getattr(_request, "versions", None):
        return []
    return list(_along.items())


def seen_versions(versions):
    """The list versions read with the session ({label: count})."""
    _request.versions = versions


def _seen_version(label):
    return (getattr(_request, "versions", None) or {}).get(label)


class KeptChangeList:
    """What the access log reads of a change list (``privacy.middleware``): its model, the
    rows shown and whether they were searched or filtered."""

    def __init__(self, cl):
        self.model = cl.model
        self.result_list = list(cl.result_list)
        self.query = cl.query
        self.has_active_filters = cl.has_active_filters


class KeptPage:
    def __init__(self, versions, content, content_type, cl):
        self.versions = versions
        self.content = content
        self.content_type = content_type
        self.cl = cl
        self.expires = time.monotonic() + settings.PAGE_CACHE_SECONDS

    def response(self, request):
        response = HttpResponse(
            pagecache.fill_slots(request, self.content), content_type=self.content_type
        )
        response.context_data = {"cl": self.cl}  # for the access log
        return response


def _get(key, versions):
    with _lock:
        page = _pages.get(key)
        if page is None:
            return None
        if page.expires < time.monotonic() or page.versions != versions:
            del _pages[key]
            return None
        _pages.move_to_end(key)
        return page


def _put(key, page):
    limit = settings.BACKOFFICE_PAGE_ENTRIES
    with _lock:
        _pages[key] = page
        _pages.move_to_end(key)
        while len(_pages) > limit:
            _pages.popitem(last=False)


def forget():
    """Drop every kept page (the tests: a rolled-back test moves the versions back)."""
    with _lock:
        _pages.clear()


class KeptChangeListMixin:
    """For a ``ModelAdmin`` whose change list is read far more often than its rows change.
    ``kept_list_version()`` returns the count of its table (None: keep nothing), and
    ``kept_list_params`` the query parameters a kept page may have."""

    kept_list_params = frozenset({"p", "o", "q"})
    # The count as one SQL expression, read along with the session of a backoffice request
    # (``read_along``); ``kept_list_version()`` reads it where that did not happen.
    kept_list_sql = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.kept_list_sql:
            read_along(self.opts.label, self.kept_list_sql)

    def kept_list_version(self):
        return None

    def _kept_list_key(self, request):
        if (
            request.method != "GET"
            or settings.BACKOFFICE_PAGE_ENTRIES <= 0
            or settings.PAGE_CACHE_SECONDS <= 0
            or not request.user.is_staff
            or any(name not in self.kept_list_params for name in request.GET)
            or len(messages.get_messages(request))  # a message waits: shown once, not kept
        ):
            return None
        staff = staffrows.version()
        if staff is None or not pagecache.versioned():
            return None
        rows = _seen_version(self.opts.label)
        if rows is None:
            rows = self.kept_list_version()
        if rows is None:
            return None
        page = (
            self.opts.label,
            request.user.pk,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate(),
            request.get_full_path(),
        )
        return page, (staff, pagecache.version(), rows)

    def changelist_view(self, request, extra_context=None):
        key = self._kept_list_key(request)
        if key is None:
            return super().changelist_view(request, extra_context)
        page = _get(*key)
        if page is not None:
            return page.response(request)
        # Rendered with a slot for the CSRF token (the view's context wins over the context
        # processor's), filled in for this request and for each later one.
        response = super().changelist_view(
            request, {**(extra_context or {}), "csrf_token": pagecache.CSRF_SLOT}
        )
        if isinstance(response, TemplateResponse):
            response.add_post_render_callback(partial(_keep, request, key))
        return response


def _keep(request, key, response):
    content = response.content
    cl = (response.context_data or {}).get("cl")
    if (
        response.status_code == 200
        and cl is not None
        and not response.cookies
        and not request.session.modified
    ):
        page, versions = key
        _put(page, KeptPage(versions, content, response["Content-Type"], KeptChangeList(cl)))
    response.content = pagecache.fill_slots(request, content)
