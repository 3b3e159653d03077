"""Payment methods limited by the open amount (issue 18, points 2 and 3).

One rule (``orders.limits.limited_method_allowed``) decides, always with the amount the order
leaves due after discount, gift card and account credit; the checkout page asks it for its
input (``orders.services.quote_order``) and the placement for the order it places. The
property test at the end drives the real page and the real placement with random inputs:
what the page offers is exactly what the placement accepts.
"""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.services import CustomerError
from giftcards import services as giftcard_services
from orders import limits
from orders.models import Order
from orders.services import CheckoutData, create_invoice, place_order, quote_order
from shop.exceptions import DomainError
from shop.models import PaymentMethod, ShopSettings
from tests.checkout import add_to_cart, checkout_post
from tests.conftest import BILLING
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory, UserFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(db):
    return PaymentMethodFactory(
        code="invoice", name="Pay on invoice", kind="invoice", limited_by_open_amount=True
    )


def _limit(amount, guests=False):
    shop = ShopSettings.load()
    shop.default_open_amount_limit = Decimal(amount)
    shop.guests_may_use_limited_methods = guests
    shop.save()


def test_open_amount_counts_only_what_is_still_due(make_order, limited, customer):
    _limit("1000.00")
    expensive = ProductFactory(price=Decimal("292.50"))
    card = giftcard_services.issue_cards(Decimal("150.00"))[0]
    order = make_order(
        {expensive.pk: 1},
        customer=customer,
        payment_method_id=limited.pk,
        giftcard_number=card.number,
    )
    assert (order.grand_total, order.giftcard_total) == (Decimal("292.50"), Decimal("150.00"))
    assert limits.open_amount(customer) == Decimal("142.50") == order.amount_due
    assert Order.objects.filter(customer=customer).open_amount() == Decimal("142.50")


def test_an_order_covered_by_a_gift_card_is_never_refused_for_the_limit(
    make_order, limited, customer
):
    _limit("10.00")
    card = giftcard_services.issue_cards(Decimal("100.00"))[0]
    order = make_order(customer=customer, payment_method_id=limited.pk, giftcard_number=card.number)
    assert order.amount_due == 0 and order.payment_status == Order.PaymentStatus.PAID
    assert limits.open_amount(customer) == 0


def test_the_limit_is_checked_with_the_amount_due_after_the_gift_card(
    make_order, limited, customer
):
    _limit("50.00")
    expensive = ProductFactory(price=Decimal("80.00"))  # free shipping
    card = giftcard_services.issue_cards(Decimal("30.00"))[0]
    with pytest.raises(CustomerError, match="not available for this order"):
        make_order({expensive.pk: 1}, customer=customer, payment_method_id=limited.pk)
    order = make_order(
        {expensive.pk: 1},
        customer=customer,
        payment_method_id=limited.pk,
        giftcard_number=card.number,
    )
    assert order.amount_due == Decimal("50.00")  # equal to the limit is allowed


def test_the_limit_is_checked_with_the_amount_due_after_the_discount(
    make_order, limited, customer, product
):
    _limit("20.00")
    CodeFactory(text="HALF", campaign=CampaignFactory(discount_value=Decimal("50.00")))
    with pytest.raises(CustomerError):
        make_order({product.pk: 1}, customer=customer, payment_method_id=limited.pk)
    order = make_order(
        {product.pk: 1}, customer=customer, payment_method_id=limited.pk, voucher_code="HALF"
    )
    assert order.amount_due == Decimal("14.90")  # 20.00 − 10.00 + 4.90 shipping


def test_a_paid_order_no_longer_counts(make_order, limited, customer):
    _limit("30.00")
    first = make_order(customer=customer, payment_method_id=limited.pk)  # 24.90 due
    with pytest.raises(CustomerError):
        make_order(customer=customer, payment_method_id=limited.pk)
    create_invoice(first)
    from orders.services import mark_paid

    mark_paid(first)
    assert limits.open_amount(customer) == 0
    make_order(customer=customer, payment_method_id=limited.pk)


def test_quote_and_placement_compute_the_same_totals(checkout_data, customer, product):
    CodeFactory(text="SAVE", campaign=CampaignFactory(discount_value=Decimal("10.00")))
    card = giftcard_services.issue_cards(Decimal("5.00"))[0]
    data = checkout_data(voucher_code="SAVE", giftcard_number=card.number)
    quote = quote_order({product.pk: 3}, data, customer=customer)
    assert quote.errors == []
    order = place_order({product.pk: 3}, data, customer=customer)
    fields = ("goods_total", "shipping_total", "discount_total", "grand_total", "giftcard_total")
    assert [getattr(quote.order, f) for f in fields] == [getattr(order, f) for f in fields]
    assert quote.amount_due == order.amount_due == Decimal("49.00")


def test_the_page_offers_the_limited_method_for_the_amount_due_after_the_gift_card(
    client, limited, card_payment, shipping
):
    _limit("50.00")
    customer = UserFactory()
    client.force_login(customer)
    add_to_cart(client, ProductFactory(price=Decimal("80.00")))
    page = client.get(reverse("orders:checkout")).content.decode()
    assert _offered(page) == {card_payment.pk}
    assert "Not available for the amount of this order." in page
    card = giftcard_services.issue_cards(Decimal("30.00"))[0]
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, limited, giftcard_number=card.number, accept_terms=None),
    )
    assert _offered(response.content.decode()) == {card_payment.pk, limited.pk}
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, limited, giftcard_number=card.number),
    )
    assert response.status_code == 302
    assert Order.objects.get(customer=customer).payment_method == limited


def test_a_hidden_method_posted_anyway_is_a_form_error(client, limited, card_payment, shipping):
    _limit("10.00")
    client.force_login(UserFactory())
    add_to_cart(client, ProductFactory(price=Decimal("80.00")))
    response = client.post(reverse("orders:checkout"), checkout_post(shipping, limited))
    assert response.status_code == 200
    assert response.context["form"].errors["payment_method"]
    assert not Order.objects.exists()


# --- the property: what the page offers is what the placement accepts -----------------------

RADIO = re.compile(r'<input type="radio" name="payment_method" value="(\d+)"[^>]*>')


def _offered(html):
    return {int(m.group(1)) for m in RADIO.finditer(html) if "disabled" not in m.group(0)}


def _accepted(items, data, customer):
    """Each active method tried with the real placement (rolled back): accepted, refused for
    the limit, or refused for another reason (the order is wrong whatever the method)."""
    result = {}
    for method in PaymentMethod.objects.filter(is_active=True):
        data.payment_method_id = method.pk
        try:
            with transaction.atomic():
                place_order(items, data, customer=customer)
                transaction.set_rollback(True)
            result[method.pk] = "accepted"
        except DomainError as exc:
            limit = isinstance(exc, CustomerError) and exc.field == "payment_method"
            result[method.pk] = "limit" if limit else "other"
    return result


scenarios = st.fixed_dictionaries(
    {
        # goods, goods, a download, a gift card (rarely: no card or credit can pay for it)
        "quantities": st.tuples(
            st.integers(0, 3), st.integers(0, 3), st.integers(0, 1), st.sampled_from([0, 0, 0, 1])
        ),
        "code": st.sampled_from(["", "PCT20", "AMT15", "SHIP"]),
        "card": st.sampled_from([None, "10.00", "45.00", "500.00"]),
        "credit": st.sampled_from([None, "25.00"]),
        "use_credit": st.booleans(),
        "logged_in": st.booleans(),
        "customer_mode": st.booleans(),
        "limit": st.sampled_from(["0.00", "30.00", "60.00", "120.00"]),
        "open_orders": st.integers(0, 2),
        "guests_allowed": st.booleans(),
        "express": st.booleans(),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_the_page_offers_exactly_what_the_placement_accepts(db, scenario):
    with transaction.atomic():
        _check_scenario(scenario)
        transaction.set_rollback(True)


def _check_scenario(s):
    shop = ShopSettings.load()
    shop.default_open_amount_limit = Decimal(s["limit"])
    shop.guests_may_use_limited_methods = s["guests_allowed"]
    shop.giftcard_mode = "customer" if s["customer_mode"] else "card"
    shop.save()
    parcel = ShippingMethodFactory(name="Parcel", price=Decimal("4.90"), position=0)
    express = ShippingMethodFactory(name="Express", price=Decimal("12.90"), free_over=None)
    PaymentMethodFactory(code="card", name="Card", kind="card")
    PaymentMethodFactory(code="invoice", kind="invoice", limited_by_open_amount=True)
    PaymentMethodFactory(code="cod", kind="cod", limited_by_open_amount=True)
    products = [
        ProductFactory(price=Decimal("9.90")),
        ProductFactory(price=Decimal("35.00")),
        ProductFactory(price=Decimal("19.90"), is_downloadable=True),
        ProductFactory(price=Decimal("25.00"), is_giftcard=True, tax_rate=Decimal("0")),
    ]
    items = {str(p.pk): q for p, q in zip(products, s["quantities"], strict=True) if q}
    if not items:
        items = {str(products[0].pk): 1}
    CodeFactory(text="PCT20", campaign=CampaignFactory(kind="multi", discount_value=20))
    CodeFactory(
        text="AMT15",
        campaign=CampaignFactory(
            kind="multi", discount_type="amount", discount_value=15, min_order_value=30
        ),
    )
    CodeFactory(
        text="SHIP",
        campaign=CampaignFactory(kind="multi", discount_type="free_shipping", discount_value=0),
    )
    customer = UserFactory() if s["logged_in"] else None
    card = giftcard_services.issue_cards(Decimal(s["card"]))[0] if s["card"] else None
    if customer and s["credit"]:
        account = giftcard_services.account_for(customer)
        staff = UserFactory(is_staff=True, is_superuser=True)
        giftcard_services.adjust_account(account, Decimal(s["credit"]), "goodwill", staff)
    for _ in range(s["open_orders"]):
        place_order(
            {str(products[0].pk): 2},
            CheckoutData(
                email="open@example.com",
                billing=BILLING,
                shipping_method_id=parcel.pk,
                payment_method_id=PaymentMethod.objects.get(code="card").pk,
            ),
            customer=customer,
        )

    client = Client()
    if customer:
        client.force_login(customer)
    session = client.session
    session["cart"] = items
    session.save()
    post = checkout_post(
        express if s["express"] else parcel,
        PaymentMethod.objects.get(code="card"),
        email=customer.email if customer else "guest@example.com",
        voucher_code=s["code"],
        giftcard_number=card.number if card else "",
        use_credit="on" if s["use_credit"] and customer else None,
        accept_terms=None,  # the page re-renders with this input and places nothing
    )
    response = client.post(reverse("orders:checkout"), post)
    assert response.status_code == 200
    offered = _offered(response.content.decode())

    form = response.context["form"]
    data = form.checkout_data(language="en")
    data.billing = dict(BILLING)
    accepted = _accepted(items, data, customer)
    for method_id, outcome in accepted.items():
        if outcome == "accepted":
            assert method_id in offered, (s, accepted, offered)
        elif outcome == "limit":
            assert method_id not in offered, (s, accepted, offered)


def test_the_first_offered_method_is_preselected(client, limited, card_payment, shipping):
    _limit("0.00")
    client.force_login(UserFactory())
    add_to_cart(client, ProductFactory(price=Decimal("80.00")))
    page = client.get(reverse("orders:checkout")).content.decode()
    checked = re.findall(
        r'<input type="radio" name="payment_method" value="(\d+)"[^>]* checked', page
    )
    assert checked == [str(card_payment.pk)]
