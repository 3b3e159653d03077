"""Product pictures (issue 25): upload in the backoffice with checks, resized WebP and JPEG
versions, <picture> with srcset/sizes and lazy loading, thumbnails in lists, cart, checkout,
order pages and e-mails, with constant query counts."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail, ProductImage, ShopSettings
from tests.checkout import add_to_cart
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def png(width=600, height=400, colour=(200, 40, 60), name="jar.png", fmt="PNG"):
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def picture(product, position=0, alt=""):
    image = ProductImage(product=product, position=position, alt_text=alt)
    image.image.save(f"p{product.pk}-{position}.png", png(), save=True)
    return image


def change_form(product):
    data = {
        "name_en": product.name,  # the product form has every language (modeltranslation)
        "slug": product.slug,
        "sku": product.sku,
        "category": product.category_id,
        "description_en": "",
        "is_active": "on",
        "price": "10.00",
        "tax_rate": "19.00",
        "delivery_days": "2",
        "backorder_delivery_days": "14",
        "image_color": "#8fb3c9",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-alt_text_en": "A red jar",
        "images-0-position": "0",
        "price_history-TOTAL_FORMS": "0",
        "price_history-INITIAL_FORMS": "0",
        "price_history-MIN_NUM_FORMS": "0",
        "price_history-MAX_NUM_FORMS": "0",
    }
    return data


def test_upload_in_the_backoffice_makes_webp_and_jpeg_versions(admin_client, settings):
    product = ProductFactory()
    data = change_form(product)
    data["images-0-image"] = png(1600, 1200)
    url = reverse("admin:shop_product_change", args=[product.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    image = product.images.get()
    assert image.alt_text == "A red jar" and (image.width, image.height) == (1600, 1200)
    for name in ("webp_240", "webp_480", "webp_960", "jpeg_240", "jpeg_480", "jpeg_960"):
        version = getattr(image, name)
        path = settings.MEDIA_ROOT / version.name
        assert path.exists(), name
        with Image.open(path) as resized:
            assert resized.format == ("WEBP" if name.startswith("webp") else "JPEG")
            assert resized.width == int(name.split("_")[1])


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "SVG",
        ),
        (SimpleUploadedFile("fake.png", b"not a picture at all"), "picture"),
    ],
)
def test_upload_refuses_svg_and_files_that_are_no_picture(admin_client, upload, message):
    product = ProductFactory()
    data = change_form(product)
    data["images-0-image"] = upload
    response = admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not product.images.exists()


def test_upload_refuses_pictures_above_the_limits(admin_client, settings):
    product = ProductFactory()
    settings.PRODUCT_IMAGE_MAX_PIXELS = 100 * 100
    data = change_form(product)
    data["images-0-image"] = png(200, 200)
    response = admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert "too many pixels" in response.content.decode()
    settings.PRODUCT_IMAGE_MAX_PIXELS = 10**8
    settings.PRODUCT_IMAGE_MAX_BYTES = 100
    data["images-0-image"] = png(200, 200)
    response = admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert "too large" in response.content.decode()
    assert not product.images.exists()


def test_product_page_shows_all_pictures_in_order_with_srcset_and_lazy_loading(client):
    product = ProductFactory()
    picture(product, 1, "side view")
    picture(product, 0, "front view")
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert page.index('alt="front view"') < page.index('alt="side view"')
    assert '<source type="image/webp" srcset="' in page and " 960w" in page
    assert 'sizes="' in page and 'loading="lazy"' in page


def test_lists_show_the_main_picture_with_constant_queries(client, django_assert_max_num_queries):
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    for _ in range(3):
        picture(ProductFactory())
    with django_assert_max_num_queries(11) as few:
        client.get(reverse("shop:products"))
    for _ in range(6):
        picture(ProductFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("shop:products")).content.decode()
    assert page.count("<picture>") == 9


def test_thumbnails_in_cart_checkout_order_pages_and_confirmation_email(
    client, shipping, card_payment, settings
):
    from tests.checkout import checkout_post

    settings.SITE_URL = "https://shop.example.com"
    product = ProductFactory(price=Decimal("10.00"))
    image = picture(product)
    add_to_cart(client, product)
    thumb = image.jpeg_240.url
    assert thumb in client.get(reverse("shop:cart")).content.decode()
    assert thumb in client.get(reverse("orders:checkout")).content.decode()
    # A refused submit shows the page again, with its pictures (read only for it).
    refused = client.post(
        reverse("orders:checkout"), checkout_post(shipping, card_payment, billing_city="")
    )
    assert refused.status_code == 200 and thumb in refused.content.decode()
    response = client.post(reverse("orders:checkout"), checkout_post(shipping, card_payment))
    assert response.status_code == 302
    assert thumb in client.get(response.url).content.decode()  # success page
    email = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert f'src="https://shop.example.com{thumb}"' in email.body_html
    order = Order.objects.get()
    assert mail.outbox is not None and order.lines.count() == 1


def test_backoffice_order_page_shows_thumbnails(admin_client, make_order, product):
    image = picture(product)
    order = make_order()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert image.jpeg_240.url in page.content.decode()


def test_account_order_page_shows_thumbnails_with_constant_queries(
    client, customer, make_order, django_assert_max_num_queries
):
    first = ProductFactory()
    image = picture(first)
    order = make_order({first.pk: 1}, customer=customer)
    client.force_login(customer)
    url = reverse("orders:account_order", args=[order.number])
    with django_assert_max_num_queries(30) as one_line:
        page = client.get(url).content.decode()
    assert image.jpeg_240.url in page
    many = {first.pk: 1}
    for _ in range(4):
        other = ProductFactory()
        picture(other)
        many[other.pk] = 1
    bigger = make_order(many, customer=customer)
    with django_assert_max_num_queries(len(one_line.captured_queries)):
        client.get(reverse("orders:account_order", args=[bigger.number]))


def test_version_urls_are_what_imagekit_says_and_only_for_versions(product):
    image = picture(product)
    for version in ProductImage.VERSIONS:
        assert getattr(image.urls, version) == getattr(image, version).url
    assert image.webp_srcset.startswith(image.webp_240.url + " 240w, ")
    with pytest.raises(AttributeError):
        image.urls.image  # noqa: B018 (only the resized versions)
    # A new picture under another name gets its own URLs, never a remembered one.
    other = picture(product, position=1)
    assert other.urls.jpeg_240 != image.urls.jpeg_240
    assert other.urls.jpeg_240 == other.jpeg_240.url


def stored_size(image):
    return tuple(ProductImage.objects.filter(pk=image.pk).values_list("width", "height").get())


def test_width_and_height_are_stored_from_an_upload_and_from_content_without_a_name(
    admin_client, product
):
    from django.core.files.base import ContentFile

    data = change_form(product)
    data["images-0-image"] = png(1600, 1200)
    admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert stored_size(product.images.get()) == (1600, 1200)
    # What seed_demo does: content without a file name (Django's ImageField left it empty).
    buffer = BytesIO()
    Image.new("RGB", (320, 200), (10, 20, 30)).save(buffer, format="PNG")
    image = ProductImage(product=product, position=1)
    image.image.save("drawn.png", ContentFile(buffer.getvalue()), save=True)
    assert stored_size(image) == (320, 200)


def test_pages_never_open_a_picture_file_and_survive_a_missing_one(
    client, admin_client, shipping, card_payment, settings
):
    """Width and height come from the database: a picture whose file is gone (a media
    volume not yet restored, a file removed by hand) shows no error on any page."""
    from tests.checkout import checkout_post

    product = ProductFactory(price=Decimal("10.00"))
    image = picture(product)
    (settings.MEDIA_ROOT / image.image.name).unlink()
    listed = ProductFactory()  # a product in the list whose row has no stored size
    # bulk_create: no file to make the resized versions from (imagekit's save signal)
    (gone,) = ProductImage.objects.bulk_create(
        [ProductImage(product=listed, image="products/gone.png")]
    )
    assert stored_size(gone) == (None, None)
    for url in (
        reverse("shop:products"),
        reverse("shop:product", args=[product.slug]),
        reverse("shop:product", args=[listed.slug]),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("shop:products")).content.decode()
    assert 'width="600" height="400"' in page  # the stored size of the first picture
    add_to_cart(client, product)
    assert client.get(reverse("shop:cart")).status_code == 200
    assert client.get(reverse("orders:checkout")).status_code == 200
    response = client.post(reverse("orders:checkout"), checkout_post(shipping, card_payment))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    order = Order.objects.get()
    assert (
        admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:shop_product_changelist")).status_code == 200


def test_migration_measures_pictures_saved_without_a_size(product):
    from importlib import import_module

    from django.apps import apps

    image = picture(product)
    (missing,) = ProductImage.objects.bulk_create(
        [ProductImage(product=product, image="products/gone.png", position=1)]
    )
    ProductImage.objects.update(width=None, height=None)
    import_module("shop.migrations.0017_picture_dimensions").measure(apps, None)
    assert stored_size(image) == (600, 400)
    assert stored_size(missing) == (None, None)  # no file: stays empty, no error


def test_generateimages_rewrites_a_version_whose_file_is_gone(product, settings):
    """imagekit remembers (in Redis) that a version was written; a moved or restored media
    folder, or a deleted file, must not keep `generateimages` from writing it again."""
    from django.core.management import call_command

    image = picture(product)
    path = settings.MEDIA_ROOT / image.jpeg_240.name
    assert path.exists()
    path.unlink()
    call_command("generateimages", "shop:productimage:jpeg_240", stdout=StringIO())
    assert path.exists()
    with Image.open(path) as resized:
        assert resized.width == 240


def test_a_product_with_pictures_is_saved_again_in_the_backoffice(admin_client):
    """Editing a product that has pictures: the stored pictures are not checked anew (the
    page said "This file is not a picture we can read" for each and saved nothing)."""
    product = ProductFactory()
    data = change_form(product)
    data["images-0-image"] = png(800, 800)
    url = reverse("admin:shop_product_change", args=[product.pk])
    assert admin_client.post(url, data).status_code == 302
    image = product.images.get()
    data = change_form(product)
    data.update(
        {
            "name_en": "Renamed jar",
            "images-INITIAL_FORMS": "1",
            "images-0-id": str(image.pk),
            "images-0-product": str(product.pk),
            "images-0-alt_text_en": "A renamed jar",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    product.refresh_from_db()
    image.refresh_from_db()
    assert product.name_en == "Renamed jar" and image.alt_text == "A renamed jar"
    assert (image.width, image.height) == (800, 800)


# --- alternative text per language, pictures too large for Pillow, deleted pictures --------


def test_the_alt_text_is_edited_per_language_and_read_in_the_readers(admin_client, client):
    product = ProductFactory(name_en="Cutting board", name_pl="Deska", name_da=None)
    data = change_form(product)
    data.update(
        {
            "images-0-image": png(),
            "images-0-alt_text_en": "Oak cutting board",
            "images-0-alt_text_pl": "Dębowa deska do krojenia",
        }
    )
    html = admin_client.get(reverse("admin:shop_product_change", args=[product.pk])).content
    assert b'name="images-0-alt_text_pl"' in html and b'name="images-0-alt_text_da"' in html
    url = reverse("admin:shop_product_change", args=[product.pk])
    assert admin_client.post(url, data).status_code == 302
    image = product.images.get()
    assert (image.alt_text_en, image.alt_text_pl, image.alt_text_de) == (
        "Oak cutting board",
        "Dębowa deska do krojenia",
        None,
    )

    def alts(language):
        client.cookies["django_language"] = language
        page = client.get(f"/{language}/products/{product.slug}/").content.decode()
        return page

    assert 'alt="Dębowa deska do krojenia"' in alts("pl")
    # No Danish text and no Danish name: the default language's text.
    assert 'alt="Oak cutting board"' in alts("da")
    # The list's main picture (read in the list's query) in the reader's language too.
    from shop.models import Product

    with translation.override("pl"):
        assert Product.objects.with_main_image().get().main_image.alt == (
            "Dębowa deska do krojenia"
        )
    with translation.override("de"):  # no German text: the German name is better than English
        product.name_de = "Schneidebrett"
        product.save()
        assert Product.objects.with_main_image().get().main_image.alt == "Schneidebrett"


def test_a_picture_too_large_for_pillow_gets_the_pixel_message(admin_client, monkeypatch):
    """Pillow refuses to open a picture above twice ``MAX_IMAGE_PIXELS`` (a 20000×20000 PNG
    with its default), and Django's form field said "Upload a valid image … corrupted"."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 2000 pixels and Pillow refuses
    product = ProductFactory()
    data = change_form(product)
    data["images-0-image"] = png(100, 100)
    response = admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    html = response.content.decode()
    assert "The picture has too many pixels (at most 25.0 megapixels)." in html
    assert "corrupted" not in html
    assert not product.images.exists()


def test_a_deleted_picture_and_its_versions_are_removed_after_the_commit(
    admin_client, settings, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    kept, deleted = picture(product, 0), picture(product, 1)
    deleted_files = [settings.MEDIA_ROOT / deleted.image.name] + [
        settings.MEDIA_ROOT / getattr(deleted, v).name for v in sorted(deleted.VERSIONS)
    ]
    for version in deleted.VERSIONS:
        getattr(deleted, version).generate()
    assert all(path.exists() for path in deleted_files)
    data = change_form(product)
    data.update(
        {
            "images-TOTAL_FORMS": "2",
            "images-INITIAL_FORMS": "2",
            "images-0-id": str(kept.pk),
            "images-0-product": str(product.pk),
            "images-0-position": "0",
            "images-1-id": str(deleted.pk),
            "images-1-product": str(product.pk),
            "images-1-position": "1",
            "images-1-DELETE": "on",
        }
    )
    del data["images-0-alt_text_en"]
    url = reverse("admin:shop_product_change", args=[product.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert admin_client.post(url, data).status_code == 302
    assert all(path.exists() for path in deleted_files)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(path.exists() for path in deleted_files)
    assert list(product.images.all()) == [kept]
    assert (settings.MEDIA_ROOT / kept.image.name).exists()


def test_deleting_a_product_removes_its_picture_files(settings, django_capture_on_commit_callbacks):
    product = ProductFactory()
    image = picture(product)
    image.jpeg_480.generate()
    files = [settings.MEDIA_ROOT / image.image.name, settings.MEDIA_ROOT / image.jpeg_480.name]
    assert all(path.exists() for path in files)
    with django_capture_on_commit_callbacks(execute=True):
        product.delete()
    assert not any(path.exists() for path in files)


def test_a_rolled_back_deletion_keeps_the_files(settings):
    from django.db import transaction

    product = ProductFactory()
    image = picture(product)
    path = settings.MEDIA_ROOT / image.image.name
    with pytest.raises(RuntimeError), transaction.atomic():
        image.delete()
        raise RuntimeError
    assert path.exists() and product.images.exists()


def test_a_replaced_picture_file_and_its_versions_are_removed_after_the_commit(
    settings, django_capture_on_commit_callbacks
):
    """A new file in place of the old one: the old file stayed public at its address."""
    product = ProductFactory()
    image = picture(product)
    image.jpeg_480.generate()
    old = [settings.MEDIA_ROOT / image.image.name, settings.MEDIA_ROOT / image.jpeg_480.name]
    assert all(path.exists() for path in old)
    image.alt_text = "unchanged file"
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    assert all(path.exists() for path in old)  # saving without a new file keeps it
    image.image = png(colour=(10, 120, 200), name="jar-new.png")
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    assert not any(path.exists() for path in old)
    assert (settings.MEDIA_ROOT / ProductImage.objects.get(pk=image.pk).image.name).exists()
