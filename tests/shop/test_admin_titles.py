"""Stock backoffice titles name the model in the case the sentence needs (shop.admin_titles):
"Wybierz opinię do zmiany", not "Wybierz opinia do zmiany"; "Kunden hinzufügen"."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import User
from reviews.models import Review
from shop.admin import backoffice
from shop.admin_titles import ACCUSATIVE, english_name, stock_title

pytestmark = pytest.mark.django_db


def _speak(user, language):
    User.objects.filter(pk=user.pk).update(language=language)


def _title_and_heading(response):
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    return title, heading


def test_polish_list_and_add_pages_put_the_name_in_the_accusative(admin_client, staff):
    _speak(staff, "pl")
    title, heading = _title_and_heading(
        admin_client.get(reverse("admin:reviews_review_changelist"))
    )
    assert heading == "Wybierz opinię do zmiany"
    assert title.startswith("Wybierz opinię do zmiany | ")
    page = admin_client.get(reverse("admin:shop_category_add"))
    assert _title_and_heading(page)[1] == "Dodaj kategorię"
    assert "› Dodaj kategorię" in re.sub(
        r"\s+", " ", page.content.decode().replace("&rsaquo;", "›")
    )
    # A neuter name is the same in both cases.
    assert _title_and_heading(admin_client.get(reverse("admin:orders_order_changelist")))[1] == (
        "Wybierz zamówienie do zmiany"
    )


def test_german_weak_noun_and_english_unchanged(admin_client, staff):
    _speak(staff, "de")
    assert _title_and_heading(admin_client.get(reverse("admin:customers_user_add")))[1] == (
        "Kunden hinzufügen"
    )
    _speak(staff, "en")
    assert _title_and_heading(admin_client.get(reverse("admin:customers_user_add")))[1] == (
        "Add customer"
    )


def test_other_titles_are_left_alone():
    opts = Review._meta
    with translation.override("pl"):
        assert stock_title("Raporty sprzedaży", opts) == "Raporty sprzedaży"
        assert stock_title("Wybierz opinia do zmiany", None) == "Wybierz opinia do zmiany"
        assert stock_title("Zmień opinia", opts) == "Zmień opinię"


def test_every_feminine_polish_model_name_has_its_accusative():
    """Polish feminine names in -a take -ę in the accusative: a new backoffice model with such
    a name needs its entry in ACCUSATIVE, or its titles read "Wybierz … a do zmiany"."""
    plural = {"ustawienia"}  # "ustawienia sklepu": a plural, the same in both cases
    missing = []
    for model in backoffice._registry:
        with translation.override("pl"):
            polish = str(model._meta.verbose_name)
        first = polish.split()[0]
        if (
            first.endswith("a")
            and first not in plural
            and english_name(model._meta) not in ACCUSATIVE
        ):
            missing.append(f"{model._meta.label}: {polish}")
    assert missing == []
    with translation.override("pl"):
        assert all(str(name) != english for english, name in ACCUSATIVE.items())


def test_django_messages_need_no_gender_in_polish():
    """Django's Polish admin messages spell out every gender ("został(a)(-ło)
    dodany(-na)(-ne)"); the shop's catalogue words every such message without one."""
    import gettext
    from pathlib import Path

    import django

    from shop.admin_titles import DJANGO_MESSAGES

    gendered = re.compile(r"\((a|-\w+)\)|\w\((\w+|-\w+)\)")
    mo = Path(django.__file__).parent / "contrib/admin/locale/pl/LC_MESSAGES/django.mo"
    with open(mo, "rb") as file:
        django_catalog = gettext.GNUTranslations(file)._catalog
    found = {key for key, text in django_catalog.items() if key and gendered.search(text)}
    assert len(found) >= 15  # the check reads Django's catalogue
    with translation.override("pl"):
        for key in found:
            if isinstance(key, tuple):  # (msgid, plural form)
                texts = [translation.ngettext(key[0], key[0], n) for n in (1, 2, 5)]
            else:
                texts = [translation.gettext(key)]
            msgid = key[0] if isinstance(key, tuple) else key
            for polish in texts:
                assert polish != msgid and not gendered.search(polish), (msgid, polish)
        assert set(DJANGO_MESSAGES) <= set(django_catalog)  # messages Django still has
        assert translation.gettext("Add another %(verbose_name)s") == "Dodaj: %(verbose_name)s"


def test_a_save_in_the_polish_backoffice_says_so_without_guessing_the_gender(admin_client, staff):
    from customers.models import CustomerGroup

    _speak(staff, "pl")
    response = admin_client.post(
        reverse("admin:customers_customergroup_add"), {"name": "Hurt"}, follow=True
    )
    group = CustomerGroup.objects.get(name="Hurt")
    text = re.sub(r"<[^>]+>", "", response.content.decode())  # the name links to the group
    assert "Dodano pomyślnie: grupa klientów „Hurt”." in text
    response = admin_client.post(
        reverse("admin:customers_customergroup_change", args=[group.pk]),
        {"name": "Hurtownicy"},
        follow=True,
    )
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "Zapisano zmiany: grupa klientów „Hurtownicy”." in text


def test_german_save_buttons_say_speichern_like_every_other_save(admin_client, staff):
    """Django's German admin says "Sichern"; the shop's own buttons say "Speichern"."""
    _speak(staff, "de")
    page = admin_client.get(reverse("admin:customers_customergroup_add")).content.decode()
    assert "Speichern und weiter bearbeiten" in page
    assert "Speichern und neu hinzufügen" in page
    assert "Sichern" not in page
