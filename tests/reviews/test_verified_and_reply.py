"""Verified purchase, the shop's reply and the rating distribution (issue 24 items 8, 9, 11)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from orders import services as order_services
from orders.models import Order
from reviews import services
from reviews.errors import ReviewError
from reviews.models import Review
from shop.models import ShopSettings
from tests.factories import ProductFactory, RoleUserFactory, UserFactory
from tests.orders.factories import ship_all
from tests.registration import register_and_confirm

from .confirming import confirm
from .factories import ReviewFactory

pytestmark = pytest.mark.django_db


def submit(client, product, **overrides):
    data = {
        "rating": "5",
        "text": "Really good.",
        "author_name": "Erika",
        "email": "erika@example.com",
        "website": "",
        **overrides,
    }
    return client.post(reverse("reviews:submit", args=[product.slug]), data, follow=True)


# --- verified purchase --------------------------------------------------------------------
# Proven only: an order of the signed-in account, or the order of a review-request link
# (tests/reviews/test_requests.py). A typed address never proves anything.


def paying_guest(make_order, product, email="thomas.gast@example.com"):
    """A guest who bought ``product``: paid and shipped, the strongest proof a guest order has."""
    order = make_order({product.pk: 1}, email=email)
    order_services.mark_paid(order)
    order_services.create_shipment(order, ship_all(order))
    return order


def test_typing_a_paying_guests_address_does_not_make_a_verified_purchase(
    client, make_order, product, staff
):
    """The tester's report: an anonymous POST to /de/products/<slug>/reviews/ with the address
    of a guest who bought the product got the badge."""
    paying_guest(make_order, product)
    response = client.post(
        f"/de/products/{product.slug}/reviews/",
        {
            "rating": "5",
            "text": "Bestes Produkt!",
            "author_name": "Thomas",
            "email": "Thomas.Gast@example.com",
            "website": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    confirm(client, "thomas.gast@example.com")
    review = Review.objects.get()  # still accepted, as an unverified review
    assert not review.verified_purchase and review.customer is None
    services.activate(review, staff)
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Bestes Produkt!" in page and "Verified purchase" not in page
    client.force_login(staff)
    changelist = reverse("admin:reviews_review_changelist")
    listing = client.get(changelist).content.decode()
    assert "Thomas" in listing and "✓ verified purchase" not in listing
    verified_only = client.get(changelist, {"verified_purchase__exact": "1"})
    assert list(verified_only.context["cl"].result_list) == []


def test_an_account_opened_with_a_guests_address_does_not_verify_the_guests_purchase(
    client, make_order, product
):
    """A guest order under the account's address is not the account's purchase: only the
    account's own orders (or a review-request link) prove one."""
    paying_guest(make_order, product)
    register_and_confirm(client, "thomas.gast@example.com", first_name="Not", last_name="Thomas")
    assert client.get(reverse("customers:account")).status_code == 200  # signed in
    submit(client, product, email="thomas.gast@example.com")
    review = Review.objects.get()
    assert review.customer.email == "thomas.gast@example.com"
    assert not review.verified_purchase


def test_signed_in_customer_with_a_paid_account_order_is_a_verified_buyer(
    client, make_order, product, customer
):
    order = make_order({product.pk: 1}, customer=customer, email=customer.email)
    order_services.mark_paid(order)
    client.force_login(customer)
    submit(client, product)
    review = Review.objects.get()
    assert review.verified_purchase and review.customer == customer


def test_unpaid_canceled_or_other_product_is_not_verified(client, make_order, product, customer):
    other = ProductFactory()
    make_order({product.pk: 1}, customer=customer)  # unpaid, not shipped
    canceled = make_order({product.pk: 1}, customer=customer)
    order_services.cancel_order(canceled)
    paid_other = make_order({other.pk: 1}, customer=customer)
    order_services.mark_paid(paid_other)
    client.force_login(customer)
    submit(client, product)
    assert not Review.objects.get().verified_purchase


def test_shipped_order_counts_even_if_paid_later(client, make_order, product, customer):
    order = make_order({product.pk: 1}, customer=customer)
    order_services.create_shipment(order, ship_all(order))
    client.force_login(customer)
    submit(client, product)
    assert Review.objects.get().verified_purchase


def test_signed_in_customer_is_verified_by_account_not_by_a_typed_address(
    client, make_order, product
):
    second = ProductFactory()
    buyer = UserFactory(email="buyer@example.com")
    order = make_order({product.pk: 1, second.pk: 1}, customer=buyer, email=buyer.email)
    order_services.mark_paid(order)
    # A visitor typing the buyer's address is not the buyer: account orders need the login.
    submit(client, product, email="buyer@example.com")
    assert not Review.objects.get().verified_purchase
    client.force_login(buyer)
    submit(client, second, email="whatever@example.com", text="Second review")
    review = Review.objects.get(text="Second review")
    assert review.verified_purchase
    assert review.email == "buyer@example.com"  # the account's, not the typed one


def test_verified_is_taken_away_when_the_order_is_canceled(
    client, make_order, product, customer, django_capture_on_commit_callbacks
):
    order = make_order({product.pk: 1}, customer=customer)
    order_services.mark_paid(order)
    client.force_login(customer)
    submit(client, product)
    assert Review.objects.get().verified_purchase
    with django_capture_on_commit_callbacks(execute=True):
        order_services.cancel_order(Order.objects.get(pk=order.pk))
    assert not Review.objects.get().verified_purchase


def test_product_page_marks_verified_reviews(client):
    product = ProductFactory()
    ReviewFactory(product=product, moderated=True, active=True, verified_purchase=True, text="V")
    ReviewFactory(product=product, moderated=True, active=True, text="Not verified one")
    html = client.get(product.get_absolute_url()).content.decode()
    items = html.split('<li style="border-top')[1:]
    verified = next(i for i in items if 'class="review-text">V<' in i)
    other = next(i for i in items if "Not verified one" in i)
    assert "✓ Verified purchase" in verified and "Verified purchase" not in other


def test_backoffice_filters_verified_purchases(admin_client):
    verified = ReviewFactory(verified_purchase=True)
    ReviewFactory()
    response = admin_client.get(
        reverse("admin:reviews_review_changelist"), {"verified_purchase__exact": "1"}
    )
    assert [r.pk for r in response.context["cl"].result_list] == [verified.pk]
    assert "verified purchase" in response.content.decode()


# --- the shop's reply ---------------------------------------------------------------------


def reply_url(review):
    return reverse("admin:reviews_review_reply", args=[review.pk])


def test_marketing_publishes_edits_and_removes_a_reply_logged(client):
    marketing = RoleUserFactory(role="Marketing")
    ShopSettings.objects.update(shop_name="Nordlicht Shop")
    review = ReviewFactory(moderated=True, active=True, text="Lid chipped")
    client.force_login(marketing)
    assert client.get(reply_url(review)).status_code == 200
    response = client.post(reply_url(review), {"reply_text": "Sorry! We send a new lid."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reply_text == "Sorry! We send a new lid." and review.reply_by == marketing
    page = client.get(review.product.get_absolute_url()).content.decode()
    assert "Reply from Nordlicht Shop" in page and "Sorry! We send a new lid." in page

    client.post(reply_url(review), {"reply_text": "Sorry! A new lid is on its way."})
    review.refresh_from_db()
    assert review.reply_text == "Sorry! A new lid is on its way."
    client.post(reply_url(review), {"_remove": "1", "reply_text": ""})
    review.refresh_from_db()
    assert review.reply_text == "" and review.replied_at is None
    assert "Reply from" not in client.get(review.product.get_absolute_url()).content.decode()
    history = [e.change_message for e in LogEntry.objects.filter(object_id=str(review.pk))]
    assert history == ["Shop reply removed.", "Shop reply edited.", "Shop reply published."]


def test_reply_needs_the_permission_and_text(client, staff):
    review = ReviewFactory()
    client.force_login(staff)
    response = client.post(reply_url(review), {"reply_text": "   "})
    assert response.status_code == 200 and response.context["form"].errors
    client.force_login(RoleUserFactory(role="Order clerk"))
    assert client.post(reply_url(review), {"reply_text": "Hi"}).status_code == 403
    review.refresh_from_db()
    assert review.reply_text == ""
    with pytest.raises(ReviewError):
        services.remove_reply(review, None)


def test_reply_text_is_escaped_and_shown_only_under_public_reviews(client):
    hidden = ReviewFactory(moderated=True, active=False)
    services.reply(hidden, None, "Hidden reply")
    shown = ReviewFactory(product=hidden.product, moderated=True, active=True)
    services.reply(shown, None, "<b>bold</b> reply")
    html = client.get(hidden.product.get_absolute_url()).content.decode()
    assert "Hidden reply" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; reply" in html


def test_change_form_shows_the_reply_and_the_link(admin_client):
    review = ReviewFactory()
    services.reply(review, None, "Thanks for the feedback")
    html = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk])).content
    assert b"Thanks for the feedback" in html and reply_url(review).encode() in html


# --- rating distribution ------------------------------------------------------------------


def test_product_page_shows_the_distribution_per_star(client):
    product = ProductFactory()
    for rating in (5, 5, 5, 4, 1):
        ReviewFactory(product=product, rating=rating, moderated=True, active=True)
    ReviewFactory(product=product, rating=2, moderated=True, active=False)  # not public
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'class="rating-distribution"' in html
    for stars, count in ((5, 3), (4, 1), (3, 0), (2, 0), (1, 1)):
        assert f'data-stars="{stars}"' in html
        row = html.split(f'data-stars="{stars}"')[1].split("</tr>")[0]
        assert f">{count} <" in row
    assert "width:60%" in html and "width:20%" in html and "width:0%" in html
