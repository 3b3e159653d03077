"""Paid and private files are never public: a product's download file lives under
PRIVATE_MEDIA_ROOT and leaves the shop only through its download link (found by a security
test: /media/downloads/nordic-baking.pdf answered 200 to anyone). The class: every file field
of the project stores privately, or is a public picture named below."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import clear_url_caches, reverse

from orders import services as order_services
from orders.models import DownloadLink
from shop.models import Product
from shop.storage import is_private
from tests.factories import ProductFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 paid e-book"

# File fields whose files are public on purpose (served at MEDIA_URL), and why.
PUBLIC_PICTURES = {
    "shop.ProductImage.image": "product pictures, shown on the storefront",
    "vouchers.PartnerOffer.image": "a partner's offer picture, shown on the success page",
}


def test_every_file_field_is_private_or_a_public_picture():
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found[f"{model._meta.label}.{field.name}"] = field
    assert "shop.Product.download_file" in found
    public = {name for name, field in found.items() if not is_private(field)}
    assert public <= set(PUBLIC_PICTURES), (
        f"store these privately (storage=shop.storage.private_storage) or name them as public "
        f"pictures in PUBLIC_PICTURES: {sorted(public - set(PUBLIC_PICTURES))}"
    )
    for name in PUBLIC_PICTURES:
        assert isinstance(found[name], models.ImageField), f"{name} is not a picture"


@pytest.fixture
def served_media(settings):
    """shop/urls.py as with SERVE_MEDIA=true (its media route is made at import)."""
    import shop.urls

    original = django_settings.SERVE_MEDIA
    settings.SERVE_MEDIA = True
    importlib.reload(shop.urls)
    clear_url_caches()
    yield
    settings.SERVE_MEDIA = original
    importlib.reload(shop.urls)
    clear_url_caches()


def _upload_in_backoffice(client, product):
    url = reverse("admin:shop_product_change", args=[product.pk])
    parser = FormParser(url)
    parser.feed(client.get(url).content.decode())
    form = max(parser.forms, key=lambda form: len(form.fields))
    data = post_data(form.fields)
    data["download_file"] = SimpleUploadedFile("nordic-baking.pdf", PDF, "application/pdf")
    data["is_downloadable"] = "on"
    response = client.post(url, {**data, "_save": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    return product


def test_download_file_uploaded_in_backoffice_is_private_and_sold_by_link(
    admin_client, client, settings, served_media, make_order
):
    product = _upload_in_backoffice(admin_client, ProductFactory(sku="DIG-9"))
    name = product.download_file.name
    assert name.startswith("downloads/")
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes() == PDF
    assert not (settings.MEDIA_ROOT / name).exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.pdf"))

    # The product page shows the file's name (it has no URL to link to).
    page = admin_client.get(reverse("admin:shop_product_change", args=[product.pk]))
    assert page.status_code == 200 and name.split("/")[-1] in page.content.decode()

    # Not at /media/ — which does serve the public pictures.
    (settings.MEDIA_ROOT / "products").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "products" / "picture.txt").write_text("public")
    assert client.get("/media/products/picture.txt").status_code == 200
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/downloads/{name.split('/')[-1]}").status_code == 404

    # The download link of a paid order delivers it, as an attachment.
    order = make_order(items={product.pk: 1})
    order_services.mark_paid(order)
    token = DownloadLink.objects.get(order=order).token
    response = client.post(reverse("orders:download", args=[token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")


def _migration():
    return importlib.import_module("shop.migrations.0023_private_download_files")


def test_migration_moves_public_download_files_to_the_private_root(settings):
    public, private = settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT
    (public / "downloads" / "old").mkdir(parents=True)
    (public / "downloads" / "book.pdf").write_bytes(PDF)
    (public / "downloads" / "old" / "replaced.pdf").write_bytes(b"an older version")
    (public / "downloads" / "clash.pdf").write_bytes(b"the product's file")
    (private / "downloads").mkdir(parents=True)
    (private / "downloads" / "clash.pdf").write_bytes(b"another file of the same name")
    (public / "products").mkdir()
    (public / "products" / "picture.jpg").write_bytes(b"a public picture")
    book, clash, gone = (
        ProductFactory(is_downloadable=True, download_file=f"downloads/{file}")
        for file in ("book.pdf", "clash.pdf", "gone.pdf")
    )

    for _run in range(2):  # idempotent: the second run finds nothing left to do
        _migration().move_download_files(apps, None)

    assert (private / "downloads" / "book.pdf").read_bytes() == PDF
    assert (private / "downloads" / "old" / "replaced.pdf").read_bytes() == b"an older version"
    assert (private / "downloads" / "clash.pdf").read_bytes() == b"another file of the same name"
    clash.refresh_from_db()
    assert clash.download_file.name != "downloads/clash.pdf"
    assert (private / clash.download_file.name).read_bytes() == b"the product's file"
    assert not (public / "downloads").exists()  # moved, not copied
    assert (public / "products" / "picture.jpg").exists()  # pictures stay public
    book.refresh_from_db()
    gone.refresh_from_db()
    assert book.download_file.name == "downloads/book.pdf"
    assert gone.download_file.name == "downloads/gone.pdf"  # missing: left as it was
    assert Product.objects.get(pk=book.pk).download_file.storage.exists("downloads/book.pdf")


def test_migration_without_download_files_does_nothing(settings):
    _migration().move_download_files(apps, None)
    assert not (settings.PRIVATE_MEDIA_ROOT / "downloads").exists()
