"""Proof of consent (GDPR Art. 7(1)): each consent ticked at checkout is kept with the time
and the box's text as the customer read it, in the page's language; the backoffice order page
and the person's data report show them. Orders from before the proof was kept say so."""

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from orders.forms import CheckoutForm
from orders.models import Order
from privacy.subjects import collect_places, resolve
from shop.models import ShopSettings
from tests.checkout import add_to_cart, checkout_post

pytestmark = pytest.mark.django_db


def _text(name):
    field = CheckoutForm.base_fields[name]
    return f"{field.label}\n{field.help_text}"


@pytest.mark.parametrize("language", ["en", "pl", "da"])
def test_a_consent_given_at_checkout_keeps_its_time_and_text_in_the_pages_language(
    client, product, shipping, card_payment, language
):
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 5})
    before = timezone.now()
    with translation.override(language):
        add_to_cart(client, product)
        response = client.post(
            reverse("orders:checkout"),
            checkout_post(shipping, card_payment, partner_consent="on"),
        )
        expected = _text("partner_consent")
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.partner_consent and before <= order.partner_consent_at <= timezone.now()
    assert order.partner_consent_text == expected
    if language != "en":  # really the customer's words, not the shop's default language
        with translation.override("en"):
            assert order.partner_consent_text != _text("partner_consent")
    # not ticked: no time, no text
    assert not order.review_request_consent
    assert order.review_request_consent_at is None and order.review_request_consent_text == ""


def test_no_review_request_consent_is_asked_without_review_requests(
    client, product, shipping, card_payment
):
    """No review requests: the box is not shown, and a consent posted all the same (an old
    page, a crafted request) is not recorded."""
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 0})
    add_to_cart(client, product)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'name="review_request_consent"' not in page
    post = checkout_post(shipping, card_payment, review_request_consent="on")
    assert client.post(reverse("orders:checkout"), post).status_code == 302
    order = Order.objects.get()
    assert not order.review_request_consent and order.review_request_consent_at is None
    assert order.review_request_consent_text == ""
    # switched on: asked (the page's cached fragment follows the setting)
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 5})
    add_to_cart(client, product)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'name="review_request_consent"' in page


def test_the_order_page_and_the_report_show_the_proof(admin_client, make_order, customer):
    order = make_order(
        customer=customer,
        email=customer.email,
        review_request_consent=True,
        review_request_consent_text="Ask me by e-mail to review the products after delivery",
    )
    assert order.review_request_consent_at is not None
    old = make_order(customer=customer, email=customer.email, partner_consent=True)
    Order.objects.filter(pk=old.pk).update(partner_consent_at=None, partner_consent_text="")

    html = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Consents" in html
    assert "Ask me by e-mail to review the products after delivery" in html
    assert "not given" in html  # the partner network
    html = admin_client.get(reverse("admin:orders_order_change", args=[old.pk])).content.decode()
    assert "given (time and text not recorded)" in html

    with translation.override("en"):
        places = collect_places(resolve(f"customer:{customer.pk}"))
    records = next(p for p in places if p["model"] == "orders.order")["records"]
    fields = {
        f["name"]: f["value"] for r in records if order.number in r["title"] for f in r["fields"]
    }
    assert fields["review_request_consent_text"] == (
        "Ask me by e-mail to review the products after delivery"
    )
    assert fields["review_request_consent_at"] == formats.date_format(
        timezone.localtime(order.review_request_consent_at), "DATETIME_FORMAT"
    )
