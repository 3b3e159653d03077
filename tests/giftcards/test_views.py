from decimal import Decimal

import pytest
from django.urls import reverse

from giftcards import services
from giftcards.models import CardState, CreditAccount, GiftCard
from giftcards.views import CHECK_LIMIT
from orders.models import Order
from shop.models import ShopSettings
from tests.checkout import checkout_through_page
from tests.factories import UserFactory

from .helpers import assert_all_ledgers_match

pytestmark = pytest.mark.django_db

D = Decimal
BALANCE_URL = "/giftcards/balance/"
PAYLOAD = "700000000000001"
WELL_FORMED = PAYLOAD + services.luhn_check_digit(PAYLOAD)  # valid check digit, never issued
TYPO = PAYLOAD + str((int(services.luhn_check_digit(PAYLOAD)) + 1) % 10)


# --- balance check ----------------------------------------------------------------------


def test_balance_check_shows_balance_and_state(client, make_card):
    card = make_card("35.00")
    response = client.post(BALANCE_URL, {"number": card.display_number})
    assert response.status_code == 200
    html = response.content.decode()
    assert "35.00" in html and "Available" in html and card.display_number in html


@pytest.mark.parametrize(
    "number, message",
    [
        ("1234 5678", "A gift card number has 16 digits"),
        (TYPO, "This number has a typo — please check it."),
        (WELL_FORMED, "This gift card number is unknown."),
    ],
)
def test_balance_check_bad_numbers(client, number, message):
    response = client.post(BALANCE_URL, {"number": number})
    assert message in response.content.decode()


def test_balance_checks_are_throttled_per_ip(client, make_card):
    card = make_card("35.00")
    for _i in range(CHECK_LIMIT):
        response = client.post(BALANCE_URL, {"number": WELL_FORMED})
        assert "Too many balance checks" not in response.content.decode()
    response = client.post(BALANCE_URL, {"number": card.display_number})
    html = response.content.decode()
    assert "Too many balance checks" in html
    assert "35.00" not in html  # even a correct number reveals nothing while throttled
    other_ip = client.post(BALANCE_URL, {"number": card.display_number}, REMOTE_ADDR="10.0.0.9")
    assert "35.00" in other_ip.content.decode()


def test_the_redeem_form_draws_on_the_same_allowance(client, customer, make_card, set_mode):
    """Balance checks used up, the redeem form looked numbers up all the same: a second
    allowance for guessing (an audit). Redeemed cards count nothing: many cards are fine."""
    set_mode("customer")
    client.force_login(customer)
    for _i in range(3):
        card = make_card("5.00")
        client.post(reverse("giftcards:redeem"), {"number": card.display_number})
    assert CreditAccount.objects.get(customer=customer).balance == D("15.00")
    for _i in range(CHECK_LIMIT):
        client.post(BALANCE_URL, {"number": WELL_FORMED})
    card = make_card("35.00")
    response = client.post(
        reverse("giftcards:redeem"), {"number": card.display_number}, follow=True
    )
    assert "Too many attempts" in response.content.decode()
    card.refresh_from_db()
    assert card.balance == D("35.00")


# --- account page and redeeming -------------------------------------------------------


def test_account_page_needs_login(client):
    response = client.get("/account/giftcards/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_account_page_shows_only_own_credit_and_history(
    client, customer, make_card, django_assert_max_num_queries
):
    other = UserFactory()
    services.redeem_to_account(make_card("11.00").number, customer)
    theirs = make_card("77.00")
    services.redeem_to_account(theirs.number, other)
    client.force_login(customer)
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    with django_assert_max_num_queries(12):
        response = client.get("/account/giftcards/")
    html = response.content.decode()
    assert "11.00" in html
    assert f'href="{reverse("giftcards:account")}" aria-current="page"' in html  # account nav
    assert "77.00" not in html and theirs.display_number not in html


def test_redeem_in_customer_mode(client, customer, make_card, set_mode):
    set_mode("customer")
    card = make_card("40.00")
    client.force_login(customer)
    response = client.post(
        "/account/giftcards/redeem/", {"number": card.display_number}, follow=True
    )
    assert "are now your credit" in response.content.decode()
    assert CreditAccount.objects.get(customer=customer).balance == D("40.00")
    card.refresh_from_db()
    assert card.state == CardState.REDEEMED


def test_redeem_refused_in_card_mode_and_for_bad_numbers(client, customer, make_card, set_mode):
    card = make_card("40.00")
    client.force_login(customer)
    response = client.post("/account/giftcards/redeem/", {"number": card.number}, follow=True)
    assert "enter the card number at checkout" in response.content.decode()
    set_mode("customer")
    bad = card.number[:-1] + str((int(card.number[-1]) + 1) % 10)
    response = client.post("/account/giftcards/redeem/", {"number": bad}, follow=True)
    assert "This number has a typo" in response.content.decode()
    assert not CreditAccount.objects.filter(customer=customer, balance__gt=0).exists()
    card.refresh_from_db()
    assert card.balance == D("40.00")


def test_redeem_does_not_redirect_off_site(client, customer, make_card, set_mode):
    set_mode("customer")
    client.force_login(customer)
    response = client.post(
        "/account/giftcards/redeem/",
        {"number": make_card("5.00").number, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == "/account/giftcards/"


def test_account_home_panel_shows_credit_and_redeem_form(client, customer, make_card, set_mode):
    set_mode("customer")
    services.redeem_to_account(make_card("12.34").number, customer)
    client.force_login(customer)
    html = client.get(reverse("customers:account")).content.decode()
    assert 'id="giftcards"' in html and "12.34" in html
    assert reverse("giftcards:redeem") in html


# --- checkout view end to end --------------------------------------------------------


def test_checkout_view_card_mode_guest_pays_with_card(
    client, product, shipping, card_payment, make_card
):
    card = make_card("10.00")
    response = checkout_through_page(
        client, product, shipping, card_payment, giftcard_number=card.display_number
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.giftcard_total == D("10.00") and order.amount_due == D("14.90")
    card.refresh_from_db()
    assert card.state == CardState.USED


def test_checkout_view_shows_card_errors_and_changes_nothing(
    client, product, shipping, card_payment, make_card
):
    card = make_card("10.00")
    services.set_blocked(card, True)
    response = checkout_through_page(
        client, product, shipping, card_payment, giftcard_number=card.number
    )
    assert response.status_code == 200
    assert "This gift card is blocked" in response.content.decode()
    assert Order.objects.count() == 0


def test_checkout_view_customer_mode_end_to_end(
    client, customer, product, shipping, card_payment, make_card, set_mode
):
    set_mode("customer")
    services.redeem_to_account(make_card("15.00").number, customer)
    client.force_login(customer)
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'id="credit-balance"' in page and "15.00" in page
    second_card = make_card("5.00")
    response = checkout_through_page(
        client, product, shipping, card_payment, giftcard_number=second_card.number, use_credit="on"
    )
    assert response.status_code == 302
    order = Order.objects.get()
    # 2 × 20.00 (the cart got the product twice) + 4.90 = 44.90; credit 15 + 5 = 20.
    assert order.credit_total == D("20.00") and order.giftcard_total == 0
    assert CreditAccount.objects.get(customer=customer).balance == 0
    assert_all_ledgers_match()


def test_checkout_view_customer_mode_guest_gets_login_hint(
    client, product, shipping, card_payment, make_card, set_mode
):
    set_mode("customer")
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'id="giftcard-login-hint"' in page
    card = make_card("10.00")
    response = checkout_through_page(
        client, product, shipping, card_payment, giftcard_number=card.number
    )
    assert "Please log in" in response.content.decode()
    assert Order.objects.count() == 0
    assert GiftCard.objects.get().balance == D("10.00")
