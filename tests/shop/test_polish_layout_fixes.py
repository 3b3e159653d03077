"""Fixes from a Polish audit (390 px, backoffice): the account's tables turn into cards on a
phone instead of cutting off their amount column ("RAZE", "48,60" without €), a status pill
stays one line, the header search shows its whole placeholder, a read-only group page names
role and permissions in the reader's language, the confirmation's attachment is named in the
order's language, and an invoice's delivery month is written as in running text
("grudzień 2026", not "Grudzień 2026")."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from giftcards import services as giftcard_services
from orders import pdf, services
from orders.models import Invoice
from shop.admin import permission_label
from shop.models import OutboxEmail
from shop.roles import role_label
from tests.factories import RoleUserFactory, StaffFactory, UserFactory
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db


def tag_of(html, start):
    """The opening tag that starts with ``start`` (e.g. '<table class="table'), whole."""
    index = html.index(start)
    return html[index : html.index(">", index) + 1]


def readonly_of(html, name):
    """What a backoffice page shows in the read-only field ``name``."""
    html = html[html.index(f"field-{name}") :]
    html = html[html.index('<div class="readonly">') + len('<div class="readonly">') :]
    return html[: html.index("</div>")]


def stacked_table(html, after):
    """The first table after the text ``after``: its opening tag and its cells."""
    html = html[html.index(after) :]
    table = html[html.index("<table") : html.index("</table>")]
    return tag_of(table, "<table"), table


# --- 1. the account's tables on a phone ------------------------------------------------------


@pytest.fixture
def erika(make_order):
    customer = UserFactory(language="pl")
    make_order(customer=customer, email=customer.email, language="pl")
    card = giftcard_services.issue_cards(Decimal("25.00"), 1)[0]
    giftcard_services.redeem_to_account(card.number, customer)
    ThreadFactory(customer=customer, email=customer.email, subject="Gdzie jest moja paczka?")
    return customer


def test_the_account_tables_turn_into_cards_with_labelled_cells(client, erika):
    client.force_login(erika)
    with translation.override("pl"):
        html = client.get(reverse("customers:account")).content.decode()
        labels = {word: translation.gettext(word) for word in ("Total", "Amount", "Status")}
        recent_orders, orders = stacked_table(html, translation.gettext("Recent orders"))
    credit, movements = stacked_table(html, 'id="giftcards"')
    questions, threads = stacked_table(html, 'id="hd-account-h"')
    for tag in (recent_orders, credit, questions):
        assert re.search(r'class="table[^"]*\bstack\b', tag), tag
        assert 'role="table"' in tag
    # the amount keeps its column's name beside it once the header row is hidden
    assert f'class="num" data-label="{labels["Total"]}">' in orders
    assert f'class="num" data-label="{labels["Amount"]}">25,00' in movements
    assert f'data-label="{labels["Status"]}"><span class="status">' in threads
    # the card's first line: the order number, the movement's date, the question's subject
    for cells in (orders, movements, threads):
        assert 'class="card-head"' in cells


def test_the_credit_history_page_has_the_same_cards(client, erika):
    client.force_login(erika)
    with translation.override("pl"):
        html = client.get(reverse("giftcards:account")).content.decode()
        tag, cells = stacked_table(html, translation.gettext("Credit history"))
    assert "stack" in tag.split('"')[1].split()
    assert cells.count('role="cell" class="card-head"') == 1


def test_a_status_pill_does_not_wrap():
    css = (settings.BASE_DIR / "static" / "css" / "shop.css").read_text()
    rules = re.findall(r"(?:^|[}/])\s*\.status\{([^}]*)\}", css, re.M)
    assert any("white-space:nowrap" in rule for rule in rules), rules


@pytest.mark.parametrize(
    "prefix, placeholder", [("/", "Search"), ("/pl/", "Szukaj"), ("/de/", "Suchen")]
)
def test_the_header_search_placeholder_is_one_short_word(client, prefix, placeholder):
    """ "Szukaj produktów" was cut to "Szukaj produktó" beside the language switch (390 px);
    the label keeps the full words."""
    html = client.get(prefix).content.decode()
    search = tag_of(html, '<input id="q"')
    assert f'placeholder="{placeholder}"' in search
    assert 'for="q"' in html


# --- 3. the read-only group page -------------------------------------------------------------


def test_a_read_only_group_page_names_role_and_permissions_in_the_readers_language():
    group = Group.objects.get(name="Data protection officer")
    manager = RoleUserFactory(role="Shop manager", language="pl")
    client = Client()
    client.force_login(manager)
    html = client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert 'name="permissions"' not in html  # the manager may only look
    with translation.override("pl"):
        role = str(role_label(group.name))
        labels = [permission_label(p) for p in group.permissions.select_related("content_type")]
    assert role != group.name
    assert readonly_of(html, "role_column").startswith(escape(role))
    field = readonly_of(html, "permission_list")
    assert len(labels) > 3
    assert field.split("<br>") == [escape(label) for label in labels]  # one a line
    assert "Can delete customer" not in field and ", " not in field


def test_the_editable_group_page_keeps_its_permission_picker(client):
    group = Group.objects.get(name="Support")
    client.force_login(StaffFactory(is_superuser=True, language="en"))
    url = reverse("admin:auth_group_change", args=[group.pk])
    html = client.get(url).content.decode()
    assert '<select name="permissions"' in html and "field-permission_list" not in html
    assert 'name="name"' not in html  # a role group's name stays as the roles find it
    other = Group.objects.create(name="Temps")
    html = client.get(reverse("admin:auth_group_change", args=[other.pk])).content.decode()
    assert 'name="name"' in html and "field-role_column" not in html


# --- 4. the confirmation's attachment --------------------------------------------------------


@pytest.mark.parametrize(
    "language, stem",
    [
        ("en", "withdrawal-information"),  # as before
        ("de", "widerrufsbelehrung"),
        ("pl", "informacja-o-odstapieniu"),
        ("da", "fortrydelsesvejledning"),
    ],
)
def test_the_withdrawal_information_is_attached_in_the_order_language(make_order, language, stem):
    """Needs the translations of "withdrawal information" (tests/shop: the .po files)."""
    customer = UserFactory(language=language)
    with translation.override("en"):  # the checkout's page language does not name it
        order = make_order(customer=customer, email=customer.email, language=language)
    mail = OutboxEmail.objects.get(template="order_confirmation")
    assert [a["filename"] for a in mail.attachments] == [f"{stem}-{order.number}.pdf"]


# --- 5. the invoice's delivery month ---------------------------------------------------------


@pytest.mark.parametrize(
    "language, month",
    [
        ("pl", "grudzień 2026"),
        ("da", "december 2026"),
        ("de", "Dezember 2026"),
        ("en", "December 2026"),
    ],
)
def test_the_date_in_words_filter_writes_the_month_as_running_text(language, month):
    template = Template(
        '{% load locales %}{{ day|date_in_words:"yMMMM" }}|{{ none|date_in_words:"yMMMM" }}'
    )
    with translation.override(language):
        text = template.render(Context({"day": datetime.date(2026, 12, 1), "none": None}))
    assert text == f"{month}|"


@pytest.mark.parametrize("language, words", [("pl", "grudzień 2026"), ("da", "december 2026")])
def test_the_invoice_states_its_delivery_month_in_lower_case(make_order, language, words):
    from pypdf import PdfReader

    customer = UserFactory(language=language)
    order = make_order(customer=customer, email=customer.email, language=language)
    invoice = services.create_invoice(order)
    assert invoice.delivery_month
    Invoice.objects.filter(pk=invoice.pk).update(
        delivery_from=datetime.date(2026, 12, 1), delivery_to=datetime.date(2026, 12, 31)
    )
    document = pdf.render_invoice(Invoice.objects.select_related("order").get(pk=invoice.pk))
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split()
    )
    assert words in text
    assert words.capitalize() not in text
