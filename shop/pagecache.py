"""Whole storefront pages for visitors who are not logged in (issue 28).

A product page, a category, the start page, a search, a guest's cart or a guest's checkout
page (for the same cart) is the same HTML for every guest apart from four things: the CSRF
token in its forms, the number on the cart badge, the messages above the content and the
one-time token of the checkout form (a new random UUID on every view). Such a page is
rendered once with a *slot* for each (``page_slots`` in the context:
``shop.context_processors.storefront`` and ``base.html`` put them in), kept in each web
process (the ``storefront_pages`` cache, local memory, ``PAGE_CACHE_ENTRIES``), and every
guest gets a copy with their own tokens, count and messages filled in.

**Never stale.** The key of a page names the *storefront version*: a PostgreSQL sequence
(``shop_storefront_version``) that every change of what a storefront page shows moves on —
saving or deleting a watched model (``watch()``: products, categories, pictures, shipping
methods, the shop settings, reviews, …) and every queryset ``update()``/``delete()``/bulk
write of one (``StorefrontQuerySet``, e.g. the stock a placed order takes). It moves twice:
at the change, so the writing transaction itself never reads an old page, and after its
commit, so a page another request rendered from the old rows in between is never used
again. Reading the version is one query per request, in the same round trip as nothing
else; a database is needed anyway. What time alone changes — a sale that starts or ends —
bounds how long a page is kept (the next start or end of any sale), and no page is kept
longer than ``PAGE_CACHE_SECONDS`` (300 s): the limit for a change made outside the ORM
(raw SQL in a shell).

**Only what is the same for everyone.** GET requests of visitors who are not logged in;
a view's answer is kept only if it is a 200 HTML page, set no cookie, did not write the
session and did not ask for the real CSRF token (a form rendered outside the page's
context); and only while the guest's session holds nothing but the cart and messages (a
discount code in the session is checked against the campaign at every view). Logged-in customers
and staff always get a fresh page.
"""

import hashlib
import secrets
import uuid
from functools import wraps

from asgiref.local import Local
from django.conf import settings
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from .db import in_transaction

SEQUENCE = "shop_storefront_version"

# The slots: random per process, so no text in the catalog can ever be mistaken for one.
_TAG = secrets.token_hex(8)
CSRF_SLOT = f"csrf{_TAG}"
CART_COUNT_SLOT = f"cartcount{_TAG}"
MESSAGES_SLOT = f"<!--messages{_TAG}-->"
# A value new on every view: the checkout page's one-time token (a random UUID).
FRESH_TOKEN_SLOT = f"freshtoken{_TAG}"


class Slots:
    """What a page rendered for the cache shows instead of a visitor's own values."""

    csrf_token = CSRF_SLOT
    cart_count = CART_COUNT_SLOT
    messages = mark_safe(MESSAGES_SLOT)
    fresh_token = FRESH_TOKEN_SLOT


SLOTS = Slots()


def versioned(using=DEFAULT_DB_ALIAS):
    """True where the storefront version exists (PostgreSQL)."""
    return connections[using].vendor == "postgresql"


def enabled(using=DEFAULT_DB_ALIAS):
    return settings.PAGE_CACHE_SECONDS > 0 and versioned(using)


# --- the storefront version ------------------------------------------------------------


# The version a web request (storefront or backoffice) read first, for the rest of it (its
# page key, the settings row, the kept rows: one query per request, with the session).
# Opened by request_started, dropped by request_finished (shop.models.open_request_memo) and
# by every move of this process. A transaction reads the version afresh when it first asks,
# and keeps that for the rest of it (``_transaction_version``): what it writes is priced
# from the rows of its own start, however many kept rows it reads (a placement reads five).
_request = Local()


def open_request():
    _request.active = True
    _request.version = None


def close_request():
    _request.active = False
    _request.version = None


def _request_keeps_version(using):
    """Does a web request (storefront or backoffice) keep the version it reads now (outside
    a transaction)?"""
    return (
        using == DEFAULT_DB_ALIAS
        and getattr(_request, "active", False)
        and not in_transaction(using)
    )


def wants_version(using=DEFAULT_DB_ALIAS):
    """Would this web request keep a version read now (and has none yet)?"""
    return (
        versioned(using)
        and _request_keeps_version(using)
        and getattr(_request, "version", None) is None
    )


def seen_version(current):
    """The version read along with something else (the session: ``shop.sessions``)."""
    _request.version = current


def _transaction_version(using):
    """The version this transaction read first, or None (none read yet, or it was moved).

    A transaction is told apart from the next by a marker it holds among its after-commit
    callbacks: a function of its own that does nothing. Its commit or rollback empties that
    list (a rolled-back savepoint drops what was registered in it), so a transaction never
    sees a marker of another one. Inside a test's transaction, which never commits, the
    savepoint the code's transaction is tells them apart (``_transaction_anchor``)."""
    kept = getattr(_request, "transaction_version", None)
    if kept is None:
        return None
    marker, anchor, current = kept
    conn = connections[using]
    if anchor == _transaction_anchor(conn) and any(
        entry[1] is marker for entry in getattr(conn, "run_on_commit", ())
    ):
        return current
    _request.transaction_version = None
    return None


def _transaction_anchor(conn):
    """The savepoints below the outermost transaction the code opened: none outside tests."""
    for depth, block in enumerate(conn.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return tuple(conn.savepoint_ids[:depth])
    return None


def _keep_for_transaction(current, using):
    def marker():
        pass

    transaction.on_commit(marker, using=using)
    _request.transaction_version = (marker, _transaction_anchor(connections[using]), current)


def version(using=DEFAULT_DB_ALIAS):
    """The current storefront version (an integer), one query per web request and one per
    transaction (until the transaction moves it itself)."""
    if using == DEFAULT_DB_ALIAS and in_transaction(using):
        current = _transaction_version(using)
        if current is None:
            current = _read_version(using)
            _keep_for_transaction(current, using)
        return current
    memo = _request_keeps_version(using)
    if memo and _request.version is not None:
        return _request.version
    current = _read_version(using)
    if memo:
        _request.version = current
    return current


def _read_version(using):
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {SEQUENCE}")
        return cursor.fetchone()[0]


_kept = {}  # {(name, language): (storefront version, value)}


def kept(name, build, using=DEFAULT_DB_ALIAS, per_language=True):
    """``build()``'s value, read once per process and storefront version: the few small rows
    many storefront pages and every checkout ask for (the active shipping and payment
    methods, the navigation's categories) — one query for the version instead of one or more
    per use. Per language (their order follows the translated names). A value read inside a
    transaction is kept once it commits (had the transaction changed the rows, the version
    moved on after commit first, so the kept value is never used). The value is shared by
    every caller of the process: never change it (``ShopSettings.load`` hands out copies).
    ``per_language=False``: one value for every language (the settings row)."""
    if not versioned(using):
        return build()
    key = (name, translation.get_language() if per_language else None)
    current = version(using)
    hit = _kept.get(key)
    if hit is not None and hit[0] == current:
        return hit[1]
    value = build()
    if in_transaction(using):
        transaction.on_commit(lambda: _kept.__setitem__(key, (current, value)), using=using)
    else:
        _kept[key] = (current, value)
    return value


def _advance(using=DEFAULT_DB_ALIAS):
    _request.version = None
    _request.transaction_version = None
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}')")


def _advance_after_commit():
    _advance()


def changed(using=DEFAULT_DB_ALIAS):
    """What a storefront page shows has changed (in this transaction, if one is open):
    move the version on now and once more after the commit (see the module's docstring)."""
    if connections[using].vendor != "postgresql":
        return
    _advance(using)
    conn = connections[using]
    if conn.in_atomic_block:
        # One after-commit advance per transaction, however many rows it writes.
        pending = getattr(conn, "run_on_commit", ())
        if not any(entry[1] is _advance_after_commit for entry in pending):
            transaction.on_commit(_advance_after_commit, using=using, robust=True)


def _on_change(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    changed(using)


WATCHED = []


def watch(*model_classes):
    """Saving or deleting one of these models changes storefront pages. Their querysets
    must be ``StorefrontQuerySet``s too (bulk writes send no signals; a test checks)."""
    for model in model_classes:
        if model in WATCHED:
            continue
        WATCHED.append(model)
        uid = f"pagecache-{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")


class StorefrontQuerySet(models.QuerySet):
    """A queryset whose writes move the storefront version on (``update``, ``delete``,
    ``bulk_create``, ``bulk_update``: Django sends no signal for them)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            changed(self.db)
        return rows

    def delete(self):
        result = super().delete()
        if result[0]:
            changed(self.db)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            changed(self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            changed(self.db)
        return rows


# --- the pages -------------------------------------------------------------------------


def pages():
    return caches["storefront_pages"]


_boundary = {}  # {storefront version: the next start or end of a sale, or None}


def _next_sale_boundary(current):
    """Seconds until the next start or end of a sale (None: none ahead); one query per
    storefront version and process, and again once that moment has passed."""
    from .models import Product

    now = timezone.now()
    if current not in _boundary or (_boundary[current] and _boundary[current] <= now):
        found = Product.objects.filter(sale_price__isnull=False).aggregate(
            start=models.Min("sale_start", filter=models.Q(sale_start__gt=now)),
            end=models.Min("sale_end", filter=models.Q(sale_end__gt=now)),
        )
        upcoming = [t for t in found.values() if t is not None]
        _boundary.clear()
        _boundary[current] = min(upcoming) if upcoming else None
    moment = _boundary[current]
    return (moment - now).total_seconds() if moment else None


def _guest(request):
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


# What a guest's session may hold for their pages to be shared: the cart (its count is a
# slot; the cart page keys on it) and the messages (a slot). Anything else — a discount
# code, the last order's number — could show on a page: such a guest gets fresh pages.
def _shared_session(request):
    from .cart import SESSION_KEY  # (shop.cart reads the models, which read this module)

    shared = {SESSION_KEY, SessionStorage.session_key}
    return not set(request.session.keys()) - shared


def cart_variant(request):
    """The cart page's variant: the cart itself."""
    from .cart import SESSION_KEY

    cart = request.session.get(SESSION_KEY) or {}
    return "cart=" + ",".join(f"{k}:{v}" for k, v in sorted(cart.items()))


def cached_page(variant=None):
    """Decorator of a storefront view: whole pages for guests (see the module's docstring).
    ``variant(request)``: a string that tells apart guests who see different pages at the
    same URL (the cart page: their cart)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                request.method != "GET"
                or not enabled()
                or not _guest(request)
                or not _shared_session(request)
            ):
                return view(request, *args, **kwargs)
            extra = variant(request) if variant else ""
            current = version()
            key = hashlib.blake2b(
                "\n".join(
                    [
                        str(current),
                        translation.get_language() or "",
                        request.scheme,
                        request.get_host(),
                        request.get_full_path(),
                        extra,
                    ]
                ).encode(),
                digest_size=20,
            ).hexdigest()
            entry = pages().get(key)
            if entry is None:
                entry, response = _render(view, request, args, kwargs)
                if entry is None:
                    return response
                seconds = settings.PAGE_CACHE_SECONDS
                boundary = _next_sale_boundary(current)
                if boundary is not None:
                    seconds = min(seconds, boundary)
                if seconds >= 1:
                    pages().set(key, entry, int(seconds))
            return _respond(request, entry)

        wrapper.page_cache = True
        return wrapper

    return decorate


def _render(view, request, args, kwargs):
    """The view's page with slots, as a cache entry ``(content, headers)``, or
    ``(None, response)`` when it is not the same for every guest."""
    meta = request.META
    needs_update = meta.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
    session = request.session
    modified = session.modified
    session.modified = False
    request.page_slots = SLOTS
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    finally:
        del request.page_slots
        asked_for_token = meta["CSRF_COOKIE_NEEDS_UPDATE"]
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = needs_update or asked_for_token
        wrote_session = session.modified
        session.modified = modified or wrote_session
    same_for_all = (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and not asked_for_token
        and not wrote_session
    )
    if not same_for_all:
        if not response.streaming and isinstance(response.content, bytes):
            # A page that could not be kept still had slots: fill them for this visitor.
            response.content = fill_slots(request, response.content)
        return None, response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return (response.content, headers), response


def fill_slots(request, content):
    """``content`` with this visitor's values in the slots (shop.keptlists fills the CSRF
    slot of backoffice lists with it too)."""
    if CSRF_SLOT.encode() in content:
        content = content.replace(CSRF_SLOT.encode(), get_token(request).encode())
    if CART_COUNT_SLOT.encode() in content:
        from .cart import Cart

        content = content.replace(CART_COUNT_SLOT.encode(), str(Cart(request).count).encode())
    if MESSAGES_SLOT.encode() in content:
        storage = getattr(request, "_messages", None)
        html = ""
        if storage is not None and len(storage):
            html = render_to_string("shop/includes/messages.html", {"messages": storage})
        content = content.replace(MESSAGES_SLOT.encode(), html.encode())
    if FRESH_TOKEN_SLOT.encode() in content:
        content = content.replace(FRESH_TOKEN_SLOT.encode(), str(uuid.uuid4()).encode())
    return content


def _respond(request, entry):
    content, headers = entry
    response = HttpResponse(fill_slots(request, content))
    for name, value in headers.items():
        response[name] = value
    return response
