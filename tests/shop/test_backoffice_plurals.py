"""Counts in the backoffice take the plural of their number: Polish has three forms ("1 zamówienie",
"3 zamówienia", "5 zamówień"), Django's verbose_name / verbose_name_plural only two — the
tester read "136 zamówienia", "8 klienci", "26 księga" under the lists, "1 members moved",
"only 1 free codes" and "3 gift cards blocked" for one card blocked.

The tests named ``…_in_polish``, ``…_german_and_danish``, ``…_of_a_polish_staff_member`` and
``test_the_testers_polish_counts`` read the plural forms from locale/: they pass once the new
messages are translated there ("msgctxt "list count"" and the ngettext messages)."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from customers.models import CustomerGroup, User
from giftcards.models import GiftCard, LedgerEntry
from orders.models import Order, SalesReport
from shop.admin import backoffice
from shop.models import OutboxEmail
from tests.factories import CustomerGroupFactory, StaffFactory, UserFactory
from vouchers import services as voucher_services
from vouchers.errors import VoucherError

pytestmark = pytest.mark.django_db

REGISTRY = "admin/_list_count.html"


def count_text(count, opts, language):
    with translation.override(language):
        return " ".join(render_to_string(REGISTRY, {"count": count, "opts": opts}).split())


def paginator_text(response):
    page = response.content.decode()
    paginator = re.search(r'<p class="paginator">(.*?)</p>', page, flags=re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", paginator).split())


# --- the count under every change list -------------------------------------------------------


def test_every_change_list_of_the_backoffice_has_its_plural_message(admin_client):
    """A model added to the backoffice without a line in admin/_list_count.html would show
    Django's two forms again."""
    with open(backoffice_template_path(), encoding="utf-8") as fh:
        listed = set(re.findall(r'model == "([\w.]+)"', fh.read()))
    with_pagination = set()
    for model in backoffice._registry:
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = admin_client.get(url)
        if response.status_code == 200 and "admin/pagination.html" in {
            t.name for t in response.templates
        }:
            with_pagination.add(opts.label_lower)
    assert len(with_pagination) > 30  # the lists really were rendered
    assert with_pagination - listed == set()
    assert listed - {m._meta.label_lower for m in backoffice._registry} == set()  # no stale


def backoffice_template_path():
    from django.template import engines

    return engines["django"].engine.find_template(REGISTRY)[0].origin.name


@pytest.mark.parametrize(
    "opts, count, text",
    [
        (Order._meta, 1, "1 order"),
        (Order._meta, 136, "136 orders"),
        (OutboxEmail._meta, 15, "15 outgoing e-mails"),  # not "15 outbox"
        (LedgerEntry._meta, 26, "26 ledger entries"),  # not "26 ledger"
        (SalesReport._meta, 2, "2 sales reports"),  # not listed: Django's wording
        (SalesReport._meta, 1, "1 sales report"),
    ],
)
def test_count_in_english(opts, count, text):
    assert count_text(count, opts, "en") == text


@pytest.mark.parametrize(
    "count, text",
    [
        (1, "1 zamówienie"),
        (3, "3 zamówienia"),
        (5, "5 zamówień"),
        (12, "12 zamówień"),
        (22, "22 zamówienia"),
        (136, "136 zamówień"),
    ],
)
def test_count_in_polish_takes_the_plural_of_the_number(count, text):
    assert count_text(count, Order._meta, "pl") == text


@pytest.mark.parametrize(
    "model, count, text",
    [
        ("orders.invoice", 116, "116 faktur"),
        ("shop.product", 13, "13 produktów"),
        ("customers.user", 8, "8 klientów"),
        ("giftcards.ledgerentry", 26, "26 wpisów w księdze"),
        ("shop.outboxemail", 15, "15 wychodzących e-maili"),
        ("giftcards.giftcard", 2, "2 karty podarunkowe"),
    ],
)
def test_the_testers_polish_counts(model, count, text):
    from django.apps import apps

    assert count_text(count, apps.get_model(model)._meta, "pl") == text


@pytest.mark.parametrize(
    "language, one, many",
    [("de", "1 Bestellung", "5 Bestellungen"), ("da", "1 ordre", "5 ordrer")],
)
def test_count_in_german_and_danish(language, one, many):
    assert count_text(1, Order._meta, language) == one
    assert count_text(5, Order._meta, language) == many


def test_customer_list_of_a_polish_staff_member(client):
    for _ in range(8):
        UserFactory()
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    response = client.get(reverse("admin:customers_user_changelist"))
    assert response.context["cl"].result_count == 8
    assert paginator_text(response).endswith("8 klientów")


def test_an_estimated_count_says_about():
    from types import SimpleNamespace

    cl = SimpleNamespace(
        paginator=SimpleNamespace(is_estimate=True), result_count=1200, opts=Order._meta
    )
    with translation.override("en"):
        page = render_to_string("admin/pagination.html", {"cl": cl})
    assert " ".join(re.sub(r"<[^>]+>", " ", page).split()) == "about 1200 orders"


def test_customer_list_in_english(admin_client):
    UserFactory()
    response = admin_client.get(reverse("admin:customers_user_changelist"))
    assert paginator_text(response).endswith("1 customer")


# --- messages with a number ------------------------------------------------------------------


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def cards():
    from giftcards import services as card_services

    issued = card_services.issue_cards(Decimal("10.00"), 3)
    card_services.set_blocked_many(GiftCard.objects.filter(pk__in=[c.pk for c in issued[:2]]), True)
    return issued


def test_blocking_reports_the_cards_that_were_blocked_not_the_selected(admin_client, cards):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_changelist"),
        {"action": "block_cards", ACTION_CHECKBOX_NAME: [c.pk for c in cards], "reason": "Leaked"},
        follow=True,
    )
    assert messages_of(response) == ["1 gift card blocked."]  # two were blocked already
    assert GiftCard.objects.filter(is_blocked=True).count() == 3
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_changelist"),
        {"action": "unblock_cards", ACTION_CHECKBOX_NAME: [c.pk for c in cards], "reason": "Found"},
        follow=True,
    )
    assert messages_of(response) == ["3 gift cards unblocked."]


def test_blocking_message_in_polish(client, cards):
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    response = client.post(
        reverse("admin:giftcards_giftcard_changelist"),
        {
            "action": "unblock_cards",
            ACTION_CHECKBOX_NAME: [c.pk for c in cards[:2]],
            "reason": "Found",
        },
        follow=True,
    )
    assert messages_of(response) == ["Odblokowano 2 karty podarunkowe."]


@pytest.mark.parametrize(
    "members, move, text",
    [
        (1, True, "Group Old deleted; 1 member moved to New."),
        (2, True, "Group Old deleted; 2 members moved to New."),
        (1, False, "Group Old deleted; 1 member is now in no group."),
    ],
)
def test_deleting_a_group_says_how_many_members_moved(admin_client, members, move, text):
    old, new = CustomerGroupFactory(name="Old"), CustomerGroupFactory(name="New")
    for _ in range(members):
        UserFactory(group=old)
    response = admin_client.post(
        reverse("admin:customers_customergroup_delete", args=[old.pk]),
        {"move_to": new.pk if move else ""},
        follow=True,
    )
    assert messages_of(response) == [text]
    assert not CustomerGroup.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(group=new if move else None, is_staff=False).count() == members


@pytest.fixture
def buyers(make_order):
    """Customers with an order each: ``buyers(n)``."""

    def make(n):
        for _ in range(n):
            make_order(customer=UserFactory())

    return make


def assigned_campaign(free):
    from tests.vouchers.factories import CampaignFactory, CodeFactory

    campaign = CampaignFactory(kind="assigned")
    for i in range(free):
        CodeFactory(campaign=campaign, text=f"FREE{campaign.pk}X{i}")
    return campaign


@pytest.mark.parametrize(
    "wanted, free, text",
    [
        (2, 1, "2 customers match. The campaign has only 1 free code: nothing was assigned."),
        (1, 0, "1 customer matches. The campaign has no free codes: nothing was assigned."),
        (4, 3, "4 customers match. The campaign has only 3 free codes: nothing was assigned."),
    ],
)
def test_too_few_free_codes_says_both_numbers_in_their_plural(buyers, wanted, free, text):
    buyers(wanted)
    campaign = assigned_campaign(free)
    with pytest.raises(VoucherError) as refused:
        voucher_services.check_enough_codes(campaign, voucher_services.Criteria(min_orders=1))
    assert refused.value.message == text


@pytest.mark.parametrize(
    "wanted, free, words",
    [(4, 3, ["4 klientów", "3 wolne kody"]), (6, 5, ["6 klientów", "5 wolnych kodów"])],
)
def test_too_few_free_codes_in_polish(buyers, wanted, free, words):
    buyers(wanted)
    campaign = assigned_campaign(free)
    with translation.override("pl"), pytest.raises(VoucherError) as refused:
        voucher_services.check_enough_codes(campaign, voucher_services.Criteria(min_orders=1))
    assert all(word in refused.value.message for word in words), refused.value.message


def test_start_page_names_one_redemption_in_the_singular(make_order):
    """The campaigns' figure said "1 uses" (vouchers/dashboard.py: a ``_()`` message; the fix
    there is proposed, not made, in this change)."""
    from tests.vouchers.test_admin import make_campaign
    from vouchers.dashboard import campaigns_by_discount

    make_campaign("Single", count=1)
    make_order(voucher_code="SIN001")
    data = campaigns_by_discount()
    assert [row["note"] for row in data["rows"]][0] in ("1 redemption", "1 use")
    assert data["chart"]["description"] == ("The 1 campaign whose codes gave the most discount.")
