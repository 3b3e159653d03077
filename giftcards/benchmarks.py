"""The gift cards' rows of ``manage.py bench``."""

from .models import GiftCard


def run(bench):
    bench.time_admin_list("Gift cards list", GiftCard)
    bench.time_admin_detail("Gift card detail", GiftCard, bench.latest_pk(GiftCard))
