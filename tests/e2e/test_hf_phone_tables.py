"""Money tables on a phone (storefront audit): at 390 px the cart, the account's order list,
order page and invoice show each row as a card (``.table.stack`` in static/css/shop.css), so
every amount, the quantity and the remove button are on the screen without sideways
scrolling; at 1280 px they stay ordinary tables. German and Danish, whose long words made
the columns widest. The tables keep their roles either way (headers for screen readers)."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from orders.services import create_invoice

from .test_accessibility import login
from .test_scenarios import make_customer, order_for

pytestmark = pytest.mark.e2e

# Every cell, button and field of the table's rows and totals (the header row is only
# visually hidden on a phone: it is left out) that is not hidden.
OUTSIDE = """(table) => {
  const width = document.documentElement.clientWidth;
  const cells = table.querySelectorAll(
    'tbody td, tbody th, tfoot td, tfoot th, button, input');
  const outside = [];
  let seen = 0;
  for (const cell of cells) {
    const box = cell.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // an empty cell, hidden on a phone
    seen += 1;
    if (box.left < -0.5 || box.right > width + 0.5)
      outside.push(`${cell.tagName} "${(cell.innerText || cell.value || '').trim()}"`
                   + ` at ${Math.round(box.left)}..${Math.round(box.right)} px`);
  }
  return {seen, outside};
}"""

ONE_LINE = """(table) => {
  // The first row's cells side by side on one line: a table, not cards.
  const cells = [...table.querySelector('tbody tr').children];
  return new Set(cells.map(c => Math.round(c.getBoundingClientRect().top))).size === 1;
}"""


@pytest.fixture
def customer_with_order(transactional_db, settings):
    """The demo catalog (shop/demo.py) and a customer with an invoiced order of two lines."""
    from django.core.cache import cache

    from shop import demo

    settings.AXES_ENABLED = False
    cache.clear()
    demo.seed(None)
    customer = make_customer("phone.tables@example.org")
    order = order_for(customer, "KIT-001", "PAN-002")
    create_invoice(order)
    yield customer, order
    cache.clear()


def path(name, language, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def assert_on_screen(page, table, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    found = table.evaluate(OUTSIDE)
    assert found["seen"] >= 4, found
    assert not found["outside"], found["outside"]
    # Still a table for screen readers: its headers and cells keep their roles.
    expect(table.get_by_role("columnheader").first).to_be_attached()
    assert table.get_by_role("cell").count() >= 4


@pytest.mark.parametrize("language", ["de", "da"])
def test_every_amount_of_the_cart_and_the_account_order_fits_a_phone(
    customer_with_order, live_server, new_page, snapshot, language
):
    customer, order = customer_with_order
    base, width = live_server.url, 390
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    for slug, quantity in [("kit-001", "10"), ("pan-002", "2")]:
        page.goto(base + path("shop:product", language, slug=slug))
        page.locator("#qty").fill(quantity)
        page.locator("form.buy button").click()
        expect(page.locator("table.cart")).to_be_visible()

    cart = page.locator("table.cart")
    assert_on_screen(page, cart, width)
    quantity = cart.locator("input.qty").first
    expect(quantity).to_have_value("10")
    assert quantity.bounding_box()["width"] >= 56  # room for two digits and the arrows
    assert page.locator(".table-wrap").evaluate("w => w.scrollWidth <= w.clientWidth")
    snapshot(page, f"cart-{language}")

    login(page, base, customer.email)
    for name, kwargs in [
        ("orders:account_orders", {}),
        ("orders:account_order", {"number": order.number}),
        ("orders:account_invoice", {"number": order.number}),
    ]:
        page.goto(base + path(name, language, **kwargs))
        table = page.locator("main table.stack")
        expect(table).to_be_visible()
        assert_on_screen(page, table, width)
        snapshot(page, f"{name.split(':')[1]}-{language}")
    # The order's total is among the cells on the screen (the audit found it cut off).
    page.goto(base + path("orders:account_order", language, number=order.number))
    box = page.locator("main table.stack tfoot tr.total th.num").bounding_box()
    assert box["width"] and 0 <= box["x"] and box["x"] + box["width"] <= width


@pytest.mark.parametrize("language", ["de", "da"])
def test_the_tables_stay_tables_on_a_wide_screen(
    customer_with_order, live_server, new_page, language
):
    customer, order = customer_with_order
    base = live_server.url
    page = new_page()
    page.goto(base + path("shop:product", language, slug="kit-001"))
    page.locator("form.buy button").click()
    cart = page.locator("table.cart")
    expect(cart.locator("thead")).to_be_visible()
    assert cart.evaluate(ONE_LINE)
    login(page, base, customer.email)
    page.goto(base + path("orders:account_order", language, number=order.number))
    table = page.locator("main table.stack")
    expect(table.locator("thead")).to_be_visible()
    assert table.evaluate(ONE_LINE)
