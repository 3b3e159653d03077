"""The backoffice's words in German (a walk-through in German): Django's admin JavaScript
speaks the staff member's language, the no-access page names roles by their labels and an
action a role may not take by what it is, list filters read "Nach <noun>", the outbox is a
noun at the start of a heading, a sent e-mail has no "next attempt", and a bulk print that
printed nothing is not reported as a success."""

import json
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from orders import services
from shop.admin import backoffice
from shop.models import BackgroundJob, OutboxEmail
from tests.factories import ProductFactory, RoleUserFactory, StaffFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db


def german(text, context=None):
    with translation.override("de"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def staff_client(role=None, language="de"):
    user = (
        RoleUserFactory(role=role, language=language)
        if role
        else StaffFactory(is_superuser=True, language=language)
    )
    client = Client()
    client.force_login(user)
    return client


def visible(html):
    html = html[html.index('<div id="content"') : html.index("<footer")]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- 1. Django's admin JavaScript --------------------------------------------------------


def js_catalog(client):
    """The admin's jsi18n catalogue as the page's scripts get it."""
    source = client.get(reverse("admin:jsi18n")).content.decode()
    return json.loads(re.search(r"const newcatalog = (\{.*?\});\n", source, re.S).group(1))


# Django 5.2's SelectFilter2.js (the two-box selector) with no German in Django's catalogue.
SELECTOR = {
    'Choose %s by selecting them and then select the "Choose" arrow button.': (
        "Markieren Sie die gewünschten %s und klicken Sie dann auf den „Auswählen“-Pfeil."
    ),
    "Choose all %s": "Alle %s auswählen",
    "Choose selected %s": "Markierte %s auswählen",
    "Remove selected %s": "Markierte %s entfernen",
    'Remove %s by selecting them and then select the "Remove" arrow button.': (
        "Markieren Sie die zu entfernenden %s und klicken Sie dann auf den „Entfernen“-Pfeil."
    ),
    "(click to clear)": "(zum Zurücksetzen klicken)",
    "Remove all %s": "Alle %s entfernen",
}


def test_the_admin_javascript_catalogue_in_german_has_the_two_box_selector():
    catalog = js_catalog(staff_client())
    for msgid, german_text in SELECTOR.items():
        assert catalog.get(msgid) == german_text, msgid
    # Django's own German is still there (the shop's catalogue adds to it).
    assert catalog["Available %s"] == "Verfügbare %s"
    assert catalog["Today"] == "Heute"


@pytest.mark.parametrize("language", ["pl", "da"])
def test_the_selector_speaks_polish_and_danish_too(language):
    catalog = js_catalog(staff_client(language=language))
    for msgid in SELECTOR:
        assert catalog.get(msgid), f"{language}: {msgid}"
        assert catalog[msgid] != msgid


def test_the_campaign_form_loads_the_catalogue_before_the_selector():
    # "Add campaign" is the code generator's form (…/campaign/add/ leads there).
    html = staff_client().get(reverse("admin:vouchers_campaign_generate")).content.decode()
    assert html.index(reverse("admin:jsi18n")) < html.index("admin/js/SelectFilter2.js")


# --- 2. The no-access page -----------------------------------------------------------------


def test_the_no_access_page_names_the_roles_by_their_german_labels():
    client = staff_client(role="Order clerk")
    response = client.get(reverse("admin:vouchers_campaign_changelist"))
    assert response.status_code == 403
    text = visible(response.content.decode())
    label = german("Order clerk", "role")
    assert label != "Order clerk"  # the role has a German label
    assert label in text
    assert "Order clerk" not in text


def test_a_role_that_may_look_at_orders_is_told_the_refund_is_what_it_may_not_do(make_order):
    order = make_order()
    client = staff_client(role="Support")
    assert client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    response = client.get(reverse("admin:orders_order_refund", args=[order.pk]))
    assert response.status_code == 403
    text = visible(response.content.decode())
    with translation.override("de"):
        orders = str(translation.gettext("orders"))
        title = translation.gettext("You can view %(section)s, but not carry out this action") % {
            "section": orders
        }
        no_access = translation.gettext("You don't have access to %(section)s") % {
            "section": orders
        }
    assert title in text
    assert no_access not in text  # not "no access to orders": Support can open them
    assert (
        german(
            "Your role lets you look at this part of the backoffice, but not carry out this action."
        )
        in text
    )


def test_a_section_outside_the_role_still_says_no_access():
    client = staff_client(role="Support")
    response = client.get(reverse("admin:vouchers_campaign_changelist"))
    text = visible(response.content.decode())
    with translation.override("de"):
        section = str(translation.gettext("discount-code campaigns"))
        assert (
            translation.gettext("You don't have access to %(section)s") % {"section": section}
            in text
        )
        assert translation.gettext("Your role does not include this part of the backoffice.") in (
            text
        )


# --- 4. Filter headings --------------------------------------------------------------------


def filter_headings(html):
    return [
        " ".join(re.sub(r"<[^>]+>", " ", summary).split())
        for summary in re.findall(r"<summary>(.*?)</summary>", html, re.S)
    ]


def test_the_review_filters_read_as_nouns_in_german():
    html = staff_client().get(reverse("admin:reviews_review_changelist")).content.decode()
    headings = filter_headings(html)
    by = german(" By %(filter_title)s ").strip()
    for title in ("moderation", "visibility", "proof of purchase", "repetition"):
        assert by % {"filter_title": german(title)} in headings
    for field_name in ("moderated", "active", "verified purchase", "repeated review"):
        assert by % {"filter_title": german(field_name)} not in headings
    # Under a noun, the choices say what they are instead of "Ja" / "Nein".
    text = visible(html)
    for choice in ("Moderated", "Not moderated yet", "Shown in the shop", "Verified purchase"):
        assert german(choice) in text


def test_the_review_filters_still_filter():
    from reviews.models import Review

    product = ProductFactory()
    shown = Review.objects.create(product=product, rating=5, text="Gut", active=True)
    Review.objects.create(product=product, rating=1, text="Schlecht", active=False)
    response = staff_client().get(reverse("admin:reviews_review_changelist") + "?active__exact=1")
    assert list(response.context["cl"].result_list) == [shown]


def test_background_jobs_are_filtered_by_their_kinds_names():
    user = StaffFactory(is_superuser=True, language="de")
    for kind in ("orders.export_csv", "orders.print_packing_slips"):
        BackgroundJob.objects.create(kind=kind, title="x", created_by=user)
    client = Client()
    client.force_login(user)
    url = reverse("admin:shop_backgroundjob_changelist")
    html = client.get(url).content.decode()
    text = visible(html)
    assert german(" By %(filter_title)s ").strip() % {
        "filter_title": german("kind of job")
    } in filter_headings(html)
    assert german("Export orders") in text and german("Print packing slips") in text
    assert "orders.export_csv" not in text
    filtered = client.get(url + "?kind=orders.export_csv")
    assert [job.kind for job in filtered.context["cl"].result_list] == ["orders.export_csv"]
    job = BackgroundJob.objects.get(kind="orders.export_csv")
    page = visible(
        client.get(reverse("admin:shop_backgroundjob_change", args=[job.pk])).content.decode()
    )
    assert german("Export orders") in page and "orders.export_csv" not in page


# --- 5. The outbox -------------------------------------------------------------------------


def test_every_backoffice_model_name_is_a_noun_in_german():
    """Django starts German headings with the model's name ("%s zur Änderung auswählen")."""
    with translation.override("de"):
        names = {model.__name__: str(model._meta.verbose_name) for model in backoffice._registry}
    lowercase = {model: name for model, name in names.items() if not name[:1].isupper()}
    assert not lowercase


def test_a_sent_email_has_no_next_attempt(make_order):
    make_order()
    email = OutboxEmail.objects.get(template="order_confirmation")
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), next_attempt_at=timezone.now()
    )
    client = staff_client(role="Shop manager")
    url = reverse("admin:shop_outboxemail_change", args=[email.pk])
    text = visible(client.get(url).content.decode())
    assert german("next attempt")[:1].upper() + german("next attempt")[1:] not in text
    assert german("sent").capitalize() in text
    OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxEmail.Status.PENDING)
    text = visible(client.get(url).content.decode())
    assert german("next attempt")[:1].upper() + german("next attempt")[1:] in text


# --- 6. A bulk print that printed nothing --------------------------------------------------


def test_printing_packing_slips_of_unshipped_orders_is_an_error_not_a_success(make_order):
    orders = [make_order() for _ in range(3)]
    client = staff_client()
    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "bulk_print_packing_slips", ACTION_CHECKBOX_NAME: [o.pk for o in orders]},
    )
    assert response.status_code == 302
    sent = list(get_messages(response.wsgi_request))
    assert sent and all(m.level == constants.ERROR for m in sent)
    text = " ".join(str(m) for m in sent)
    assert german("No packing slip was printed.") in text
    for order in orders:
        assert order.number in text
    with translation.override("de"):
        assert (
            translation.ngettext(
                "%(n)d packing slip in one PDF.", "%(n)d packing slips in one PDF.", 0
            )
            % {"n": 0}
            not in text
        )


def test_packing_slips_of_some_shipped_orders_are_still_printed(make_order):
    shipped, pending = make_order(), make_order()
    services.create_shipment(shipped, ship_all(shipped))
    client = staff_client()
    client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "bulk_print_packing_slips", ACTION_CHECKBOX_NAME: [shipped.pk, pending.pk]},
    )
    job = BackgroundJob.objects.get()
    assert job.status == BackgroundJob.Status.DONE and job.file
    assert job.result["skipped"] == [[pending.number, german("not shipped yet")]]


def test_a_filter_heading_reads_in_german_whatever_its_title():
    """Django's German "Nach %(filter_title)s" read "Nach aktiv" under a filter titled by an
    adjective (staff users, codes, customers …): the shop's catalogue says "Filter: …"."""
    html = staff_client().get(reverse("admin:customers_staffuser_changelist")).content.decode()
    headings = filter_headings(html)
    assert any(heading.startswith("Filter: ") for heading in headings), headings
    assert not any(heading.startswith("Nach ") for heading in headings), headings


def test_the_staff_users_password_field_speaks_german():
    staff = StaffFactory()
    html = (
        staff_client()
        .get(reverse("admin:customers_staffuser_change", args=[staff.pk]))
        .content.decode()
    )
    assert "Passwort zurücksetzen" in html and "Reset password" not in html
