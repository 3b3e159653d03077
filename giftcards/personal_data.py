"""Gift cards and credit accounts, declared for the privacy registry (see shop.personal_data)."""

from shop import personal_data


def declare():
    personal_data.register("giftcards.giftcard", purpose=personal_data.ACCOUNTING)
    personal_data.register("giftcards.creditaccount", purpose=personal_data.ACCOUNTING)
