"""The partner network's script in a real browser (issue 24 item 13): it runs only inside the
sandboxed frame of its own page and can read neither the success page (name, e-mail, address)
nor cookies or storage; it receives only the four values. Without consent there is no frame."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from shop.models import ShopSettings

from .test_scenarios import add_to_cart, fill_guest_checkout, place_order_button

pytestmark = pytest.mark.e2e

CONSENT = "Show me offers from partner shops and share my order data for them"
# What a nosy partner script would try; it writes what it got into its own page.
PROBE = """
var out = [];
try { out.push("parent:" + window.parent.document.body.innerText.slice(0, 40)); }
catch (e) { out.push("parent:blocked"); }
try { out.push("cookie:" + document.cookie); } catch (e) { out.push("cookie:blocked"); }
try { localStorage.setItem("k", "v"); out.push("storage:open"); }
catch (e) { out.push("storage:blocked"); }
out.push("params:" + document.currentScript.src.split("?")[1]);
document.body.textContent = out.join(" | ");
"""


@pytest.fixture
def network(demo_shop, page):
    ShopSettings.objects.filter(pk=1).update(
        partner_network_enabled=True,
        partner_network_script_url="https://network.example.com/track.js?shop=7",
    )
    requests = []

    def serve(route):
        requests.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=PROBE)

    page.context.route("https://network.example.com/**", serve)
    return requests


def checkout(page, base, email, consent):
    add_to_cart(page, base, "kit-001")
    page.goto(f"{base}/checkout/")
    fill_guest_checkout(page, email)
    if consent:
        page.get_by_label(CONSENT).check()
    place_order_button(page).click()
    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()


def test_partner_script_is_sandboxed_and_sees_only_the_four_values(live_server, page, network):
    base = live_server.url
    checkout(page, base, "maja.nowak@example.org", consent=True)
    order = Order.objects.get(email="maja.nowak@example.org")
    # the success page itself loads nothing from the partner
    assert page.locator("script[src*='network.example.com']").count() == 0
    frame_element = page.locator("iframe[title='Offers from our partner network']")
    expect(frame_element).to_have_attribute("sandbox", "allow-scripts")
    frame = page.frame_locator("iframe[title='Offers from our partner network']")
    body = frame.locator("body")
    expect(body).to_contain_text("parent:blocked")
    expect(body).to_contain_text("cookie:blocked")
    expect(body).to_contain_text("storage:blocked")
    text = body.inner_text()
    params = re.search(r"params:(\S+)", text).group(1)
    assert f"order={order.number}" in params and "currency=EUR" in params
    assert "email_sha256=" in params and "value=" in params
    for personal in ("Maja", "Nowak", "Kastanienweg", "maja.nowak"):
        assert personal.lower() not in params.lower()
    assert len(network) == 1


def test_without_consent_no_offers_and_no_partner_frame(live_server, page, network):
    base = live_server.url
    checkout(page, base, "no.consent@example.org", consent=False)
    expect(page.get_by_role("region", name="A thank-you from our partners")).to_have_count(0)
    expect(page.locator("iframe")).to_have_count(0)
    assert network == []
