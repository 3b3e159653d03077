from giftcards import services
from giftcards.models import CreditAccount, GiftCard


def assert_ledger_matches(*holders):
    """The stored balance of each card/account equals the sum of its ledger entries."""
    for holder in holders:
        holder.refresh_from_db()
        assert holder.balance == services.ledger_sum(holder), holder
        assert holder.balance >= 0


def assert_all_ledgers_match():
    for card in GiftCard.objects.all():
        assert_ledger_matches(card)
    for account in CreditAccount.objects.all():
        assert_ledger_matches(account)
