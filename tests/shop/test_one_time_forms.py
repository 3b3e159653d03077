"""A backoffice form that moves money or points changes it once, however often its page is sent
(shop.formtokens): gift-card adjustment, credit adjustment, gift-card issue, loyalty points.

Each page carries a one-time token; sending the same page again — a double click, the back
button and "send again", the same POST twice at once on two connections — changes nothing
more and says so."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from customers.loyalty import points_balance
from customers.models import LoyaltyEntry
from giftcards import services as giftcard_services
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from shop import formtokens
from shop.models import SentForm
from tests.factories import UserFactory
from tests.formtokens import page_token
from tests.race import run_concurrently

ALREADY_SENT = "This form was already sent; the change was made once."


@dataclass
class MoneyForm:
    """One of the four forms: its page, the data an operator types, and what it changed."""

    url: str
    data: dict
    changes: object  # () -> how many times the change was made

    def page(self, client):
        return page_token(client.get(self.url))


def gift_card_adjustment():
    card = giftcard_services.issue_cards(Decimal("50.00"), 1)[0]
    return MoneyForm(
        reverse("admin:giftcards_giftcard_adjust", args=[card.pk]),
        {"amount": "10,00", "reason": "Goodwill for complaint #42"},
        lambda: LedgerEntry.objects.filter(card=card, kind="adjust").count(),
    )


def credit_adjustment():
    account = giftcard_services.account_for(UserFactory())
    return MoneyForm(
        reverse("admin:giftcards_creditaccount_adjust", args=[account.pk]),
        {"amount": "10,00", "reason": "Goodwill"},
        lambda: LedgerEntry.objects.filter(account=account, kind="adjust").count(),
    )


def gift_card_issue():
    return MoneyForm(
        reverse("admin:giftcards_giftcard_issue"),
        {"amount": "77,00", "count": "1", "reason": "Raffle prize"},
        lambda: GiftCard.objects.count(),
    )


def loyalty_points():
    customer = UserFactory()
    return MoneyForm(
        reverse("admin:customers_user_points", args=[customer.pk]),
        {"points": "100", "note": "Goodwill"},
        lambda: LoyaltyEntry.objects.filter(customer=customer).count(),
    )


FORMS = {
    "gift-card adjustment": gift_card_adjustment,
    "credit adjustment": credit_adjustment,
    "gift-card issue": gift_card_issue,
    "loyalty points": loyalty_points,
}


@pytest.fixture(params=list(FORMS), ids=list(FORMS))
def money_form(request, db):
    return FORMS[request.param]()


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_sending_the_same_page_twice_changes_once_and_says_so(admin_client, money_form):
    token = money_form.page(admin_client)
    first = admin_client.post(money_form.url, {**money_form.data, "form_token": token})
    assert first.status_code == 302
    assert money_form.changes() == 1
    again = admin_client.post(money_form.url, {**money_form.data, "form_token": token})
    assert again.status_code == 302
    # The second send leads where the first one did (the card, the account, the customer).
    assert again["Location"] == first["Location"]
    assert ALREADY_SENT in messages_of(again)
    assert money_form.changes() == 1


@pytest.mark.django_db
def test_every_view_of_a_form_carries_a_new_token_and_each_page_changes_once(
    admin_client, money_form
):
    tokens = [money_form.page(admin_client) for _view in range(2)]
    assert tokens[0] != tokens[1]
    for token in tokens:
        admin_client.post(money_form.url, {**money_form.data, "form_token": token})
    assert money_form.changes() == 2  # two pages: two intended changes


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_a_send_without_a_valid_token_changes_nothing_and_asks_again(
    admin_client, money_form, token
):
    data = dict(money_form.data)
    if token is not None:
        data["form_token"] = token
    response = admin_client.post(money_form.url, data)
    assert response.status_code == 200
    assert "The form was not sent yet." in response.content.decode()
    assert money_form.changes() == 0
    # The page shown again carries a token of its own: sending it applies the change.
    admin_client.post(money_form.url, {**money_form.data, "form_token": page_token(response)})
    assert money_form.changes() == 1


@pytest.mark.django_db
def test_a_page_refused_for_its_input_can_be_corrected_and_sent(admin_client):
    """The token is recorded only with the change: a page the service refused (the balance
    would go below zero) is not "already sent"."""
    card = giftcard_services.issue_cards(Decimal("5.00"), 1)[0]
    url = reverse("admin:giftcards_giftcard_adjust", args=[card.pk])
    token = page_token(admin_client.get(url))
    refused = admin_client.post(url, {"amount": "-10,00", "reason": "x", "form_token": token})
    assert refused.status_code == 200 and page_token(refused) == token
    assert not SentForm.objects.exists()
    corrected = admin_client.post(url, {"amount": "-5,00", "reason": "x", "form_token": token})
    assert corrected.status_code == 302
    assert GiftCard.objects.get(pk=card.pk).balance == Decimal("0.00")


@pytest.mark.django_db
def test_a_second_issue_of_one_card_shows_the_card_issued_first(admin_client):
    form = gift_card_issue()
    token = form.page(admin_client)
    admin_client.post(form.url, {**form.data, "form_token": token})
    card = GiftCard.objects.get()
    again = admin_client.post(form.url, {**form.data, "form_token": token})
    assert again["Location"] == reverse("admin:giftcards_giftcard_change", args=[card.pk])


@pytest.mark.django_db
def test_sent_forms_are_forgotten_after_thirty_days(admin_client):
    from django.utils import timezone

    old = SentForm.objects.create(
        token=uuid.uuid4(), purpose="old", sent_at=timezone.now() - formtokens.KEPT_FOR
    )
    new = SentForm.objects.create(token=uuid.uuid4(), purpose="new")
    assert formtokens.forget_old() == 1
    assert list(SentForm.objects.all()) == [new]
    assert not SentForm.objects.filter(pk=old.pk).exists()


# --- at the same moment, on real PostgreSQL connections ----------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "make_form", [gift_card_adjustment, loyalty_points], ids=["card", "points"]
)
def test_the_same_page_sent_three_times_at_once_changes_once(staff, make_form):
    form = make_form()
    browser = Client()
    browser.force_login(staff)
    token = form.page(browser)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def send(_i):
        tab = Client()  # the same backoffice session, one request each
        tab.cookies[settings.SESSION_COOKIE_NAME] = session
        response = tab.post(form.url, {**form.data, "form_token": token})
        return response.status_code

    outcomes = run_concurrently(send, 3)

    assert outcomes == [302] * 3
    assert form.changes() == 1
    assert SentForm.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_credit_sent_twice_at_once_is_added_once_and_the_balance_matches_the_ledger(staff):
    form = credit_adjustment()
    token = form.page(_logged_in(staff))

    def send(_i):
        return _logged_in(staff).post(form.url, {**form.data, "form_token": token}).status_code

    assert run_concurrently(send, 2) == [302, 302]
    account = CreditAccount.objects.get()
    assert account.balance == Decimal("10.00")
    ledger = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    assert ledger == account.balance


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_points_balance_after_a_double_send(admin_client):
    customer = UserFactory()
    url = reverse("admin:customers_user_points", args=[customer.pk])
    token = page_token(admin_client.get(url))
    for _send in range(2):
        admin_client.post(url, {"points": "100", "note": "Goodwill", "form_token": token})
    assert points_balance(customer) == 100
