"""SHOP_LANGUAGE: the shop's own language is configurable (default English). It is the
language of the unprefixed storefront URLs (first-time visitors, search engines), of
e-mails to addresses without a staff account and of every other fallback to
``settings.LANGUAGE_CODE``; English then has its own prefix (/en/)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from django.utils import translation

from helpdesk import services as helpdesk_services
from shop import search_indexes
from shop.db import search_products
from shop.models import OutboxEmail, Product, ProductImage
from shop.money import format_money
from shop.shop_language import fill_from, from_env
from tests.factories import ProductFactory
from tests.helpdesk.factories import ContactTopicFactory

LANGUAGES = [("en", "English"), ("de", "German"), ("pl", "Polish"), ("da", "Danish")]


# --- the setting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"), [("en", "en"), ("de", "de"), (" PL ", "pl"), ("da", "da")]
)
def test_a_shop_language_is_one_of_the_languages(value, code):
    assert from_env(value, LANGUAGES) == code


@pytest.mark.parametrize("value", ["", "fr", "de-DE", "german", "en,de"])
def test_any_other_value_stops_the_start_naming_the_variable_and_the_choices(value):
    with pytest.raises(ImproperlyConfigured) as error:
        from_env(value, LANGUAGES)
    assert "SHOP_LANGUAGE" in str(error.value)
    assert "allowed: en, de, pl, da" in str(error.value)


def test_the_settings_follow_it_and_default_to_english(settings):
    # The test run sets no SHOP_LANGUAGE: existing installations stay English.
    assert settings.LANGUAGE_CODE == "en"
    assert settings.MODELTRANSLATION_DEFAULT_LANGUAGE == settings.LANGUAGE_CODE
    assert settings.MODELTRANSLATION_FALLBACK_LANGUAGES == (settings.LANGUAGE_CODE,)


# --- a German shop ---------------------------------------------------------------------


@pytest.fixture
def german_shop(settings):
    """A shop started with SHOP_LANGUAGE=de. The URL resolver keeps its reverse table per
    language (with the prefix it had then), so it is built anew, before and after."""
    settings.LANGUAGE_CODE = "de"
    clear_url_caches()
    translation.activate("de")
    yield
    clear_url_caches()


@pytest.mark.django_db
def test_the_unprefixed_storefront_speaks_german_and_english_moves_to_en(client, german_shop):
    home = client.get("/")
    page = home.content.decode()
    assert home.status_code == 200 and home["Content-Language"] == "de"
    assert '<html lang="de">' in page and "Zum Inhalt springen" in page
    english = client.get("/en/")
    page = english.content.decode()
    assert english.status_code == 200 and english["Content-Language"] == "en"
    assert '<html lang="en">' in page and "Skip to content" in page
    assert client.get("/de/").status_code == 404  # no second German address


@pytest.mark.django_db
def test_links_and_alternates_of_a_german_shop(client, german_shop):
    assert reverse("shop:cart") == "/cart/"
    with translation.override("en"):
        assert reverse("shop:cart") == "/en/cart/"
    page = client.get("/en/cart/").content.decode()
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/cart/">' in page
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/cart/">' in page


@pytest.mark.django_db
def test_the_language_switch_back_to_the_default_gives_unprefixed_urls(client, german_shop):
    to_english = client.post(reverse("set_language"), {"language": "en", "next": "/cart/"})
    assert to_english.status_code == 302 and to_english["Location"] == "/en/cart/"
    back = client.post(reverse("set_language"), {"language": "de", "next": "/en/cart/"})
    assert back.status_code == 302 and back["Location"] == "/cart/"
    # The cookie now names the default language: an unprefixed page is not redirected.
    assert client.get("/cart/").status_code == 200


@pytest.mark.django_db
def test_a_first_visitor_whose_browser_speaks_english_still_gets_the_german_page(
    client, german_shop
):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de">' in page  # the URL says the language, not the browser


@pytest.mark.django_db
def test_a_staff_mail_to_a_mailbox_without_a_staff_account_is_german(german_shop):
    topic = ContactTopicFactory(recipient_email="kontakt@shop.example")  # no staff account
    with translation.override("en"):  # an English-speaking customer writes
        helpdesk_services.create_contact_request(
            topic_id=topic.pk,
            name="Erika",
            email="erika@example.com",
            subject="Where is my parcel?",
            text="It has not arrived.",
            language="en",
        )
    mail = OutboxEmail.objects.get(template="helpdesk_contact_request")
    assert mail.to == ["kontakt@shop.example"]
    assert "Eine neue Kontaktanfrage ist eingegangen." in mail.body_text
    assert '<html lang="de"' in mail.body_html


def test_money_without_an_active_language_follows_the_shop_language(german_shop):
    translation.deactivate_all()
    assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"


@pytest.mark.django_db
def test_a_new_account_speaks_the_shop_language_until_it_chooses(german_shop):
    staff = get_user_model().objects.create_user("neu@shop.example", "x" * 12, is_staff=True)
    assert staff.language == "de"  # `createsuperuser`, a customer created in the backoffice
    chosen = get_user_model().objects.create_user("pl@shop.example", "x" * 12, language="pl")
    assert chosen.language == "pl"


# --- changing the language of a running shop --------------------------------------------


@pytest.mark.django_db
def test_filling_the_new_default_language_from_the_old_one():
    untranslated = ProductFactory(name_en="Oak board", name_de="", description_en="Solid oak.")
    translated = ProductFactory(name_en="Jam", name_de="Marmelade")
    with translation.override("pl"):  # the original column: the language of the last save
        translated.name_pl = "Dżem"
        translated.save()
    filled = dict(((label, field), n) for label, field, n in fill_from("en", "de"))
    assert filled[("shop.Product", "name")] == 1
    rows = Product.objects.rewrite(False).filter(pk__in=[untranslated.pk, translated.pk])
    values = {p["pk"]: p for p in rows.values("pk", "name", "name_de", "description_de")}
    assert values[untranslated.pk] == {
        "pk": untranslated.pk,
        "name": "Oak board",
        "name_de": "Oak board",  # shown until someone translates it, never empty
        "description_de": "Solid oak.",
    }
    # A translation is kept; the original column now holds the new default language's text.
    assert values[translated.pk]["name_de"] == values[translated.pk]["name"] == "Marmelade"


@pytest.mark.django_db
def test_a_pictures_text_is_not_filled_its_product_name_describes_it():
    product = ProductFactory(name_en="Oak board", name_de="Eichenbrett")
    image = ProductImage.objects.create(product=product, alt_text_en="Oak board on a table")
    fill_from("en", "de")
    image.refresh_from_db()
    assert not image.alt_text_de
    with translation.override("de"):
        assert image.alt == "Eichenbrett"


@pytest.mark.django_db
def test_the_command_counts_in_a_dry_run_and_changes_nothing():
    product = ProductFactory(name_en="Oak board", name_de="")
    out = io.StringIO()
    call_command("fill_shop_language", "--from", "de", "--dry-run", stdout=out)  # de → en
    assert "0 would be filled in all; the default language is now en." in out.getvalue()
    with pytest.raises(CommandError, match="the shop's language already"):
        call_command("fill_shop_language", "--from", "en")
    product.refresh_from_db()
    assert product.name_de == ""


# --- accounts the operator adds in the backoffice ---------------------------------------


@pytest.mark.django_db
def test_backoffice_add_forms_give_the_shop_language(admin_client, german_shop):
    page = admin_client.get(reverse("admin:customers_user_add"))
    assert page.status_code == 200
    assert '<option value="de" selected>' in page.content.decode()

    response = admin_client.post(
        reverse("admin:customers_staffuser_add"),
        {"email": "kollegin@shop.example", "usable_password": "false"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    staff = get_user_model().objects.get(email="kollegin@shop.example")
    assert staff.language == "de"


# --- what is made without a language of its own ------------------------------------------


def test_records_made_without_a_language_speak_the_shop_language(german_shop):
    from customers.models import User
    from helpdesk.models import Thread
    from orders.models import Order, Withdrawal
    from reviews.models import ReviewRequest
    from shop.models import BackgroundJob

    for model in (User, Order, Withdrawal, Thread, ReviewRequest, BackgroundJob):
        assert model._meta.get_field("language").get_default() == "de", model


# --- the product search's indexes --------------------------------------------------------


def _plan(language, text="board"):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    found = search_products(Product.objects.all(), text, language)
    return found.explain()


@pytest.mark.django_db
def test_the_search_indexes_fit_the_shop_language_from_the_first_migrate():
    ProductFactory(name_en="Oak board")
    assert search_indexes.stale() == []
    for code, _name in LANGUAGES:
        assert f"shop_product_fts_{code}" in _plan(code), code  # the search uses its index


@pytest.fixture
def indexes_put_back():
    """The indexes as the English test shop has them again after the test: built outside a
    transaction, they outlive it."""
    yield
    with override_settings(LANGUAGE_CODE="en"):
        search_indexes.rebuild()
        assert search_indexes.stale() == []


# Outside a test transaction, as the command runs: CREATE INDEX CONCURRENTLY needs that.
@pytest.mark.django_db(transaction=True)
def test_after_a_change_of_language_the_command_builds_the_search_indexes_again(
    indexes_put_back, german_shop
):
    ProductFactory(name_en="Oak board", name_de="Eichenbrett (board)")
    # Each search now also reads the German name: the English shop's indexes do not fit.
    assert sorted(search_indexes.stale()) == ["da", "de", "en", "pl"]
    with transaction.atomic():
        assert "shop_product_fts_da" not in _plan("da")

    out = io.StringIO()
    call_command("fill_shop_language", "--from", "en", "--dry-run", stdout=out)
    assert "Search indexes to build again: en, de, pl, da." in out.getvalue()
    assert sorted(search_indexes.stale()) == ["da", "de", "en", "pl"]  # a dry run builds none

    out = io.StringIO()
    call_command("fill_shop_language", "--from", "en", stdout=out)
    assert "Search indexes built again: en, de, pl, da." in out.getvalue()
    assert search_indexes.stale() == []
    with transaction.atomic():
        for code, _name in LANGUAGES:
            assert f"shop_product_fts_{code}" in _plan(code), code
    assert list(search_products(Product.objects.all(), "Eichenbrett", "da"))  # and finds

    out = io.StringIO()
    call_command("fill_shop_language", "--from", "en", stdout=out)  # run twice: nothing to do
    assert "The search indexes fit the default language already." in out.getvalue()
