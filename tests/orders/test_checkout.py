"""Checkout placement (service) and the checkout page (view): totals, guest vs account,
cart across login and every kind of bad input."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from orders import links
from orders.models import Order
from orders.services import CheckoutError, place_order
from shop.mail import written
from shop.models import OutboxEmail, Product, ShopSettings
from tests.checkout import add_to_cart, checkout_post
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory

pytestmark = pytest.mark.django_db


# --- placement totals -------------------------------------------------------------------


def test_totals_per_tax_rate_with_shipping(make_order):
    a = ProductFactory(price=Decimal("11.90"), tax_rate=Decimal("19.00"))
    b = ProductFactory(price=Decimal("10.70"), tax_rate=Decimal("7.00"))
    order = make_order({a.pk: 2, b.pk: 1})
    assert order.goods_total == Decimal("34.50")
    assert order.shipping_total == Decimal("4.90")
    assert order.grand_total == Decimal("39.40")
    rows = {row["rate"]: row for row in order.tax_breakdown()}
    assert rows[Decimal("7.00")] == {
        "rate": Decimal("7.00"),
        "category": "S",
        "net": Decimal("10.00"),
        "tax": Decimal("0.70"),
        "gross": Decimal("10.70"),
    }
    assert rows[Decimal("19.00")]["gross"] == Decimal("28.70")  # 23.80 goods + 4.90 shipping
    assert rows[Decimal("19.00")]["net"] == Decimal("24.12")
    assert rows[Decimal("19.00")]["tax"] == Decimal("4.58")
    assert sum(r["gross"] for r in rows.values()) == order.grand_total
    assert order.net_total == Decimal("34.12")
    lines = {line.sku: line for line in order.lines.all()}
    assert lines[a.sku].unit_price == Decimal("11.90")
    assert lines[a.sku].line_total == Decimal("23.80")
    assert lines[b.sku].tax_rate == Decimal("7.00")


def test_the_database_gives_every_order_its_number_at_the_insert(make_order):
    """The placement writes the order's row once: the insert returns the number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        order = make_order()
    assert order.number == str(100000 + order.pk)
    assert Order.objects.get(pk=order.pk).number == order.number
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if '"number"' in sql]
    # Whoever inserts an order (an import, a shell): it has its number; one given stays.
    for given in (None, "A-7"):
        other = Order.objects.get(pk=order.pk)
        other.pk, other.number, other.checkout_token = None, given, None
        other._state.adding = True
        other.save()
        expected = given or str(100000 + other.pk)
        assert other.number == Order.objects.get(pk=other.pk).number == expected


def test_shipping_free_from_threshold(make_order, product):
    order = make_order({product.pk: 3})  # 60.00 ≥ 50.00
    assert order.shipping_total == Decimal("0.00")
    assert order.grand_total == Decimal("60.00")


def test_shipping_charged_just_below_threshold(make_order):
    cheap = ProductFactory(price=Decimal("49.99"))
    order = make_order({cheap.pk: 1})
    assert order.shipping_total == Decimal("4.90")
    assert order.grand_total == Decimal("54.89")


def test_shipping_free_exactly_at_threshold(make_order):
    exact = ProductFactory(price=Decimal("50.00"))
    assert make_order({exact.pk: 1}).shipping_total == Decimal("0.00")


def test_downloads_only_order_pays_no_shipping(make_order):
    ebook = ProductFactory(price=Decimal("9.99"), tax_rate=Decimal("7.00"), is_downloadable=True)
    order = make_order({ebook.pk: 1})
    assert order.shipping_total == Decimal("0.00")
    assert order.grand_total == Decimal("9.99")


def test_placement_decrements_stock(make_order):
    limited = ProductFactory(stock=5)
    make_order({limited.pk: 2})
    limited.refresh_from_db()
    assert limited.stock == 3


def test_more_than_stock_is_refused_and_nothing_saved(make_order):
    limited = ProductFactory(stock=1)
    with pytest.raises(CheckoutError):
        make_order({limited.pk: 2})
    assert Order.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


# --- guest vs account -----------------------------------------------------------------


def test_guest_checkout_creates_no_account(make_order, django_user_model):
    before = django_user_model.objects.count()
    order = make_order()
    assert order.customer is None
    assert django_user_model.objects.count() == before
    assert OutboxEmail.objects.filter(template="order_confirmation", to=[order.email]).exists()


def test_empty_cart_is_refused(checkout_data):
    with pytest.raises(CheckoutError):
        place_order({}, checkout_data())
    assert Order.objects.count() == 0


# --- the checkout page ----------------------------------------------------------------


@pytest.fixture
def post_data(shipping, card_payment):
    def make(**overrides):
        return checkout_post(shipping, card_payment, **{"email": "guest@example.com", **overrides})

    return make


def test_a_submitted_checkout_page_reads_its_products_once(client, product, post_data):
    """The placement prices the products the page has just read for what it asks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = ProductFactory(price=Decimal("3.50"))
    add_to_cart(client, product, 2)
    add_to_cart(client, other, 1)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("orders:checkout"), post_data())
    assert response.status_code == 302
    reads = [q for q in queries.captured_queries if 'FROM "shop_product"' in q["sql"]]
    assert len(reads) == 1
    order = Order.objects.get()
    assert order.goods_total == 2 * product.price + Decimal("3.50")
    # A product gone from the shop between the page and the submit is refused, not sold.
    add_to_cart(client, product, 1)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = client.post(reverse("orders:checkout"), post_data())
    assert response.status_code == 302 and Order.objects.count() == 1


def test_products_read_a_moment_before_still_pass_the_placements_checks(checkout_data):
    """Rows the page read before a change: the placement refuses what they no longer allow
    (the stock is taken by a conditional update, whatever the row said) and writes nothing."""
    stocked = ProductFactory(stock=5)
    gone = ProductFactory()
    read = {p.pk: p for p in Product.objects.filter(pk__in=[stocked.pk, gone.pk])}
    Product.objects.filter(pk=stocked.pk).update(stock=0)  # sold meanwhile
    with pytest.raises(CheckoutError):
        place_order({stocked.pk: 1}, checkout_data(), products=[read[stocked.pk]])
    read[gone.pk].is_active = False  # as read after it was taken off sale
    with pytest.raises(CheckoutError, match="no longer available"):
        place_order({gone.pk: 1}, checkout_data(), products=[read[gone.pk]])
    with pytest.raises(CheckoutError, match="no longer available"):  # not among those read
        place_order({gone.pk: 1}, checkout_data(), products=[read[stocked.pk]])
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=stocked.pk).stock == 0


def test_guest_checkout_through_the_page(client, product, post_data, django_user_model):
    users = django_user_model.objects.count()
    add_to_cart(client, product, 2)
    response = client.post(reverse("orders:checkout"), post_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:success")
    order = Order.objects.get()
    assert order.customer is None
    assert order.email == "guest@example.com"
    assert order.goods_total == Decimal("40.00")
    assert (order.shipping_first_name, order.shipping_city) == ("Erika", "Berlin")
    assert django_user_model.objects.count() == users
    # the cart is emptied, the success page shows the order
    success = client.get(reverse("orders:success"))
    assert order.number in success.content.decode()
    # a guest follows the order through its signed status link (issue 20)
    assert links.status_path(order) in success.content.decode()
    assert client.session.get("cart") == {}


def test_separate_shipping_address_is_used(client, product, post_data):
    add_to_cart(client, product)
    data = post_data(
        ship_to_billing=None,
        shipping_first_name="Max",
        shipping_last_name="Muster",
        shipping_street="Lieferweg 5",
        shipping_postcode="20095",
        shipping_city="Hamburg",
    )
    assert client.post(reverse("orders:checkout"), data).status_code == 302
    order = Order.objects.get()
    assert (order.billing_city, order.shipping_city) == ("Berlin", "Hamburg")
    assert order.shipping_name == "Max Muster"


def test_logged_in_checkout_links_order_to_customer(client, customer, product, post_data):
    client.force_login(customer)
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(email=customer.email))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.customer == customer


def test_the_order_speaks_the_language_of_the_checkout_page(client, customer, product, post_data):
    """The contract is made in the page's language: its confirmation, documents and
    e-mails follow it, not the language the customer's profile says."""
    customer.language = "de"
    customer.save(update_fields=["language"])
    client.force_login(customer)
    add_to_cart(client, product)
    with translation.override("da"):
        url = reverse("orders:checkout")
    assert client.post(url, post_data(email=customer.email)).status_code == 302
    order = Order.objects.get()
    assert order.language == "da"
    confirmation = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert confirmation.subject == f"Din ordre {order.number}"


def test_the_terms_to_accept_and_the_notices_to_read_are_linked(client, product):
    settings = ShopSettings.load()
    settings.terms, settings.privacy_notice = "Our terms.", "Our privacy notice."
    settings.save()
    add_to_cart(client, product)
    page = client.get(reverse("orders:checkout")).content.decode()
    terms = reverse("shop:terms")
    assert (
        f'I accept the <a href="{terms}" target="_blank" rel="noopener">terms and conditions</a>'
        in page
    )
    assert (
        f'<a href="{reverse("shop:privacy")}" target="_blank" rel="noopener">privacy notice</a>'
        in page
    )
    withdrawal = reverse("orders:withdrawal_instructions")
    assert (
        f'<a href="{withdrawal}" target="_blank" rel="noopener">withdrawal instructions</a>' in page
    )
    assert 'aria-describedby="id_accept_terms_helptext"' in page


def test_checkout_prefills_customer_data(client, customer, product):
    Address.objects.create(
        customer=customer,
        first_name=customer.first_name,
        last_name=customer.last_name,
        street="Hafenstraße 7",
        postcode="20457",
        city="Hamburg",
        country="DE",
        is_default=True,
    )
    client.force_login(customer)
    add_to_cart(client, product)
    form = client.get(reverse("orders:checkout")).context["form"]
    assert form["email"].value() == customer.email
    assert form["billing_first_name"].value() == customer.first_name
    assert form["billing_street"].value() == "Hafenstraße 7"
    assert form["billing_city"].value() == "Hamburg"


def test_guest_page_offers_no_account_credit(client, product, shipping, card_payment):
    add_to_cart(client, product)
    response = client.get(reverse("orders:checkout"))
    assert "use_credit" not in response.context["form"].fields
    assert "no customer account is created" in response.content.decode()


def test_cart_is_kept_across_login(client, customer, product, post_data):
    add_to_cart(client, product, 3)
    response = client.post(
        reverse("customers:login"),
        {"username": customer.email, "password": "secret-pass-123"},
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == customer
    cart = client.get(reverse("shop:cart"))
    assert [(line.product, line.quantity) for line in cart.context["lines"]] == [(product, 3)]
    assert client.post(reverse("orders:checkout"), post_data()).status_code == 302
    order = Order.objects.get()
    assert order.customer == customer
    assert order.lines.get().quantity == 3


def test_checkout_page_shows_shipping_prices_and_payment_descriptions(client, product):
    ShippingMethodFactory(name="Parcel", price=Decimal("4.90"), free_over=Decimal("50.00"))
    ShippingMethodFactory(name="Express", price=Decimal("12.90"), free_over=None, position=1)
    PaymentMethodFactory(
        code="prepay",
        name="Prepayment",
        kind="prepayment",
        description="Transfer the amount within 7 days.",
    )
    add_to_cart(client, product)  # 20.00: below the threshold
    page = client.get(reverse("orders:checkout")).content.decode()
    assert "€4.90" in page
    assert "free from €50.00" in page
    assert "€12.90" in page
    assert "Transfer the amount within 7 days." in page
    assert 'id="shipping-address"' in page and "js/checkout.js" in page


def test_checkout_page_query_count_is_constant(client, post_data, django_assert_max_num_queries):
    for i in range(6):
        ShippingMethodFactory(name=f"Carrier {i}")
        PaymentMethodFactory(code=f"pm{i}", name=f"Method {i}", kind="prepayment")
    for _ in range(8):
        add_to_cart(client, ProductFactory())
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    # constant: independent of lines and methods (+1 since the session row is in PostgreSQL);
    # the methods, categories and settings are read once per storefront version (the first
    # request after a change: this one) and the version once per request
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orders:checkout"))
    assert len(response.context["lines"]) == 8
    # the next one is the kept page of a guest with this cart (shop.pagecache): the session
    # with the version, nothing else
    with django_assert_max_num_queries(1):
        again = client.get(reverse("orders:checkout"))
    assert again.context is None  # no template rendered
    assert again.content.count(b'class="line-product"') == 8


# --- bad input through the view: form errors and no order ----------------------------------


def test_empty_cart_checkout_redirects_to_cart(client, post_data):
    response = client.post(reverse("orders:checkout"), post_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:cart")
    assert Order.objects.count() == 0


def test_unknown_shipping_method_is_a_form_error(client, product, post_data):
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(shipping_method=999999))
    assert response.status_code == 200
    assert response.context["form"].errors["shipping_method"]
    assert Order.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_inactive_payment_method_is_a_form_error(client, product, post_data):
    hidden = PaymentMethodFactory(code="old", name="Old", kind="cod", is_active=False)
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(payment_method=hidden.pk))
    assert response.context["form"].errors["payment_method"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("missing", ["billing_street", "billing_postcode", "billing_last_name"])
def test_missing_billing_address_is_a_form_error(client, product, post_data, missing):
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(**{missing: ""}))
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert Order.objects.count() == 0


def test_missing_separate_shipping_address_is_a_form_error(client, product, post_data):
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(ship_to_billing=None))
    errors = response.context["form"].errors
    assert {"shipping_street", "shipping_city", "shipping_postcode"} <= set(errors)
    assert Order.objects.count() == 0


def test_terms_must_be_accepted(client, product, post_data):
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(accept_terms=None))
    assert "accept_terms" in response.context["form"].errors
    assert Order.objects.count() == 0


def test_invalid_email_is_a_form_error(client, product, post_data):
    add_to_cart(client, product)
    response = client.post(reverse("orders:checkout"), post_data(email="not-an-email"))
    assert "email" in response.context["form"].errors
    assert Order.objects.count() == 0


def test_tampered_price_in_post_is_ignored(client, product, post_data):
    add_to_cart(client, product, 2)
    tampered = post_data(
        price="0.01",
        unit_price="0.01",
        line_total="0.01",
        goods_total="0.01",
        grand_total="0.01",
        shipping_total="0",
        **{f"price-{product.pk}": "0.01"},
    )
    assert client.post(reverse("orders:checkout"), tampered).status_code == 302
    order = Order.objects.get()
    assert order.lines.get().unit_price == Decimal("20.00")
    assert order.goods_total == Decimal("40.00")
    assert order.grand_total == Decimal("44.90")  # 40.00 goods + 4.90 shipping
    product.refresh_from_db()
    assert product.price == Decimal("20.00")


def test_a_product_deactivated_after_adding_leaves_the_cart_and_the_page_is_shown_again(
    client, product, post_data
):
    """The cart listed it nowhere, its badge counted it, and the checkout refused every
    order for it with no way to remove it (an audit). Now it leaves the cart with a notice;
    a page that showed it is shown again with the new total, then the order is placed."""
    other = ProductFactory(name="Retired mug")
    add_to_cart(client, product)
    add_to_cart(client, other)
    page = client.get(reverse("orders:checkout"))  # shows both
    Product.objects.filter(pk=other.pk).update(is_active=False)
    response = client.post(
        reverse("orders:checkout"), post_data(checkout_shown=page.context["checkout_shown"])
    )
    assert response.status_code == 200
    notices = [str(m) for m in response.context["messages"]]
    assert "“Retired mug” is no longer available and has been removed from your cart." in notices
    assert Order.objects.count() == 0
    assert client.session["cart"] == {str(product.pk): 1}
    response = client.post(
        reverse("orders:checkout"),
        post_data(checkout_shown=response.context["checkout_shown"]),
    )
    assert response.status_code == 302
    assert [line.product_id for line in Order.objects.get().lines.all()] == [product.pk]


def test_the_cart_page_removes_a_product_no_longer_for_sale_and_says_so(client, product):
    other = ProductFactory(name="Retired mug")
    add_to_cart(client, product)
    add_to_cart(client, other, 2)
    client.get(reverse("shop:cart"))  # the "added" notices
    Product.objects.filter(pk=other.pk).update(is_active=False)
    html = client.get(reverse("shop:cart")).content.decode()
    assert "“Retired mug” is no longer available and has been removed from your cart." in html
    assert client.session["cart"] == {str(product.pk): 1}
    # deleted outright: removed all the same, without a name to give
    gone = ProductFactory(name="Deleted")
    add_to_cart(client, gone)
    client.get(reverse("shop:cart"))
    Product.objects.filter(pk=gone.pk).delete()
    html = client.get(reverse("shop:cart")).content.decode()
    assert "A product in your cart is no longer available and has been removed from it." in html
    assert client.session["cart"] == {str(product.pk): 1}


def test_a_cart_of_products_all_gone_goes_back_to_the_cart(client, product, post_data):
    add_to_cart(client, product)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = client.post(reverse("orders:checkout"), post_data())
    assert response.status_code == 302 and response["Location"] == reverse("shop:cart")
    assert Order.objects.count() == 0 and client.session["cart"] == {}


def test_success_page_shows_the_methods_also_when_retired_since(
    client, product, post_data, shipping, card_payment, django_assert_max_num_queries
):
    """The success page takes the order's methods from the active ones every checkout keeps;
    a method retired in between is looked up."""
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    add_to_cart(client, product)
    assert client.post(reverse("orders:checkout"), post_data()).status_code == 302
    client.get(reverse("orders:success"))  # the kept rows are read once per process
    with django_assert_max_num_queries(4):  # session + version, order, lines, pictures
        html = client.get(reverse("orders:success")).content.decode()
    assert shipping.name in html and card_payment.name in html
    for method in (card_payment, shipping):  # retired in the backoffice
        method.is_active = False
        method.save()
    html = client.get(reverse("orders:success")).content.decode()
    assert shipping.name in html and card_payment.name in html


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("+49 40 1234567", True),
        ("(040) 123 456-7", True),
        ("0049/40.123456", True),
        ("", True),
        ("call me maybe", False),
        ("12", False),  # too few digits to be a number
        ("+49 40 1234567 ext. 5", False),
    ],
)
def test_the_phone_number_is_a_phone_number(phone, ok):
    from django.core.exceptions import ValidationError

    from shop.fields import validate_phone

    if ok:
        validate_phone(phone)
    else:
        with pytest.raises(ValidationError, match="Enter a phone number with digits only"):
            validate_phone(phone)


def test_checkout_refuses_text_as_a_phone_number_and_places_nothing(client, product):
    add_to_cart(client, product)
    data = checkout_post(ShippingMethodFactory(), PaymentMethodFactory(), phone="call me maybe")
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 200
    assert "Enter a phone number with digits only" in response.content.decode()
    assert not Order.objects.exists()
