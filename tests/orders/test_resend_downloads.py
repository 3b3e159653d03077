"""Support sends a customer's download links again, renewed: the e-mail was lost, the links
expired or their downloads are used up. New addresses with the shop's validity and number of
downloads from now; the old address stops working; not for a canceled or closed order."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import DownloadLink, Order, OrderComment
from orders.services import OrderError
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory

from .factories import downloadable_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_ebook_order(make_order, customer, invoice_payment):
    order = make_order(
        {downloadable_product().pk: 1}, customer=customer, payment_method_id=invoice_payment.pk
    )
    services.mark_paid(order)
    return Order.objects.get(pk=order.pk)


def test_used_up_and_expired_links_are_renewed_and_emailed_again(client, paid_ebook_order):
    old = DownloadLink.objects.get()
    DownloadLink.objects.filter(pk=old.pk).update(
        download_count=old.max_downloads, expires_at=timezone.now()
    )
    OutboxEmail.objects.all().delete()

    (link,) = services.renew_download_links(paid_ebook_order)

    link.refresh_from_db()
    assert link.token != old.token and link.download_count == 0
    assert link.expires_at > timezone.now()
    assert client.get(reverse("orders:download", args=[old.token])).status_code == 404
    assert client.post(link.get_absolute_url()).status_code == 200
    mail = OutboxEmail.objects.get(template="order_downloads")
    assert link.get_absolute_url() in mail.body_text
    history = " ".join(
        OrderComment.objects.filter(order=paid_ebook_order).values_list("text", flat=True)
    )
    assert "Download links renewed and e-mailed again" in history


def test_a_closed_order_gets_no_links_again(paid_ebook_order):
    services.create_invoice(paid_ebook_order)
    services.refund_order(paid_ebook_order)
    with pytest.raises(OrderError, match="cannot be sent its download links again"):
        services.renew_download_links(paid_ebook_order)


def test_an_order_without_links_is_refused(make_order):
    with pytest.raises(OrderError, match="no download links"):
        services.renew_download_links(make_order())


def test_the_order_page_button_for_the_clerk(client, paid_ebook_order):
    clerk = RoleUserFactory(role="Order clerk")
    client.force_login(clerk)
    page = reverse("admin:orders_order_change", args=[paid_ebook_order.pk])
    assert "Send download links again" in client.get(page).content.decode()
    old = DownloadLink.objects.get().token
    response = client.post(
        reverse("admin:orders_order_resend_downloads", args=[paid_ebook_order.pk])
    )
    assert response.status_code == 302
    assert DownloadLink.objects.get().token != old
