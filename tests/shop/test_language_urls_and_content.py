"""Issue 22: the storefront keeps a non-default language in the URL (/pl/…) with hreflang
alternates, the default language unprefixed; the switcher names each language in its own
language and keeps the page; shop content is translated (django-modeltranslation) with the
default language as fallback, in pages, search, e-mails and the backoffice form."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from helpdesk import services as helpdesk_services
from shop.mail import written
from shop.models import OutboxEmail, PaymentMethod, ShopSettings
from tests.factories import CategoryFactory, ProductFactory, StaffFactory
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db


def german_product(**extra):
    category = CategoryFactory(name_en="Kitchen", name_de="Küche", slug="kitchen")
    return ProductFactory(
        category=category,
        name_en="Enamel coffee pot",
        name_de="Emaille-Kaffeekanne",
        description_en="A pot for the stove.",
        description_de="Eine Kanne für den Herd.",
        slug="kit-001",
        **extra,
    )


# --- URLs ------------------------------------------------------------------------------


def test_default_language_unprefixed_other_languages_prefixed(client):
    product = german_product()
    assert reverse("shop:product", args=[product.slug]) == "/products/kit-001/"
    with translation.override("pl"):
        assert reverse("shop:product", args=[product.slug]) == "/pl/products/kit-001/"
    english = client.get("/products/kit-001/")
    assert english.status_code == 200 and '<html lang="en">' in english.content.decode()
    german = client.get("/de/products/kit-001/").content.decode()
    assert '<html lang="de">' in german and "<h1>Emaille-Kaffeekanne</h1>" in german
    assert client.get("/en/products/kit-001/").status_code == 404  # no second English URL


def test_hreflang_alternates_and_x_default(client):
    german_product()
    page = client.get("/pl/products/kit-001/?ref=mail").content.decode()
    links = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page))
    assert links == {
        "en": "http://testserver/products/kit-001/?ref=mail",
        "de": "http://testserver/de/products/kit-001/?ref=mail",
        "pl": "http://testserver/pl/products/kit-001/?ref=mail",
        "da": "http://testserver/da/products/kit-001/?ref=mail",
        "x-default": "http://testserver/products/kit-001/?ref=mail",
    }


def test_backoffice_healthz_and_switch_stay_unprefixed(client):
    assert client.get("/pl/backoffice/").status_code == 404
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/pl/healthz").status_code == 404
    # The backoffice follows the staff member's own language, not a URL prefix; its login
    # page follows the browser.
    login = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de"' in login


def test_switcher_names_each_language_in_its_own_language_and_keeps_the_page(client):
    german_product()
    page = client.get("/products/kit-001/").content.decode()
    options = re.findall(r'<option value="(\w+)" lang="\w+"(?: selected)?>([^<]+)</option>', page)
    own_names = [("en", "English"), ("de", "Deutsch"), ("pl", "Polski"), ("da", "Dansk")]
    assert options == own_names * 2  # the header's switch and the footer's
    response = client.post(
        reverse("set_language"), {"language": "pl", "next": "/products/kit-001/?page=2"}
    )
    assert response.status_code == 302 and response["Location"] == "/pl/products/kit-001/?page=2"
    back = client.post(reverse("set_language"), {"language": "en", "next": "/pl/products/kit-001/"})
    assert back["Location"] == "/products/kit-001/"


def test_a_chosen_language_brings_unprefixed_pages_to_its_url(client):
    german_product()
    client.cookies["django_language"] = "da"
    response = client.get("/products/kit-001/")
    assert response.status_code == 302 and response["Location"] == "/da/products/kit-001/"
    client.cookies["django_language"] = "en"
    assert client.get("/products/kit-001/").status_code == 200
    client.cookies.pop("django_language")  # a search engine: no cookie, the URL decides
    assert client.get("/products/kit-001/").status_code == 200


# --- content ---------------------------------------------------------------------------


def test_missing_translation_falls_back_to_the_default_language_never_empty(client):
    product = ProductFactory(name_en="Oak board", name_pl=None, description_en="Solid oak")
    product.description_da = ""  # an emptied translation falls back too
    product.save()
    with translation.override("pl"):
        assert product.name == "Oak board"
    with translation.override("da"):
        assert product.description == "Solid oak"
    page = client.get(f"/da/products/{product.slug}/").content.decode()
    assert "Oak board" in page and "Solid oak" in page


def test_payment_and_shipping_methods_in_the_order_language(make_order, shipping):
    shipping.name_de, shipping.description_de = "Paket", "2–3 Werktage"
    shipping.save()
    method = PaymentMethod.objects.get(pk=make_order().payment_method_id)
    method.name_de = "Kreditkarte"
    method.save()
    order = make_order(language="de", email="de@example.com")
    mail = written(OutboxEmail.objects.get(template="order_confirmation", to=["de@example.com"]))
    assert "Paket" in mail.body_text and "Kreditkarte" in mail.body_text
    assert order.shipping_method.name == shipping.name_en  # English outside the override


def test_search_finds_the_languages_name_and_the_default_languages(client):
    german_product()
    ProductFactory(name_en="Wool blanket", name_pl="Wełniany koc", slug="liv-001")

    def found(path, q):
        return [p.name for p in client.get(path, {"q": q}).context["products"]]

    assert found("/de/products/", "Kaffeekanne") == ["Emaille-Kaffeekanne"]
    assert found("/de/products/", "coffee") == ["Emaille-Kaffeekanne"]  # the default's name
    assert found("/pl/products/", "koc") == ["Wełniany koc"]
    assert found("/products/", "koc") == []  # English searches English
    assert found("/de/products/", "Kafeekane") == ["Emaille-Kaffeekanne"]  # typo tolerance


def test_backoffice_edits_every_language_of_a_product_on_one_page(admin_client):
    product = german_product()
    page = admin_client.get(reverse("admin:shop_product_change", args=[product.pk]))
    html = page.content.decode()
    for language in ("en", "de", "pl", "da"):
        assert f'name="name_{language}"' in html and f'name="description_{language}"' in html


def test_legal_pages_per_language_linked_from_the_footer(client):
    shop = ShopSettings.load()
    shop.privacy_notice_en = "We store your orders."
    shop.privacy_notice_de = "Wir speichern Ihre Bestellungen."
    shop.save()
    home = client.get("/de/").content.decode()
    for name in ("imprint", "privacy", "withdrawal_instructions"):
        with translation.override("de"):
            url = reverse(f"shop:{name}" if name != "withdrawal_instructions" else f"orders:{name}")
        assert f'href="{url}"' in home
    assert 'href="/de/terms/"' not in home  # no terms yet: no link
    shop.terms_en = "1. Scope"
    shop.save()
    assert 'href="/de/terms/"' in client.get("/de/").content.decode()
    assert "Wir speichern" in client.get("/de/privacy/").content.decode()
    assert "We store" in client.get("/pl/privacy/").content.decode()  # fallback
    imprint = client.get("/imprint/").content.decode()
    assert shop.legal_name in imprint and shop.contact_email in imprint  # built from details
    shop.privacy_notice_en = shop.privacy_notice_de = ""
    shop.save()
    assert client.get("/privacy/").status_code == 404
    assert 'href="/privacy/"' not in client.get("/").content.decode()


def test_own_withdrawal_instructions_replace_the_model_text_per_language(client):
    page = client.get("/de/withdrawal-instructions/").content.decode()
    assert "Widerrufsrecht" in page
    shop = ShopSettings.load()
    shop.withdrawal_instructions_de = "Unsere eigene Belehrung."
    shop.save()
    page = client.get("/de/withdrawal-instructions/").content.decode()
    assert "Unsere eigene Belehrung." in page and "Widerrufsrecht" not in page
    assert "Right of withdrawal" in client.get("/withdrawal-instructions/").content.decode()


def test_reply_email_links_the_thread_in_the_threads_language(customer):
    thread = ThreadFactory(language="pl", email=customer.email, customer=customer)
    with translation.override("de"):  # the operator works in German
        helpdesk_services.operator_reply(thread, StaffFactory(), "Odpowiedź")
    mail = OutboxEmail.objects.filter(template="helpdesk_reply").latest("pk")
    assert "/pl/helpdesk/" in mail.body_text and "/de/" not in mail.body_text


@pytest.mark.parametrize(
    "browser, page, language, expected",
    [
        ("pl-PL,pl;q=0.9", "/de/products/kit-001/", "pl", "/pl/products/kit-001/"),
        ("de-DE,de;q=0.9", "/da/products/kit-001/", "de", "/de/products/kit-001/"),
        ("da-DK,da;q=0.9", "/pl/products/kit-001/", "da", "/da/products/kit-001/"),
        ("pl-PL,pl;q=0.9", "/products/kit-001/", "da", "/da/products/kit-001/"),
        ("de-DE,de;q=0.9", "/pl/products/kit-001/", "en", "/products/kit-001/"),
    ],
)
def test_the_switch_works_whatever_language_the_browser_speaks(
    client, browser, page, language, expected
):
    """Django's set_language finds the page in the new language by resolving its URL in the
    active language — the browser's, for /i18n/: a Polish browser on the German page was sent
    back to the German page."""
    german_product()
    response = client.post(
        reverse("set_language"),
        {"language": language, "next": page},
        HTTP_ACCEPT_LANGUAGE=browser,
    )
    assert response.status_code == 302 and response["Location"] == expected
    # Without "next", from the page the visitor was on.
    response = client.post(
        reverse("set_language"),
        {"language": language},
        HTTP_ACCEPT_LANGUAGE=browser,
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response["Location"] == f"http://testserver{expected}"
