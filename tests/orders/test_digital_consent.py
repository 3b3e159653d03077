"""Downloads lose the right of withdrawal early (§ 356 Abs. 5 BGB, Art. 16(m) Directive
2011/83/EU): the checkout asks a cart with downloads for the express consent that their
delivery begins at once, with the acknowledgement that the right is then lost; the order
keeps it with its text, the confirmation repeats it, and once the download links are issued
those lines can no longer be withdrawn from. Orders placed before keep the right."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from orders import links, services
from orders.aftersales import Withdrawal
from orders.errors import CheckoutError, OrderError
from orders.models import Order
from orders.services.withdrawals import expired_lines
from shop.mail import written
from shop.models import OutboxEmail
from tests.checkout import add_to_cart, checkout_post

from .factories import downloadable_product, ship_all

pytestmark = pytest.mark.django_db

GERMAN_LABEL = "Ich möchte die Downloads sofort erhalten"


@pytest.fixture
def ebook():
    return downloadable_product(name="Kaffee-Handbuch (E-Book)")


def _post(shipping, payment, **overrides):
    return checkout_post(shipping, payment, **{"email": "guest@example.com", **overrides})


# --- the checkout ---------------------------------------------------------------------------


def test_the_checkout_asks_for_the_consent_only_for_a_cart_with_downloads(client, product, ebook):
    add_to_cart(client, product)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'name="digital_consent"' not in page
    add_to_cart(client, ebook)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'name="digital_consent"' in page
    # its own box, apart from the terms
    assert 'name="accept_terms"' in page


def test_without_the_consent_nothing_is_placed(client, ebook, shipping, invoice_payment):
    add_to_cart(client, ebook)
    response = client.post(
        reverse("orders:checkout"), _post(shipping, invoice_payment, digital_consent=None)
    )
    assert response.status_code == 200
    assert "digital_consent" in response.context["form"].errors
    assert "lose your right of withdrawal" in response.content.decode()
    assert not Order.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_the_order_keeps_the_consent_with_the_text_of_the_page(
    client, product, ebook, shipping, invoice_payment
):
    add_to_cart(client, product)
    add_to_cart(client, ebook)
    with translation.override("de"):
        url = reverse("orders:checkout")
    response = client.post(url, _post(shipping, invoice_payment))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.digital_consent_at is not None
    assert abs((timezone.now() - order.digital_consent_at).total_seconds()) < 60
    assert order.digital_consent_text.startswith(GERMAN_LABEL)
    assert "Widerrufsrecht" in order.digital_consent_text
    # the confirmation (the durable medium, § 312f Abs. 3 BGB) repeats it, naming the download
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert "Ihre Zustimmung für die Downloads (Kaffee-Handbuch (E-Book))" in mail.body_text
    assert "Kaffee-Handbuch (E-Book)" in mail.body_html and "Widerrufsrecht" in mail.body_html


def test_a_posted_consent_is_not_kept_for_an_order_without_downloads(
    client, product, shipping, invoice_payment
):
    add_to_cart(client, product)
    assert (
        client.post(reverse("orders:checkout"), _post(shipping, invoice_payment)).status_code == 302
    )
    order = Order.objects.get()
    assert order.digital_consent_at is None and order.digital_consent_text == ""
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert "consent for the downloads" not in mail.body_text


def test_the_service_refuses_downloads_without_the_consent(make_order, ebook):
    with pytest.raises(CheckoutError) as exc:
        make_order({ebook.pk: 1}, digital_consent=False)
    assert exc.value.field == "digital_consent"
    assert not Order.objects.exists()
    # goods alone need none
    assert make_order(digital_consent=False).digital_consent_at is None


def test_the_database_keeps_the_consent_only_with_its_text(make_order, ebook):
    order = make_order({ebook.pk: 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(digital_consent_text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=make_order().pk).update(digital_consent_at=timezone.now())


# --- the right of withdrawal ------------------------------------------------------------------


def test_the_right_expires_when_the_links_are_issued(make_order, product, ebook, invoice_payment):
    order = make_order({product.pk: 1, ebook.pk: 1}, payment_method_id=invoice_payment.pk)
    line = order.lines.get(is_downloadable=True)
    goods = order.lines.get(is_downloadable=False)
    # not paid yet: nothing delivered, the download can still be withdrawn from
    assert expired_lines(order) == set()
    assert services.withdrawable_units(order) == {goods.pk: 1, line.pk: 1}
    services.mark_paid(order)
    order = Order.objects.get(pk=order.pk)
    assert expired_lines(order) == {line.pk}
    assert services.withdrawable_units(order) == {goods.pk: 1}
    with pytest.raises(OrderError, match="has expired"):
        services.record_withdrawal(
            order=order,
            name="Erika Mustermann",
            email=order.email,
            order_number=order.number,
            items={line.pk: 1},
        )
    assert not Withdrawal.objects.exists()
    # the paper goods stay withdrawable
    services.record_withdrawal(
        order=order,
        name="Erika Mustermann",
        email=order.email,
        order_number=order.number,
        items={goods.pk: 1, line.pk: 0},
    )
    assert Withdrawal.objects.get().items == [{"line": goods.pk, "name": goods.name, "quantity": 1}]
    # the history records when the delivery began (the proof of the right's end)
    assert order.comments.filter(
        is_event=True, text__startswith="Download links e-mailed for Kaffee-Handbuch (E-Book)"
    ).exists()
    # the downloads e-mail says the delivery begins with it
    mail = written(OutboxEmail.objects.get(template="order_downloads"))
    assert "your right of withdrawal for them has expired" in mail.body_text


def test_a_download_only_order_is_no_longer_offered_for_withdrawal(make_order, ebook):
    order = make_order({ebook.pk: 1})  # card: authorized, links once captured
    services.mark_paid(order)
    order = Order.objects.get(pk=order.pk)
    assert not services.withdrawal_open(order)


def test_an_order_placed_before_the_checkout_asked_keeps_the_right(make_order, ebook):
    order = make_order({ebook.pk: 1})
    Order.objects.filter(pk=order.pk).update(digital_consent_at=None, digital_consent_text="")
    services.mark_paid(order)
    order = Order.objects.get(pk=order.pk)
    line = order.lines.get()
    assert expired_lines(order) == set()
    assert services.withdrawable_units(order) == {line.pk: 1}
    assert services.withdrawal_open(order)


def test_the_withdrawal_page_names_the_expired_download(
    client, make_order, product, ebook, invoice_payment
):
    order = make_order({product.pk: 1, ebook.pk: 1}, payment_method_id=invoice_payment.pk)
    services.mark_paid(order)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    page = client.get(links.withdrawal_path(order))  # a guest order: its signed link
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your right of withdrawal for the download Kaffee-Handbuch (E-Book) has expired" in text
    assert f'name="qty_{order.lines.get(is_downloadable=False).pk}"' in text
    assert f'name="qty_{order.lines.get(is_downloadable=True).pk}"' not in text


def test_the_instructions_explain_the_early_expiry(client):
    page = client.get(reverse("orders:withdrawal_instructions")).content.decode()
    assert "For downloads (digital content not supplied on a tangible medium)" in page


def test_the_backoffice_order_page_shows_the_consent(admin_client, make_order, ebook):
    order = make_order({ebook.pk: 1})
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Downloads delivered at once (no withdrawal)" in page
    # (placed without the checkout page: the checkbox's text in the order's language)
    assert "I want the downloads at once" in page
