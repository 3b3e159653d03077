"""The demo's privacy notice (shop/demo_texts.PRIVACY, GDPR Art. 13) describes what this
shop really does, in all four languages: the demo seller as controller, the data protection
officer, the retention policy's periods, the cookies the shop sets, the account pages where
a customer exercises their rights — so a changed period, cookie or page shows up here. The
storefront's /privacy/ page renders it in titled sections; seed_demo fills it only while the
shop has none."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from shop import demo, demo_texts, retention
from shop.models import RetentionPolicy, ShopSettings

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "de", "pl", "da")
# The supervisory authority of the demo seller's state (Hamburg) and, in the Polish and
# Danish notices, the one of the reader's country (Art. 77 GDPR).
AUTHORITIES = {
    "en": ["Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit"],
    "de": ["Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit"],
    "pl": [
        "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit",
        "Prezesa Urzędu Ochrony Danych Osobowych",
    ],
    "da": ["Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit", "Datatilsynet"],
}
# The account pages a customer uses for their rights, named in every language.
ACCOUNT_PAGES = (
    "customers:consents",
    "customers:delete_account",
    "customers:profile",
    "customers:addresses",
    "privacy:own_data",
    "vouchers:account_codes",
)


def periods(language):
    """The retention policy's default periods (a German seller), as the notice writes them:
    the shop's own words for a number of years or days in ``language``."""
    policy = RetentionPolicy.load()
    with translation.override(language):
        spans = [
            retention.period(category, policy)
            for category in (
                retention.INVOICES,
                retention.ORDERS,
                retention.GUEST_DATA,
                retention.THREADS,
                retention.OUTBOX,
                retention.LOGINS,
                retention.STOCK_NOTICES,
            )
        ]
        spans.append(retention.Period(settings.SESSION_COOKIE_AGE // 86400, "days"))  # cookie
        spans.append(retention.Period(settings.ACCESS_LOG_RETENTION_DAYS // 365, "years"))
        return [str(span) for span in spans]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_names_controller_dpo_and_authority(language):
    text = demo_texts.PRIVACY[language]
    shop = ShopSettings()  # the demo seller: the model's defaults
    for part in (shop.legal_name, shop.street, f"{shop.postcode} {shop.city}", shop.phone):
        assert part in text, part
    assert shop.contact_email in text and shop.managing_director in text
    assert "dpo@example.com" in text
    for authority in AUTHORITIES[language]:
        assert authority in text, authority


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_states_the_shops_real_retention_periods(language):
    policy = RetentionPolicy.load()
    assert policy.country == "DE" and not policy.invoice_years  # the legal default: 8 years
    assert settings.ACCESS_LOG_RETENTION_DAYS == 730  # the notice says 2 years
    text = demo_texts.PRIVACY[language]
    for period in periods(language):
        assert period in text, period


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_names_the_cookies_and_account_pages_there_are(language):
    text = demo_texts.PRIVACY[language]
    for cookie in (
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    ):
        assert cookie in text, cookie
    for name in ACCOUNT_PAGES:
        assert f"({reverse(name)}" in text or f" {reverse(name)}" in text, name
    for article in ("6", "7", "15", "16", "17", "18", "20", "21", "22", "77"):  # GDPR
        assert f"art. {article}" in text.lower(), article


def test_the_four_languages_have_the_same_sections():
    titles = {
        language: [p.split("\n", 1)[0] for p in demo_texts.PRIVACY[language].split("\n\n")]
        for language in LANGUAGES
    }
    numbers = {language: [t.split(".", 1)[0] for t in titles[language]] for language in titles}
    assert numbers["en"] == [str(n) for n in range(1, 19)]
    assert all(numbers[language] == numbers["en"] for language in LANGUAGES)
    for language in LANGUAGES:  # a short title on the first line, the text below it
        assert all(len(title) <= 40 for title in titles[language]), titles[language]
        assert "§ " not in demo_texts.PRIVACY[language]  # "§ 147" kept on one line


def test_the_privacy_page_renders_the_sections_with_their_titles(client):
    shop = ShopSettings.load()
    for language in LANGUAGES:
        setattr(shop, f"privacy_notice_{language}", demo_texts.PRIVACY[language])
    shop.save()
    page = client.get("/de/privacy/").content.decode()
    assert '<article class="legal-text sections">' in page
    assert "<p>1. Verantwortlicher<br>Nordlicht Handels GmbH" in page
    assert "<p>17. Cookies<br>" in page
    polish = client.get("/pl/privacy/").content.decode()
    assert "<p>16. Prawo do skargi<br>" in polish


def test_seed_demo_fills_an_empty_notice_and_keeps_an_operators_own():
    shop = ShopSettings.load()
    shop.privacy_notice_en = "Our own notice."
    shop.save()
    demo.seed(None)
    shop.refresh_from_db()
    assert shop.privacy_notice_en == "Our own notice."
    assert not shop.privacy_notice_de

    shop.privacy_notice_en = ""
    shop.save()
    demo.seed(None)
    shop.refresh_from_db()
    for language in LANGUAGES:
        assert getattr(shop, f"privacy_notice_{language}") == demo_texts.PRIVACY[language]
