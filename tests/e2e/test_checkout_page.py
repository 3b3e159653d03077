"""The checkout page in a real browser: a double click on the order button sends the form
once (static/js/shop.js, ``data-submit-once``; the server places one order per page anyway:
tests/orders/test_checkout_once.py), and a long address does not widen the success page."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order

pytestmark = pytest.mark.e2e

LONG_CITY = ("Schönebergerhafenstadt" * 5)[:100]  # the longest city the checkout takes


def guest_checkout(page, base_url, city="Berlin"):
    page.goto(f"{base_url}/products/kit-001/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    page.goto(f"{base_url}/checkout/")
    page.get_by_label("E-mail").fill("maja.nowak@example.org")
    billing = page.get_by_role("region", name="Billing address")
    billing.get_by_label("First name").fill("Maja")
    billing.get_by_label("Last name").fill("Nowak")
    billing.get_by_label("Street and number").fill("Kastanienweg 4")
    billing.get_by_label("Postcode").fill("10 405")
    billing.get_by_label("City").fill(city)
    page.get_by_label("Credit card").check()
    page.get_by_label("I accept the terms and conditions").check()
    return page.get_by_role("button", name="Order with obligation to pay")


SENT = """() => {
  // After the page's own handlers: which submits went ahead (kept across the navigation).
  document.querySelector("form.checkout").addEventListener("submit", (event) => {
    const sent = JSON.parse(sessionStorage.getItem("sent") || "[]");
    sent.push(!event.defaultPrevented);
    sessionStorage.setItem("sent", JSON.stringify(sent));
  });
}"""


def test_a_double_click_on_the_order_button_sends_the_form_once(demo_shop, live_server, page):
    button = guest_checkout(page, live_server.url)
    page.evaluate(SENT)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    button.dblclick()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    sent = page.evaluate("JSON.parse(sessionStorage.getItem('sent'))")
    assert sent.count(True) == 1, sent  # without the script: [True, True]
    assert len(posts) == 1, posts
    order = Order.objects.get(email="maja.nowak@example.org")
    assert order.billing_postcode == "10405"
    expect(page.locator(".hero")).to_contain_text(f"Your order number is {order.number}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_city_wraps_on_the_success_page(demo_shop, live_server, new_page, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    guest_checkout(page, live_server.url, city=LONG_CITY).click()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    expect(page.locator("address").first).to_contain_text(LONG_CITY[:20])
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for address in page.locator("address").all():
        box = address.bounding_box()
        assert box["x"] + box["width"] <= width
    assert re.search(r"/checkout/success/$", page.url)


def test_a_method_limited_to_germany_is_offered_only_for_a_german_delivery(
    demo_shop, live_server, page
):
    """The demo's next-day express goes to Germany only (``ShippingMethod.countries``): the
    page's script hides it for a delivery elsewhere — by the billing address, or the
    separate delivery address — and the total follows the method it falls back to."""
    button = guest_checkout(page, live_server.url)
    express = page.get_by_label("DHL Express")
    parcel = page.get_by_label("DHL Paket")
    expect(page.locator("label.choice", has=express)).to_contain_text("Delivers only to Germany")
    express.check()
    total_with_express = page.locator("#summary-total").inner_text()
    page.get_by_role("region", name="Billing address").get_by_label("Country").select_option("AT")
    expect(express).to_be_hidden()
    expect(parcel).to_be_checked()
    expect(page.locator("#summary-total")).not_to_have_text(total_with_express)
    page.get_by_role("region", name="Billing address").get_by_label("Country").select_option("DE")
    express.check()
    # billed in Germany, delivered to Vienna
    page.get_by_label("Ship to the billing address").uncheck()
    delivery = page.locator("#shipping-address")
    delivery.get_by_label("First name").fill("Maja")
    delivery.get_by_label("Last name").fill("Nowak")
    delivery.get_by_label("Street and number").fill("Ringstraße 1")
    delivery.get_by_label("Postcode").fill("1010")
    delivery.get_by_label("City").fill("Wien")
    delivery.get_by_label("Country").select_option("AT")
    expect(express).to_be_hidden()
    expect(parcel).to_be_checked()
    button.click()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    order = Order.objects.get(email="maja.nowak@example.org")
    assert order.shipping_country == "AT" and order.shipping_method.name_en == "DHL Paket"
