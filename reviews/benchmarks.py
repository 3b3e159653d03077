"""The reviews' row of ``manage.py bench``."""

from .models import Review


def run(bench):
    bench.time_admin_list("Reviews list", Review)
