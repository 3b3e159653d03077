"""Object ownership on every storefront URL that takes an id (SPEC S16, issue 13 point 2).

The test walks every URL pattern outside the backoffice. Each one that takes an argument must
be in ``OWNED``, ``TOKENS`` or ``PUBLIC`` below; a new pattern fails the test until it is
added. Owned objects: customer A's object opened by customer B → 404 (never 403 or 200), while
A gets it. Token links: the real token works, a tampered one is refused and reveals nothing.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from customers import confirmation as confirmations
from customers import services as customer_services
from customers.models import Address
from helpdesk import links as helpdesk_links
from helpdesk import services as helpdesk_services
from helpdesk.attachments import Incoming
from orders import links as order_links
from orders import services as order_services
from reviews import review_requests
from reviews import services as review_services
from reviews.models import Review, ReviewRequest
from shop import stock_notices
from shop.models import OutboxEmail, ShopSettings, StockNotice
from tests.factories import StaffFactory, UserFactory
from tests.orders.factories import downloadable_product, ship_all
from vouchers import offers
from vouchers import services as voucher_services

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("backoffice/", "static/", "media/", "i18n/")


def storefront_patterns():
    """(route, "namespace:name", has_arguments) for every storefront URL pattern."""

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace else p.name
                route = prefix + str(p.pattern)
                yield route, name, bool(p.pattern.regex.groups)

    for route, name, has_args in walk(get_resolver().url_patterns):
        if not route.startswith(SKIP_PREFIXES):
            yield route, name, has_args


# -- the world: customer A owns everything, customer B tries to reach it -----------------


@pytest.fixture
def world(make_order, product, invoice_payment, settings):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    ebook = downloadable_product()
    order = make_order(items={product.pk: 2, ebook.pk: 1}, customer=alice, email=alice.email)
    bob_order = make_order(customer=bob, email=bob.email)
    invoice = order_services.create_invoice(order)
    order_services.mark_paid(order)  # issues the download link
    shipment = order_services.create_shipment(order, ship_all(order))
    bob_shipment = order_services.create_shipment(bob_order, ship_all(bob_order))
    refunded_order = make_order(customer=alice, email=alice.email)
    public_order = make_order(customer=alice, email=alice.email, buyer_reference="991-01234-56")
    order_services.create_invoice(public_order)  # XRechnung needs a buyer reference
    order_services.create_invoice(refunded_order)
    order_services.refund_order(refunded_order)  # → credit note
    address = Address.objects.create(
        customer=alice, first_name="Alice", last_name="A", street="Weg 1", postcode="1", city="X"
    )
    thread = helpdesk_services.start_order_thread(
        order,
        alice,
        subject="Where?",
        text="Hello",
        files=[Incoming.from_bytes("note.txt", b"my notes")],
    )
    staff = StaffFactory(is_superuser=True)
    invited = UserFactory(email="invited@example.com")
    confirmations.invite_customer(invited)
    shop = ShopSettings.load()
    shop.partner_network_enabled = True
    shop.partner_network_script_url = "https://network.example.com/t.js"
    shop.save()
    partner_order = make_order(partner_consent=True)
    return {
        "attachment": thread.messages.get().attachments.get(),
        "review_request": ReviewRequest.objects.create(order=order, email=alice.email),
        "unconfirmed_review": Review.objects.create(
            product=product,
            rating=4,
            text="Fine",
            author_name="A",
            email="anon@example.com",
            confirmed_at=None,
        ),
        "partner_order": partner_order,
        "stock_notice": StockNotice.objects.create(
            product=product, email="anon@example.com", token="ownership-notice"
        ),
        "alice": alice,
        "bob": bob,
        "order": order,
        "bob_order": bob_order,
        "refunded_order": refunded_order,
        "public_order": public_order,
        "invoice": invoice,
        "shipment": shipment,
        "bob_shipment": bob_shipment,
        "address": address,
        "thread": thread,
        "feed_token": order_services.regenerate_feed_token(staff),
        "invited": invited,
    }


def _download_token(w):
    from orders.models import DownloadLink

    return DownloadLink.objects.get(order=w["order"]).token


# Customer A's objects: (method, kwargs for A's object, status A gets). B must get 404.
OWNED = {
    "customers:email_confirm": (
        "get",
        lambda w: {
            "token": customer_services.start_email_change(w["alice"], "alice.new@example.com")
        },
        200,
    ),
    "orders:account_order": ("get", lambda w: {"number": w["order"].number}, 200),
    "orders:account_invoice": ("get", lambda w: {"number": w["order"].number}, 200),
    "orders:account_invoice_pdf": ("get", lambda w: {"number": w["order"].number}, 200),
    "orders:account_invoice_xrechnung": (
        "get",
        lambda w: {"number": w["public_order"].number},
        200,
    ),
    "orders:account_credit_note_pdf": (
        "get",
        lambda w: {
            "number": w["refunded_order"].number,
            "credit_number": w["refunded_order"].credit_notes[0].number,
        },
        200,
    ),
    "orders:account_packing_slip": (
        "get",
        lambda w: {"number": w["order"].number, "shipment": w["shipment"].pk},
        200,
    ),
    "helpdesk:order_thread_start": ("get", lambda w: {"number": w["order"].number}, 200),
    "helpdesk:account_thread": ("get", lambda w: {"pk": w["thread"].pk}, 200),
    "helpdesk:account_attachment": (
        "get",
        lambda w: {"pk": w["thread"].pk, "attachment_id": w["attachment"].pk},
        200,
    ),
    "customers:address_edit": ("get", lambda w: {"pk": w["address"].pk}, 200),
    "customers:address_delete": ("post", lambda w: {"pk": w["address"].pk}, 302),
    "customers:address_default": ("post", lambda w: {"pk": w["address"].pk}, 302),
}


def _tamper(value):
    """Flip the last character, as someone guessing or editing a link would."""
    return value[:-1] + ("A" if value[-1] != "A" else "B")


def _reset_kwargs(w):
    user = w["alice"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _confirmation_token(w):
    return confirmations.confirmation_token(w["invited"].confirmation)


def _last_segment(path):
    return path.rstrip("/").split("/")[-1]


def _guest_signed(w):
    return _last_segment(helpdesk_links.signed_thread_path(w["thread"]))


def _request_signed(w):
    return _last_segment(review_requests.request_path(w["review_request"]))


def _unsubscribe_signed(w):
    return _last_segment(review_requests.unsubscribe_path(w["review_request"]))


def _code_mail_unsubscribe_signed(w):
    return _last_segment(voucher_services.code_mail_unsubscribe_path(w["alice"]))


def _confirm_signed(w):
    return _last_segment(review_services.confirm_path(w["unconfirmed_review"]))


def _notice_confirm_signed(w):
    return _last_segment(stock_notices.confirm_path(w["stock_notice"]))


def _notice_cancel_signed(w):
    return _last_segment(stock_notices.cancel_path(w["stock_notice"]))


def _frame_signed(w):
    return _last_segment(offers.partner_frame_path(w["partner_order"]))


def _status_signed(w, order="order"):
    return order_links.signed_status_value(w[order])


# Bearer links (the token is the credential, e-mailed or given to staff):
# (kwargs with the real token, status for it, kwargs tampered, status for the tampered link).
TOKENS = {
    "orders:download": (
        lambda w: {"token": _download_token(w)},
        200,
        lambda w: {"token": _tamper(_download_token(w))},
        404,
    ),
    "orders:feed": (
        lambda w: {"token": w["feed_token"]},
        200,
        lambda w: {"token": _tamper(w["feed_token"])},
        404,
    ),
    "helpdesk:guest_thread": (
        lambda w: {"signed": helpdesk_links.signed_thread_path(w["thread"]).split("/")[-2]},
        200,
        lambda w: {
            "signed": _tamper(helpdesk_links.signed_thread_path(w["thread"]).split("/")[-2])
        },
        404,
    ),
    "helpdesk:guest_attachment": (
        lambda w: {"signed": _guest_signed(w), "attachment_id": w["attachment"].pk},
        200,
        lambda w: {"signed": _tamper(_guest_signed(w)), "attachment_id": w["attachment"].pk},
        404,
    ),
    "reviews:request": (
        lambda w: {"signed": _request_signed(w)},
        200,
        lambda w: {"signed": _tamper(_request_signed(w))},
        404,
    ),
    "reviews:unsubscribe": (
        lambda w: {"signed": _unsubscribe_signed(w)},
        200,
        lambda w: {"signed": _tamper(_unsubscribe_signed(w))},
        404,
    ),
    "vouchers:unsubscribe": (
        lambda w: {"signed": _code_mail_unsubscribe_signed(w)},
        200,
        lambda w: {"signed": _tamper(_code_mail_unsubscribe_signed(w))},
        404,
    ),
    "reviews:confirm": (
        lambda w: {"signed": _confirm_signed(w)},
        200,
        lambda w: {"signed": _tamper(_confirm_signed(w))},
        404,
    ),
    "shop:stock_notice_confirm": (
        lambda w: {"signed": _notice_confirm_signed(w)},
        200,
        lambda w: {"signed": _tamper(_notice_confirm_signed(w))},
        404,
    ),
    "shop:stock_notice_cancel": (
        lambda w: {"signed": _notice_cancel_signed(w)},
        200,
        lambda w: {"signed": _tamper(_notice_cancel_signed(w))},
        404,
    ),
    # The guest order-status link of the order confirmation and what it leads to.
    "orders:guest_status": (
        lambda w: {"signed": _status_signed(w)},
        200,
        lambda w: {"signed": _tamper(_status_signed(w))},
        404,
    ),
    "orders:guest_invoice_pdf": (
        lambda w: {"signed": _status_signed(w)},
        200,
        lambda w: {"signed": _tamper(_status_signed(w))},
        404,
    ),
    "orders:guest_credit_note_pdf": (
        lambda w: {
            "signed": _status_signed(w, "refunded_order"),
            "credit_number": w["refunded_order"].credit_notes[0].number,
        },
        200,
        lambda w: {
            "signed": _tamper(_status_signed(w, "refunded_order")),
            "credit_number": w["refunded_order"].credit_notes[0].number,
        },
        404,
    ),
    "orders:guest_withdraw": (
        lambda w: {"signed": _status_signed(w)},
        200,
        lambda w: {"signed": _tamper(_status_signed(w))},
        404,
    ),
    "vouchers:partner_frame": (
        lambda w: {"signed": _frame_signed(w)},
        200,
        lambda w: {"signed": _tamper(_frame_signed(w))},
        404,
    ),
    # The confirmation page explains a broken link (400) so the customer can ask for a new one.
    "customers:confirm": (
        lambda w: {"token": _confirmation_token(w)},
        200,
        lambda w: {"token": _tamper(_confirmation_token(w))},
        400,
    ),
    # Django's password-reset page answers a bad link with its "invalid link" text (200).
    "customers:password_reset_confirm": (
        _reset_kwargs,
        302,  # Django moves the token into the session and redirects to .../set-password/
        lambda w: {**_reset_kwargs(w), "token": _tamper(_reset_kwargs(w)["token"])},
        200,
    ),
}
# POST-only "send me a new link": a tampered token changes nothing and sends nothing.
TOKEN_ACTIONS = {"customers:confirm_resend"}

# Arguments that are not owned by anyone: catalog slugs, public campaigns and offers.
PUBLIC = {
    "shop:product": "product slug (catalog)",
    "shop:category": "category slug (catalog)",
    "reviews:submit": "product slug (anyone may review)",
    "shop:stock_notice_request": "product slug (anyone may ask for a back-in-stock e-mail)",
    "vouchers:buy_code": "campaign with a points price, offered to every customer",
    "vouchers:offer_go": "partner offer click, redirects to the offer's own link",
}


def test_every_storefront_pattern_with_an_argument_is_covered():
    with_args = {name for _route, name, has_args in storefront_patterns() if has_args}
    covered = set(OWNED) | set(TOKENS) | TOKEN_ACTIONS | set(PUBLIC)
    missing = with_args - covered
    assert not missing, f"add these URL patterns to tests/security/test_ownership.py: {missing}"
    stale = covered - with_args
    assert not stale, f"these patterns no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(OWNED))
def test_foreign_customer_gets_404(client, world, name):
    method, kwargs_for, owner_status = OWNED[name]
    url = reverse(name, kwargs=kwargs_for(world))
    client.force_login(world["bob"])
    response = getattr(client, method)(url)
    assert response.status_code == 404, f"{name}: {response.status_code} for a foreign id"
    world["address"].refresh_from_db()  # the POST views changed nothing
    assert world["address"].customer == world["alice"]
    client.force_login(world["alice"])
    assert getattr(client, method)(url).status_code == owner_status, f"{name} for the owner"


def test_packing_slip_of_a_foreign_shipment_under_own_order_is_404(client, world):
    client.force_login(world["bob"])
    url = reverse(
        "orders:account_packing_slip",
        kwargs={"number": world["bob_order"].number, "shipment": world["shipment"].pk},
    )
    assert client.get(url).status_code == 404
    own = reverse(
        "orders:account_packing_slip",
        kwargs={"number": world["bob_order"].number, "shipment": world["bob_shipment"].pk},
    )
    assert client.get(own).status_code == 200


def test_foreign_address_delete_keeps_the_address(client, world):
    client.force_login(world["bob"])
    client.post(reverse("customers:address_delete", kwargs={"pk": world["address"].pk}))
    assert Address.objects.filter(pk=world["address"].pk).exists()


def test_gift_card_and_code_pages_show_only_own_data(client, world):
    """The gift-card history and code list take no id: they show the logged-in customer's."""
    from giftcards import services as giftcard_services

    card = giftcard_services.issue_cards(Decimal("30.00"))[0]
    shop = __import__("shop.models", fromlist=["ShopSettings"]).ShopSettings.load()
    shop.giftcard_mode = "customer"
    shop.save()
    giftcard_services.redeem_to_account(card.number, world["alice"])
    client.force_login(world["bob"])
    page = client.get(reverse("giftcards:account")).content.decode()
    assert "30.00" not in page and "30,00" not in page
    client.force_login(world["alice"])
    page = client.get(reverse("giftcards:account")).content.decode()
    assert "30.00" in page or "30,00" in page


@pytest.mark.parametrize("name", sorted(TOKENS))
def test_token_links_work_and_tampered_ones_are_refused(client, world, name):
    real, real_status, tampered, tampered_status = TOKENS[name]
    bad = client.get(reverse(name, kwargs=tampered(world)))
    assert bad.status_code == tampered_status, name
    if name == "customers:password_reset_confirm":
        assert b"new_password1" not in bad.content
    if name == "customers:confirm":
        assert b"password1" not in bad.content
    good = client.get(reverse(name, kwargs=real(world)))
    assert good.status_code == real_status, name


def test_tampered_confirmation_resend_sends_nothing(client, world):
    before = OutboxEmail.objects.count()
    url = reverse("customers:confirm_resend", kwargs={"token": _tamper(_confirmation_token(world))})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:confirm_request")
    assert OutboxEmail.objects.count() == before


def test_guest_thread_link_never_opens_another_thread(client, world):
    other = helpdesk_services.start_order_thread(
        world["bob_order"], world["bob"], subject="Bob's question", text="Secret"
    )
    alice_signed = helpdesk_links.signed_thread_path(world["thread"]).split("/")[-2]
    token, _sep, signature = alice_signed.rpartition(":")
    forged = f"{other.token}:{signature}"
    response = client.get(reverse("helpdesk:guest_thread", kwargs={"signed": forged}))
    assert response.status_code == 404
    assert b"Secret" not in response.content
