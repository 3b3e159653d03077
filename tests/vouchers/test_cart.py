"""The cart's code field and discount preview; the checkout takes the code over."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from .factories import CampaignFactory, CodeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def cart_client(client, product):
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 2})  # 40.00
    return client


def test_apply_code_shows_discount_and_prefills_checkout(cart_client, shipping, card_payment):
    CodeFactory(text="TENOFF", campaign=CampaignFactory(discount_type="amount", discount_value=10))
    response = cart_client.post(
        reverse("vouchers:cart_code"), {"code": "tenoff", "action": "apply"}, follow=True
    )
    html = response.content.decode()
    assert "TENOFF" in html and "−€10.00" in html
    assert cart_client.session["voucher_code"] == "TENOFF"
    checkout = cart_client.get(reverse("orders:checkout"))
    assert checkout.context["form"]["voucher_code"].value() == "TENOFF"
    # The checkout summary shows the discount the cart showed, and the total after it.
    summary = checkout.content.decode().split('id="summary"')[1].split("</tfoot>")[0]
    assert "Discount (TENOFF)" in summary and "−€10.00" in summary
    order = checkout.context["order"]
    assert f"€{order.grand_total}</span>" in summary
    assert order.grand_total == order.goods_total + order.shipping_total - 10


def test_invalid_code_is_explained_and_not_kept(cart_client):
    CodeFactory(text="MIN", campaign=CampaignFactory(min_order_value=Decimal("100")))
    response = cart_client.post(reverse("vouchers:cart_code"), {"code": "MIN"}, follow=True)
    assert "goods value of €100.00" in response.content.decode()
    assert "voucher_code" not in cart_client.session
    response = cart_client.post(reverse("vouchers:cart_code"), {"code": "NOPE"}, follow=True)
    assert "does not exist" in response.content.decode()


def test_remove_code(cart_client):
    CodeFactory(text="GONE")
    cart_client.post(reverse("vouchers:cart_code"), {"code": "GONE"})
    cart_client.post(reverse("vouchers:cart_code"), {"action": "remove"})
    assert "voucher_code" not in cart_client.session


def test_cart_panel_rechecks_a_stored_code(cart_client):
    code = CodeFactory(text="LATER")
    cart_client.post(reverse("vouchers:cart_code"), {"code": "LATER"})
    code.is_active = False
    code.save()
    html = cart_client.get(reverse("shop:cart")).content.decode()
    assert "is not active" in html


def test_cart_code_needs_post(client):
    assert client.get(reverse("vouchers:cart_code")).status_code == 405


def test_checkout_shows_the_code_of_this_guest_after_another_guests_empty_view(
    cart_client, product, shipping, card_payment
):
    """A guest's empty code fields are a kept fragment: a guest who applied a code on the
    cart page never gets another guest's empty field."""
    other = Client()
    other.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    empty = other.get(reverse("orders:checkout")).content.decode()
    assert 'name="voucher_code"' in empty and 'value="TENOFF"' not in empty
    CodeFactory(text="TENOFF", campaign=CampaignFactory(discount_type="amount", discount_value=10))
    cart_client.post(reverse("vouchers:cart_code"), {"code": "tenoff", "action": "apply"})
    html = cart_client.get(reverse("orders:checkout")).content.decode()
    assert 'name="voucher_code"' in html and 'value="TENOFF"' in html
    assert 'value="TENOFF"' not in other.get(reverse("orders:checkout")).content.decode()


def test_a_guests_kept_code_fields_follow_the_gift_card_mode_at_once(cart_client):
    from shop.models import ShopSettings

    shop = ShopSettings.load()
    shop.giftcard_mode = "card"
    shop.save()
    assert "giftcard-login-hint" not in cart_client.get(reverse("orders:checkout")).content.decode()
    cart_client.get(reverse("orders:checkout"))  # now from the kept fragment
    shop.giftcard_mode = "customer"
    shop.save()  # the backoffice saves the settings: the storefront version moves on
    assert (
        'id="giftcard-login-hint"' in cart_client.get(reverse("orders:checkout")).content.decode()
    )


def test_the_cart_names_what_the_discount_leaves_out(cart_client, product):
    """A campaign that leaves out products on sale said only the smaller discount: the cart
    names the items it does not discount, and why."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import ProductFactory

    on_sale = ProductFactory(
        name="Espresso beans",
        price=Decimal("20.00"),
        sale_price=Decimal("15.00"),
        sale_start=timezone.now() - timedelta(days=1),
    )
    gift = ProductFactory(name="Gift card 25", price=Decimal("25.00"), is_giftcard=True)
    for item in (on_sale, gift):
        cart_client.post(reverse("shop:cart_add"), {"product": item.pk, "quantity": 1})
    CodeFactory(
        text="NOSALE",
        campaign=CampaignFactory(discount_value=Decimal("12.5"), exclude_sale_items=True),
    )
    html = cart_client.post(
        reverse("vouchers:cart_code"), {"code": "NOSALE", "action": "apply"}, follow=True
    ).content.decode()
    assert "Code <strong>NOSALE</strong>: 12.5% off the goods" in html
    assert (
        "Not discounted: Espresso beans (on sale), Gift card 25 (gift cards are never discounted)"
        in html
    )
    assert "−€5.00" in html  # 12.5 % of the 40.00 of the product that is discounted
    with translation.override("de"):
        german = cart_client.get(reverse("shop:cart")).content.decode()
    assert "12,5\xa0% Rabatt auf die Ware" in german


def test_a_code_for_everything_in_the_cart_names_nothing_left_out(cart_client):
    CodeFactory(text="ALL10", campaign=CampaignFactory(discount_value=Decimal("10")))
    html = cart_client.post(
        reverse("vouchers:cart_code"), {"code": "ALL10", "action": "apply"}, follow=True
    ).content.decode()
    assert "10% off the goods" in html and "Not discounted" not in html
