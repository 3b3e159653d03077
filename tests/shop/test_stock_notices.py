"""Back-in-stock notices (shop.stock_notices): a sold-out product's page offers "E-mail me
when it is back in stock"; the address confirms through a signed link (a POST button), beat
sends one e-mail per confirmed notice once the stock is back, and the notices are personal
data (retention, erasure)."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from customers import services as customer_services
from shop import pagecache, retention, stock_notices
from shop.mail import without_secrets
from shop.models import OutboxEmail, Product, ShopSettings, StockNotice
from shop.tasks import send_stock_notices
from tests.factories import ProductFactory, UserFactory

# The rate limits count per client (127.0.0.1) and address in the cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

CONFIRM_LINK = re.compile(r"/stock-notices/confirm/[^/\s\"]+/")
CANCEL_LINK = re.compile(r"/stock-notices/cancel/[^/\s\"]+/")


@pytest.fixture
def sold_out(db):
    return ProductFactory(name="Teapot", stock=0)


def _request(client, product, email, **kwargs):
    return client.post(
        reverse("shop:stock_notice_request", args=[product.slug]), {"email": email}, **kwargs
    )


def _messages(response):
    """The messages shown above the page the response ended on."""
    return re.findall(r'<li class="msg [^"]*">(.*?)</li>', response.content.decode(), re.S)


def _mails(template):
    return list(OutboxEmail.objects.filter(template=template).order_by("pk"))


def _confirm(client, email_row):
    path = CONFIRM_LINK.search(email_row.body_text).group(0)
    response = client.post(path)
    assert response.status_code == 302
    return path


def _restock(product, stock=5):
    # As an order's return or the catalog import do it: a queryset update, no signal.
    Product.objects.filter(pk=product.pk).update(stock=stock)


# --- the form on the product page ---------------------------------------------------------


def test_sold_out_product_page_shows_the_form_and_an_orderable_one_does_not(client, sold_out):
    html = client.get(sold_out.get_absolute_url()).content.decode()
    assert 'id="stock-notice"' in html
    assert reverse("shop:stock_notice_request", args=[sold_out.slug]) in html
    backordered = ProductFactory(stock=0, allow_backorders=True)
    in_stock = ProductFactory(stock=3)
    for product in (backordered, in_stock):
        assert 'id="stock-notice"' not in client.get(product.get_absolute_url()).content.decode()


def test_logged_in_customer_finds_the_address_filled_in(client, sold_out):
    erika = UserFactory(email="erika@example.com")
    client.force_login(erika)
    html = client.get(sold_out.get_absolute_url()).content.decode()
    assert re.search(r'name="email"[^>]*value="erika@example.com"', html)


def test_form_works_for_a_guest_on_a_cached_page(sold_out):
    """The page is kept for guests (shop.pagecache): each guest's copy carries their own
    CSRF token in the back-in-stock form, and posting it with CSRF checks on works."""
    ShopSettings.load()  # (creating the settings row is a change of every page)
    url = sold_out.get_absolute_url()
    Client().get(url)  # rendered and kept
    guest = Client(enforce_csrf_checks=True)
    response = guest.get(url)
    assert response.templates == []  # the kept copy
    html = response.content.decode()
    assert pagecache.CSRF_SLOT not in html
    form = html[html.index('id="stock-notice"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = guest.post(
        reverse("shop:stock_notice_request", args=[sold_out.slug]),
        {"csrfmiddlewaretoken": token, "email": "guest@example.com"},
    )
    assert response.status_code == 302
    assert StockNotice.objects.filter(email="guest@example.com").exists()


# --- requesting ------------------------------------------------------------------------------


def test_request_sends_a_confirmation_email_in_the_visitors_language(client, sold_out):
    with translation.override("de"):
        url = reverse("shop:stock_notice_request", args=[sold_out.slug])
    assert url.startswith("/de/")
    response = client.post(url, {"email": " Anna@Example.com "})
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    notice = StockNotice.objects.get()
    assert (notice.email, notice.language, notice.confirmed_at) == ("anna@example.com", "de", None)
    (mail,) = _mails("stock_notice_confirm")
    assert mail.to == ["anna@example.com"]
    assert "Teapot" in mail.subject
    assert CONFIRM_LINK.search(mail.body_text) and CANCEL_LINK.search(mail.body_text)
    assert "/de/stock-notices/confirm/" in mail.body_text  # the links in German too
    # Whoever reads the outbox cannot confirm or cancel someone's notice.
    shown = without_secrets(mail.body_text)
    for link in (CONFIRM_LINK, CANCEL_LINK):
        signed = link.search(mail.body_text).group(0).rstrip("/").split("/")[-1]
        assert signed not in shown


def test_repeated_request_gets_the_same_answer_and_makes_no_second_notice(client, sold_out):
    first = _request(client, sold_out, "anna@example.com", follow=True)
    second = _request(client, sold_out, "ANNA@example.com", follow=True)
    other = _request(client, sold_out, "new@example.com", follow=True)
    answers = [_messages(r) for r in (first, second, other)]
    assert answers[0] == answers[1] == answers[2] == [escape(stock_notices.REQUESTED)]
    assert StockNotice.objects.filter(email="anna@example.com").count() == 1
    # A confirmed address asking again gets the same answer and no e-mail.
    _confirm(client, _mails("stock_notice_confirm")[0])
    before = OutboxEmail.objects.count()
    again = _request(client, sold_out, "anna@example.com", follow=True)
    assert _messages(again) == answers[0]
    assert OutboxEmail.objects.count() == before
    assert StockNotice.objects.filter(email="anna@example.com").count() == 1


def test_an_address_gets_few_confirmation_emails_however_often_it_is_typed(
    client, sold_out, settings
):
    settings.STOCK_NOTICE_REQUEST_LIMIT = 100
    for _ in range(6):
        _request(client, sold_out, "victim@example.com")
    assert len(_mails("stock_notice_confirm")) == 3
    assert StockNotice.objects.count() == 1


def test_bad_email_is_a_form_error_and_stores_nothing(client, sold_out):
    for bad in ("not-an-address", "", "a@b", "x" * 250 + "@example.com"):
        response = _request(client, sold_out, bad)
        assert response.status_code == 200, bad
        html = response.content.decode()
        assert 'class="error-summary"' in html and 'id="stock-notice"' in html, bad
    assert not StockNotice.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_no_notice_for_a_product_in_stock(client):
    product = ProductFactory(stock=4)
    response = _request(client, product, "anna@example.com")
    assert response.status_code == 302
    assert not StockNotice.objects.exists() and not OutboxEmail.objects.exists()


def test_the_form_is_rate_limited_per_client(client, sold_out, settings):
    settings.STOCK_NOTICE_REQUEST_LIMIT = 2
    for n in range(3):
        response = _request(client, sold_out, f"person{n}@example.com", follow=True)
    assert _messages(response) == [escape(stock_notices.THROTTLED)]
    assert StockNotice.objects.count() == 2


# --- confirming -------------------------------------------------------------------------------


def test_get_on_the_confirmation_link_changes_nothing_the_button_confirms(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    path = CONFIRM_LINK.search(_mails("stock_notice_confirm")[0].body_text).group(0)
    page = client.get(path)
    assert page.status_code == 200 and "Teapot" in page.content.decode()
    assert StockNotice.objects.get().confirmed_at is None
    assert client.post(path).status_code == 302
    assert StockNotice.objects.get().confirmed_at is not None
    tampered = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"
    assert client.post(tampered).status_code == 404


def test_cancel_link_deletes_the_notice(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    path = CANCEL_LINK.search(_mails("stock_notice_confirm")[0].body_text).group(0)
    assert client.get(path).status_code == 200
    assert StockNotice.objects.exists()  # a GET changes nothing
    assert client.post(path).status_code == 200
    assert not StockNotice.objects.exists()


# --- sending ---------------------------------------------------------------------------------


def test_unconfirmed_notice_is_not_sent(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    _restock(sold_out)
    assert send_stock_notices() == 0
    assert not _mails("stock_notice_back")
    assert StockNotice.objects.get().sent_at is None


def test_confirmed_notice_is_sent_once_when_the_stock_is_back(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    _confirm(client, _mails("stock_notice_confirm")[0])
    assert send_stock_notices() == 0  # still sold out
    assert not _mails("stock_notice_back")

    _restock(sold_out)
    assert send_stock_notices() == 1
    assert send_stock_notices() == 0  # a second run (or worker) sends nothing
    (mail,) = _mails("stock_notice_back")
    assert mail.to == ["anna@example.com"]
    assert "Teapot" in mail.subject
    assert sold_out.get_absolute_url() in mail.body_text
    assert CANCEL_LINK.search(mail.body_text)
    assert StockNotice.objects.get().sent_at is not None


def test_the_email_is_written_in_the_notices_language(client, sold_out):
    with translation.override("pl"):
        url = reverse("shop:stock_notice_request", args=[sold_out.slug])
    client.post(url, {"email": "ola@example.com"})
    _confirm(client, _mails("stock_notice_confirm")[0])
    _restock(sold_out)
    send_stock_notices()
    (mail,) = _mails("stock_notice_back")
    assert f"/pl/products/{sold_out.slug}/" in mail.body_text
    assert mail.body_html.startswith('<!doctype html><html lang="pl"')


def test_inactive_product_back_in_stock_sends_nothing(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    _confirm(client, _mails("stock_notice_confirm")[0])
    Product.objects.filter(pk=sold_out.pk).update(stock=5, is_active=False)
    assert send_stock_notices() == 0


def test_after_sending_a_new_request_makes_a_new_notice(client, sold_out):
    _request(client, sold_out, "anna@example.com")
    _confirm(client, _mails("stock_notice_confirm")[0])
    _restock(sold_out)
    send_stock_notices()
    _restock(sold_out, 0)
    _request(client, sold_out, "anna@example.com")
    assert StockNotice.objects.filter(email="anna@example.com").count() == 2
    assert StockNotice.objects.filter(sent_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once():
    product = ProductFactory(stock=0)
    for n in range(30):
        StockNotice.objects.create(
            product=product,
            email=f"p{n}@example.com",
            token=f"t{n}",
            confirmed_at=timezone.now(),
        )
    _restock(product)
    counts, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            counts.append(stock_notices.send_due(batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 30
    sent = OutboxEmail.objects.filter(template="stock_notice_back")
    assert sent.count() == 30
    assert len({tuple(m.to) for m in sent}) == 30
    assert not StockNotice.objects.filter(sent_at__isnull=True).exists()


# --- personal data ---------------------------------------------------------------------------


def test_erasing_a_customer_deletes_their_notices(client, sold_out):
    erika = UserFactory(email="erika@example.com")
    _request(client, sold_out, "Erika@example.com")
    _request(client, sold_out, "someone.else@example.com")
    customer_services.delete_customer(erika)
    assert list(StockNotice.objects.values_list("email", flat=True)) == ["someone.else@example.com"]


def test_erasing_a_guest_deletes_their_notices(client, sold_out):
    _request(client, sold_out, "guest@example.com")
    customer_services.delete_guest("guest@example.com")
    assert not StockNotice.objects.exists()


def test_retention_deletes_old_sent_and_unconfirmed_notices_and_keeps_waiting_ones(sold_out):
    old = timezone.now() - timedelta(days=91)
    recent = timezone.now() - timedelta(days=10)

    def notice(name, **fields):
        return StockNotice.objects.create(
            product=sold_out, email=f"{name}@example.com", token=name, **fields
        )

    notice("old-unconfirmed", created=old)
    notice("old-sent", created=old, confirmed_at=old, sent_at=old)
    notice("old-waiting", created=old, confirmed_at=old)
    notice("new-unconfirmed", created=recent)
    notice("new-sent", created=old, confirmed_at=old, sent_at=recent)
    # a year of waiting is enough: the product is not coming back
    year = timezone.now() - timedelta(days=366)
    notice("waited-a-year", created=year, confirmed_at=year)
    _run, results = retention.run(trigger="test")
    (result,) = [r for r in results if r["category"] == retention.STOCK_NOTICES]
    assert result["count"] == 3 and not result["error"]
    assert set(StockNotice.objects.values_list("token", flat=True)) == {
        "old-waiting",
        "new-unconfirmed",
        "new-sent",
    }
    assert [r.key for r in retention.rules_for("shop.stocknotice")] == ["back-in-stock notices"]


def test_one_open_notice_per_product_and_address_is_a_database_rule(sold_out):
    from django.db import IntegrityError, transaction

    StockNotice.objects.create(product=sold_out, email="anna@example.com", token="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockNotice.objects.create(product=sold_out, email="ANNA@example.com", token="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockNotice.objects.create(
            product=sold_out, email="x@example.com", token="c", sent_at=timezone.now()
        )


# --- backoffice ------------------------------------------------------------------------------


def test_backoffice_lists_who_waits_and_the_product_page_counts_them(admin_client, sold_out):
    for n in range(2):
        StockNotice.objects.create(
            product=sold_out, email=f"w{n}@example.com", token=f"w{n}", confirmed_at=timezone.now()
        )
    StockNotice.objects.create(product=sold_out, email="u@example.com", token="u")
    listing = admin_client.get(
        reverse("admin:shop_stocknotice_changelist") + f"?product__id__exact={sold_out.pk}"
        "&state=waiting"
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "2 back-in-stock notices" in html and "u@example.com" not in html
    page = admin_client.get(reverse("admin:shop_product_change", args=[sold_out.pk]))
    assert "2 people" in page.content.decode()
    add = admin_client.get(reverse("admin:shop_stocknotice_add"))
    assert add.status_code == 403
