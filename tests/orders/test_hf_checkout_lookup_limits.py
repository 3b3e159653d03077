"""Gift-card numbers cannot be found by trying them on the checkout page: each number the
page looks up for the first time (unknown, mistyped, blocked, expired …) counts against the
same per-client allowance as the balance check (giftcards.views). Once it is used up the
page looks up no further numbers — it says so at the gift-card field, keeps everything else
as entered and places nothing — while a card the customer applied before keeps paying, and
the page sent again with the same number never counts again."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from customers import services as customer_services
from customers.models import Address
from giftcards import services as giftcard_services
from giftcards.models import GiftCard
from giftcards.views import CHECK_LIMIT
from orders.models import Order
from tests.checkout import add_to_cart, checkout_post
from tests.factories import (
    PaymentMethodFactory,
    ProductFactory,
    ShippingMethodFactory,
    UserFactory,
)
from tests.race import run_concurrently

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

D = Decimal
BALANCE_URL = "/giftcards/balance/"
TOO_MANY = "Too many gift card numbers have been checked from your connection"


@pytest.fixture
def shop(client):
    """A guest with a 20.00 product in the cart (+ 4.90 shipping); posts the checkout page."""
    product = ProductFactory(price=D("20.00"), stock=50)
    shipping = ShippingMethodFactory()
    payment = PaymentMethodFactory(code="invoice", kind="invoice")
    add_to_cart(client, product)

    def post(number, *, place=False, **overrides):
        data = checkout_post(shipping, payment, giftcard_number=number, **overrides)
        if not place:  # the terms not accepted: the page is shown again, nothing placed
            data.pop("accept_terms")
        return client.post(reverse("orders:checkout"), data)

    return post


def unknown_number(i):
    """A well-formed number (right length and check digit) that no card has."""
    payload = f"7{i:014d}"
    return payload + giftcard_services.luhn_check_digit(payload)


def card(amount="35.00"):
    return giftcard_services.issue_cards(D(amount), 1)[0]


def giftcard_errors(response):
    return response.context["form"].errors.get("giftcard_number", [])


def shown_available(response):
    return response.context["available"].get("giftcard_available")


def use_up_the_allowance(shop):
    for i in range(CHECK_LIMIT):
        response = shop(unknown_number(i))
        assert "This gift card number is unknown." in response.content.decode()
        assert TOO_MANY not in response.content.decode()


def test_unknown_numbers_at_checkout_use_up_the_allowance_then_no_card_is_looked_up(shop):
    rich = card("35.00")
    use_up_the_allowance(shop)

    response = shop(rich.display_number, billing_street="Lindenweg 7")

    assert response.status_code == 200
    html = response.content.decode()
    assert any(TOO_MANY in e for e in giftcard_errors(response))
    assert 'id="id_giftcard_number_error"' in html and TOO_MANY in html  # at the field
    # Nothing of the card: neither its balance nor whether it is known.
    assert shown_available(response) is None
    assert 'data-giftcard-available="0.00"' in html
    assert "35.00" not in html
    # Everything the customer typed is still there (the card number too).
    assert 'value="Lindenweg 7"' in html
    assert f'value="{rich.display_number}"' in html


def test_a_complete_order_with_a_new_card_is_not_placed_once_the_allowance_is_used_up(shop):
    rich = card("35.00")
    use_up_the_allowance(shop)

    response = shop(rich.display_number, place=True)

    assert response.status_code == 200
    assert any(TOO_MANY in e for e in giftcard_errors(response))
    assert not Order.objects.exists()
    assert GiftCard.objects.get(pk=rich.pk).balance == D("35.00")


def test_failed_checkout_lookups_and_balance_checks_share_one_allowance(client, shop):
    rich = card("35.00")
    for i in range(CHECK_LIMIT // 2):
        shop(unknown_number(i))
    for _i in range(CHECK_LIMIT - CHECK_LIMIT // 2):
        client.post(BALANCE_URL, {"number": unknown_number(99)})

    checkout = shop(rich.display_number)
    balance = client.post(BALANCE_URL, {"number": rich.display_number})

    assert any(TOO_MANY in e for e in giftcard_errors(checkout))
    assert "Too many balance checks" in balance.content.decode()
    assert "35.00" not in balance.content.decode()


def test_failed_checkout_lookups_limit_the_balance_page(client, shop):
    rich = card("35.00")
    use_up_the_allowance(shop)

    balance = client.post(BALANCE_URL, {"number": rich.display_number})

    assert "Too many balance checks" in balance.content.decode()
    assert "35.00" not in balance.content.decode()


@pytest.mark.parametrize("state", ["typo", "blocked", "expired"])
def test_mistyped_blocked_and_expired_cards_count_too(client, shop, state):
    payload = "700000000000001"
    typo = payload + str((int(giftcard_services.luhn_check_digit(payload)) + 1) % 10)
    for i in range(CHECK_LIMIT):
        if state == "typo":
            number = typo[:-2] + f"{i:02d}"[-1] + typo[-1]  # another mistyped number each time
        else:
            bad = card("10.00")
            if state == "blocked":
                GiftCard.objects.filter(pk=bad.pk).update(is_blocked=True)
            else:
                GiftCard.objects.filter(pk=bad.pk).update(valid_until=date(2020, 1, 31))
            number = bad.display_number
        shop(number)

    assert any(TOO_MANY in e for e in giftcard_errors(shop(card().display_number)))


def test_the_balance_check_uses_up_the_allowance_for_new_cards_at_checkout(client, shop):
    rich = card("35.00")
    for _i in range(CHECK_LIMIT):
        client.post(BALANCE_URL, {"number": unknown_number(1)})

    response = shop(rich.display_number, place=True)

    assert any(TOO_MANY in e for e in giftcard_errors(response))
    assert not Order.objects.exists()


def test_a_card_the_customer_applied_before_keeps_paying_after_the_allowance_is_used_up(
    client, shop
):
    rich = card("35.00")
    applied = shop(rich.display_number)
    assert shown_available(applied) == D("35.00")
    for _i in range(CHECK_LIMIT):  # e.g. someone else behind the same address
        client.post(BALANCE_URL, {"number": unknown_number(1)})

    shown_again = shop(rich.display_number)
    assert not giftcard_errors(shown_again)
    assert shown_available(shown_again) == D("35.00")
    placed = shop(rich.display_number.replace(" ", ""), place=True)

    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.giftcard_total == D("24.90")
    assert GiftCard.objects.get(pk=rich.pk).balance == D("10.10")


def test_a_customer_typing_their_own_card_is_never_limited(client, shop):
    rich = card("35.00")
    for _i in range(CHECK_LIMIT + 2):  # the page shown again and again (other fields wrong)
        response = shop(rich.display_number, billing_postcode="")
        assert not giftcard_errors(response)
        assert shown_available(response) == D("35.00")

    # … and that used none of the allowance: a balance check still answers.
    balance = client.post(BALANCE_URL, {"number": rich.display_number})
    assert "35.00" in balance.content.decode()
    assert shop(rich.display_number, place=True).status_code == 302


def test_the_same_wrong_number_shown_again_counts_once(client, shop):
    rich = card("35.00")
    for _i in range(CHECK_LIMIT + 2):  # a typo in the card, the page sent again unchanged
        response = shop(unknown_number(5))
        assert "This gift card number is unknown." in response.content.decode()

    corrected = shop(rich.display_number)

    assert not giftcard_errors(corrected)
    assert shown_available(corrected) == D("35.00")


def test_another_client_is_not_limited(client, shop):
    rich = card("35.00")
    use_up_the_allowance(shop)

    other = client.post(BALANCE_URL, {"number": rich.display_number}, REMOTE_ADDR="10.0.0.9")

    assert "35.00" in other.content.decode()


def test_an_order_without_a_card_is_placed_once_the_allowance_is_used_up(shop):
    use_up_the_allowance(shop)

    assert shop("", place=True).status_code == 302
    assert Order.objects.count() == 1


def test_filling_in_a_saved_address_looks_up_no_new_card_either(client):
    """The page shown again with a saved address filled in (without the page's script)
    quotes the entered card too: the allowance holds there as well."""
    erika = UserFactory(email="erika@example.com", first_name="Erika", last_name="Muster")
    saved = customer_services.save_address(
        erika,
        Address(
            first_name="Erika",
            last_name="Muster",
            street="Hafenstraße 12",
            postcode="20457",
            city="Hamburg",
            country="DE",
        ),
    )
    client.force_login(erika)
    product = ProductFactory(price=D("20.00"), stock=5)
    shipping, payment = ShippingMethodFactory(), PaymentMethodFactory(code="invoice")
    add_to_cart(client, product)
    rich = card("35.00")
    for _i in range(CHECK_LIMIT):
        client.post(BALANCE_URL, {"number": unknown_number(1)})

    response = client.post(
        reverse("orders:checkout"),
        checkout_post(
            shipping,
            payment,
            giftcard_number=rich.display_number,
            use_address="billing",
            billing_saved_address=saved.pk,
        ),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Hafenstraße 12"' in html  # the address was filled in
    assert any(TOO_MANY in e for e in giftcard_errors(response))
    assert 'id="id_giftcard_number_error"' in html
    assert shown_available(response) is None and "35.00" not in html
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_numbers_sent_at_the_same_moment_cannot_pass_the_allowance_together():
    product = ProductFactory(price=D("20.00"), stock=50)
    shipping, payment = ShippingMethodFactory(), PaymentMethodFactory(code="invoice")
    browsers = [Client() for _i in range(6)]  # one client address, six sessions
    for browser in browsers:
        add_to_cart(browser, product)
    for _i in range(CHECK_LIMIT - 2):
        browsers[0].post(BALANCE_URL, {"number": unknown_number(1)})

    def submit(i):
        data = checkout_post(shipping, payment, giftcard_number=unknown_number(100 + i))
        data.pop("accept_terms")
        response = browsers[i].post(reverse("orders:checkout"), data)
        return "This gift card number is unknown." in response.content.decode()

    looked_up = run_concurrently(submit, len(browsers))

    assert sorted(looked_up) == [False] * 4 + [True] * 2
