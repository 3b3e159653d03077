"""Accessibility in a real browser (issue 27): axe-core's WCAG 2.1 A/AA rules on every
storefront page type and the backoffice pages we wrote ourselves, a keyboard-only checkout,
reflow at 320 px and 200 % zoom, and the manual checks that can be kept by a test (labels,
error summary, ``lang``, rating stars, reduced motion).

One seeded demo shop per test and one browser for the module; every page's violations are
collected into a single assertion message (page, rule id, impact, target).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.models import User
from helpdesk.models import Thread
from orders.links import signed_status_value, status_path
from orders.models import DownloadLink, Order
from reviews.models import Review
from shop.models import PaymentMethod
from vouchers.models import Campaign

from .a11y import SERIOUS, AxeReport
from .conftest import ARTIFACTS
from .test_scenarios import (
    CUSTOMER_PASSWORD,
    add_to_cart,
    fill_guest_checkout,
    make_customer,
    order_for,
    place_order_button,
)
from .test_withdrawal import delivered_guest_order

pytestmark = pytest.mark.e2e

CUSTOMER = "erika@example.com"  # customers/demo.py: orders, a thread, codes


@pytest.fixture
def catalog_shop(transactional_db, settings):
    """The demo catalog, staff, shipping and payment methods only (shop/demo.py): enough
    for the keyboard, reflow and manual checks, and much quicker than the whole demo shop."""
    from django.core.cache import cache

    from shop import demo

    settings.AXES_ENABLED = False
    cache.clear()
    demo.seed(None)
    yield
    cache.clear()


def login(page, base, email, password=CUSTOMER_PASSWORD):
    page.goto(base + reverse("customers:login"))
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit], main form button:not([type])").first.click()
    page.wait_for_load_state()


def test_axe_finds_no_violations_on_storefront_and_backoffice(
    demo_shop, live_server, new_page, settings
):
    base = live_server.url
    report = AxeReport()
    page = new_page("visitor")

    def visit(name, label=None, **kwargs):
        page.goto(base + reverse(name, kwargs=kwargs or None))
        report.check(page, label or name)

    # --- browsing ---------------------------------------------------------------------
    visit("shop:home", "home")
    category = page.locator("nav.cat-nav a").nth(1)
    category.click()
    report.check(page, "category")
    page.goto(base + reverse("shop:products") + "?q=coffee")
    expect(page.locator(".card").first).to_be_visible()
    report.check(page, "search with results")
    page.goto(base + reverse("shop:products") + "?q=xqzxqzxqz")
    report.check(page, "search without results")
    visit("shop:product", "product with reviews and the review form", slug="kit-001")
    page.locator("form.review-form button").click()  # empty review: errors
    report.check(page, "product: review form with errors")
    visit("shop:shipping_costs", "shipping costs")
    page.locator("footer").get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", name="Accessibility statement", exact=True)).to_be_visible()
    report.check(page, "accessibility statement")
    visit("shop:cart", "cart (empty)")
    visit("orders:checkout", "checkout (empty cart)")
    page.goto(base + "/no-such-page/")
    report.check(page, "404")

    # --- cart and checkout ------------------------------------------------------------
    add_to_cart(page, base, "kit-001")
    report.check(page, "cart (full)")
    page.locator("input[name=code]").fill("NO-SUCH-CODE")
    page.locator("input[name=code]").press("Enter")
    expect(page.locator(".error, .msg.error").first).to_be_visible()
    report.check(page, "cart with a code error")
    page.goto(base + reverse("orders:checkout"))
    report.check(page, "checkout")
    place_order_button(page).click()
    report.check(page, "checkout with validation errors")
    fill_guest_checkout(page, "a11y.guest@example.org")
    place_order_button(page).click()
    expect(page.locator(".hero")).to_be_visible()
    report.check(page, "success page")

    # --- contact, withdrawal ----------------------------------------------------------
    visit("helpdesk:contact", "contact form")
    page.locator("main form button").last.click()
    report.check(page, "contact form with errors")
    order = delivered_guest_order("a11y.withdraw@example.org")
    visit("orders:withdraw", "withdrawal step 1")
    page.locator("main form button").last.click()
    report.check(page, "withdrawal step 1 with errors")
    page.locator("input[name=name]").fill("Maja Nowak")
    page.locator("input[name=email]").fill(order.email)
    page.locator("input[name=order_number]").fill(order.number)
    page.locator("main form button").last.click()
    report.check(page, "withdrawal step 2 (confirm)")
    page.locator("main form button").last.click()
    expect(page).to_have_url(re.compile(reverse("orders:withdraw_done")))
    report.check(page, "withdrawal done")
    guest_order = delivered_guest_order("a11y.status@example.org")
    page.goto(base + status_path(guest_order))
    report.check(page, "guest order status")
    download = DownloadLink.objects.filter(download_count=0).first()
    page.goto(base + download.get_absolute_url())
    report.check(page, "download page")
    visit("orders:download", "download not available", token="no-such-link")
    visit(
        "orders:guest_withdraw",
        "withdrawal from the guest order page",
        signed=signed_status_value(guest_order),
    )

    # --- accounts ---------------------------------------------------------------------
    visit("customers:login", "login")
    visit("customers:register", "registration")
    page.locator("main form button").last.click()
    report.check(page, "registration with errors")
    visit("customers:password_reset", "password reset")

    customer = User.objects.get(email=CUSTOMER)
    shopper = new_page("customer")
    page = shopper
    login(page, base, CUSTOMER)
    report.check(page, "account overview")
    visit("orders:account_orders", "orders")
    number = Order.objects.filter(customer=customer).latest("pk").number
    visit("orders:account_order", "order detail", number=number)
    visit("customers:addresses", "addresses")
    visit("customers:address_add", "address form")
    visit("customers:profile", "profile")
    visit("vouchers:account_codes", "codes")
    visit("giftcards:account", "gift cards")
    visit("privacy:own_data", "download my data")
    thread = Thread.objects.filter(customer=customer).first()
    visit("helpdesk:account_thread", "helpdesk thread", pk=thread.pk)

    storefront = report.message()
    storefront_problems = list(report.problems)

    # --- backoffice: our own pages, 0 serious/critical --------------------------------
    office = AxeReport()
    operator = new_page("operator")
    settings.BACKOFFICE_REQUIRE_2FA = True
    operator.goto(base + reverse("admin:login"))
    operator.get_by_label("E-mail").fill("admin@example.com")
    operator.get_by_label("Password").fill("demo-backoffice-2026")
    operator.get_by_role("button", name="Log in").click()
    expect(operator).to_have_url(re.compile(reverse("admin:otp_setup")))
    office.check(operator, "backoffice 2FA set-up", only=SERIOUS)
    settings.BACKOFFICE_REQUIRE_2FA = False

    def office_visit(name, label, *args):
        operator.goto(base + reverse(name, args=args or None))
        office.check(operator, label, only=SERIOUS)

    office_visit("admin:index", "backoffice start page (figures and charts)")
    office_visit("admin:orders_order_change", "backoffice order detail", order.pk)
    office_visit("admin:orders_creditnote_new", "backoffice order refund", order.pk)
    office_visit("admin:helpdesk_thread_change", "backoffice helpdesk thread", thread.pk)
    campaign = Campaign.objects.order_by("pk").first()
    office_visit(
        "admin:vouchers_campaign_statistics", "backoffice campaign statistics", campaign.pk
    )
    office_visit("admin:privacy_subject_changelist", "backoffice personal-data browser")
    operator.locator("#content form input[type=search], #content form input[type=text]").first.fill(
        CUSTOMER
    )
    operator.locator(
        "#content form input[type=search], #content form input[type=text]"
    ).first.press("Enter")
    office.check(operator, "backoffice personal-data browser (search)", only=SERIOUS)

    assert not storefront_problems, storefront
    assert not office.problems, office.message()
    assert len(report.pages) == 40 and len(office.pages) == 8


# --- keyboard only ----------------------------------------------------------------------

FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '', type: el.type || '',
        value: el.value || '', checked: !!el.checked,
        text: (el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 60),
        focusVisible: outline || cs.boxShadow !== 'none',
        onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0,
    };
}"""


class Keyboard:
    """Moves through a page with Tab / Shift+Tab only and checks that every focus stop is
    visible: an outline of at least 2 px (or a box shadow) on an element on the screen."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def focused(self):
        return self.page.evaluate(FOCUS_STATE)

    def tab_to(self, matches, backwards=False, limit=150):
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.stops += 1
            state = self.focused()
            if state is None:
                continue
            # The main element takes the focus from the skip link only: no indicator needed.
            if state["tag"] != "main":
                assert state["focusVisible"], f"no visible focus on {state}"
                assert state["onScreen"], f"focus on an invisible element: {state}"
            if matches(state):
                return state
        raise AssertionError(f"not reached with {key} in {limit} steps (keyboard trap?)")

    def to_id(self, element_id, **kwargs):
        return self.tab_to(lambda s: s["id"] == element_id, **kwargs)

    def to_text(self, text, **kwargs):
        return self.tab_to(lambda s: s["text"] == text, **kwargs)


def keyboard_only_checkout(base, page, snapshot):
    keys = Keyboard(page)
    page.goto(base + reverse("shop:product", kwargs={"slug": "kit-001"}))

    # The first Tab stop is the skip link; it is shown and moves the focus to the main content.
    skip = keys.tab_to(lambda s: True)
    assert skip["text"] == "Skip to content" and skip["onScreen"]
    snapshot(page, "skip-link")
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "main"
    assert keys.to_text("Add to cart")["tag"] == "button"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()

    keys.to_text("Proceed to checkout")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()

    # Submitting the empty form: the error summary takes the focus and links to the fields.
    keys.tab_to(lambda s: s["text"] == "Order with obligation to pay")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    snapshot(page, "error-summary")
    keys.tab_to(lambda s: s["tag"] == "a" and s["text"].startswith("E-mail"))
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "id_email"

    page.keyboard.type("keyboard.only@example.org")
    for element_id, text in [
        ("id_billing_first_name", "Maja"),
        ("id_billing_last_name", "Nowak"),
        ("id_billing_street", "Kastanienweg 4"),
        ("id_billing_postcode", "10405"),
        ("id_billing_city", "Berlin"),
    ]:
        keys.to_id(element_id)
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(text)

    # Radio groups: Tab enters the group, the arrow keys choose.
    card = str(PaymentMethod.objects.get(code="card").pk)
    keys.tab_to(lambda s: s["name"] == "payment_method")
    for _ in range(10):
        if keys.focused()["value"] == card:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    state = keys.focused()
    assert state["value"] == card and state["checked"]

    keys.to_id("id_accept_terms")
    page.keyboard.press("Space")
    assert keys.focused()["checked"]
    # Shift+Tab goes back as well (no trap), then forward to the order button.
    keys.to_id("id_billing_city", backwards=True)
    keys.to_text("Order with obligation to pay")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    order = Order.objects.get(email="keyboard.only@example.org")
    assert order.payment_method.code == "card"
    # The whole success page can be tabbed through to the last control of the footer.
    last = keys.to_id("lang-change")
    assert last["tag"] == "button"
    assert keys.stops < 400


# --- reflow: 320 px and 200 % zoom ------------------------------------------------------


def reflow_at_320_px_and_200_percent_zoom(base, browser):
    """No horizontal scrolling of the page (wide tables scroll inside their panel, which
    WCAG 1.4.10 allows for data tables); a screenshot of every page to look at."""
    customer = make_customer("reflow@example.org")
    order = order_for(customer, "KIT-001", "PAN-002")
    account_pages = [
        ("account", reverse("customers:account")),
        ("orders", reverse("orders:account_orders")),
        ("order", reverse("orders:account_order", kwargs={"number": order.number})),
        ("codes", reverse("vouchers:account_codes")),
        ("giftcards", reverse("giftcards:account")),
        ("addresses", reverse("customers:addresses")),
        ("my-data", reverse("privacy:own_data")),
    ]
    pages = [
        ("home", reverse("shop:home")),
        ("category", reverse("shop:products")),
        ("product", reverse("shop:product", kwargs={"slug": "kit-001"})),
        ("cart", reverse("shop:cart")),
        ("checkout", reverse("orders:checkout")),
        ("contact", reverse("helpdesk:contact")),
        ("withdraw", reverse("orders:withdraw")),
        ("accessibility", reverse("shop:accessibility")),
        ("login", reverse("customers:login")),
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflowing = []
    narrow = AxeReport()  # what only shows at 320 px (e.g. scroll areas without keyboard access)
    # 200 % zoom of a 1280 px wide window lays the page out in 640 CSS pixels.
    for label, viewport, scale in [("320px", 320, 1), ("zoom200", 640, 2)]:
        context = browser.new_context(
            viewport={"width": viewport, "height": 700}, device_scale_factor=scale, locale="en-GB"
        )
        page = context.new_page()
        pages_after_login = []
        add_to_cart(page, base, "kit-001")  # cart and checkout with a line
        for name, path in pages:
            page.goto(base + path)
            width = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            page.screenshot(path=str(ARTIFACTS / f"reflow-{label}-{name}.png"), full_page=True)
            if width[0] > width[1]:
                overflowing.append(f"{name} at {label}: scrollWidth {width[0]} > {width[1]}")
            if viewport == 320:
                narrow.check(page, f"{name} at 320 px")
            if name == "login":
                login(page, base, customer.email)
                pages_after_login = account_pages
        for name, path in pages_after_login:
            page.goto(base + path)
            width = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            page.screenshot(path=str(ARTIFACTS / f"reflow-{label}-{name}.png"), full_page=True)
            if width[0] > width[1]:
                overflowing.append(f"{name} at {label}: scrollWidth {width[0]} > {width[1]}")
            if viewport == 320:
                narrow.check(page, f"{name} at 320 px")
        context.close()
    assert not overflowing, "\n".join(overflowing)
    assert not narrow.problems, narrow.message()


# --- what axe cannot see: error summary, labels, language, stars, reduced motion --------


def manual_checks(base, page):

    # Contact form errors: a summary at the top linking to each field, and each field points
    # at its own error with aria-describedby and is marked aria-invalid.
    page.goto(base + reverse("helpdesk:contact"))
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert links.count() >= 3
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        field = page.locator(target)
        expect(field).to_have_attribute("aria-invalid", "true")
        described = field.get_attribute("aria-describedby").split()
        error_id = next(d for d in described if d.endswith("_error"))
        expect(page.locator(f"#{error_id}")).to_contain_text(
            links.nth(i).inner_text().split(": ")[1]
        )
    links.first.click()
    expect(page.locator(links.first.get_attribute("href"))).to_be_focused()

    # Every visible input, select and textarea of these forms has a label (a name).
    unlabeled = []
    for name in ["orders:checkout", "helpdesk:contact", "customers:register", "orders:withdraw"]:
        page.goto(base + reverse(name))
        unlabeled += page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden=true]'))
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
    assert unlabeled == []

    # The language of the page follows the chosen language.
    page.goto(base + reverse("shop:accessibility"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("footer").get_by_label("Language").select_option("de")
    page.locator("#lang-change").click()
    expect(page.get_by_role("heading", name="Erklärung zur Barrierefreiheit")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    page.locator("footer").get_by_label("Sprache").select_option("en")
    page.locator("#lang-change").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Rating stars: a group of labelled radios, chosen with the arrow keys.
    page.goto(base + reverse("shop:product", kwargs={"slug": "kit-003"}))
    stars = page.get_by_role("group", name="Your rating")
    for n in range(1, 6):
        expect(stars.get_by_role("radio", name=f"{n} of 5 stars", exact=True)).to_be_attached()
    stars.get_by_role("radio", name="5 of 5 stars").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(stars.get_by_role("radio", name="3 of 5 stars")).to_be_checked()
    reviews = page.get_by_role("region", name="Customer reviews")
    reviews.get_by_label("Your review").fill("Good weight, dries quickly.")
    reviews.get_by_label("Your name").fill("Henrike")
    reviews.get_by_label("E-mail").fill("henrike@example.org")
    reviews.get_by_role("button", name="Submit review").click()
    expect(
        page.get_by_text("Please confirm your review with the link we have sent")
    ).to_be_visible()
    assert Review.objects.get(email="henrike@example.org").rating == 3

    # prefers-reduced-motion: nothing animates or transitions.
    page.emulate_media(reduced_motion="reduce")
    page.goto(base + reverse("shop:home"))
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(el => {
            const cs = getComputedStyle(el);
            return parseFloat(cs.transitionDuration) > 0.01 || parseFloat(cs.animationDuration) > 0.01
                || cs.scrollBehavior === 'smooth';
        }).map(el => el.tagName + '.' + el.className)"""
    )
    assert moving == [] and page.evaluate("document.getAnimations().length") == 0


def test_keyboard_checkout_reflow_and_manual_checks(
    catalog_shop, live_server, browser, new_page, snapshot
):
    """Three checks on one seeded catalog (seeding is the slow part), each in its own
    browser context: keyboard-only checkout, reflow, the manual checks."""
    keyboard_only_checkout(live_server.url, new_page("keyboard"), snapshot)
    reflow_at_320_px_and_200_percent_zoom(live_server.url, browser)
    manual_checks(live_server.url, new_page("manual"))
