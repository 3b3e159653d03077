"""Backoffice pages of the catalog work: the product form's note that chosen pictures are
gone after an error, the "History" button in the shop's own words, and the review list's
date filter wide enough for the Danish date format."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.admin_titles import DJANGO_MESSAGES
from tests.factories import ProductFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

NOTE = "Please choose the pictures again: a browser does not keep chosen files after an error."


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("mug.jpg", buffer.getvalue(), content_type="image/jpeg")


def add_form(client):
    url = reverse("admin:shop_product_add")
    html = client.get(url).content.decode()
    parser = FormParser(url)
    parser.feed(html)
    fields = max(parser.forms, key=lambda form: len(form.fields)).fields
    data = {k: v if len(v) > 1 else v[0] for k, v in post_data(fields).items()}
    picture = re.search(r'<input type="file" name="(images-0-image)"', html)
    assert picture, "the picture inline's file input"
    return url, data, picture.group(1)


def test_a_product_form_with_an_error_asks_for_the_pictures_again(admin_client):
    url, data, picture = add_form(admin_client)
    data.update({"name_en": "Mug", "sku": "MUG-1", "price": "", "_save": "1"})  # no price
    html = admin_client.post(url, {**data, picture: jpeg()}).content.decode()
    assert "errornote" in html and NOTE in html
    html = admin_client.post(url, data).content.decode()  # nothing chosen: nothing lost
    assert "errornote" in html and NOTE not in html


def test_history_is_a_message_of_the_shops_own_catalogue():
    assert "History" in DJANGO_MESSAGES


def test_the_german_history_button_reads_verlauf(admin_client, staff):
    """Needs the compiled catalogue (locale/de: "Verlauf", not Django's "Geschichte")."""
    staff.language = "de"
    staff.save(update_fields=["language"])
    product = ProductFactory(price=Decimal("5.00"))
    html = admin_client.get(
        reverse("admin:shop_product_change", args=[product.pk])
    ).content.decode()
    assert 'class="historylink">Verlauf<' in html and "Geschichte" not in html


def test_the_review_date_filter_leaves_room_for_the_danish_date_format(admin_client, staff):
    staff.language = "da"
    staff.save(update_fields=["language"])
    html = admin_client.get(reverse("admin:reviews_review_changelist")).content.decode()
    inputs = re.findall(r'<input type="text" id="created_(?:from|to)"[^>]*>', html)
    assert len(inputs) == 2
    for tag in inputs:
        assert 'placeholder="DD.MM.ÅÅÅÅ"' in tag and "min-width:10em" in tag
