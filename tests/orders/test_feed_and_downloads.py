"""New-orders feed token auth, and download links (expiry, count limit, clear errors)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import DownloadLink
from shop.models import OutboxEmail, ShopSettings
from tests.factories import StaffFactory, UserFactory

from .factories import downloadable_product

pytestmark = pytest.mark.django_db


# --- feed ------------------------------------------------------------------------------


def test_feed_lists_pending_orders_for_a_valid_token(client, staff, make_order):
    pending, invoiced = make_order(), make_order()
    services.create_invoice(invoiced)
    token = services.regenerate_feed_token(staff)
    response = client.get(reverse("orders:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert f"order-{pending.number}" in body
    assert f"order-{invoiced.number}" not in body


def test_wrong_revoked_or_foreign_tokens_are_404(client, staff):
    assert client.get(reverse("orders:feed", args=["guess"])).status_code == 404
    token = services.regenerate_feed_token(staff)
    services.regenerate_feed_token(staff)  # the old one stops working
    assert client.get(reverse("orders:feed", args=[token])).status_code == 404
    token = services.regenerate_feed_token(staff)
    services.revoke_feed_token(staff)
    assert client.get(reverse("orders:feed", args=[token])).status_code == 404


def test_token_of_a_non_staff_or_deactivated_user_is_404(client):
    customer = UserFactory()
    token = services.regenerate_feed_token(customer)
    assert client.get(reverse("orders:feed", args=[token])).status_code == 404
    former = StaffFactory(is_superuser=True)
    token = services.regenerate_feed_token(former)
    former.is_active = False
    former.save()
    assert client.get(reverse("orders:feed", args=[token])).status_code == 404


# --- downloads --------------------------------------------------------------------------


@pytest.fixture
def paid_ebook_order(make_order, customer, invoice_payment):
    ebook = downloadable_product()
    order = make_order({ebook.pk: 1}, customer=customer, payment_method_id=invoice_payment.pk)
    assert not DownloadLink.objects.exists()  # nothing before payment
    services.mark_paid(order)
    return order


def test_paying_creates_a_link_and_emails_it(paid_ebook_order):
    link = DownloadLink.objects.get(order=paid_ebook_order)
    shop = ShopSettings.load()
    assert link.max_downloads == shop.download_max_count
    expected = timezone.now() + timedelta(days=shop.download_expiry_days)
    assert abs((link.expires_at - expected).total_seconds()) < 60
    mail = OutboxEmail.objects.get(template="order_downloads")
    assert link.get_absolute_url() in mail.body_text
    services.mark_paid(paid_ebook_order)
    assert DownloadLink.objects.count() == 1  # idempotent


def test_download_streams_the_file_and_counts(client, paid_ebook_order):
    link = DownloadLink.objects.get()
    response = client.post(link.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo e-book"
    assert "attachment" in response["Content-Disposition"]
    link.refresh_from_db()
    assert link.download_count == 1 and link.last_download_at is not None


def test_opening_the_link_shows_its_page_and_uses_up_no_download(paid_ebook_order):
    """Mail scanners (Safe Links, a company's gateway) and link previews open the links of an
    e-mail with a GET before the buyer does: each visit used up one of the buyer's downloads.
    A GET now shows the download's page; its button (a POST with the page's CSRF token)
    delivers the file and counts it."""
    link = DownloadLink.objects.get()
    scanner = Client(enforce_csrf_checks=True)
    for _visit in range(link.max_downloads + 1):
        page = scanner.get(link.get_absolute_url())
        assert page.status_code == 200
    link.refresh_from_db()
    assert link.download_count == 0 and link.last_download_at is None
    html = page.content.decode()
    assert link.order_line.name in html and paid_ebook_order.number in html
    assert f"{link.max_downloads} of {link.max_downloads}" in html  # downloads left
    assert f'<form method="post" action="{link.get_absolute_url()}">' in html
    assert "csrfmiddlewaretoken" in html
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Robots-Tag"] == "noindex"

    # The page's button, with the page's token: the file, counted once.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = scanner.post(link.get_absolute_url(), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo e-book"
    link.refresh_from_db()
    assert link.download_count == 1
    assert f"{link.max_downloads - 1} of {link.max_downloads}" in (
        scanner.get(link.get_absolute_url()).content.decode()
    )


def test_a_post_without_the_pages_token_is_refused_and_counts_nothing(paid_ebook_order):
    link = DownloadLink.objects.get()
    response = Client(enforce_csrf_checks=True).post(link.get_absolute_url())
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.download_count == 0


def test_a_head_request_uses_up_no_download(client, paid_ebook_order):
    """Link checkers ask with HEAD: refused, and it counts nothing."""
    link = DownloadLink.objects.get()
    for _check in range(link.max_downloads):
        assert client.head(link.get_absolute_url()).status_code == 405
    link.refresh_from_db()
    assert link.download_count == 0
    assert client.post(link.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_used_up_link_gives_a_clear_410(client, paid_ebook_order, method):
    link = DownloadLink.objects.get()
    DownloadLink.objects.filter(pk=link.pk).update(download_count=link.max_downloads)
    response = getattr(client, method)(link.get_absolute_url())
    assert response.status_code == 410
    assert b"maximum allowed" in response.content
    action = f'action="{link.get_absolute_url()}"'.encode()
    assert action not in response.content  # no download button that cannot work
    link.refresh_from_db()
    assert link.download_count == link.max_downloads


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_link_gives_a_clear_410(client, paid_ebook_order, method):
    link = DownloadLink.objects.get()
    DownloadLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = getattr(client, method)(link.get_absolute_url())
    assert response.status_code == 410
    assert b"expired" in response.content
    link.refresh_from_db()
    assert link.download_count == 0


def test_the_account_page_downloads_with_one_click(client, paid_ebook_order):
    """The customer's own order page posts straight to the file (no page in between)."""
    link = DownloadLink.objects.get()
    client.force_login(paid_ebook_order.customer)
    html = client.get(reverse("orders:account_order", args=[paid_ebook_order.number])).content
    form = re.search(
        rb'<form method="post" action="([^"]+)">.*?</form>', html.split(b"Downloads")[-1], re.S
    )
    assert form and form.group(1).decode() == link.get_absolute_url()
    assert b"csrfmiddlewaretoken" in form.group(0)
    response = client.post(link.get_absolute_url())
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo e-book"
    link.refresh_from_db()
    assert link.download_count == 1


def test_unknown_link_is_404_page(client, db):
    response = client.get(reverse("orders:download", args=["nope"]))
    assert response.status_code == 404
    assert b"does not exist" in response.content


def test_refunded_order_closes_its_downloads(client, paid_ebook_order):
    services.create_invoice(paid_ebook_order)
    services.refund_order(paid_ebook_order)
    for ask in (client.get, client.post):
        assert ask(DownloadLink.objects.get().get_absolute_url()).status_code == 410


def test_limit_holds_for_the_last_download(client, paid_ebook_order):
    link = DownloadLink.objects.get()
    DownloadLink.objects.filter(pk=link.pk).update(download_count=link.max_downloads - 1)
    assert client.post(link.get_absolute_url()).status_code == 200
    assert client.post(link.get_absolute_url()).status_code == 410


def test_account_page_lists_downloads(client, customer, paid_ebook_order):
    client.force_login(customer)
    html = client.get(paid_ebook_order.get_absolute_url()).content.decode()
    assert DownloadLink.objects.get().get_absolute_url() in html
