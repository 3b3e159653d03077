"""Shipping methods limited to some delivery countries (``ShippingMethod.countries``).

Every shipping method went to every delivery country: a shop whose express service delivers
next day within Germany only, or whose 4.90 parcel price is a domestic one, had a Swiss or
Danish customer choose it at that price, and a shop that ships only within Germany had to
change code. Now a method names the countries it delivers to (none ticked: all), the
checkout delivers to the countries some active method serves, offers each customer the
methods for their delivery country, and the placement refuses the rest on the field to
change — for every caller of the service."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from customers import services as customer_services
from customers.models import Address
from orders import services
from orders.errors import CheckoutError
from orders.models import Order
from shop.models import ShippingMethod
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory, ShippingMethodFactory
from tests.shop.test_seller_country_defaults import add_page_form

pytestmark = pytest.mark.django_db
D = Decimal
CHECKOUT = "orders:checkout"


@pytest.fixture
def parcel(db):
    """The everyday parcel: Germany only, 4.90."""
    return ShippingMethodFactory(name="Paket", price=D("4.90"), free_over=None, countries=["DE"])


@pytest.fixture
def abroad(db):
    """Abroad: Austria and Switzerland, 14.90."""
    return ShippingMethodFactory(
        name="International", price=D("14.90"), free_over=None, countries=["AT", "CH"], position=1
    )


def post(client, product, shipping_method, payment_method, /, **overrides):
    add_to_cart(client, product)
    return client.post(
        reverse(CHECKOUT), checkout_post(shipping_method, payment_method, **overrides)
    )


def austrian(**overrides):
    return {
        "billing_street": "Ringstraße 1",
        "billing_postcode": "1010",
        "billing_city": "Wien",
        "billing_country": "AT",
        **overrides,
    }


def delivered_to(street, postcode, city, country, first_name="Erika"):
    """A separate delivery address, as the checkout form posts it."""
    return {
        "ship_to_billing": "",
        "shipping_first_name": first_name,
        "shipping_last_name": "Mustermann",
        "shipping_street": street,
        "shipping_postcode": postcode,
        "shipping_city": city,
        "shipping_country": country,
    }


BERLIN = ("Musterstraße 1", "10115", "Berlin", "DE")


def saved(customer, street, postcode, city, country):
    """A saved address in ``customer``'s address book."""
    return customer_services.save_address(
        customer,
        Address(
            first_name="Anna",
            last_name="Huber",
            street=street,
            postcode=postcode,
            city=city,
            country=country,
        ),
    )


def test_a_method_for_germany_only_is_refused_for_austria_and_nothing_is_placed(
    client, product, parcel, abroad, card_payment
):
    stock = product.stock
    response = post(client, product, parcel, card_payment, **austrian())
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["shipping_method"] == [
        "Paket does not deliver to Austria. Please choose another shipping method."
    ]
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == stock
    # the page shown again offers the method for Austria, checked and priced in its summary
    assert response.context["form"]["shipping_method"].value() == str(abroad.pk)
    assert response.context["order"].shipping_total == D("14.90")
    # the method for Austria places it, at its own price
    response = client.post(reverse(CHECKOUT), checkout_post(abroad, card_payment, **austrian()))
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert order.shipping_method == abroad and order.shipping_country == "AT"
    assert order.shipping_total == D("14.90")


def test_a_separate_delivery_address_decides_not_the_billing_address(
    client, product, parcel, abroad, card_payment
):
    """Billed in Austria, delivered in Germany: the German parcel is right."""
    response = post(
        client,
        product,
        parcel,
        card_payment,
        **austrian(**delivered_to(*BERLIN)),
    )
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get()
    assert (order.billing_country, order.shipping_country) == ("AT", "DE")


def test_a_country_no_method_delivers_to_is_refused_at_its_field(
    client, product, parcel, abroad, card_payment
):
    response = post(
        client,
        product,
        parcel,
        card_payment,
        billing_street="ul. Nowy Świat 10",
        billing_postcode="00-001",
        billing_city="Warszawa",
        billing_country="PL",
    )
    errors = response.context["form"].errors
    assert errors["billing_country"] == ["We deliver only to Germany, Austria, and Switzerland."]
    assert not Order.objects.exists()


def test_the_service_refuses_it_for_every_caller(checkout_data, parcel, product):
    """A command, a job, the demo: the rule is the placement's, not the page's (the
    fixtures' other method delivers everywhere, so Denmark is a delivery country)."""
    data = checkout_data(shipping_method_id=parcel.pk)
    data.billing = {**data.billing, "country": "DK", "postcode": "2100", "city": "København"}
    with pytest.raises(CheckoutError) as refused:
        services.place_order({str(product.pk): 1}, data)
    assert refused.value.field == "shipping_method"
    assert not Order.objects.exists()
    ShippingMethod.objects.exclude(pk=parcel.pk).update(is_active=False)
    with pytest.raises(CheckoutError) as refused:
        services.place_order({str(product.pk): 1}, data)
    assert refused.value.field == "billing_country"
    assert str(refused.value) == "We deliver only to Germany."


def test_an_order_that_ships_nothing_goes_anywhere_the_shop_sells(client, parcel, card_payment):
    """A gift card or a download has no parcel: the billing country is not a delivery."""
    download = ProductFactory(price=D("9.00"), is_downloadable=True, stock=None)
    response = post(
        client,
        download,
        None,
        card_payment,
        billing_street="ul. Nowy Świat 10",
        billing_postcode="00-001",
        billing_city="Warszawa",
        billing_country="PL",
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Order.objects.get().billing_country == "PL"


def test_the_checkout_page_marks_the_limited_methods_and_lists_the_served_countries(
    client, product, parcel, abroad, card_payment
):
    ShippingMethodFactory(name="Retired", countries=["DK"], is_active=False)
    add_to_cart(client, product)
    response = client.get(reverse(CHECKOUT))
    html = response.content.decode()
    assert 'data-countries="DE"' in html and 'data-countries="AT CH"' in html
    assert "Delivers only to Germany" in html
    assert "Delivers only to Austria and Switzerland" in html
    form = response.context["form"]
    # the delivery address lists the countries a method serves; the billing address all
    shipping = [code for code, _name in form.fields["shipping_country"].choices]
    billing = [code for code, _name in form.fields["billing_country"].choices]
    assert sorted(shipping) == ["AT", "CH", "DE"]
    assert sorted(billing) == ["AT", "CH", "DE", "DK", "PL"]
    # the page preselects a method for its preset country
    assert form.initial["shipping_method"] == parcel.pk


def test_the_preselected_method_delivers_to_the_pages_country(
    client, product, parcel, abroad, card_payment
):
    ShippingMethod.objects.filter(pk=abroad.pk).update(countries=["AT", "DE"])
    ShippingMethod.objects.filter(pk=parcel.pk).update(countries=["PL"], position=0)
    add_to_cart(client, product)
    with translation.override("de"):
        response = client.get(reverse(CHECKOUT))
    assert response.context["form"].initial["shipping_method"] == abroad.pk
    with translation.override("pl"):
        response = client.get(reverse(CHECKOUT))
    assert response.context["form"].initial["shipping_method"] == parcel.pk


def test_a_guests_cached_address_fields_follow_the_served_countries(
    client, product, parcel, abroad, card_payment
):
    add_to_cart(client, product)
    html = client.get(reverse(CHECKOUT)).content.decode()
    select = html.split('name="shipping_country"', 1)[1].split("</select>", 1)[0]
    assert 'value="PL"' not in select
    ShippingMethodFactory(name="Polska", countries=["PL"])
    html = client.get(reverse(CHECKOUT)).content.decode()
    select = html.split('name="shipping_country"', 1)[1].split("</select>", 1)[0]
    assert 'value="PL"' in select


def test_a_hidden_delivery_country_of_an_old_page_is_ignored(client, product, parcel, card_payment):
    """Goods go to the billing address: the hidden delivery select's value (a page from
    before the shop stopped delivering there) stops nothing."""
    response = post(client, product, parcel, card_payment, shipping_country="PL")
    assert response.status_code == 302, response.context["form"].errors
    assert Order.objects.get().shipping_country == "DE"


def test_the_shipping_costs_page_says_where_each_method_delivers(client, parcel, abroad):
    html = client.get(reverse("shop:shipping_costs")).content.decode()
    assert "We deliver to Germany, Austria, and Switzerland." in html
    assert '<th scope="col">Delivers to</th>' in html
    assert "<td>Austria and Switzerland</td>" in html
    with translation.override("de"):
        html = client.get(reverse("shop:shipping_costs")).content.decode()
    assert "Wir liefern in diese Länder: Deutschland, Österreich und Schweiz." in html


def test_the_shipping_costs_page_without_limits_has_no_column(client, shipping):
    html = client.get(reverse("shop:shipping_costs")).content.decode()
    assert "Delivers to" not in html
    assert "We deliver to Germany, Poland, Denmark, Austria, and Switzerland." in html


def test_staff_tick_the_countries_of_a_method(admin_client, shipping):
    url = reverse("admin:shop_shippingmethod_change", args=[shipping.pk])
    _html, data = add_page_form(admin_client, url)
    data["countries"] = ["CH", "DE"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    shipping.refresh_from_db()
    assert shipping.countries == ["DE", "CH"]  # in the list's order
    listing = admin_client.get(reverse("admin:shop_shippingmethod_changelist"))
    assert "Germany and Switzerland" in listing.content.decode()
    # a code the shop does not deliver to is refused, nothing changes
    data["countries"] = ["DE", "US"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["countries"]
    shipping.refresh_from_db()
    assert shipping.countries == ["DE", "CH"]
    # none ticked: every delivery country
    data.pop("countries")
    assert admin_client.post(url, data).status_code == 302
    shipping.refresh_from_db()
    assert shipping.countries == [] and shipping.delivers_to("PL")


def test_a_method_with_a_country_list_the_shop_no_longer_has_is_refused_by_the_model(shipping):
    from django.core.exceptions import ValidationError

    shipping.countries = ["DE", "FR"]
    with pytest.raises(ValidationError) as refused:
        shipping.full_clean()
    assert "countries" in refused.value.message_dict


# --- what an audit of the feature found ---------------------------------------------------


def test_the_backoffice_form_keeps_active_and_position(admin_client, shipping):
    html = admin_client.get(
        reverse("admin:shop_shippingmethod_change", args=[shipping.pk])
    ).content.decode()
    assert 'name="is_active"' in html and 'name="position"' in html
    html = admin_client.get(reverse("admin:shop_shippingmethod_add")).content.decode()
    assert 'name="is_active"' in html  # a new method can be prepared inactive


def polish_customer(customer):
    saved(customer, "ul. Nowy Świat 10", "00-497", "Warszawa", "PL")
    return customer


def test_a_billing_address_in_a_country_no_method_serves_is_still_filled_in(
    client, customer, parcel, card_payment
):
    """The shop ships to Germany only, but bills anywhere it sells: a download goes to a
    Polish customer, and a Polish billing address may send goods to Berlin."""
    client.force_login(polish_customer(customer))
    ebook = ProductFactory(price=D("9.00"), is_downloadable=True, stock=None)
    add_to_cart(client, ebook)
    response = client.get(reverse(CHECKOUT))
    form = response.context["form"]
    assert form["billing_city"].value() == "Warszawa"
    assert form["billing_country"].value() == "PL"
    assert [c["label"] for c in response.context["address_book"]["billing"]]
    assert "has not been filled in" not in response.content.decode()


def test_goods_for_a_billing_address_where_nothing_is_delivered_need_a_delivery_address(
    client, customer, product, parcel, card_payment
):
    client.force_login(polish_customer(customer))
    add_to_cart(client, product)
    response = client.get(reverse(CHECKOUT))
    choices = response.context["address_book"]
    assert choices["billing"] and not choices["shipping"]  # Warsaw: billing only
    assert response.context["form"]["shipping_country"].value() == "DE"
    # goods to the Polish billing address: refused at its country, not as a missing method
    data = checkout_post(
        None,
        card_payment,
        email=customer.email,
        billing_street="ul. Nowy Świat 10",
        billing_postcode="00-497",
        billing_city="Warszawa",
        billing_country="PL",
        shipping_method=None,
    )
    response = client.post(reverse(CHECKOUT), data)
    errors = response.context["form"].errors
    assert errors["billing_country"] == ["We deliver only to Germany."]
    assert "shipping_method" not in errors
    assert not Order.objects.exists()
    # … to Berlin, billed in Warsaw: placed
    data.update(delivered_to(*BERLIN, first_name="Ola"), shipping_method=parcel.pk)
    response = client.post(reverse(CHECKOUT), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Order.objects.get().billing_country == "PL"


def test_a_guest_on_the_polish_page_buying_a_download_starts_in_poland(
    client, parcel, card_payment
):
    ebook = ProductFactory(price=D("9.00"), is_downloadable=True, stock=None)
    add_to_cart(client, ebook)
    with translation.override("pl"):
        response = client.get(reverse(CHECKOUT))
    assert response.context["form"]["billing_country"].value() == "PL"


def test_a_delivery_country_no_longer_served_is_refused_in_words(
    client, product, parcel, card_payment
):
    response = post(
        client,
        product,
        parcel,
        card_payment,
        **delivered_to("Strøget 1", "1100", "København", "DK"),
    )
    assert response.context["form"].errors["shipping_country"] == ["We deliver only to Germany."]


def test_a_saved_address_filled_in_brings_a_method_that_delivers_there(
    client, customer, product, parcel, abroad, card_payment
):
    """Without the page's script, "Use" of the Austrian address: the German parcel chosen
    before gives way to a method that goes to Austria."""
    vienna = saved(customer, "Ringstraße 1", "1010", "Wien", "AT")
    client.force_login(customer)
    add_to_cart(client, product)
    data = checkout_post(
        parcel,
        card_payment,
        email=customer.email,
        use_address="billing",
        billing_saved_address=vienna.pk,
    )
    response = client.post(reverse(CHECKOUT), data)
    form = response.context["form"]
    assert form["billing_country"].value() == "AT"
    assert form["shipping_method"].value() == abroad.pk
    assert not Order.objects.exists()
