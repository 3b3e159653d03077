"""Review requests after delivery (issue 24 item 10): N days after the last shipment, only with
consent given at checkout, one e-mail per order (never twice), a signed link to the prefilled
review form, an unsubscribe link."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orders import services as order_services
from orders.models import Order, Shipment
from reviews import review_requests
from reviews.models import Review, ReviewOptOut, ReviewRequest
from reviews.tasks import send_review_requests
from shop.models import OutboxEmail, ShopSettings
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory
from tests.orders.factories import ship_all
from tests.race import run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def days():
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 7})
    return 7


def delivered(order, days_ago):
    order_services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(order=order).update(created=timezone.now() - timedelta(days=days_ago))
    return order


@pytest.fixture
def consenting(make_order, product):
    second = ProductFactory(name="Oak board")
    return make_order(
        {product.pk: 1, second.pk: 2},
        review_request_consent=True,
        email="erika@example.com",
        language="de",
    )


def request_link(mail):
    return re.search(r"/reviews/r/[^\s/]+/", mail.body_text).group(0)


def test_off_by_default(consenting):
    delivered(consenting, 30)
    assert ShopSettings.load().review_request_days is None
    assert send_review_requests() == 0 and not ReviewRequest.objects.exists()


def test_one_email_n_days_after_the_last_shipment_in_the_orders_language(days, consenting):
    delivered(consenting, 6)
    assert review_requests.send_review_requests() == 0  # not yet
    Shipment.objects.filter(order=consenting).update(created=timezone.now() - timedelta(days=7))
    assert send_review_requests() == 1
    mail = OutboxEmail.objects.get(template="review_request")
    assert mail.to == ["erika@example.com"]
    assert consenting.number in mail.subject and "Wie gefällt" in mail.subject  # German
    assert "Oak board" in mail.body_text
    assert "/reviews/unsubscribe/" in mail.body_text
    # never twice
    assert send_review_requests() == 0
    assert OutboxEmail.objects.filter(template="review_request").count() == 1


def test_no_request_without_consent_or_when_canceled_unshipped_or_too_old(
    days, make_order, product
):
    delivered(make_order(review_request_consent=False), 8)
    make_order(review_request_consent=True)  # never shipped
    canceled = make_order(review_request_consent=True)
    order_services.cancel_order(canceled)
    delivered(make_order(review_request_consent=True), 7 + review_requests.REQUEST_WINDOW_DAYS + 1)
    assert send_review_requests() == 0


def test_the_last_shipment_is_the_delivery(days, consenting):
    lines = list(consenting.lines.all())
    order_services.create_shipment(consenting, {lines[0].pk: lines[0].quantity})
    Shipment.objects.update(created=timezone.now() - timedelta(days=20))
    order_services.create_shipment(consenting, {lines[1].pk: lines[1].quantity})
    Shipment.objects.filter(pk=Shipment.objects.latest("pk").pk).update(
        created=timezone.now() - timedelta(days=2)
    )
    assert send_review_requests() == 0  # the rest arrived only two days ago


def test_unique_order_refuses_a_second_request(consenting):
    ReviewRequest.objects.create(order=consenting, email=consenting.email)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRequest.objects.create(order=consenting, email=consenting.email)


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_one_email(days, make_order, product):
    order = delivered(make_order(review_request_consent=True), 8)

    def run(_i):
        return review_requests.send_review_request(Order.objects.get(pk=order.pk)) is not None

    results = run_concurrently(run, 4)
    assert sorted(results) == [False, False, False, True]
    assert OutboxEmail.objects.filter(template="review_request").count() == 1


def test_link_opens_the_prefilled_form_and_marks_verified(client, days, consenting, product):
    delivered(consenting, 8)
    send_review_requests()
    link = request_link(OutboxEmail.objects.get(template="review_request"))
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert product.name in html and "Oak board" in html
    assert 'value="Erika M."' in html  # prefilled name, last name shortened
    response = client.post(
        link,
        {
            "product": product.pk,
            f"p{product.pk}-rating": "5",
            f"p{product.pk}-text": "Lovely pot",
            f"p{product.pk}-author_name": "Erika M.",
            f"p{product.pk}-website": "",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.email == "erika@example.com" and review.verified_purchase
    assert review.request.order == consenting and not review.moderated
    again = client.get(link).content.decode()
    assert "Your review is waiting for moderation" in again
    # the same product cannot be reviewed twice through the link
    client.post(
        link,
        {
            "product": product.pk,
            f"p{product.pk}-rating": "1",
            f"p{product.pk}-text": "Again",
            f"p{product.pk}-author_name": "E",
        },
    )
    assert Review.objects.count() == 1


def test_tampered_or_expired_link_is_refused(client, days, consenting, settings):
    delivered(consenting, 8)
    send_review_requests()
    link = request_link(OutboxEmail.objects.get(template="review_request"))
    assert client.get(link[:-3] + "XX/").status_code == 404
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    assert client.get(link).status_code == 404


def test_unsubscribe_link_stops_all_future_requests(client, days, consenting, make_order):
    delivered(consenting, 8)
    send_review_requests()
    mail = OutboxEmail.objects.get(template="review_request")
    link = re.search(r"/reviews/unsubscribe/[^\s/]+/", mail.body_text).group(0)
    assert "erika" not in link  # no address in the URL
    assert client.get(link).status_code == 200
    assert not ReviewOptOut.objects.exists()  # a GET (mail scanners) changes nothing
    assert b"erika@example.com" in client.post(link).content
    assert ReviewOptOut.objects.filter(email="erika@example.com").exists()
    later = make_order(review_request_consent=True, email="Erika@Example.com")
    delivered(later, 8)
    assert send_review_requests() == 0


def test_checkout_consent_is_stored_and_offered_only_while_enabled(
    client, product, shipping, card_payment
):
    add_to_cart(client, product)
    assert "review_request_consent" not in client.get(reverse("orders:checkout")).content.decode()
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 5})
    assert "review_request_consent" in client.get(reverse("orders:checkout")).content.decode()
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(shipping, card_payment, review_request_consent="on"),
    )
    assert response.status_code == 302
    assert Order.objects.get().review_request_consent is True


def test_erasure_anonymises_requests_and_drops_the_opt_out(days, make_order, customer):
    from customers import services as customer_services

    order = delivered(
        make_order(customer=customer, email=customer.email, review_request_consent=True), 8
    )
    send_review_requests()
    review_requests.unsubscribe(customer.email)
    customer_services.delete_customer(customer)
    request = ReviewRequest.objects.get(order=order)
    assert request.email.endswith("@invalid")
    assert not ReviewOptOut.objects.exists()


def test_the_link_of_an_erased_person_opens_nothing(client, days, make_order, customer, product):
    """The old e-mail's link wrote a "verified purchase" review that belonged to nobody —
    neither in an export nor erasable."""
    from customers import services as customer_services

    order = make_order(customer=customer, email=customer.email, review_request_consent=True)
    delivered(order, 8)
    send_review_requests()
    link = request_link(OutboxEmail.objects.get(template="review_request"))
    assert client.get(link).status_code == 200
    customer_services.delete_customer(customer)
    assert client.get(link).status_code == 404
    data = {f"p{product.pk}-rating": "1", f"p{product.pk}-text": "written after my erasure"}
    assert client.post(link, {"product": product.pk, **data}).status_code == 404
    assert not Review.objects.filter(text="written after my erasure").exists()


def test_the_guest_data_retention_takes_the_address_from_the_request_too(make_order):
    """The guest order was anonymised and its review request still named the guest beside
    it (an audit); a recent guest's request is left alone."""
    from shop import retention

    old = make_order(email="old.guest@example.com")
    recent = make_order(email="new.guest@example.com")
    Order.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=365 * 4))
    for order in (old, recent):
        ReviewRequest.objects.create(order=order, email=order.email, language="en")
    retention.run(trigger="test")
    assert Order.objects.get(pk=old.pk).email.endswith("@invalid")
    assert ReviewRequest.objects.get(order=old).email.endswith("@invalid")
    assert ReviewRequest.objects.get(order=recent).email == "new.guest@example.com"
