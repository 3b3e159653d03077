"""The product import's confirm page sent twice — a double click, or back and send again —
imports the file once and answers the second send with the product list and a message.

django-import-export deletes the uploaded file once it is imported: the second send found no
file and was a server error (FileNotFoundError). Now the confirms of one file take turns
(``ProductAdmin.process_import``), and one whose file is gone changes nothing and says so.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shop.models import PriceHistory, Product
from tests.factories import ProductFactory
from tests.race import run_concurrently

GONE = "This import was carried out already, or it expired: please upload the file again."


def preview(client):
    response = client.post(
        reverse("admin:shop_product_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("p.csv", b"sku,price\nMUG-1,11.50\n"),
        },
    )
    assert response.status_code == 200
    return {**response.context["confirm_form"].initial, "resource": "0", "format": "0"}


def confirm(client, data, **kwargs):
    return client.post(reverse("admin:shop_product_process_import"), data, **kwargs)


@pytest.mark.django_db
def test_the_confirm_page_sent_twice_imports_once_and_says_so(admin_client):
    mug = ProductFactory(sku="MUG-1", price=Decimal("12.90"))
    history = PriceHistory.objects.filter(product=mug).count()
    data = preview(admin_client)
    first = confirm(admin_client, data)
    assert first.status_code == 302
    admin_client.get(first.url)  # the first import's message is read
    second = confirm(admin_client, data, follow=True)
    product_list = reverse("admin:shop_product_changelist")
    assert second.redirect_chain == [(product_list, 302)]
    assert [str(m) for m in second.context["messages"]] == [GONE]
    mug.refresh_from_db()
    assert mug.price == Decimal("11.50")
    assert PriceHistory.objects.filter(product=mug).count() == history + 1


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_import_once(staff):
    """A real double click: both sends arrive together; one imports, the other waits for it
    and then finds the file gone."""
    mug = ProductFactory(sku="MUG-1", price=Decimal("12.90"))
    history = PriceHistory.objects.filter(product=mug).count()
    client = Client()
    client.force_login(staff)
    data = preview(client)

    def send(_):
        browser = Client(raise_request_exception=False)
        browser.force_login(staff)
        response = confirm(browser, data, follow=True)
        return response.status_code, GONE in response.content.decode()

    assert sorted(run_concurrently(send, 2)) == [(200, False), (200, True)]
    assert Product.objects.get(pk=mug.pk).price == Decimal("11.50")
    assert PriceHistory.objects.filter(product=mug).count() == history + 1
