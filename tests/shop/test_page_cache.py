"""Whole storefront pages for guests (issue 28, ``shop.pagecache``).

A guest's second view of a page is answered from the process's page cache with one query
(the storefront version) and no rendering; every guest still gets their own CSRF token,
cart count and messages; any change of what the page shows — a save, a queryset update, a
placed order's stock, a moderated review — shows at once; logged-in customers never get
a cached page.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from shop import pagecache
from shop.models import Product, ShopSettings
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def token_of(html):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_a_guests_second_view_is_one_query_and_no_rendering(client, product):
    ShopSettings.load()  # (a shop has its settings row: creating it is a change)
    url = reverse("shop:product", args=[product.slug])
    first = get(client, url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert [q["sql"] for q in queries.captured_queries] == [
        f"SELECT last_value FROM {pagecache.SEQUENCE}"
    ]
    assert response.templates == []  # nothing rendered
    second = response.content.decode()
    # The same page, apart from the visitor's own CSRF token.
    assert re.sub(r'value="[A-Za-z0-9]{64}"', "", first) == re.sub(
        r'value="[A-Za-z0-9]{64}"', "", second
    )
    assert pagecache.CSRF_SLOT not in second and pagecache.CART_COUNT_SLOT not in second


def test_every_guest_gets_their_own_token_and_cart_count(product):
    url = reverse("shop:product", args=[product.slug])
    get(Client(), url)  # cached
    with_cart = Client(enforce_csrf_checks=True)
    html = get(with_cart, url)
    token = token_of(html)[0]
    assert len(set(token_of(html))) == 1  # every form of the page: this visitor's token
    response = with_cart.post(
        reverse("shop:cart_add"),
        {"csrfmiddlewaretoken": token, "product": product.pk, "quantity": 3},
    )
    assert response.status_code == 302
    mine = get(with_cart, url)
    assert '<span class="badge">3</span>' in mine
    other = get(Client(), url)
    assert '<span class="badge">0</span>' in other
    assert token_of(other)[0] != token_of(mine)[0]


def test_messages_show_once_on_a_cached_cart_page(product):
    guest, twin = Client(), Client()
    for visitor in (guest, twin):
        visitor.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    cart = reverse("shop:cart")
    assert "was added to your cart" in get(guest, cart)
    assert "was added to your cart" not in get(guest, cart)
    # The same cart of another guest: the cached page, with that guest's own message.
    with CaptureQueriesContext(connection) as queries:
        html = get(twin, cart)
    assert "was added to your cart" in html and '<span class="badge">1</span>' in html
    assert not any("shop_product" in q["sql"] for q in queries.captured_queries)


def test_a_guest_whose_session_holds_more_than_the_cart_gets_fresh_pages(client, product):
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    session = client.session
    session["voucher_code"] = "NOPE"
    session.save()
    for url in [reverse("shop:cart"), reverse("shop:product", args=[product.slug])] * 2:
        response = client.get(url)
        assert response.templates, url  # rendered, not a shared copy
    assert "NOPE" in client.get(reverse("shop:cart")).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda p: Product.objects.filter(pk=p.pk).update(price=Decimal("23.45")),
        lambda p: (setattr(p, "price", Decimal("23.45")), p.save()),
    ],
    ids=["queryset update", "save"],
)
def test_a_change_shows_at_once_on_every_page(client, product, change):
    pages = [
        reverse("shop:product", args=[product.slug]),
        reverse("shop:category", args=[product.category.slug]),
        reverse("shop:home"),
    ]
    for url in pages * 2:
        assert "20.00" in get(client, url)
    change(product)
    for url in pages:
        html = get(client, url)
        assert "23.45" in html and "20.00" not in html


def test_stock_taken_by_an_order_and_a_moderated_review_show_at_once(client, make_order):
    item = ProductFactory(price=Decimal("30.00"), stock=5)
    url = reverse("shop:product", args=[item.slug])
    assert "Only 5 left" in get(client, url)
    get(client, url)
    make_order({item.pk: 2})
    assert "Only 3 left" in get(client, url)
    review = Review.objects.create(product=item, rating=4, text="Works well.", author_name="Ida")
    get(client, url)
    assert "Works well." not in get(client, url)
    Review.objects.filter(pk=review.pk).update(
        moderated=True, active=True, moderated_at=timezone.now()
    )
    assert "Works well." in get(client, url)


def test_a_logged_in_customer_never_gets_a_cached_page(client, product):
    url = reverse("shop:product", args=[product.slug])
    get(client, url)
    get(client, url)
    client.force_login(UserFactory())
    assert "My account" in get(client, url)
    client.logout()
    assert "My account" not in get(client, url)


def test_one_after_commit_advance_per_transaction(django_capture_on_commit_callbacks):
    before = pagecache.version()
    with django_capture_on_commit_callbacks() as callbacks:
        ProductFactory.create_batch(3)
        Product.objects.update(price=Decimal("9.99"))
    assert pagecache.version() > before
    assert [c for c in callbacks if c is pagecache._advance_after_commit] == [
        pagecache._advance_after_commit
    ]


def test_every_watched_model_writes_through_a_storefront_queryset():
    """Bulk writes send no signal: a watched model's querysets must move the version."""
    assert len(pagecache.WATCHED) >= 8
    for model in pagecache.WATCHED:
        assert issubclass(
            model._default_manager.get_queryset().__class__, pagecache.StorefrontQuerySet
        ), model


def test_a_storefront_request_reads_the_shop_settings_once(client, product, shipping):
    ShopSettings.load()
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("orders:checkout")).status_code == 200
    reads = [q for q in queries.captured_queries if 'FROM "shop_shopsettings"' in q["sql"]]
    assert len(reads) == 1
    # A change of the row shows in the next request (and in this one after a save).
    ShopSettings.objects.filter(pk=1).update(shop_name="Nordlicht Nord")
    assert "Nordlicht Nord" in client.get(reverse("orders:checkout")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_settings_row_is_read_again_only_when_the_version_moved():
    ShopSettings.load()
    ShopSettings.load()
    with CaptureQueriesContext(connection) as queries:
        shop = ShopSettings.load()
    assert [q["sql"] for q in queries.captured_queries] == [
        f"SELECT last_value FROM {pagecache.SEQUENCE}"
    ]
    shop.shop_name = "Only this copy"
    assert ShopSettings.load().shop_name != "Only this copy"
    ShopSettings.objects.filter(pk=1).update(shop_name="Nordlicht Nord")
    assert ShopSettings.load().shop_name == "Nordlicht Nord"


@pytest.mark.django_db(transaction=True)
def test_a_settings_row_read_in_a_transaction_is_kept_once_it_commits():
    """The checkout reads the settings inside its transaction: the row is kept when that
    commits, never when it rolls back, nor when the same transaction changed the row."""
    from django.db import transaction

    ShopSettings.load()
    pagecache._kept.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        ShopSettings.load()
        raise RuntimeError("rolled back")
    assert pagecache._kept == {}
    with transaction.atomic():
        shop = ShopSettings.load()
        shop.shop_name = "Written here"
        shop.save()
        assert ShopSettings.load().shop_name == "Written here"  # its own change, read again
    with CaptureQueriesContext(connection) as queries:
        assert ShopSettings.load().shop_name == "Written here"
    assert len(queries.captured_queries) == 2  # the version moved after commit: read again
    pagecache._kept.clear()
    with transaction.atomic():
        ShopSettings.load()
    with CaptureQueriesContext(connection) as queries:
        assert ShopSettings.load().shop_name == "Written here"
    assert [q["sql"] for q in queries.captured_queries] == [
        f"SELECT last_value FROM {pagecache.SEQUENCE}"
    ]


def test_rows_written_by_copy_move_the_version_too():
    from shop.bulk import copy_rows

    product = ProductFactory()
    before = pagecache.version()
    copy_rows(
        Product,
        ["name", "slug", "sku", "price", "tax_rate", "category_id", "is_active", "download_file"],
        [("Copied", "copied", "CPY-1", "9.99", "19.00", product.category_id, True, "")],
    )
    assert pagecache.version() > before


@pytest.mark.parametrize(
    ("personal", "renders"),
    [
        (lambda request, response: None, 1),  # the same for everyone: kept
        (lambda request, response: get_token(request), 2),  # a form outside the context
        (lambda request, response: request.session.__setitem__("seen", True), 2),
        (lambda request, response: response.set_cookie("hello", "1"), 2),
        (lambda request, response: setattr(response, "status_code", 404), 2),
    ],
    ids=["shared", "real csrf token", "session written", "cookie set", "not a 200"],
)
def test_a_page_that_is_not_the_same_for_every_guest_is_never_kept(rf, personal, renders):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    rendered = []

    @pagecache.cached_page()
    def view(request):
        rendered.append(request)
        response = HttpResponse(f"<p>{pagecache.CSRF_SLOT}</p>", content_type="text/html")
        personal(request, response)
        return response

    for _ in range(2):
        request = rf.get("/some-page/")
        request.user, request.session = AnonymousUser(), SessionStore()
        response = view(request)
        assert pagecache.CSRF_SLOT.encode() not in response.content  # filled all the same
    assert len(rendered) == renders  # 2: the second guest's page was rendered again


def test_kept_methods_follow_every_change_at_once(make_order, shipping):
    """Shipping and payment methods are kept per storefront version: the placement charges a
    changed price and refuses a deactivated method at once, in the same process."""
    from orders.services import CheckoutError
    from shop.models import ShippingMethod

    assert ShippingMethod.active_row(shipping.pk).price == shipping.price
    ShippingMethod.objects.filter(pk=shipping.pk).update(price=Decimal("7.77"))
    assert ShippingMethod.active_row(shipping.pk).price == Decimal("7.77")
    assert make_order().shipping_total == Decimal("7.77")
    ShippingMethod.objects.filter(pk=shipping.pk).update(is_active=False)
    assert ShippingMethod.active_row(shipping.pk) is None
    with pytest.raises(CheckoutError):
        make_order()


@pytest.mark.django_db(transaction=True)
def test_kept_rows_read_in_a_transaction_are_kept_once_it_commits():
    from django.db import transaction

    from shop.models import Category
    from tests.factories import CategoryFactory

    CategoryFactory(name="Tea")
    with pytest.raises(RuntimeError), transaction.atomic():
        Category.active_rows()
        raise RuntimeError("rolled back")
    assert pagecache._kept == {}
    with transaction.atomic():
        assert [c.name for c in Category.active_rows()] == ["Tea"]
    with CaptureQueriesContext(connection) as queries:
        assert [c.name for c in Category.active_rows()] == ["Tea"]
    assert [q["sql"] for q in queries.captured_queries] == [
        f"SELECT last_value FROM {pagecache.SEQUENCE}"
    ]
    CategoryFactory(name="Coffee")
    assert sorted(c.name for c in Category.active_rows()) == ["Coffee", "Tea"]


# --- one read of the version per transaction ------------------------------------------------

VERSION_READ = f"SELECT last_value FROM {pagecache.SEQUENCE}"


def version_reads(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"] == VERSION_READ]


def move_elsewhere():
    """What another process's change does to this transaction: the sequence moves on (it is
    not transactional), nothing of this process's memo changes."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{pagecache.SEQUENCE}')")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_reads_the_version_once_and_the_next_one_afresh(make_order):
    from django.db import transaction

    from shop.models import PaymentMethod, ShippingMethod

    make_order()  # (the rows exist and are kept)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        first = pagecache.version()
        ShippingMethod.active_rows(), PaymentMethod.active_rows(), ShopSettings.load()
        move_elsewhere()
        assert pagecache.version() == first  # the rows of its own start, to its end
    assert len(version_reads(queries)) == 1
    with transaction.atomic():
        assert pagecache.version() == first + 1  # committed: the next one reads afresh
    with pytest.raises(RuntimeError), transaction.atomic():
        pagecache.version()
        raise RuntimeError("rolled back")
    move_elsewhere()
    with transaction.atomic():
        assert pagecache.version() == first + 2  # rolled back: afresh too
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint
            kept_there = pagecache.version()
            raise RuntimeError("rolled back")
        move_elsewhere()
        assert pagecache.version() == kept_there + 1  # what it kept went with it


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_moves_the_version_reads_it_again(make_order):
    from django.db import transaction

    make_order()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        before = pagecache.version()
        Product.objects.update(price=Decimal("9.99"))  # a change of what the pages show
        after = pagecache.version()
        assert after > before
        assert pagecache.version() == after
    assert len(version_reads(queries)) == 2


def test_inside_a_tests_transaction_each_of_the_codes_transactions_reads_afresh():
    """A test's transaction never commits: what tells the code's transactions apart there is
    the savepoint each of them is."""
    from django.db import transaction

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            pagecache.version(), pagecache.version()
        assert len(version_reads(queries)) == 1
        move_elsewhere()
    with transaction.atomic():
        seen = pagecache.version()
    move_elsewhere()
    with transaction.atomic():
        assert pagecache.version() == seen + 1


@pytest.mark.django_db(transaction=True)
def test_a_placement_reads_the_version_once(make_order):
    make_order()  # the kept rows of this version: the next placement reads none of them
    with CaptureQueriesContext(connection) as queries:
        make_order()
    sql = [q["sql"] for q in queries.captured_queries]
    inside = sql[sql.index("BEGIN") : sql.index("COMMIT")]
    # (the methods, the settings, the cheapest delivery, the payment rules: five reads before)
    assert inside.count(VERSION_READ) == 1
