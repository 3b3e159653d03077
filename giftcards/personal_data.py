"""Gift cards and credit accounts, declared for the privacy registry (see shop.personal_data)."""

from shop import personal_data


def _entry_owner(entry):
    """Whose a ledger entry is: an entry on a credit account its customer's; a card's entry
    of its redemption the redeeming customer's, of its use on an order that order's
    customer's; the card's others (issue, expiry …) nobody's in particular. A card given
    away is in both people's reports — its redemption only in the recipient's."""
    if entry.account_id:
        return entry.account.customer_id
    if entry.kind == entry.Kind.REDEEM and entry.card_id and entry.card.redeemed_to_id:
        return entry.card.redeemed_to.customer_id
    if entry.order_id:
        return entry.order.customer_id
    return None


def declare():
    # A card given away is the buyer's and the recipient's: neither's report names the
    # other's order or account through it.
    personal_data.register(
        "giftcards.giftcard",
        purpose=personal_data.ACCOUNTING,
        hidden_fields=("redeemed_to", "issued_by_order"),
    )
    # The entries of a card the person bought include those of the account it went to.
    personal_data.register(
        "giftcards.ledgerentry", purpose=personal_data.ACCOUNTING, owner=_entry_owner
    )
    personal_data.register("giftcards.creditaccount", purpose=personal_data.ACCOUNTING)
