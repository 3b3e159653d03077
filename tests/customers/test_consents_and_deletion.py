"""The account's "Privacy & consents" (GDPR Art. 7(3): withdrawing is as easy as consenting)
and what "Delete my account" says before the customer confirms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from orders.models import Order, OrderComment
from orders.services import create_invoice, create_shipment
from reviews import review_requests
from reviews.models import ReviewOptOut
from shop.models import ShopSettings
from tests.factories import UserFactory, settle_open_business
from tests.orders.factories import ship_all
from vouchers import offers as partner_offers

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(client):
    user = UserFactory(email="jan@example.com", first_name="Jan", last_name="Kowalski")
    client.force_login(user)
    return user


def consenting_order(make_order, customer, **consents):
    order = make_order(customer=customer, email=customer.email, **consents)
    fields = {}
    for name in consents:
        fields[f"{name}_at"] = timezone.now()
        fields[f"{name}_text"] = f"I agree ({name})"
    Order.objects.filter(pk=order.pk).update(**fields)
    order.refresh_from_db()
    return order


def test_consents_page_lists_each_consent_with_its_text_date_and_orders(client, jan, make_order):
    order = consenting_order(make_order, jan, partner_consent=True, review_request_consent=True)
    other = make_order(customer=jan, email=jan.email)  # without any consent
    page = client.get(reverse("customers:consents")).content.decode()
    assert "Partner offers and sharing order data with the partner network" in page
    assert "Review requests by e-mail" in page
    assert "I agree (partner_consent)" in page and "I agree (review_request_consent)" in page
    assert order.number in page and other.number not in page
    assert page.count('name="consent"') == 2
    # reachable from the account's navigation
    assert (
        reverse("customers:consents") in client.get(reverse("customers:account")).content.decode()
    )


def test_consents_page_of_a_customer_without_consents(client, jan, make_order):
    make_order(customer=jan, email=jan.email)
    page = client.get(reverse("customers:consents")).content.decode()
    assert "You have not given us any consent" in page


def test_withdrawing_the_partner_consent_stops_the_partner_network_and_is_in_the_history(
    client, jan, make_order
):
    ShopSettings.objects.update_or_create(
        pk=1,
        defaults={
            "partner_network_enabled": True,
            "partner_network_script_url": "https://network.example.com/t.js",
        },
    )
    order = consenting_order(make_order, jan, partner_consent=True)
    assert partner_offers.partner_network_data(order) is not None
    response = client.post(reverse("customers:consent_withdraw"), {"consent": "partner_consent"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.partner_consent is False
    assert order.partner_consent_at is not None  # the proof it was given stays
    assert partner_offers.partner_network_data(order) is None
    assert partner_offers.partner_frame_path(order) is None
    event = OrderComment.objects.get(order=order, is_event=True, text__contains="partner")
    assert "withdrew their consent to the partner network" in event.text
    page = client.get(reverse("customers:consents")).content.decode()
    assert "Withdrawn" in page and page.count('name="consent"') == 0


def test_withdrawing_review_requests_unsubscribes_the_address_like_the_link(
    client, jan, make_order
):
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 7})
    order = consenting_order(make_order, jan, review_request_consent=True)
    create_shipment(order, ship_all(order))
    order.shipments.update(created=timezone.now() - timedelta(days=8))
    assert list(review_requests.due_orders()) == [order]
    client.post(reverse("customers:consent_withdraw"), {"consent": "review_request_consent"})
    assert ReviewOptOut.objects.filter(email="jan@example.com").exists()
    order.refresh_from_db()
    assert order.review_request_consent is False
    assert not review_requests.due_orders().exists()
    assert OrderComment.objects.filter(
        order=order, is_event=True, text__contains="consent to review requests"
    ).exists()


def test_an_address_unsubscribed_by_link_shows_the_consent_withdrawn(client, jan, make_order):
    consenting_order(make_order, jan, review_request_consent=True)
    review_requests.unsubscribe("Jan@example.com")
    page = client.get(reverse("customers:consents")).content.decode()
    assert "Withdrawn" in page and page.count('name="consent"') == 0


def test_withdrawing_needs_a_post_and_a_known_consent(client, jan):
    assert client.get(reverse("customers:consent_withdraw")).status_code == 405
    assert client.post(reverse("customers:consent_withdraw"), {"consent": "x"}).status_code == 404


def test_a_customer_withdraws_only_their_own_consents(client, jan, make_order):
    other = UserFactory()
    theirs = consenting_order(make_order, other, partner_consent=True)
    client.post(reverse("customers:consent_withdraw"), {"consent": "partner_consent"})
    theirs.refresh_from_db()
    assert theirs.partner_consent is True


# --- "Delete my account" says beforehand what the erasure does --------------------------


def test_delete_page_lists_the_unpaid_orders_the_erasure_cancels(client, jan, make_order):
    pending = make_order(customer=jan, email=jan.email)  # by card, not paid yet
    assert Order.objects.filter(pk=pending.pk).cancelable_pending().exists()
    page = client.get(reverse("customers:delete_account")).content.decode()
    assert "This open, unpaid order is canceled when you delete your account" in page
    assert pending.number in page
    assert formats.date_format(timezone.localtime(pending.created), "SHORT_DATE_FORMAT") in page
    assert "e-mails we sent you are deleted" in page


def test_delete_page_says_what_happens_to_kept_orders_and_reviews(client, jan, make_order):
    from tests.reviews.factories import ReviewFactory

    order = make_order(customer=jan, email=jan.email)
    create_invoice(order)
    settle_open_business(order)  # paid and shipped: kept, not canceled
    ReviewFactory(customer=jan, email=jan.email)
    page = client.get(reverse("customers:delete_account")).content.decode()
    assert "unpaid order is canceled" not in page
    assert "Your orders stay in our books" in page
    assert "Your reviews stay, without your name" in page
