"""Verified purchase follows the purchase (one rule: a line of the product, in an order paid
or shipped, not canceled, not fully credited); the review limit counts per account for
signed-in customers; a customer who reviewed a product sees their review, not the form."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders import services as order_services
from orders.models import Order
from reviews import services
from reviews.models import Review
from tests.factories import ProductFactory, UserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(db):
    return (
        ProductFactory(name="Lamp", price=Decimal("15.00")),
        ProductFactory(name="Coffee", price=Decimal("10.70")),
    )


def bought(make_order, customer, items):
    order = make_order(items, customer=customer, email=customer.email)
    order_services.create_invoice(order)  # card: paid
    order_services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def line(order, product):
    return order.lines.get(product=product)


def review_as(customer, product):
    return services.submit_review(
        product, rating=5, text="Fine", author_name="E", email="", customer=customer
    )


def test_a_fully_credited_line_proves_no_purchase_a_partly_credited_one_does(
    make_order, customer, goods
):
    lamp, coffee = goods
    order = bought(make_order, customer, {lamp.pk: 2, coffee.pk: 1})
    order_services.create_credit_note(order, {line(order, coffee).pk: 1}, reason="returned")
    order_services.create_credit_note(
        Order.objects.get(pk=order.pk), {line(order, lamp).pk: 1}, reason="one broke"
    )
    assert Order.objects.get(pk=order.pk).status not in (Order.Status.CANCELED, "closed")
    assert not services.has_bought(coffee, customer=customer)  # 1 of 1 credited
    assert services.has_bought(lamp, customer=customer)  # 1 of 2 credited
    assert not review_as(customer, coffee).verified_purchase
    assert review_as(customer, lamp).verified_purchase


def test_the_badge_goes_when_the_purchase_is_credited_after_the_review(
    make_order, customer, goods, django_capture_on_commit_callbacks
):
    lamp, coffee = goods
    order = bought(make_order, customer, {lamp.pk: 1, coffee.pk: 1})
    lamp_review, coffee_review = review_as(customer, lamp), review_as(customer, coffee)
    assert lamp_review.verified_purchase and coffee_review.verified_purchase
    with django_capture_on_commit_callbacks(execute=True):
        order_services.create_credit_note(order, {line(order, coffee).pk: 1}, reason="returned")
    lamp_review.refresh_from_db()
    coffee_review.refresh_from_db()
    assert lamp_review.verified_purchase and not coffee_review.verified_purchase


def test_a_second_order_that_stands_keeps_the_badge(
    make_order, customer, goods, django_capture_on_commit_callbacks
):
    lamp, _coffee = goods
    first = bought(make_order, customer, {lamp.pk: 1})
    bought(make_order, customer, {lamp.pk: 1})
    review = review_as(customer, lamp)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.create_credit_note(first, {line(first, lamp).pk: 1}, reason="returned")
    review.refresh_from_db()
    assert review.verified_purchase


# --- the limit per account ------------------------------------------------------------------


def post(client, product, ip, **overrides):
    data = {"rating": "5", "text": "Nice", "author_name": "X", "email": "x@example.com"}
    data.update(overrides)
    return client.post(
        reverse("reviews:submit", args=[product.slug]), data, REMOTE_ADDR=ip, follow=True
    )


def test_customers_behind_one_address_have_a_limit_each(settings):
    settings.REVIEW_THROTTLE_LIMIT = 1
    office = "203.0.113.7"
    first, second = ProductFactory(), ProductFactory()
    ida, max_ = Client(), Client()
    ida.force_login(UserFactory(email="ida@example.com"))
    max_.force_login(UserFactory(email="max@example.com"))
    post(ida, first, office)
    response = post(max_, first, office)
    assert "Please try again later" not in response.content.decode()
    assert Review.objects.filter(product=first).count() == 2
    # Each account's own limit still holds, from any address.
    response = post(ida, second, "198.51.100.1")
    assert "Please try again later" in response.content.decode()
    # A visitor without an account behind the office address is limited by the address,
    # which the customers' reviews did not use up.
    post(Client(), second, office, email="guest@example.com")
    assert Review.objects.filter(product=second, email="guest@example.com").exists()
    response = post(Client(), first, office, email="guest2@example.com")
    assert "Please try again later" in response.content.decode()


# --- the customer's own review on the product page ------------------------------------------


def test_a_customer_who_reviewed_sees_the_review_and_its_status_instead_of_the_form(client, staff):
    ida = UserFactory(email="ida@example.com", first_name="Ida", last_name="Nielsen")
    product = ProductFactory()
    client.force_login(ida)
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'value="Ida N."' in page and "Ida Nielsen" not in page
    assert "Shown publicly with your review." in page
    post(client, product, "10.0.0.1", author_name="Ida N.")
    review = Review.objects.get()
    page = client.get(product.get_absolute_url()).content.decode()
    date = timezone.localtime(review.created).strftime("%-d %b %Y")  # the shop's day
    assert f"You reviewed this product on {date}." in page
    assert "Waiting for moderation" in page
    assert reverse("reviews:submit", args=[product.slug]) not in page  # no second form
    services.activate(review, staff)
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Published" in page
    services.deactivate(review, staff)
    assert "Not published" in client.get(product.get_absolute_url()).content.decode()
