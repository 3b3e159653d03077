"""The checkout and the customer's address book: a logged-in customer picks one of their saved
addresses for the billing and the delivery address (the page's script fills it in at once;
without it "Use" shows the page again with it filled in — the server-side path tested here),
and an order keeps a new address in the book, once. Guests see none of it."""

import json
import re

import pytest
from django.urls import reverse

from customers import services as customer_services
from customers.models import Address
from orders.models import Order
from shop.models import Product
from tests.checkout import add_to_cart, checkout_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def erika(db):
    return UserFactory(email="erika@example.com", first_name="Erika", last_name="Mustermann")


def address(customer, **fields):
    values = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "street": "Musterstraße 1",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        **fields,
    }
    return customer_services.save_address(customer, Address(**values))


@pytest.fixture
def book(erika):
    """Erika's address book: her default in Berlin, a second one in Warsaw, one in Italy
    (the checkout does not deliver there)."""
    return {
        "berlin": address(erika),
        "warsaw": address(
            erika,
            street="ul. Nowy Świat 10",
            postcode="00-497",
            city="Warszawa",
            country="PL",
            phone="+48 22 123 45 67",
        ),
        "rome": address(
            erika, street="Via Roma 10", postcode="39100", city="Bolzano", country="IT"
        ),
    }


@pytest.fixture
def shopping(client, erika, product, shipping, card_payment):
    client.force_login(erika)
    add_to_cart(client, product)
    return client


def use(client, prefix, pk, **fields):
    """The "Use" button next to the ``prefix`` picker, on a page whose fields hold Erika's
    Berlin address (as prefilled) and ``fields``."""
    shipping_id = fields.pop("shipping_method", None)
    data = checkout_post(
        shipping_id or _first_shipping(),
        _first_payment(),
        use_address=prefix,
        **{f"{prefix}_saved_address": pk},
        **fields,
    )
    return client.post(CHECKOUT, data)


def _first_shipping():
    from shop.models import ShippingMethod

    return ShippingMethod.objects.first()


def _first_payment():
    from shop.models import PaymentMethod

    return PaymentMethod.objects.first()


def options(html, prefix):
    """{value: (label, selected, disabled)} of the ``prefix`` picker's options."""
    select = re.search(
        rf'<select name="{prefix}_saved_address".*?</select>', html, flags=re.DOTALL
    ).group(0)
    found = {}
    for attrs, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select):
        value = re.search(r'value="([^"]*)"', attrs).group(1)
        found[value] = (label, " selected" in attrs, " disabled" in attrs)
    return found


def values(response, *names):
    form = response.context["form"]
    return tuple(form[name].value() for name in names)


BILLING = ("billing_street", "billing_postcode", "billing_city", "billing_country")
SHIPPING = ("shipping_street", "shipping_postcode", "shipping_city", "shipping_country")


# --- the pickers ---------------------------------------------------------------------------


def test_the_checkout_offers_each_saved_address_for_billing_and_delivery(shopping, book):
    html = shopping.get(CHECKOUT).content.decode()
    for prefix in ("billing", "shipping"):
        offered = options(html, prefix)
        # not the one in Italy: the checkout does not deliver there (the page says so)
        assert set(offered) == {"", str(book["berlin"].pk), str(book["warsaw"].pk)}
        label, _selected, _disabled = offered[str(book["warsaw"].pk)]
        assert label == "ul. Nowy Świat 10, 00-497 Warszawa, Poland"
    assert "Via Roma" not in html and "Bolzano" not in html
    assert "so your saved addresses elsewhere are not listed" in html
    # the prefilled default address is the one chosen for the billing address
    assert options(html, "billing")[str(book["berlin"].pk)][1]
    assert not any(selected for _l, selected, _d in options(html, "shipping").values())
    assert 'name="use_address" value="billing"' in html
    assert 'name="use_address" value="shipping"' in html


def test_another_persons_or_companys_address_is_named_in_the_choice(shopping, book, erika):
    address(
        erika,
        first_name="Jan",
        last_name="Nowak",
        company="Nowak Sp. z o.o.",
        street="Długa 1",
        postcode="00-950",
        city="Warszawa",
        country="PL",
    )
    html = shopping.get(CHECKOUT).content.decode()
    labels = [label for label, _s, _d in options(html, "shipping").values()]
    assert "Jan Nowak, Nowak Sp. z o.o., Długa 1, 00-950 Warszawa, Poland" in labels
    assert "so your saved addresses elsewhere" in html


def test_with_all_addresses_delivered_to_there_is_no_note(shopping, book):
    book["rome"].delete()
    html = shopping.get(CHECKOUT).content.decode()
    assert "saved addresses elsewhere" not in html


def test_the_pickers_speak_the_page_language(shopping, book):
    html = shopping.get("/pl/checkout/").content.decode()
    assert "ul. Nowy Świat 10, 00-497 Warszawa, Polska" in html
    html = shopping.get("/de/checkout/").content.decode()
    assert "ul. Nowy Świat 10, 00-497 Warszawa, Polen" in html


def test_use_fills_in_the_billing_address_and_keeps_everything_else(shopping, book):
    response = use(
        shopping,
        "billing",
        book["warsaw"].pk,
        customer_note="Bitte klingeln",
        phone="",
        voucher_code="",
    )
    assert response.status_code == 200
    assert not Order.objects.exists()  # "Use" places nothing
    assert values(response, *BILLING) == ("ul. Nowy Świat 10", "00-497", "Warszawa", "PL")
    # the rest as entered, the saved phone where none was entered
    assert values(response, "customer_note", "accept_terms", "phone") == (
        "Bitte klingeln",
        True,
        "+48 22 123 45 67",
    )
    html = response.content.decode()
    assert "The saved address has been filled in." in html
    assert 'class="error"' not in html  # the page is shown again without error messages
    assert options(html, "billing")[str(book["warsaw"].pk)][1]  # now the chosen one


def test_use_keeps_a_phone_number_that_was_entered(shopping, book):
    response = use(shopping, "billing", book["warsaw"].pk, phone="030 123456")
    assert values(response, "phone") == ("030 123456",)


def test_use_fills_in_a_separate_delivery_address(shopping, book):
    response = use(shopping, "shipping", book["warsaw"].pk)
    assert values(response, *SHIPPING) == ("ul. Nowy Świat 10", "00-497", "Warszawa", "PL")
    assert values(response, "ship_to_billing") == (False,)  # it is the delivery address now
    assert values(response, *BILLING) == ("Musterstraße 1", "10115", "Berlin", "DE")


def test_the_filled_in_page_places_the_order_with_the_chosen_address(shopping, book, erika):
    page = use(shopping, "shipping", book["warsaw"].pk)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["checkout_token"] = str(page.context["checkout_token"])
    data["checkout_shown"] = page.context["checkout_shown"]
    response = shopping.post(CHECKOUT, data)
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert (order.shipping_street, order.shipping_city, order.shipping_country) == (
        "ul. Nowy Świat 10",
        "Warszawa",
        "PL",
    )
    assert (order.billing_street, order.billing_city) == ("Musterstraße 1", "Berlin")
    assert erika.addresses.count() == 3  # both addresses were in the book already


def test_a_foreign_address_is_refused_and_never_shown(shopping, book, shipping):
    other = UserFactory()
    foreign = address(other, street="Geheimweg 7", postcode="80331", city="München")
    html = shopping.get(CHECKOUT).content.decode()
    assert "Geheimweg" not in html and str(foreign.pk) not in options(html, "billing")
    for prefix in ("billing", "shipping"):
        response = use(shopping, prefix, foreign.pk)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Please choose one of your saved addresses." in html
        assert "Geheimweg" not in html and "München" not in html
        assert values(response, *BILLING) == ("Musterstraße 1", "10115", "Berlin", "DE")
        assert not values(response, "shipping_street")[0]
    assert not Order.objects.exists()


@pytest.mark.parametrize("pk", ["", "abc", "999999", "1 OR 1=1"])
def test_no_or_an_invalid_choice_fills_in_nothing(shopping, book, pk):
    response = use(shopping, "billing", pk)
    assert "Please choose one of your saved addresses." in response.content.decode()
    assert values(response, *BILLING) == ("Musterstraße 1", "10115", "Berlin", "DE")


def test_an_address_in_a_country_not_delivered_to_is_not_filled_in(shopping, book):
    response = use(shopping, "billing", book["rome"].pk)
    html = response.content.decode()
    assert "We deliver only to" in html and "Italy" in html
    assert values(response, *BILLING) == ("Musterstraße 1", "10115", "Berlin", "DE")
    # nor can a hand-made post order there: the country check of the form still applies
    data = checkout_post(
        _first_shipping(),
        _first_payment(),
        billing_street="Via Roma 10",
        billing_postcode="39100",
        billing_city="Bolzano",
        billing_country="IT",
    )
    response = shopping.post(CHECKOUT, data)
    assert response.status_code == 200 and response.context["form"].errors["billing_country"]
    assert not Order.objects.exists()


def test_the_script_gets_only_the_customers_own_addresses_it_may_fill_in(shopping, book):
    address(UserFactory(), street="Geheimweg 7")
    html = shopping.get(CHECKOUT).content.decode()
    raw = re.search(
        r'<script id="address-book-data" type="application/json">(.*?)</script>', html
    ).group(1)
    data = json.loads(raw)
    assert set(data) == {str(book["berlin"].pk), str(book["warsaw"].pk)}  # not Italy
    warsaw = data[str(book["warsaw"].pk)]
    assert warsaw["billing"]["billing_city"] == "Warszawa"
    assert warsaw["shipping"]["shipping_street"] == "ul. Nowy Świat 10"
    assert warsaw["phone"] == "+48 22 123 45 67"


def test_enter_in_a_field_still_orders(shopping, book):
    """The first submit button is the one Enter presses: a hidden one that orders, not a
    picker's "Use"."""
    html = shopping.get(CHECKOUT).content.decode()
    form = html[html.index('<form method="post" class="checkout"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert "default-submit" in first_button and "name=" not in first_button


def test_without_saved_addresses_there_is_no_picker(shopping):
    html = shopping.get(CHECKOUT).content.decode()
    assert "saved_address" not in html and "address-book-data" not in html
    assert 'name="save_billing_address"' in html  # but the first order fills the book


def test_the_page_reads_the_address_book_once(shopping, book, erika, django_assert_max_num_queries):
    shopping.get(CHECKOUT)  # the kept rows are read once per storefront version
    with django_assert_max_num_queries(8) as few:
        shopping.get(CHECKOUT)
    for n in range(5):
        address(erika, street=f"Weg {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = shopping.get(CHECKOUT).content.decode()
    assert "Weg 4" in html


# --- the order keeps its addresses in the book ---------------------------------------------


def order(client, product, shipping, card_payment, **fields):
    add_to_cart(client, product)
    response = client.post(CHECKOUT, checkout_post(shipping, card_payment, **fields))
    assert response.status_code == 302, response.context["form"].errors
    return Order.objects.latest("pk")


def test_a_new_customers_first_address_is_saved_as_the_default(
    client, erika, product, shipping, card_payment
):
    client.force_login(erika)
    order(client, product, shipping, card_payment, phone="030 123", save_billing_address="on")
    saved = erika.addresses.get()
    assert (saved.street, saved.postcode, saved.city, saved.country, saved.phone) == (
        "Musterstraße 1",
        "10115",
        "Berlin",
        "DE",
        "030 123",
    )
    assert saved.is_default
    # … so the address book lists it, and the next checkout starts from it
    assert "Musterstraße 1" in client.get(reverse("customers:addresses")).content.decode()
    add_to_cart(client, product)
    response = client.get(CHECKOUT)
    assert values(response, *BILLING) == ("Musterstraße 1", "10115", "Berlin", "DE")


def test_the_box_is_ticked_on_the_page(shopping):
    form = shopping.get(CHECKOUT).context["form"]
    assert form["save_billing_address"].value() is True
    assert form["save_shipping_address"].value() is True


def test_ordering_again_with_the_same_address_adds_nothing(
    client, erika, product, shipping, card_payment
):
    client.force_login(erika)
    order(client, product, shipping, card_payment, save_billing_address="on")
    # written differently: case, spaces, "ss" for "ß", the postcode with a space
    order(
        client,
        product,
        shipping,
        card_payment,
        save_billing_address="on",
        billing_first_name="erika",
        billing_street="  MusterstrASSE   1 ",
        billing_postcode="10 115",
        billing_city="BERLIN",
    )
    assert erika.addresses.count() == 1


def test_a_different_address_is_added_and_the_default_stays(
    client, erika, book, product, shipping, card_payment
):
    client.force_login(erika)
    order(
        client,
        product,
        shipping,
        card_payment,
        save_billing_address="on",
        billing_street="Karl-Marx-Allee 5",
        billing_postcode="10178",
    )
    added = erika.addresses.get(street="Karl-Marx-Allee 5")
    assert not added.is_default
    assert erika.addresses.get(is_default=True) == book["berlin"]
    assert erika.addresses.count() == 4


# A delivery address of its own (a gift to a friend in Warsaw), as the checkout posts it.
WARSAW_DELIVERY = {
    "ship_to_billing": None,
    "shipping_first_name": "Jan",
    "shipping_last_name": "Nowak",
    "shipping_street": "Długa 1",
    "shipping_postcode": "00950",
    "shipping_city": "Warszawa",
    "shipping_country": "PL",
}


def test_a_separate_delivery_address_is_saved_too(client, erika, product, shipping, card_payment):
    client.force_login(erika)
    delivery = WARSAW_DELIVERY
    order(
        client,
        product,
        shipping,
        card_payment,
        save_billing_address="on",
        save_shipping_address="on",
        **delivery,
    )
    cities = dict(erika.addresses.values_list("city", "postcode"))
    assert cities == {"Berlin": "10115", "Warszawa": "00-950"}  # as the order stores it
    assert erika.addresses.get(is_default=True).city == "Berlin"


def test_unticked_boxes_save_nothing(client, erika, product, shipping, card_payment):
    client.force_login(erika)
    delivery = WARSAW_DELIVERY
    # a gift to a friend: the billing address is kept, the friend's is not
    order(client, product, shipping, card_payment, save_billing_address="on", **delivery)
    assert list(erika.addresses.values_list("city", flat=True)) == ["Berlin"]
    order(client, product, shipping, card_payment, billing_city="Potsdam", billing_postcode="14467")
    assert erika.addresses.count() == 1


def test_an_order_that_fails_saves_no_address(client, erika, product, shipping, card_payment):
    client.force_login(erika)
    add_to_cart(client, product)
    Product.objects.filter(pk=product.pk).update(stock=0, allow_backorders=False)
    response = client.post(
        CHECKOUT, checkout_post(shipping, card_payment, save_billing_address="on")
    )
    assert response.status_code == 200 and not Order.objects.exists()
    assert not erika.addresses.exists()


def test_the_placement_service_keeps_the_address_once(erika, make_order):
    from tests.conftest import BILLING as SERVICE_BILLING

    for _ in range(2):
        make_order(customer=erika, email=erika.email, save_billing_address=True)
    saved = erika.addresses.get()
    assert (saved.street, saved.city, saved.is_default) == (
        SERVICE_BILLING["street"],
        SERVICE_BILLING["city"],
        True,
    )


def test_remember_address_leaves_out_an_incomplete_address(erika):
    assert customer_services.remember_address(erika, {"street": "Weg 1", "city": "X"}) is None
    assert not erika.addresses.exists()


# --- guests --------------------------------------------------------------------------------


def test_guests_see_no_address_book(client, product, shipping, card_payment, book):
    add_to_cart(client, product)
    html = client.get(CHECKOUT).content.decode()
    for absent in ("saved_address", "use_address", "save_billing_address", "address-book"):
        assert absent not in html
    assert "Nowy Świat" not in html


def test_a_guests_use_address_is_ignored_and_their_order_saves_nothing(
    client, product, shipping, card_payment, book, erika
):
    add_to_cart(client, product)
    data = checkout_post(
        shipping,
        card_payment,
        email="guest@example.org",
        use_address="billing",
        billing_saved_address=book["warsaw"].pk,
        save_billing_address="on",
    )
    response = client.post(CHECKOUT, data)
    assert response.status_code == 302  # an order as before, with what was entered
    order = Order.objects.get()
    assert (order.customer, order.billing_city) == (None, "Berlin")
    assert Address.objects.count() == 3  # Erika's only


def test_a_billing_address_with_a_company_is_a_companys(shopping, book, erika):
    office = address(
        erika, company="Muster GmbH", street="Hafenstraße 12", postcode="20457", city="Hamburg"
    )
    response = use(shopping, "billing", office.pk)
    assert values(response, "billing_company", "is_business", "billing_city") == (
        "Muster GmbH",
        True,
        "Hamburg",
    )
    # a delivery address with a company changes nothing of the billing
    response = use(shopping, "shipping", office.pk)
    assert values(response, "shipping_company", "is_business") == ("Muster GmbH", False)
