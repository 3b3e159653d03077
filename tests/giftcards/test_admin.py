import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from giftcards import services
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from shop.models import ShopSettings
from shop.panels import BACKOFFICE_CUSTOMER
from tests.factories import RoleUserFactory, StaffFactory, UserFactory
from tests.formtokens import fresh

from .helpers import assert_all_ledgers_match

pytestmark = pytest.mark.django_db

D = Decimal
LIST_URL = "/backoffice/giftcards/giftcard/"


def _login(client, user):
    client.force_login(user)
    return client


def test_card_list_columns_and_constant_queries(
    admin_client, make_card, make_order, django_assert_max_num_queries
):
    cards = [make_card("30.00") for _i in range(3)]
    make_order(giftcard_number=cards[0].number)
    with django_assert_max_num_queries(14) as ctx:
        response = admin_client.get(LIST_URL)
    small = len(ctx.captured_queries)
    html = response.content.decode()
    assert cards[0].display_number in html and "Available" in html and "5.10" in html
    services.issue_cards(D("10.00"), 40)
    with django_assert_max_num_queries(small):
        admin_client.get(LIST_URL)


def test_card_search_ignores_spaces(admin_client, make_card):
    card, other = make_card(), make_card()
    spaced = f"{card.number[:4]} {card.number[4:8]} {card.number[8:12]} {card.number[12:]}"
    html = admin_client.get(LIST_URL, {"q": spaced}).content.decode()
    assert card.display_number in html and other.display_number not in html


def test_state_filter(admin_client, make_card):
    blocked = services.set_blocked(make_card(), True)
    available = make_card()
    html = admin_client.get(LIST_URL, {"state": "blocked"}).content.decode()
    assert blocked.display_number in html and available.display_number not in html


def test_card_detail_shows_ledger_and_paid_orders(admin_client, make_card, make_order):
    card = make_card("50.00")
    order = make_order(giftcard_number=card.number)
    html = admin_client.get(
        reverse("admin:giftcards_giftcard_change", args=[card.pk])
    ).content.decode()
    assert "Orders paid with this card" in html
    assert order.number in html and "24.90" in html
    assert "Spent on order" in html and "Issued" in html


def test_issue_single_card_opens_it_and_bulk_downloads_csv(admin_client, staff):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_issue"), fresh({"amount": "25.00", "count": "1"})
    )
    card = GiftCard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:giftcards_giftcard_change", args=[card.pk])
    assert card.issued_by_staff == staff

    response = admin_client.post(
        reverse("admin:giftcards_giftcard_issue"),
        fresh({"amount": "10.00", "count": "5", "valid_until": "2099-12-31", "reason": "Fair"}),
    )
    # The batch's page: a message, the download link and an empty form for the next batch.
    assert response.status_code == 302
    result = admin_client.get(response["Location"])
    html = result.content.decode()
    assert "5 gift cards issued." in html
    assert 'id="issued-batch"' in html and 'name="amount"' in html
    response = admin_client.get(response["Location"] + "csv/")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Gift card number", "Value", "Currency", "Valid until", "Reason"]
    assert len(rows) == 6
    for number, value, _cur, valid_until, reason in rows[1:]:
        card = GiftCard.objects.get(number=number.replace(" ", ""))
        assert (value, card.balance, reason) == ("10.00", D("10.00"), "Fair")
        assert valid_until == "31 Dec 2099"  # the English short date
    assert LedgerEntry.objects.filter(reason="Fair").count() == 5


def test_bulk_issue_file_is_written_for_the_readers_excel(client):
    """A German clerk: ";"-separated, byte order mark, German header, decimal comma, German
    date, the note; the result page names the batch and links its file."""
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    response = client.post(
        reverse("admin:giftcards_giftcard_issue"),
        fresh({"amount": "12,50", "count": "3", "valid_until": "31.12.2099", "reason": "Messe"}),
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert response["Location"] + "csv/" in page
    download = client.get(response["Location"] + "csv/")
    assert download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Gutscheinnummer" and rows[0][3:] == ["Gültig bis", "Grund"]
    assert [row[1:] for row in rows[1:]] == [["12,50", "EUR", "31.12.2099", "Messe"]] * 3
    # Another staff session cannot download the batch.
    other = client_class_login(StaffFactory(is_superuser=True))
    assert other.get(response["Location"] + "csv/").status_code == 404


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_issue_form_rejects_bad_input(admin_client):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_issue"), fresh({"amount": "0", "count": "1"})
    )
    assert response.status_code == 200 and GiftCard.objects.count() == 0
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_issue"),
        fresh({"amount": "10", "count": "1", "valid_until": "2001-01-01"}),
    )
    assert "The expiry date lies in the past." in response.content.decode()
    assert GiftCard.objects.count() == 0


def test_marketing_may_not_adjust_but_payments_may(client, make_card):
    card = make_card("20.00")
    url = reverse("admin:giftcards_giftcard_adjust", args=[card.pk])
    marketing = _login(client, RoleUserFactory(role="Marketing"))
    assert marketing.post(url, fresh({"amount": "5.00", "reason": "Nice"})).status_code == 403
    card.refresh_from_db()
    assert card.balance == D("20.00")

    payments = RoleUserFactory(role="Payments")
    client.force_login(payments)
    response = client.post(url, fresh({"amount": "", "reason": ""}))
    assert response.status_code == 200 and card.ledger.count() == 1  # form errors, no change
    response = client.post(url, fresh({"amount": "-7.50", "reason": "Damaged card"}))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.balance == D("12.50")
    entry = card.ledger.get(kind="adjust")
    assert (entry.staff, entry.reason) == (payments, "Damaged card")
    assert_all_ledgers_match()


def test_order_clerk_sees_cards_but_cannot_adjust_or_block(client, make_card):
    card = make_card()
    client.force_login(RoleUserFactory(role="Order clerk"))
    assert client.get(LIST_URL).status_code == 200
    detail = client.get(reverse("admin:giftcards_giftcard_change", args=[card.pk])).content.decode()
    assert "Adjust balance" not in detail and "Block this card" not in detail
    url = reverse("admin:giftcards_giftcard_block", args=[card.pk])
    assert client.post(url, {"blocked": "1"}).status_code == 403
    card.refresh_from_db()
    assert not card.is_blocked


def test_block_and_unblock(admin_client, make_card):
    card = make_card()
    url = reverse("admin:giftcards_giftcard_block", args=[card.pk])
    admin_client.post(url, {"blocked": "1", "reason": "Reported lost"})
    card.refresh_from_db()
    assert card.is_blocked
    admin_client.post(
        LIST_URL,
        {"action": "unblock_cards", "_selected_action": [card.pk], "reason": "Found again"},
    )
    card.refresh_from_db()
    assert not card.is_blocked


def test_credit_account_detail_and_adjust(admin_client, customer, make_card, make_order):
    services.redeem_to_account(make_card("40.00").number, customer)
    order = make_order(customer=customer, use_credit=True)
    account = CreditAccount.objects.get(customer=customer)
    html = admin_client.get(
        reverse("admin:giftcards_creditaccount_change", args=[account.pk])
    ).content.decode()
    assert order.number in html and account.customer_number in html
    response = admin_client.post(
        reverse("admin:giftcards_creditaccount_adjust", args=[account.pk]),
        fresh({"amount": "2.00", "reason": "Goodwill"}),
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == D("40.00") - D("24.90") + D("2.00")
    listing = admin_client.get("/backoffice/giftcards/creditaccount/").content.decode()
    assert account.customer_number in listing


def test_mode_page_explains_and_switches_with_confirmation(client, make_card):
    make_card("20.00")
    manager = RoleUserFactory(role="Shop manager")
    client.force_login(manager)
    url = reverse("admin:giftcards_giftcard_mode")
    html = client.get(url).content.decode()
    assert "Top-up on card" in html and "Top-up on customer" in html
    assert "What a switch does" in html
    client.post(url, {"mode": "customer"})  # no confirmation ticked
    assert ShopSettings.load().giftcard_mode == "card"
    response = client.post(url, {"mode": "customer", "confirm": "on"})
    assert response.status_code == 302
    assert ShopSettings.load().giftcard_mode == "customer"


def test_payments_can_read_mode_page_but_not_switch(client):
    client.force_login(RoleUserFactory(role="Payments"))
    url = reverse("admin:giftcards_giftcard_mode")
    assert client.get(url).status_code == 200
    assert client.post(url, {"mode": "customer", "confirm": "on"}).status_code == 403
    assert ShopSettings.load().giftcard_mode == "card"


def test_mode_entry_on_the_start_page(admin_client):
    html = admin_client.get("/backoffice/").content.decode()
    assert "/backoffice/giftcards/giftcardmodesetting/" in html
    response = admin_client.get("/backoffice/giftcards/giftcardmodesetting/")
    assert response["Location"] == reverse("admin:giftcards_giftcard_mode")


def test_the_mode_entry_has_no_page_of_the_shop_settings(client):
    """The entry is a proxy of the shop settings: their row (bank account, VAT number …)
    must not open as a read-only page for whoever may view gift cards."""
    client.force_login(RoleUserFactory(role="Payments"))
    settings_row = ShopSettings.load()
    url = f"/backoffice/giftcards/giftcardmodesetting/{settings_row.pk}/change/"
    assert client.get(url).status_code == 404
    assert client.get("/backoffice/giftcards/giftcardmodesetting/").status_code == 302


def test_backoffice_customer_panel(rf, staff, make_card):
    customer = UserFactory()
    services.redeem_to_account(make_card("9.99").number, customer)
    request = rf.get("/")
    request.user = staff
    html = BACKOFFICE_CUSTOMER.render(request, customer)
    assert "9.99" in html and "Redeemed to account" in html


def test_bulk_block_is_one_update_and_leaves_other_cards_alone(
    make_card, django_assert_max_num_queries
):
    cards = [make_card() for _ in range(12)]
    already = cards[0]
    services.set_blocked(already, True)
    other = make_card()
    selection = GiftCard.objects.filter(pk__in=[c.pk for c in cards]).with_last_use()
    with django_assert_max_num_queries(3):  # savepoint, UPDATE, release
        changed = services.set_blocked_many(selection, True)
    assert changed == 11  # the card that was blocked already is skipped
    assert GiftCard.objects.filter(pk__in=[c.pk for c in cards], is_blocked=True).count() == 12
    other.refresh_from_db()
    assert not other.is_blocked
    assert services.set_blocked_many(GiftCard.objects.filter(pk=already.pk), False) == 1
    assert services.set_blocked_many(GiftCard.objects.filter(pk=already.pk), False) == 0


def test_bulk_block_action_blocks_the_selected_cards(admin_client, make_card):
    cards = [make_card() for _ in range(3)]
    spared = make_card()
    response = admin_client.post(
        LIST_URL,
        {"action": "block_cards", "_selected_action": [c.pk for c in cards], "reason": "Leaked"},
        follow=True,
    )
    assert "3 gift cards blocked." in response.content.decode()
    assert set(GiftCard.objects.filter(is_blocked=True)) == set(cards)
    spared.refresh_from_db()
    assert not spared.is_blocked


def test_a_card_just_issued_has_no_last_use(make_card, make_order):
    """ "Last use" beside "Not used on any order yet" on a new card (its issue counted as a
    use; found by a backoffice walk-through)."""
    fresh = make_card()
    assert GiftCard.objects.with_last_use().get(pk=fresh.pk).last_use is None
    spent = make_card()
    make_order(giftcard_number=spent.number)
    assert GiftCard.objects.with_last_use().get(pk=spent.pk).last_use is not None


def test_ledger_column_names_one_staff_member(admin_client, make_card):
    """The ledger's column holds the one staff member who booked the entry: "Staff member"
    (context "column": "Medarbejder", not the plural "Medarbejdere")."""
    card = make_card("30.00")
    html = admin_client.get(reverse("admin:giftcards_giftcard_change", args=[card.pk]))
    html = html.content.decode()
    assert "<th>Staff member</th>" in html and "<th>Staff</th>" not in html
