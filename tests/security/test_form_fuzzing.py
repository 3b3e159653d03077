"""Every storefront and backoffice form, fuzzed over HTTP (issue 19 §3).

The forms are not listed by hand: the test loads the demo shop, starts from every URL of the
URL conf that takes no argument and from every change list and add page of the backoffice's
admin registry, follows the links it finds (one page per URL pattern), and collects every
``<form>`` with its fields and current values. Each form is then posted (or, for GET forms,
requested) with hostile values — random unicode with NUL and lone surrogates (sent as the
raw bytes a client would send), 10 kB strings, huge, negative and not-a-number numbers,
impossible dates — and with fields missing or repeated.

Whatever is sent: never a 500, and a request that is refused (4xx, or the form shown again
with errors) leaves every table exactly as it was — no partial write.
"""

import random
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import User
from shop.admin import backoffice
from shop.models import Product
from tests.html_forms import Form, FormParser

FUZZ = settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Values a hostile or clumsy client may send in any field.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate (sent as the bytes ED A0 80)
    "x" * 10_240,
    "é✓🚀" * 2_000,
    "-1",
    "-0",
    "0",
    "9" * 400,
    "-99999999999999999999999999",
    "1e309",
    "NaN",
    "-Infinity",
    "0x10",
    "1_000",
    "3.14159265358979323846264338327950288",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
]
nasty_value = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=[]), max_size=40),  # incl. surrogates
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

# Where the crawl must not go: it would end the session it crawls with.
SKIP_URL_NAMES = {"logout", "set_language"}
# Tables that change on every request on purpose (sessions, the access log of S11).
VOLATILE_TABLES = {
    "django_session",
    "privacy_accesslogentry",
    "privacy_accessloghead",
    "privacy_accessloganchor",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}
ERROR_MARKERS = ("errorlist", "errornote", 'class="error"', "has-error", 'role="alert"')


# ------------------------------------------------------------------ reading pages


def pattern_of(url):
    """The URL pattern a URL belongs to (namespace:name), or None outside the site."""
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, start_urls, inside, limit=450):
    """GET pages from ``start_urls`` on, following links whose path starts with ``inside``;
    one page per URL pattern. Returns the forms found, one per (pattern, action pattern)."""
    queue = list(start_urls)
    seen_patterns, forms, form_keys = set(), [], set()
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith(inside):
            continue
        name = pattern_of(url)
        if name is None or name.split(":")[-1] in SKIP_URL_NAMES or name in seen_patterns:
            continue
        seen_patterns.add(name)
        response = client.get(url)
        visited += 1
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
        if response.status_code == 405:  # POST only (cart buttons …): fuzzed without a page
            forms.append(Form(url, "post", url, fields=None))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = FormParser(url)
        parser.feed(response.content.decode())
        for link in parser.links:
            queue.append(urljoin(url, link))
        for form in parser.forms:
            action_name = pattern_of(form.action)
            if action_name is None or action_name.split(":")[-1] in SKIP_URL_NAMES:
                continue
            key = (name, action_name, form.method, tuple(sorted({f for f, _v in form.fields})))
            if key not in form_keys:
                form_keys.add(key)
                forms.append(form)
    return forms, seen_patterns


# ------------------------------------------------------------------ the database before/after


def fingerprint():
    """One hash per table of the project's models: any insert, update or delete shows."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        - VOLATILE_TABLES
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), ''))"
        f" FROM {quote(t)} x"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed_tables(before, after):
    return sorted(t for t in before if before[t] != after[t])


def write_counts():
    """Rows inserted, updated or deleted so far in this transaction, per table: a cheap
    first look (a savepoint rolled back still counts), before the full fingerprint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {t: n for t, n in cursor.fetchall() if t not in VOLATILE_TABLES}


class Database:
    """The state the next request starts from: its fingerprint, renewed after writes."""

    def __init__(self):
        self.fingerprint = fingerprint()


# ------------------------------------------------------------------ sending hostile input


def encode(pairs):
    """The form body as raw bytes, like a hostile client: a lone surrogate becomes the
    (invalid) UTF-8 bytes ED A0 80 instead of an encoding error in the test client."""
    return urlencode(pairs, doseq=False, encoding="utf-8", errors="surrogatepass")


def send(client, form, pairs):
    path = urlsplit(form.action).path
    body = encode(pairs)
    if form.method == "post":
        return client.post(path, body, content_type="application/x-www-form-urlencoded")
    return client.get(path, QUERY_STRING=body)


def mutate(form, rng, values, drop, duplicate, extra):
    pairs = [(name, value if value is not None else "") for name, value in form.fields]
    names = sorted({name for name, _value in pairs}) or ["q"]
    for value in values:
        target = rng.choice(names)
        pairs = [(n, value if n == target else v) for n, v in pairs]
        if target not in {n for n, _v in pairs}:
            pairs.append((target, value))
    if drop:
        gone = rng.choice(names)
        pairs = [(n, v) for n, v in pairs if n != gone]
    if duplicate and pairs:
        name, _value = rng.choice(pairs)
        pairs.append((name, rng.choice(values or ["1"])))
    if extra:
        pairs.append((extra, rng.choice(values or ["x"])))
    return pairs


def check(client, form, database, pairs):
    counts = write_counts()
    response = send(client, form, pairs)
    label = f"{form.method.upper()} {form.action} (form on {form.page})"
    assert response.status_code < 500, f"{label} → {response.status_code}"
    if write_counts() == counts:
        return response  # nothing written, nothing to compare
    refused = response.status_code >= 400 or (
        response.status_code == 200
        and "html" in response.get("Content-Type", "")
        and any(marker in response.content.decode(errors="replace") for marker in ERROR_MARKERS)
    )
    after = fingerprint()
    if refused:
        changed = changed_tables(database.fingerprint, after)
        assert not changed, f"{label} refused the input but changed {changed}"
    database.fingerprint = after
    return response


def fuzz_forms(client, forms):
    # An endpoint without a form on a page gets every field name any form of the site has.
    known = sorted({name for form in forms if form.fields for name, _value in form.fields})
    database = Database()
    for form in forms:
        if form.fields is None:
            form.fields = [(name, "") for name in known]
        fuzz_form(client, form, database)


def fuzz_form(client, form, database):
    # The fixed worst cases first: every field NUL, a lone surrogate, 10 kB, not a number,
    # all fields gone, every field twice.
    names = [name for name, _value in form.fields] or ["q"]
    for value in ("\x00", "\ud800", "x" * 10_240, "-1e309"):
        check(client, form, database, [(name, value) for name in names])
    check(client, form, database, [])
    check(client, form, database, [(n, v or "") for n, v in form.fields] * 2)

    @FUZZ
    @given(
        values=st.lists(nasty_value, min_size=1, max_size=3),
        seed=st.integers(0, 2**16),
        drop=st.booleans(),
        duplicate=st.booleans(),
        extra=st.one_of(st.none(), st.sampled_from(["id", "pk", "price", "\x00", "a" * 300])),
    )
    def one(values, seed, drop, duplicate, extra):
        pairs = mutate(form, random.Random(seed), values, drop, duplicate, extra)
        check(client, form, database, pairs)

    one()


# ------------------------------------------------------------------ the tests


@pytest.fixture
def demo_shop(db, settings, demo_copy):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HELPDESK_CONTACT_LIMIT = 10**9  # the rate limit would only hide the forms
    settings.REVIEW_THROTTLE_LIMIT = 10**9
    cache.clear()  # rate-limit counters of earlier tests
    demo_copy.load(settings)


def storefront_start_urls():
    """Every storefront URL of the URL conf that needs no argument."""
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not route.startswith("backoffice/"):
                    walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<" not in route and "^" not in route:
                urls.append("/" + route)

    walk(get_resolver().url_patterns)
    return urls


def backoffice_start_urls():
    """The start page, and every change list and add page of the admin registry."""
    urls = [reverse("admin:index")]
    for model in backoffice._registry:
        for view in ("changelist", "add"):
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
            try:
                urls.append(reverse(name))
            except Exception:
                continue
    return urls


def test_every_storefront_form_survives_hostile_input(demo_shop):
    guest = Client(raise_request_exception=False)
    customer = Client(raise_request_exception=False)
    customer.force_login(User.objects.get(email="erika@example.com"))
    product = Product.objects.active().filter(stock__isnull=True).first()
    for client in (guest, customer):  # the cart and checkout show their forms with goods only
        client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": "1"})
    starts = storefront_start_urls()
    guest_forms, guest_pages = crawl(guest, starts, "/")
    customer_forms, customer_pages = crawl(customer, starts, "/")
    actions = {pattern_of(f.action) for f in guest_forms + customer_forms}
    # The crawl found the forms the issue names, and the ones behind a login.
    for expected in [
        "shop:products",  # the search box
        "vouchers:cart_code",
        "orders:checkout",
        "customers:login",
        "customers:register",
        "helpdesk:contact",
        "customers:profile",
        "customers:address_add",
        "giftcards:balance",
        "reviews:submit",
    ]:
        assert expected in actions, f"no form posting to {expected} was found"
    fuzz_forms(guest, guest_forms)
    fuzz_forms(customer, customer_forms)


def test_every_backoffice_form_survives_hostile_input(demo_shop):
    staff = Client(raise_request_exception=False)
    staff.force_login(User.objects.get(email="admin@example.com"))
    forms, pages = crawl(staff, backoffice_start_urls(), "/backoffice/")
    # Every model of the admin registry was reached (its list at least).
    for model in backoffice._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        assert name in pages, f"{name} was not reached"
    assert len(forms) > 40
    fuzz_forms(staff, forms)


@pytest.mark.django_db
def test_the_no_partial_write_check_notices_a_changed_row():
    """The check can fail: it notices one changed column of one row."""
    from tests.factories import ProductFactory

    product = ProductFactory(name="Tea")
    before = fingerprint()
    product.name = "Coffee"
    product.save()
    assert changed_tables(before, fingerprint()) == ["shop_product"]
