"""What a Polish (and German, Danish) operator reads every day: the months of a list's date
drill-down as the language writes them ("marzec 2026", "marts 2026", "März 2026"), no
brackets inside brackets where an order waits for the payment of a method whose name has
brackets of its own ("Przedpłata (przelew)"), and an order's SKUs in one piece on its page."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from orders import services
from orders.models import Order, OrderLine
from shop.models import OutboxEmail
from tests.factories import PaymentMethodFactory, StaffFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "pl", "da"]


def staff_client(language):
    client = Client()
    client.force_login(StaffFactory(is_superuser=True, language=language))
    return client


def toplinks(html):
    """The date drill-down's words: ["‹ 2026", "marzec 2026", …]."""
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', html, re.S)
    assert nav, "no date drill-down on the page"
    words = re.sub(r"<[^>]+>", "\n", nav[1]).replace("&lsaquo;", "‹")
    return [" ".join(w.split()) for w in words.split("\n") if w.strip()]


def bracket_depth(text):
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


# --- 1. the date drill-down's months -------------------------------------------------------

MONTHS = {
    "pl": ("marzec 2026", "grudzień 2026"),
    "da": ("marts 2026", "december 2026"),
    "de": ("März 2026", "Dezember 2026"),
    "en": ("March 2026", "December 2026"),
}


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def outbox_in_march_and_december():
    """Two e-mails of 2026: the outbox's drill-down (Django's own ``date_hierarchy``) offers
    the months of that year."""
    for day in (datetime.date(2026, 3, 10), datetime.date(2026, 12, 4)):
        mail = OutboxEmail.objects.create(
            to=["erika@example.com"], subject="Hello", body_text="Hello", template="test"
        )
        OutboxEmail.objects.filter(pk=mail.pk).update(created=at(day))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_lists_drill_down_writes_its_months_as_the_language_does(
    outbox_in_march_and_december, language
):
    client = staff_client(language)
    url = reverse("admin:shop_outboxemail_changelist")
    html = client.get(url).content.decode()
    march, december = MONTHS[language]
    words = toplinks(html)
    assert march in words and december in words
    # the month chosen, on the way back from a day: the same words
    day = client.get(url, {"created__year": 2026, "created__month": 12, "created__day": 4})
    assert toplinks(day.content.decode())[0] == f"‹ {december}"


def test_polish_and_danish_months_are_lower_case_and_german_ones_are_not(
    outbox_in_march_and_december,
):
    url = reverse("admin:shop_outboxemail_changelist")
    polish = " ".join(toplinks(staff_client("pl").get(url).content.decode()))
    assert "Marzec" not in polish and "Grudzień" not in polish
    danish = " ".join(toplinks(staff_client("da").get(url).content.decode()))
    assert "Marts" not in danish and "December" not in danish
    german = " ".join(toplinks(staff_client("de").get(url).content.decode()))
    assert "Dezember 2026" in german


@pytest.mark.parametrize("language", ["pl", "da", "de"])
def test_the_order_lists_drill_down_agrees(make_order, language):
    march, december = (make_order(), make_order())
    Order.objects.filter(pk=march.pk).update(created=at(datetime.date(2026, 3, 10)))
    Order.objects.filter(pk=december.pk).update(created=at(datetime.date(2026, 12, 4)))
    html = staff_client(language).get(reverse("admin:orders_order_changelist")).content.decode()
    assert set(MONTHS[language]) <= set(toplinks(html))


@pytest.mark.parametrize(
    "language, title, shown",
    [
        ("pl", "Marzec 2026", "marzec 2026"),
        ("pl", "Grudzień 2026", "grudzień 2026"),
        ("da", "Marts 2026", "marts 2026"),
        ("de", "März 2026", "März 2026"),
        ("en", "March 2026", "March 2026"),
        # what is not a month of Django's drill-down stays as it is
        ("pl", "Wszystkie daty", "Wszystkie daty"),
        ("pl", "2026", "2026"),
        ("pl", "2 marca", "2 marca"),
        ("da", "4. december", "4. december"),
        ("pl", "Marzec 2026 i więcej", "Marzec 2026 i więcej"),
    ],
)
def test_the_month_in_words_filter(language, title, shown):
    template = Template("{% load backoffice %}{{ title|month_in_words }}")
    with translation.override(language):
        assert template.render(Context({"title": title})) == shown


# --- 2. no brackets inside brackets ----------------------------------------------------------


@pytest.fixture
def prepayment(db):
    return PaymentMethodFactory(
        code="prepayment",
        kind="prepayment",
        name_en="Prepayment (bank transfer)",
        name_de="Vorkasse (Überweisung)",
        name_pl="Przedpłata (przelew)",
        name_da="Forudbetaling (bankoverførsel)",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ship_page_of_an_unpaid_transfer_nests_no_brackets(make_order, prepayment, language):
    order = make_order(payment_method_id=prepayment.pk)
    client = staff_client(language)
    html = client.get(reverse("admin:orders_order_ship", args=[order.pk])).content.decode()
    warning = re.search(r'<p class="errornote">(.*?)</p>', html, re.S)[1]
    with translation.override(language):
        method = Order.objects.select_related("payment_method").get(pk=order.pk)
        name = method.payment_method.name
    assert "(" in name and name in warning  # the method's name, brackets and all
    assert bracket_depth(warning) == 1, warning


def test_the_ship_page_names_the_method_before_its_warning(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    html = staff_client("en").get(reverse("admin:orders_order_ship", args=[order.pk]))
    assert (
        "Payment method Prepayment (bank transfer): the payment has not arrived yet. Ship only "
        "if you want to deliver before payment."
    ) in html.content.decode()


def act(client, action, orders):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in orders], "confirm": "yes"}
    response = client.post(reverse("admin:orders_order_changelist"), data)
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_orders_left_out_for_their_payment_are_listed_without_nested_brackets(
    make_order, prepayment, language
):
    unpaid = make_order(payment_method_id=prepayment.pk)
    shipped = make_order()
    services.create_shipment(shipped, {line.pk: line.quantity for line in shipped.lines.all()})
    client = staff_client(language)
    messages = act(client, "bulk_ship", [unpaid, shipped])
    messages += act(client, "bulk_print_pick_list", [unpaid, shipped])
    assert messages and all(unpaid.number in m for m in messages)
    for message in messages:
        assert bracket_depth(message) == 1, message
    if language == "en":  # the reason, without the method's name
        assert all(f"{unpaid.number} (waiting for payment)" in m for m in messages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_order_that_is_no_prepayment_is_named_so_in_one_pair_of_brackets(
    make_order, prepayment, language
):
    card = make_order()
    paid = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(paid)
    messages = act(staff_client(language), "bulk_mark_paid", [card, paid])
    assert messages and all(bracket_depth(m) == 1 for m in messages), messages
    if language == "en":
        assert f"{card.number} (not a prepayment order)" in messages[0]


# --- 3. SKUs in one piece ------------------------------------------------------------------


def test_the_order_page_shows_each_sku_under_its_product_in_one_piece(make_order):
    order = make_order()
    OrderLine.objects.filter(order=order).update(sku="NL-KITCH-001")
    html = staff_client("pl").get(reverse("admin:orders_order_change", args=[order.pk]))
    html = html.content.decode()
    table = html[html.rindex("<table", 0, html.index("line-thumb")) :]
    table = table[: table.index("</table>")]
    header = table[table.index("<thead>") : table.index("</thead>")]
    items = table[table.index("<tbody>") :]
    cell = re.search(r"<tr><td>(.*?)</td>", items, re.S)[1]
    assert re.search(r'<span class="sku">.*NL-KITCH-001</span>', cell)  # in the product's cell
    assert len(re.findall(r"<th[\s>]", header)) == items.split("</tr>")[0].count("<td")
    css = (Path(settings.BASE_DIR) / "static/css/backoffice.css").read_text()
    rule = re.search(r"\.order-grid \.sku \{([^}]*)\}", css)
    assert rule and "white-space: nowrap" in rule[1]
