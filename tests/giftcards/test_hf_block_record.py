"""Blocking and unblocking a gift card asks for the reason and records who did it, when and
why, shown in the card's history on its backoffice page (backoffice audit 2)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from giftcards import services
from giftcards.errors import GiftCardError
from giftcards.models import GiftCard, GiftCardEvent

pytestmark = pytest.mark.django_db
LIST_URL = "/backoffice/giftcards/giftcard/"


def card_page(client, card):
    return client.get(reverse("admin:giftcards_giftcard_change", args=[card.pk])).content.decode()


def test_the_card_page_asks_for_a_reason_to_block(admin_client, make_card):
    card = make_card()
    html = card_page(admin_client, card)
    assert 'name="reason"' in html and "required" in html.split('name="reason"')[1][:80]


def test_blocking_without_a_reason_changes_nothing(admin_client, make_card):
    card = make_card()
    url = reverse("admin:giftcards_giftcard_block", args=[card.pk])
    response = admin_client.post(url, {"blocked": "1", "reason": "  "}, follow=True)
    assert "Please give the reason" in response.content.decode()
    card.refresh_from_db()
    assert not card.is_blocked and not GiftCardEvent.objects.exists()


def test_block_and_unblock_record_who_when_and_why(admin_client, staff, make_card):
    card = make_card()
    url = reverse("admin:giftcards_giftcard_block", args=[card.pk])
    before = timezone.now()
    admin_client.post(url, {"blocked": "1", "reason": "Reported stolen by the buyer"})
    card.refresh_from_db()
    assert card.is_blocked
    event = GiftCardEvent.objects.get(card=card)
    assert event.kind == GiftCardEvent.Kind.BLOCK
    assert (event.staff, event.reason) == (staff, "Reported stolen by the buyer")
    assert event.created >= before

    admin_client.post(url, {"blocked": "0", "reason": "Found again"})
    card.refresh_from_db()
    assert not card.is_blocked
    kinds = list(card.events.order_by("created", "id").values_list("kind", "reason"))
    assert kinds == [("block", "Reported stolen by the buyer"), ("unblock", "Found again")]
    html = card_page(admin_client, card)
    assert "Reported stolen by the buyer" in html and "Found again" in html
    assert staff.email in html.split("Blocked and unblocked")[1]


def test_the_service_refuses_an_operators_block_without_a_reason(staff, make_card):
    card = make_card()
    with pytest.raises(GiftCardError, match="reason"):
        services.set_blocked(card, True, reason="", user=staff)
    services.set_blocked(card, True, reason="Fraud check", user=staff)
    # Blocking a blocked card again changes nothing and records nothing.
    services.set_blocked(card, True, reason="Twice", user=staff)
    assert list(GiftCardEvent.objects.values_list("reason", flat=True)) == ["Fraud check"]


def test_bulk_block_asks_the_reason_and_records_each_card_that_changed(
    admin_client, staff, make_card
):
    cards = [make_card() for _ in range(3)]
    services.set_blocked(cards[0], True, reason="Earlier", user=staff)
    data = {"action": "block_cards", ACTION_CHECKBOX_NAME: [c.pk for c in cards]}
    response = admin_client.post(LIST_URL, data, follow=True)
    assert "Please give the reason" in response.content.decode()
    assert GiftCard.objects.filter(is_blocked=True).count() == 1
    response = admin_client.post(LIST_URL, {**data, "reason": "Batch leaked"}, follow=True)
    assert "2 gift cards blocked." in response.content.decode()
    recorded = GiftCardEvent.objects.filter(reason="Batch leaked")
    assert sorted(recorded.values_list("card_id", flat=True)) == sorted(c.pk for c in cards[1:])
    assert {e.staff for e in recorded} == {staff}


def test_the_list_offers_the_reason_field_beside_the_actions(admin_client, make_card):
    make_card()
    html = admin_client.get(LIST_URL).content.decode()
    assert 'name="reason"' in html
