"""The total is shown right before the order button (§ 312j(2) BGB), and the order is placed
at exactly what was shown: when a price, the shipping cost, a discount or a gift card's
usable balance changed after the checkout page was opened, nothing is placed and the page
shows the new figures again; the corrected page's submit places the order."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from giftcards import services as giftcard_services
from orders.errors import FiguresChanged
from orders.forms import sign_shown, unsign_shown
from orders.models import Order
from orders.services import ShownFigures, place_order, quote_order
from shop.models import OutboxEmail, Product, ShippingMethod
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory, ShippingMethodFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHANGED = "Prices in your cart have changed since you opened this page."


@pytest.fixture
def skillet(db):
    return ProductFactory(name="Skillet", price=D("29.00"), stock=5)  # + 4.90 shipping


@pytest.fixture
def express(db):
    return ShippingMethodFactory(name="Express", price=D("9.90"), free_over=None)


def page_figures(items, data, customer=None):
    """What the checkout page shows for ``data`` (as orders.views renders it), through the
    signed hidden field and back, as the placement gets it."""
    quote = quote_order(items, data, customer=customer)
    methods = ShippingMethod.active_rows()
    shown = ShownFigures.from_quote(quote, data, {m.pk: quote.shipping_cost(m) for m in methods})
    return unsign_shown(sign_shown(shown))


def nothing_placed(product, stock):
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock == stock
    assert not OutboxEmail.objects.filter(template="order_confirmation").exists()


# --- the placement ---------------------------------------------------------------------


def test_an_order_whose_figures_are_as_shown_is_placed(checkout_data, skillet):
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    order = place_order({skillet.pk: 1}, data)
    assert order.grand_total == data.shown.total == D("33.90")


def test_a_price_changed_after_the_page_was_shown_places_nothing(checkout_data, skillet):
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    skillet.price = D("99.00")
    skillet.save()
    with pytest.raises(FiguresChanged, match=CHANGED):
        place_order({skillet.pk: 1}, data)
    nothing_placed(skillet, 5)


def test_a_shipping_cost_changed_after_the_page_was_shown_places_nothing(
    checkout_data, skillet, shipping
):
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    shipping.price = D("6.90")
    shipping.save()
    with pytest.raises(FiguresChanged, match=CHANGED):
        place_order({skillet.pk: 1}, data)
    nothing_placed(skillet, 5)


def test_another_shipping_method_chosen_on_the_page_is_placed_at_the_cost_it_showed(
    checkout_data, skillet, shipping, express
):
    data = checkout_data()  # the page was quoted for the first method ...
    data.shown = page_figures({skillet.pk: 1}, data)
    data.shipping_method_id = express.pk  # ... the customer picked express (the page's script)
    order = place_order({skillet.pk: 1}, data)
    assert order.shipping_total == D("9.90") and order.grand_total == D("38.90")

    express.price = D("12.90")
    express.save()
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    express.price = D("14.90")
    express.save()
    data.shipping_method_id = express.pk
    with pytest.raises(FiguresChanged):
        place_order({skillet.pk: 1}, data)
    assert Order.objects.count() == 1


def test_a_gift_card_that_no_longer_pays_what_the_page_showed_places_nothing(
    checkout_data, skillet
):
    rich = giftcard_services.issue_cards(D("100.00"), 1)[0]
    poor = giftcard_services.issue_cards(D("50.00"), 1)[0]
    pages = {}
    for card in (rich, poor):
        data = checkout_data(giftcard_number=card.number)
        data.shown = page_figures({skillet.pk: 1}, data)
        assert data.shown.giftcard_total == D("33.90") and data.shown.total == D("33.90")
        pages[card] = data
        # Spent on another order meanwhile: 36.00 + 4.90 shipping.
        other = checkout_data(giftcard_number=card.number, email="other@example.com")
        place_order({ProductFactory(price=D("36.00")).pk: 1}, other)
    # 59.10 left still pays all of it: the customer pays what the page said.
    assert place_order({skillet.pk: 1}, pages[rich]).giftcard_total == D("33.90")
    # 9.10 left: 24.80 would be due instead of nothing.
    with pytest.raises(FiguresChanged, match=CHANGED):
        place_order({skillet.pk: 1}, pages[poor])
    assert Order.objects.count() == 3


def test_a_code_entered_just_before_ordering_is_placed_at_the_lower_total(checkout_data, skillet):
    """Paying less than the page showed surprises nobody: no second round."""
    from tests.vouchers.factories import CodeFactory

    code = CodeFactory()
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    data.voucher_code = code.text
    order = place_order({skillet.pk: 1}, data)
    assert order.discount_total > 0 and order.grand_total < data.shown.total


def test_a_lowered_price_is_placed_a_raised_one_is_not(checkout_data, skillet):
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 1}, data)
    Product.objects.filter(pk=skillet.pk).update(price=skillet.price - 10)
    assert place_order({skillet.pk: 1}, data).grand_total == data.shown.total - 10
    data = checkout_data(email="second@example.com")
    data.shown = page_figures({skillet.pk: 1}, data)
    Product.objects.filter(pk=skillet.pk).update(price=skillet.price + 10)
    with pytest.raises(FiguresChanged, match="Prices in your cart have changed"):
        place_order({skillet.pk: 1}, data)


def test_a_cart_changed_in_another_tab_places_nothing_even_when_cheaper(checkout_data, skillet):
    """The page listed the skillet; meanwhile the cart holds something else (or less): not
    what the customer confirmed, so the page comes back with the cart as it is now."""
    board = ProductFactory(name="Board", price=D("19.50"), stock=5)
    data = checkout_data()
    data.shown = page_figures({skillet.pk: 2}, data)
    for items in ({board.pk: 1}, {skillet.pk: 1}, {skillet.pk: 1, board.pk: 1}):
        with pytest.raises(FiguresChanged, match="Your cart has changed"):
            place_order(items, data)
    nothing_placed(skillet, 5)


def test_a_code_typed_on_a_page_already_showing_an_export_is_placed(checkout_data, skillet):
    """The export's note on import duties was on the page: a code typed in just before
    ordering lowers the total and is placed like any other."""
    from tests.vouchers.factories import CodeFactory

    billing = {
        "first_name": "Heidi",
        "last_name": "Muster",
        "street": "Bahnhofstrasse 1",
        "postcode": "8001",
        "city": "Zürich",
        "country": "CH",
    }
    data = checkout_data(billing=billing)
    data.shown = page_figures({skillet.pk: 1}, data)
    assert data.shown.export
    data.voucher_code = CodeFactory().text
    order = place_order({skillet.pk: 1}, data)
    assert order.export_delivery and order.grand_total < data.shown.total


def test_comparing_with_the_page_costs_the_placement_no_query(checkout_data, skillet):
    def queries(shown):
        data = checkout_data(email=f"{shown is not None}@example.com")
        figures = page_figures({skillet.pk: 1}, data)  # the page, in both cases
        data.shown = figures if shown else None
        with CaptureQueriesContext(connection) as captured:
            place_order({skillet.pk: 1}, data)
        return len(captured)

    assert queries(shown=True) == queries(shown=None)


# --- through the page ------------------------------------------------------------------

HIDDEN = re.compile(r'<input type="hidden" name="(checkout_token|checkout_shown)" value="([^"]+)">')


def page_fields(response):
    fields = dict(HIDDEN.findall(response.content.decode()))
    assert set(fields) == {"checkout_token", "checkout_shown"}
    return fields


def test_the_page_shows_the_new_total_and_says_why_when_a_price_changed(
    client, skillet, shipping, card_payment
):
    add_to_cart(client, skillet)
    page = client.get(reverse("orders:checkout"))
    assert "€33.90" in page.content.decode()
    skillet.price = D("99.00")
    skillet.save()

    post = checkout_post(shipping, card_payment, **page_fields(page))
    again = client.post(reverse("orders:checkout"), post)
    assert again.status_code == 200
    text = again.content.decode()
    assert CHANGED in text and "Please check the new total and place the order again." in text
    # No field is at fault: the summary's heading does not send the customer looking for one.
    assert "There is a problem" in text and "Please check the highlighted fields" not in text
    assert "€99.00" in text and "€33.90" not in text  # free shipping from 50.00
    nothing_placed(skillet, 5)

    # The page shown again has a token and figures of its own: its submit places the order.
    post = checkout_post(shipping, card_payment, **page_fields(again))
    placed = client.post(reverse("orders:checkout"), post)
    assert placed.status_code == 302 and placed["Location"] == reverse("orders:success")
    assert Order.objects.get().grand_total == D("99.00")


def test_the_page_places_an_unchanged_order_at_once(client, skillet, shipping, card_payment):
    add_to_cart(client, skillet)
    page = client.get(reverse("orders:checkout"))
    post = checkout_post(shipping, card_payment, **page_fields(page))
    assert client.post(reverse("orders:checkout"), post).status_code == 302
    assert Order.objects.get().grand_total == D("33.90")


def test_figures_not_written_by_the_page_place_nothing(client, skillet, shipping, card_payment):
    add_to_cart(client, skillet)
    page = client.get(reverse("orders:checkout"))
    fields = {**page_fields(page), "checkout_shown": "forged"}
    response = client.post(
        reverse("orders:checkout"), checkout_post(shipping, card_payment, **fields)
    )
    assert response.status_code == 200
    assert "Your order has not been placed yet." in response.content.decode()
    nothing_placed(skillet, 5)
