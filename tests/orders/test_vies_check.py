"""A buyer's VAT ID is confirmed with VIES before an order goes out without VAT.

A made-up but checksum-valid VAT ID (ATU13585627, python-stdnum's documentation example) must
not buy at net prices: the shop would owe the VAT (§ 6a / § 4 Nr. 1b UStG). VIES is played by
a real HTTP server on localhost in a thread (``customers.vies`` speaks HTTP to it exactly as to
the EU's REST service); the suite never calls the internet.
"""

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import vies
from customers.models import VatIdCheck
from customers.personal_data import delete_vat_id_checks
from orders.errors import CheckoutError
from orders.models import Order, OrderComment
from orders.services import checkout
from orders.services.checkout import confirmation_email_context, quote_order
from shop import personal_data, retention
from shop.mail import written
from shop.models import OutboxEmail, Product
from tests.checkout import add_to_cart, checkout_post
from tests.conftest import BILLING
from tests.factories import ProductFactory

VAT_ID = "ATU13585627"
VIENNA = {
    "first_name": "Anna",
    "last_name": "Huber",
    "company": "Huber GmbH",
    "street": "Graben 1",
    "postcode": "1010",
    "city": "Wien",
    "country": "AT",
}
VALID = {
    "countryCode": "AT",
    "vatNumber": "U13585627",
    "requestDate": "2026-12-03T10:00:00.000Z",
    "valid": True,
    "requestIdentifier": "WAPIAAAAZ1234567",
    "name": "Huber GmbH",
    "address": "Graben 1\n1010 Wien",
}
INVALID = {"countryCode": "AT", "vatNumber": "U13585627", "valid": False, "name": "---"}
MS_UNAVAILABLE = {
    "actionSucceed": False,
    "errorWrappers": [{"error": "MS_UNAVAILABLE", "message": "The member state is not available"}],
}
UNCONFIRMED = (
    "Your VAT ID could not be confirmed with VIES at the time of the order, so VAT was "
    "charged. Contact us to have the invoice corrected once it can be confirmed."
)
REFUSED = (
    "This VAT ID is not registered in the EU's VIES database; correct it, or remove it to buy "
    "with VAT."
)


class FakeVies:
    """VIES on localhost: records each request's JSON body and answers with ``answers``
    (one per request, the last one repeated): a dict (JSON, HTTP 200), a ``(status, body)``
    pair, or ``"hang"`` (answers after the client has given up)."""

    def __init__(self):
        self.requests = []
        self.answers = [VALID]
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(json.loads(self.rfile.read(length)))
                answer = fake.answers[min(len(fake.requests), len(fake.answers)) - 1]
                if answer == "hang":
                    fake.released.wait(5)
                    answer = VALID
                status, body = answer if isinstance(answer, tuple) else (200, answer)
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:  # the client gave up (the "hang" answer)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/check-vat-number"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_vies(settings):
    fake = FakeVies()
    settings.VIES_URL = fake.url
    settings.VIES_TIMEOUT = 0.5
    settings.VIES_CACHE_HOURS = 24
    vies.breaker.reset()
    yield fake
    fake.stop()
    vies.breaker.reset()


@pytest.fixture
def machine(db):
    """€89.00 gross at 19 %: €74.79 net."""
    return ProductFactory(price=Decimal("89.00"), tax_rate=Decimal("19.00"), stock=10)


def business(**overrides):
    return {"billing": dict(VIENNA), "vat_id": VAT_ID, **overrides}


VIES_EVENTS = [
    checkout.VIES_CONFIRMED,
    checkout.VIES_CONFIRMED_WITHOUT_NUMBER,
    checkout.VIES_FAILED,
    checkout.VIES_UNCONFIRMED,
]


def business_post(shipping, card_payment, **overrides):
    return checkout_post(
        shipping,
        card_payment,
        is_business="on",
        vat_id=VAT_ID,
        **{f"billing_{key}": value for key, value in VIENNA.items()},
        shipping_country="AT",
        **overrides,
    )


def order_through_page(client, shipping, card_payment):
    """The page shown for the business input (the terms not yet accepted), then ordered
    with what it showed (``checkout_shown``: the placement compares)."""
    shown = client.post(
        reverse("orders:checkout"), business_post(shipping, card_payment, accept_terms=None)
    )
    assert shown.status_code == 200
    html = shown.content.decode()
    post = business_post(shipping, card_payment)
    tag = html.split('name="checkout_shown"', 1)[1].split(">", 1)[0]
    post["checkout_shown"] = tag.split('value="', 1)[1].split('"', 1)[0]
    return shown, client.post(reverse("orders:checkout"), post)


def events_of(order):
    """The order history's entries about the VIES check (the card authorisation's aside)."""
    return list(
        OrderComment.objects.filter(
            order=order, is_event=True, message__0__0__in=VIES_EVENTS
        ).order_by("pk")
    )


# ----------------------------------------------------------------------------- confirmed


def test_a_confirmed_vat_id_buys_net_and_the_proof_is_kept(fake_vies, make_order, machine):
    order = make_order({machine.pk: 1}, **business())

    assert order.reverse_charge
    assert order.goods_total == Decimal("74.79")
    # asked as VIES's REST service expects it, with the shop's own VAT ID as requester
    assert fake_vies.requests == [
        {
            "countryCode": "AT",
            "vatNumber": "U13585627",
            "requesterMemberStateCode": "DE",
            "requesterNumber": "123456788",
        }
    ]
    check = VatIdCheck.objects.get()
    assert (check.vat_id, check.result) == (VAT_ID, VatIdCheck.Result.CONFIRMED)
    assert check.name == "Huber GmbH" and check.address == "Graben 1\n1010 Wien"
    assert check.request_identifier == "WAPIAAAAZ1234567"
    # the order's history names the check and its consultation number, for staff only
    (event,) = events_of(order)
    assert VAT_ID in event.text and "WAPIAAAAZ1234567" in event.text
    assert not event.visible_to_customer
    assert not checkout.vies_unconfirmed(order)


def test_the_backoffice_order_page_shows_the_vies_proof(
    fake_vies, make_order, machine, admin_client
):
    order = make_order({machine.pk: 1}, **business())
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "VIES: confirmed" in page and "WAPIAAAAZ1234567" in page


def test_a_confirmation_is_reused_for_the_buyers_orders_that_day(fake_vies, make_order, machine):
    first = make_order({machine.pk: 1}, **business())
    second = make_order({machine.pk: 1}, **business(vat_id="atu 135 856 27"))

    assert first.reverse_charge and second.reverse_charge
    assert len(fake_vies.requests) == 1
    assert VatIdCheck.objects.count() == 1
    assert "WAPIAAAAZ1234567" in events_of(second)[0].text  # the same proof

    # a day later VIES is asked again
    VatIdCheck.objects.update(checked_at=timezone.now() - timedelta(hours=25))
    make_order({machine.pk: 1}, **business())
    assert len(fake_vies.requests) == 2


def test_a_refused_requester_is_asked_again_without_it(fake_vies, make_order, machine):
    fake_vies.answers = [
        (400, {"actionSucceed": False, "errorWrappers": [{"error": "INVALID_REQUESTER_INFO"}]}),
        {**VALID, "requestIdentifier": ""},
    ]
    order = make_order({machine.pk: 1}, **business())

    assert order.reverse_charge
    assert "requesterNumber" not in fake_vies.requests[1]
    assert VatIdCheck.objects.get().request_identifier == ""
    assert "consultation number" not in events_of(order)[0].text


# ------------------------------------------------------------------------ not registered


def test_a_vat_id_vies_does_not_know_is_refused_and_nothing_changes(
    fake_vies, client, machine, shipping, card_payment
):
    fake_vies.answers = [INVALID]
    add_to_cart(client, machine)
    response = client.post(reverse("orders:checkout"), business_post(shipping, card_payment))

    assert response.status_code == 200
    assert response.context["form"].errors["vat_id"] == [REFUSED]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=machine.pk).stock == 10
    assert client.session["cart"] == {str(machine.pk): 1}
    # what VIES said is recorded all the same
    assert VatIdCheck.objects.get().result == VatIdCheck.Result.NOT_REGISTERED


def test_the_service_refuses_it_on_the_vat_id_field(fake_vies, make_order, machine):
    fake_vies.answers = [INVALID]
    with pytest.raises(CheckoutError) as refused:
        make_order({machine.pk: 1}, **business())
    assert refused.value.field == "vat_id"
    assert not Order.objects.exists()
    # a refusal is not a confirmation to reuse: the next try asks again
    with pytest.raises(CheckoutError):
        make_order({machine.pk: 1}, **business())
    assert len(fake_vies.requests) == 2


# -------------------------------------------------------------------------------- unknown


def test_a_member_state_that_does_not_answer_means_vat_is_charged_and_said(
    fake_vies, client, machine, shipping, card_payment
):
    fake_vies.answers = [MS_UNAVAILABLE]
    add_to_cart(client, machine)
    shown, placed = order_through_page(client, shipping, card_payment)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert not order.reverse_charge
    # with VAT, the safe side: what the page showed
    assert order.goods_total == Decimal("89.00")
    assert order.grand_total == shown.context["order"].grand_total

    check = VatIdCheck.objects.get()
    assert (check.result, check.error) == (VatIdCheck.Result.UNKNOWN, "MS_UNAVAILABLE")
    staff_note, customer_note = events_of(order)
    assert "MS_UNAVAILABLE" in staff_note.text and not staff_note.visible_to_customer
    assert customer_note.text == UNCONFIRMED and customer_note.visible_to_customer

    success = client.get(reverse("orders:success")).content.decode()
    assert "Your VAT ID could not be confirmed with VIES" in success
    assert confirmation_email_context(order.pk)["vies_unconfirmed"]
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert UNCONFIRMED in mail.body_text
    assert "Your VAT ID could not be confirmed with VIES" in mail.body_html
    # a member state's registry down is no reason to stop asking VIES about others
    assert not vies.breaker.is_open


def test_a_vies_that_hangs_is_skipped_until_it_may_answer_again(fake_vies, make_order, machine):
    fake_vies.answers = ["hang"]
    first = make_order({machine.pk: 1}, **business())
    second = make_order({machine.pk: 1}, **business())

    assert not first.reverse_charge and not second.reverse_charge
    # the first checkout waited VIES_TIMEOUT; the second did not ask at all
    assert len(fake_vies.requests) == 1
    assert vies.breaker.is_open
    errors = list(VatIdCheck.objects.order_by("pk").values_list("result", "error"))
    assert [result for result, _error in errors] == ["unknown", "unknown"]
    assert "timed out" in errors[0][1].lower() and "skipped" in errors[1][1]
    assert checkout.vies_unconfirmed(second)

    fake_vies.released.set()
    vies.breaker.reset()  # (retry_after has passed)
    fake_vies.answers = [VALID]
    fake_vies.requests.clear()
    assert make_order({machine.pk: 1}, **business()).reverse_charge


@pytest.mark.parametrize(
    "answer",
    [
        (200, b"<html>Service temporarily unavailable</html>"),
        (502, b"Bad gateway"),
        (200, {"countryCode": "AT"}),  # no "valid"
    ],
)
def test_an_answer_that_cannot_be_read_is_unknown(fake_vies, make_order, machine, answer):
    fake_vies.answers = [answer]
    order = make_order({machine.pk: 1}, **business())

    assert not order.reverse_charge
    assert VatIdCheck.objects.get().result == VatIdCheck.Result.UNKNOWN
    assert checkout.vies_unconfirmed(order)
    assert vies.breaker.is_open


# ------------------------------------------------------------------------- nothing asked


def test_consumers_and_domestic_buyers_are_not_checked(fake_vies, make_order, machine):
    consumer = make_order({machine.pk: 1}, billing=dict(VIENNA))
    berlin = {**BILLING, "company": "Muster GmbH"}
    german = make_order({machine.pk: 1}, billing=berlin, vat_id="DE136695976")
    # an Austrian VAT ID with a German billing address: taxed anyway, nothing to confirm
    billed_in_germany = make_order({machine.pk: 1}, billing=berlin, vat_id=VAT_ID)

    assert not any(o.reverse_charge for o in (consumer, german, billed_in_germany))
    assert fake_vies.requests == []
    assert not VatIdCheck.objects.exists()
    assert not any(events_of(o) for o in (consumer, german, billed_in_germany))


def test_without_vies_url_the_check_digit_decides_as_before(settings, make_order, machine):
    settings.VIES_URL = ""
    order = make_order({machine.pk: 1}, **business())

    assert order.reverse_charge
    assert not VatIdCheck.objects.exists()


# ----------------------------------------------------------------------- checkout page


def test_a_page_that_showed_gross_prices_places_the_confirmed_order_net(
    fake_vies, client, machine, shipping, card_payment
):
    add_to_cart(client, machine)
    shown, placed = order_through_page(client, shipping, card_payment)

    assert shown.context["order"].goods_total == Decimal("89.00")  # not confirmed yet
    assert "With a confirmed EU VAT ID outside Germany" in shown.content.decode()
    assert placed.status_code == 302  # paying less than shown is no surprise
    order = Order.objects.get()
    assert order.reverse_charge and order.goods_total == Decimal("74.79")
    assert len(fake_vies.requests) == 1
    success = client.get(reverse("orders:success")).content.decode()
    assert "Your VAT ID could not be confirmed" not in success


def test_the_page_shows_net_prices_only_for_a_confirmed_vat_id(fake_vies, checkout_data, machine):
    data = checkout_data(**business())
    assert not quote_order({machine.pk: 1}, data).order.reverse_charge
    assert fake_vies.requests == []  # the page never waits for VIES

    VatIdCheck.objects.create(vat_id=VAT_ID, result=VatIdCheck.Result.CONFIRMED)
    quote = quote_order({machine.pk: 1}, data)
    assert quote.order.reverse_charge and quote.order.goods_total == Decimal("74.79")


def test_the_vat_id_field_says_when_the_order_is_invoiced_without_vat(client, machine):
    add_to_cart(client, machine)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert (
        "With a confirmed EU VAT ID outside Germany, the order is invoiced without VAT "
        "(reverse charge)." in page
    )


# ----------------------------------------------------------------------- personal data


def test_checks_are_personal_data_kept_as_long_as_invoices(db):
    assert personal_data.source("customers.vatidcheck").name_fields == ("name",)
    (rule,) = retention.rules_for("customers.vatidcheck")
    assert (rule.category, rule.action) == (retention.INVOICES, retention.DELETE)

    now = timezone.now()
    old = VatIdCheck.objects.create(
        vat_id=VAT_ID, result="confirmed", checked_at=now - timedelta(days=365 * 10)
    )
    recent = VatIdCheck.objects.create(vat_id=VAT_ID, result="confirmed")
    cutoff = retention.cutoff(retention.INVOICES, now)
    assert delete_vat_id_checks(cutoff, dry_run=True) == 1
    assert delete_vat_id_checks(cutoff) == 1
    assert list(VatIdCheck.objects.all()) == [recent]
    assert not VatIdCheck.objects.filter(pk=old.pk).exists()
