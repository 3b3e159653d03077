"""End-to-end scenarios in a real browser (issue 12).

Each scenario drives Chromium through the storefront and the backoffice of a live server with
the demo shop loaded, and asserts what the person sees on the page. Final screens are saved
to var/e2e/ by the ``new_page`` fixture (tests/e2e/conftest.py).
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from customers.models import User
from helpdesk.models import Message, Thread
from orders import services as order_services
from orders.models import Order
from orders.services import CheckoutData, place_order
from reviews.models import Review
from shop.mail import written
from shop.models import OutboxEmail, PaymentMethod, Product, ShippingMethod
from vouchers.models import Campaign, Code

pytestmark = pytest.mark.e2e

STAFF_PASSWORD = "demo-backoffice-2026"  # seed_demo
CUSTOMER_PASSWORD = "demo-customer-2026"  # customers/demo.py
BILLING = {
    "first_name": "Kim",
    "last_name": "Larsen",
    "street": "Hafenstraße 12",
    "postcode": "20457",
    "city": "Hamburg",
    "country": "DE",
}


# --- helpers -----------------------------------------------------------------------------


def make_customer(email):
    """A storefront customer (English, confirmed) with the demo customer password."""
    return User.objects.create_user(
        email, CUSTOMER_PASSWORD, first_name="Kim", last_name="Larsen", language="en"
    )


def order_for(customer, *skus):
    """A real card order placed through the checkout service (one of each SKU)."""
    products = Product.objects.filter(sku__in=skus)
    return place_order(
        {p.pk: 1 for p in products},
        CheckoutData(
            email=customer.email,
            billing=dict(BILLING),
            shipping_method_id=ShippingMethod.objects.get(name="DHL Paket").pk,
            payment_method_id=PaymentMethod.objects.get(code="card").pk,
            language="en",
        ),
        customer=customer,
    )


def storefront_login(page, base_url, email, password=CUSTOMER_PASSWORD):
    """Log in on the storefront form (the page may already be the login page via ?next=)."""
    if "/account/login/" not in page.url:
        page.goto(f"{base_url}/account/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def backoffice_login(page, base_url, email, password=STAFF_PASSWORD, otp_device=None):
    """The backoffice login form, then the second factor when a TOTP device is given."""
    page.goto(f"{base_url}/backoffice/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if otp_device is not None:
        expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
        page.get_by_label("Code").fill(f"{totp(otp_device.bin_key):06d}")
        page.get_by_role("button", name="Verify").click()
    expect(page.locator("#user-tools")).to_contain_text("Log out")


def add_to_cart(page, base_url, slug, quantity=1):
    page.goto(f"{base_url}/products/{slug}/")
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()


def fill_guest_checkout(page, email):
    page.get_by_label("E-mail").fill(email)
    billing = page.get_by_role("region", name="Billing address")
    billing.get_by_label("First name").fill("Maja")
    billing.get_by_label("Last name").fill("Nowak")
    billing.get_by_label("Street and number").fill("Kastanienweg 4")
    billing.get_by_label("Postcode").fill("10405")
    billing.get_by_label("City").fill("Berlin")
    page.get_by_label("Credit card").check()
    page.get_by_label("I accept the terms and conditions").check()


def place_order_button(page):
    return page.get_by_role("button", name="Order with obligation to pay")


# --- 1. guest checkout with a discount code, partner offers, confirmation e-mail ------------


def test_guest_buys_two_products_with_discount_code(demo_shop, live_server, page):
    base = live_server.url
    email = "maja.nowak@example.org"

    add_to_cart(page, base, "kit-001")  # Enamel coffee pot 34.90
    add_to_cart(page, base, "kit-002")  # Oak cutting board 29.00
    expect(page.get_by_role("row", name=re.compile("Enamel coffee pot"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Oak cutting board"))).to_be_visible()
    expect(page.get_by_text("Your order ships free of charge.")).to_be_visible()

    page.get_by_label("Do you have a discount code?").fill("spring10")
    page.get_by_role("button", name="Apply code").click()
    expect(page.get_by_text("The discount code SPRING10 is applied")).to_be_visible()
    expect(page.locator("#discount-code")).to_contain_text("−€6.39")

    page.get_by_role("link", name="Proceed to checkout").click()
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    expect(page.get_by_text("You are ordering as a guest")).to_be_visible()
    expect(page.get_by_role("textbox", name="Discount code")).to_have_value("SPRING10")
    fill_guest_checkout(page, email)
    # Partner offers only with this consent (issue 24)
    page.get_by_label("Show me offers from partner shops and share my order data for them").check()
    place_order_button(page).click()

    expect(page.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    order = Order.objects.get(email=email)
    expect(page.locator(".hero")).to_contain_text(f"Your order number is {order.number}")
    expect(page.get_by_role("row", name=re.compile(r"Discount \(SPRING10\)"))).to_contain_text(
        "−€6.39"
    )
    expect(page.get_by_role("row", name=re.compile(r"^Total"))).to_contain_text("€57.51")

    # Partner offers matched to the purchase: kitchen partners, not the living-room one.
    offers = page.get_by_role("region", name="A thank-you from our partners")
    expect(offers).to_be_visible()
    expect(offers).to_contain_text("Kaffeerösterei Elbe")
    expect(offers).to_contain_text("20 % off freshly roasted beans")
    expect(offers).to_contain_text("ELBE20")
    expect(offers).not_to_contain_text("Bed linen")

    assert order.voucher_code == "SPRING10"
    assert order.discount_total == Decimal("6.39")
    assert order.grand_total == Decimal("57.51")
    assert order.customer_id is None
    assert not User.objects.filter(email=email).exists()  # guest checkout creates no account
    confirmation = written(OutboxEmail.objects.get(template="order_confirmation", to=[email]))
    assert order.number in confirmation.subject + confirmation.body_text


# --- 2. backoffice: invoice, print, ship, tracking; the customer's account ----------------


def test_operator_invoices_and_ships_customer_sees_it(demo_shop, live_server, new_page, settings):
    base = live_server.url
    settings.BACKOFFICE_REQUIRE_2FA = True
    admin_user = User.objects.get(email="admin@example.com")
    device = TOTPDevice.objects.create(
        user=admin_user, name="Backoffice authenticator", confirmed=True
    )
    customer = make_customer("kim.larsen@example.org")
    order = order_for(customer, "KIT-003", "LIV-002")
    tracking_number = "00340434161094042557"

    operator = new_page("operator")
    backoffice_login(operator, base, "admin@example.com", otp_device=device)

    # Find the order.
    operator.goto(f"{base}/backoffice/orders/order/")
    operator.locator("#searchbar").fill(order.number)
    operator.get_by_role("button", name="Search").click()
    operator.get_by_role("link", name=order.number, exact=True).click()
    expect(operator.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(operator.locator("#content-main")).to_contain_text("Pending")

    # Invoice it (card payment: captured now).
    operator.get_by_role("link", name="Invoice", exact=True).click()
    expect(
        operator.get_by_text("Payment method Credit card: the payment is captured")
    ).to_be_visible()
    operator.get_by_role("button", name="Create invoice").click()
    expect(operator.get_by_text(re.compile(r"Invoice \S+ created\."))).to_be_visible()
    invoice = order.invoices.get()  # only after the page confirmed it: the POST is done
    expect(operator.get_by_text(f"Invoice {invoice.number} created.")).to_be_visible()
    expect(operator.locator(".order-grid")).to_contain_text("Paid")

    # Print it: the link opens the PDF.
    print_link = operator.get_by_role("link", name="Print (PDF)")
    pdf = operator.request.get(base + print_link.get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Ship with a tracking number, then send the tracking information.
    operator.get_by_role("link", name=f"Order {order.number}").click()
    operator.get_by_role("link", name="Ship", exact=True).click()
    expect(
        operator.get_by_role("heading", name=re.compile("Items to ship to Kim Larsen"))
    ).to_be_visible()
    operator.get_by_label("Tracking number").first.fill(tracking_number)
    operator.get_by_role("button", name="Create shipment").click()
    expect(operator.get_by_text("Tracking has not been e-mailed yet.")).to_be_visible()
    expect(operator.locator(".order-grid")).to_contain_text(tracking_number)
    operator.get_by_role("button", name="Send tracking information").click()
    expect(
        operator.get_by_text(f"Tracking information is being e-mailed to {customer.email}.")
    ).to_be_visible()
    tracking_mail = OutboxEmail.objects.get(template="order_tracking", to=[customer.email])
    assert tracking_number in tracking_mail.body_text

    operator.get_by_role("link", name=f"Order {order.number}").click()
    expect(operator.locator("#content-main p").first).to_contain_text("Complete")

    # The customer, in their own browser, sees Complete, the invoice and the tracking number.
    shopper = new_page("customer")
    shopper.goto(f"{base}/account/orders/")
    storefront_login(shopper, base, customer.email)
    expect(shopper.get_by_role("row", name=re.compile(order.number))).to_contain_text("Complete")
    shopper.get_by_role("link", name=order.number).first.click()
    shopper.get_by_role("link", name="View invoice").click()
    expect(shopper.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    invoice_pdf = shopper.request.get(
        base + shopper.get_by_role("link", name="Download / print PDF").get_attribute("href")
    )
    assert invoice_pdf.headers["content-type"] == "application/pdf"
    assert invoice_pdf.body().startswith(b"%PDF")
    shopper.get_by_role("link", name=order.number, exact=True).click()  # breadcrumb
    expect(shopper.get_by_role("heading", name=f"Order {order.number}")).to_contain_text("Complete")
    expect(shopper.get_by_text(f"Invoice {invoice.number} of")).to_be_visible()
    expect(shopper.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(shopper.get_by_text(f"DHL: {tracking_number}")).to_be_visible()
    expect(shopper.get_by_role("link", name="Packing slip (PDF)")).to_be_visible()


# --- 3. helpdesk: customer question, canned reply, e-mailed link, internal note -----------


def test_helpdesk_canned_reply_reaches_customer_note_stays_internal(
    demo_shop, live_server, new_page, settings
):
    base = live_server.url
    settings.SITE_URL = base  # the e-mailed link points at this live server
    customer = make_customer("kim.larsen@example.org")
    order = order_for(customer, "PAN-001")
    order_services.create_shipment(
        order,
        {line.pk: line.quantity for line in order.lines.all()},
        tracking=[("dhl", "00340434161094")],
    )
    note = "Internal: customer asked twice, check the warehouse scanner."

    # The customer writes from the order page in the account.
    shopper = new_page("customer")
    shopper.goto(f"{base}/account/orders/{order.number}/")
    storefront_login(shopper, base, customer.email)
    helpdesk = shopper.get_by_role("region", name="Questions about this order")
    helpdesk.get_by_label("Subject").fill("Where is my coffee?")
    helpdesk.get_by_label("Your message").fill("I ordered the filter coffee. When will it arrive?")
    helpdesk.get_by_role("button", name="Send message").click()
    expect(shopper.get_by_text("Your message has been sent.")).to_be_visible()
    expect(shopper.get_by_role("heading", name="Where is my coffee?")).to_be_visible()
    thread = Thread.objects.get(order=order)

    # The operator finds the thread by its order number and answers with a canned reply.
    operator = new_page("operator")
    backoffice_login(operator, base, "support@example.com")
    operator.goto(f"{base}/backoffice/helpdesk/thread/")
    operator.get_by_label("Order number").fill(order.number)
    operator.get_by_role("button", name="Search").click()
    expect(operator.get_by_text("1 thread", exact=True)).to_be_visible()
    operator.get_by_role("link", name="Where is my coffee?").click()
    expect(operator.locator(".hd-msg.customer")).to_contain_text("When will it arrive?")
    operator.get_by_label("Canned reply").select_option(label="Shipping time")
    reply_box = operator.get_by_label("Reply", exact=True)
    # placeholders filled in: the customer's name, the order number, the tracking link
    expect(reply_box).to_have_value(
        re.compile(f"Hello Kim Larsen,.*Your order {order.number} has left our warehouse", re.S)
    )
    expect(reply_box).to_have_value(re.compile(r"piececode=00340434161094"))
    operator.get_by_role("button", name="Send", exact=True).click()
    expect(operator.get_by_text("The reply was sent to the customer.")).to_be_visible()
    reply_box.fill(note)
    operator.get_by_role("button", name="Save as note").click()
    expect(operator.get_by_text("The note was saved (internal only).")).to_be_visible()
    expect(operator.locator(".hd-msg.note")).to_contain_text(note)

    # The e-mail carries a link to the answer page.
    mail = OutboxEmail.objects.get(template="helpdesk_reply", to=[customer.email])
    assert "has left our warehouse" not in mail.body_text  # the text is on the page
    link = re.search(rf"{re.escape(base)}/\S+", mail.body_text).group(0)

    # The customer opens the link in a fresh browser, logs in and reads the answer.
    reader = new_page("customer-via-email")
    reader.goto(link)
    storefront_login(reader, base, customer.email)
    expect(reader).to_have_url(link)
    expect(reader.get_by_role("heading", name="Where is my coffee?")).to_be_visible()
    expect(reader.locator("main")).to_contain_text(
        f"Your order {order.number} has left our warehouse"
    )
    expect(reader.locator("main")).to_contain_text("Answered")  # the customer's status
    expect(reader.locator("main")).not_to_contain_text("warehouse scanner")

    # Nor does the note appear on the order page.
    shopper.goto(f"{base}/account/orders/{order.number}/")
    expect(shopper.get_by_role("region", name="Questions about this order")).to_contain_text(
        "has left our warehouse"
    )
    expect(shopper.locator("main")).not_to_contain_text("warehouse scanner")
    assert thread.messages.filter(kind=Message.Kind.NOTE, text=note).exists()


# --- 4. campaign with a mask, CSV download, deactivated codes refused at checkout ---------


def test_marketing_campaign_codes_deactivated_are_refused(
    demo_shop, live_server, new_page, snapshot
):
    base = live_server.url
    marketing = new_page("marketing")
    backoffice_login(marketing, base, "marketing@example.com")

    marketing.get_by_role("link", name="Discount-code campaigns").first.click()
    marketing.get_by_role("link", name="Generate codes").click()
    marketing.get_by_label("Name").fill("E2E spring test")
    marketing.get_by_label("Number of codes").fill("5")
    marketing.get_by_label("Percent of the goods").check()
    marketing.get_by_label("Discount value").fill("10")
    marketing.get_by_label("Mask").fill("E2E<NUM:100>")
    expect(marketing.locator("#mask-preview")).to_contain_text("E2E104")
    marketing.get_by_role("button", name="Generate codes").click()
    expect(
        marketing.get_by_text("Campaign “E2E spring test” created with 5 codes.")
    ).to_be_visible()

    with marketing.expect_download() as info:
        marketing.get_by_role("link", name="Download").click()
    download = info.value
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert [row[0] for row in rows[1:]] == [f"E2E{n}" for n in range(100, 105)]
    assert all(row[1] == "yes" for row in rows[1:])

    marketing.get_by_role("link", name="List").click()
    for text in ("E2E101", "E2E102"):
        marketing.get_by_role("row").filter(has_text=text).get_by_role("checkbox").check()
    marketing.get_by_role("combobox", name="Action").select_option(
        label="Deactivate selected codes"
    )
    marketing.get_by_role("button", name="Go").click()
    expect(marketing.get_by_text("2 codes deactivated.")).to_be_visible()
    campaign = Campaign.objects.get(name="E2E spring test")
    inactive = Code.objects.filter(campaign=campaign, is_active=False)
    assert set(inactive.values_list("text", flat=True)) == {"E2E101", "E2E102"}

    # A guest tries one of the deactivated codes at checkout.
    shopper = new_page("shopper")
    add_to_cart(shopper, base, "liv-002")
    shopper.get_by_role("link", name="Proceed to checkout").click()
    fill_guest_checkout(shopper, "code.tester@example.org")
    shopper.get_by_role("textbox", name="Discount code").fill("e2e101")
    place_order_button(shopper).click()
    expect(shopper.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    summary = shopper.locator(".checkout .error-summary")
    expect(summary).to_contain_text("Please check the highlighted fields.")
    expect(summary.get_by_role("link")).to_contain_text(
        "Discount code: The discount code “E2E101” is not active."
    )
    expect(shopper.locator(".field.has-error")).to_contain_text(
        "The discount code “E2E101” is not active."
    )
    assert not Order.objects.filter(email="code.tester@example.org").exists()
    snapshot(shopper, "shopper-refused")

    # An active code of the same campaign still works.
    shopper.get_by_role("textbox", name="Discount code").fill("E2E100")
    shopper.get_by_label("I accept the terms and conditions").check()
    place_order_button(shopper).click()
    expect(shopper.get_by_role("heading", name="Thank you for your order!")).to_be_visible()
    expect(shopper.get_by_role("row", name=re.compile(r"Discount \(E2E100\)"))).to_be_visible()


# --- 5. review moderation ------------------------------------------------------------------


def test_review_is_visible_only_after_activation(demo_shop, live_server, new_page, snapshot):
    base = live_server.url
    text = "Thick, soft and the colours survived forty washes."
    visitor = new_page("visitor")
    visitor.goto(f"{base}/products/kit-003/")
    reviews = visitor.get_by_role("region", name="Customer reviews")
    reviews.get_by_role("group", name="Your rating").get_by_label("5 of 5 stars").check()
    reviews.get_by_label("Your review").fill(text)
    reviews.get_by_label("Your name").fill("Henrike")
    reviews.get_by_label("E-mail").fill("henrike@example.org")
    reviews.get_by_role("button", name="Submit review").click()
    expect(
        visitor.get_by_text("Please confirm your review with the link we have sent")
    ).to_be_visible()
    # Without an account the review waits until the address confirms it (the e-mailed link).
    confirmation = OutboxEmail.objects.get(template="review_confirm", to=["henrike@example.org"])
    visitor.goto(base + re.search(r"/reviews/confirm/[^\s/]+/", confirmation.body_text).group(0))
    visitor.get_by_role("button", name="Confirm review").click()
    expect(
        visitor.get_by_text("Thank you, your review will appear after moderation.")
    ).to_be_visible()
    expect(visitor.get_by_text(text)).to_have_count(0)
    expect(visitor.get_by_role("region", name="Customer reviews")).to_contain_text(
        "No reviews yet."
    )
    snapshot(visitor, "visitor-waiting")
    review = Review.objects.get(text=text)
    assert not review.active and not review.moderated

    operator = new_page("operator")
    backoffice_login(operator, base, "marketing@example.com")
    operator.goto(f"{base}/backoffice/reviews/review/")
    operator.locator("#searchbar").fill("forty washes")
    operator.get_by_role("button", name="Search").click()
    row = operator.get_by_role("row").filter(has_text="forty washes")
    expect(row).to_contain_text("Henrike")
    row.get_by_role("button", name="Activate", exact=True).click()
    expect(
        operator.get_by_text("Review “Henrike on Linen tea towels (set of 3) (5/5)” activated.")
    ).to_be_visible()
    expect(
        operator.get_by_role("row")
        .filter(has_text="forty washes")
        .get_by_role("button", name="Deactivate")
    ).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_text(text)).to_be_visible()
    public = visitor.get_by_role("region", name="Customer reviews")
    expect(public).to_contain_text("Henrike")
    expect(public).to_contain_text("1 review")
    review.refresh_from_db()
    assert review.active and review.moderated


# --- 6. a rejected customer cannot log in ---------------------------------------------------


def test_rejected_customer_cannot_log_in(demo_shop, live_server, page):
    base = live_server.url
    assert User.objects.get(email="lukas.weber@example.com").is_rejected  # demo data
    storefront_login(page, base, "lukas.weber@example.com")
    expect(page.get_by_role("alert")).to_contain_text(
        "This customer account is blocked. Please contact the shop."
    )
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="My account")).to_have_count(0)
    # No session was opened: the account area still sends this browser to the login page.
    account = page.request.get(f"{base}/account/", max_redirects=0)
    assert account.status == 302
    assert "/account/login/" in account.headers["location"]
