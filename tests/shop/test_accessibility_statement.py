"""The accessibility statement (European Accessibility Act, issue 27): generated from the
shop settings, linked in the footer, in every language, edited in the backoffice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shop.models import ShopSettings

pytestmark = pytest.mark.django_db


def statement(client, language="en"):
    with translation.override(language):  # the storefront's URL names its language
        url = reverse("shop:accessibility")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_default_statement_names_status_limitations_contact_authority_and_date(client):
    html = statement(client)
    shop = ShopSettings.load()
    assert "partially compliant with WCAG 2.1 level AA" in html
    assert "PDF/A-3 e-invoices" in html  # the built-in known limitations
    assert f'href="mailto:{shop.contact_email}"' in html  # feedback goes to the contact e-mail
    assert "Marktüberwachungsstelle der Länder" in html
    assert 'href="https://www.mlbf-barrierefrei.de"' in html
    assert shop.accessibility_reviewed == timezone.localdate()


def test_statement_follows_the_settings_in_every_language(client):
    shop = ShopSettings.load()
    shop.accessibility_status = ShopSettings.AccessibilityStatus.FULL
    shop.accessibility_limitations_en = "The video guide has no captions yet."
    shop.accessibility_limitations_de = "Die Videoanleitung hat noch keine Untertitel."
    shop.accessibility_contact = "barrierefrei@example.com"
    shop.accessibility_reviewed = datetime.date(2026, 11, 2)
    shop.save()

    html = statement(client)
    assert "This online shop is fully compliant with WCAG 2.1 level AA." in html
    assert "The video guide has no captions yet." in html
    assert "PDF/A-3 e-invoices" not in html
    assert 'href="mailto:barrierefrei@example.com"' in html
    assert "2 Nov 2026" in html

    html = statement(client, "de")
    assert '<html lang="de">' in html
    assert "Erklärung zur Barrierefreiheit" in html
    assert "vollständig mit WCAG 2.1 Stufe AA vereinbar" in html
    assert "Die Videoanleitung hat noch keine Untertitel." in html
    # Polish has no own text: the default language's text, under Polish headings.
    html = statement(client, "pl")
    assert "Deklaracja dostępności" in html
    assert "The video guide has no captions yet." in html
    html = statement(client, "da")
    assert "Tilgængelighedserklæring" in html


def test_every_page_links_the_statement_in_the_footer(client):
    html = client.get(reverse("shop:home")).content.decode()
    footer = html[html.index("<footer") :]
    assert f'href="{reverse("shop:accessibility")}"' in footer


def test_statement_fields_are_edited_in_the_backoffice(admin_client):
    shop = ShopSettings.load()
    url = reverse("admin:shop_shopsettings_change", args=[shop.pk])
    html = admin_client.get(url).content.decode()
    for name in [
        "accessibility_status",
        "accessibility_limitations_en",
        "accessibility_limitations_de",
        "accessibility_limitations_pl",
        "accessibility_limitations_da",
        "accessibility_contact",
        "accessibility_enforcement_body",
        "accessibility_reviewed",
    ]:
        assert f'name="{name}"' in html, name
