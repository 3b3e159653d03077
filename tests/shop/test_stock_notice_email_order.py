"""The back-in-stock e-mail reads in the order a customer needs it: what is back and the link
to buy it first, then that this was the only e-mail of the notice, how long the address is
kept afterwards (the retention rule "back-in-stock notices") and, last, the link that deletes
it now — in text and HTML, in every language."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shop.models import OutboxEmail, Product, StockNotice
from shop.tasks import send_stock_notices
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

CONFIRM_LINK = re.compile(r"/stock-notices/confirm/[^/\s\"]+/")
CANCEL_LINK = re.compile(r"/stock-notices/cancel/[^/\s\"]+/")
ONE_EMAIL = {
    "en": "This was the one e-mail you asked for",
    "de": "Dies war die eine E-Mail",
    "pl": "To był jedyny e-mail",
    "da": "Dette var den ene e-mail",
}


def back_in_stock_email(language, email="anna@example.com"):
    """The e-mail a confirmed notice of a sold-out teapot gets once the stock is back."""
    teapot = ProductFactory(name="Teapot", stock=0)
    client = Client()
    with translation.override(language):
        url = reverse("shop:stock_notice_request", args=[teapot.slug])
    client.post(url, {"email": email})
    confirm = OutboxEmail.objects.get(template="stock_notice_confirm")
    client.post(CONFIRM_LINK.search(confirm.body_text).group(0))
    Product.objects.filter(pk=teapot.pk).update(stock=3)
    assert send_stock_notices() == 1
    return teapot, OutboxEmail.objects.get(template="stock_notice_back")


def positions(body, *needles):
    found = [body.find(needle) for needle in needles]
    assert -1 not in found, dict(zip(needles, found, strict=True))
    return found


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_the_product_and_its_link_come_first_the_delete_link_last(language):
    teapot, mail = back_in_stock_email(language)
    product_url = teapot.get_absolute_url() if language == "en" else f"/{language}/products/"
    for body in (mail.body_text, mail.body_html):
        cancel = CANCEL_LINK.search(body).group(0)
        order = positions(body, "Teapot", product_url, ONE_EMAIL[language], cancel)
        assert order == sorted(order), (language, order)
        # Nothing of the notice's end comes between the good news and the link to buy.
        assert body.count(cancel) == 1


def test_the_email_says_when_the_address_is_deleted_as_retention_does(settings):
    settings.STOCK_NOTICE_RETENTION_DAYS = 30
    _teapot, mail = back_in_stock_email("en")
    text = " ".join(mail.body_text.split())
    assert (
        "This was the one e-mail you asked for: your notice is done, we will not write to you "
        "about this product again. We delete the notice, and your e-mail address with it, "
        "30 days after this e-mail." in text
    )
    line = next(line for line in mail.body_text.splitlines() if CANCEL_LINK.search(line))
    assert line.startswith("Delete the notice and my address now: ")
    html = " ".join(mail.body_html.split())
    assert "30 days after this e-mail." in html
    assert re.search(r'<a href="[^"]*/stock-notices/cancel/[^"]*">Delete the notice and my', html)
    # No "no longer interested?" after "this was the one e-mail": the notice is done.
    assert "No longer interested" not in mail.body_text + mail.body_html


def test_the_delete_link_of_the_sent_email_deletes_the_address_at_once():
    _teapot, mail = back_in_stock_email("en", email="ola@example.com")
    assert StockNotice.objects.filter(email="ola@example.com").exists()
    response = Client().post(CANCEL_LINK.search(mail.body_text).group(0))
    assert response.status_code == 200
    assert not StockNotice.objects.filter(email="ola@example.com").exists()


def test_the_delete_page_of_a_sent_notice_does_not_ask_whether_you_are_still_interested():
    """Behind the back-in-stock e-mail's delete link the notice has done its work: the page
    offers to delete it now, not "no longer interested?"."""
    teapot, mail = back_in_stock_email("en")
    page = Client().get(CANCEL_LINK.search(mail.body_text).group(0)).content.decode()
    assert "We have told you that Teapot is back." in page
    assert "No longer interested?" not in page
    assert "anna@example.com" in page
