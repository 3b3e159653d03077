"""The helpdesk's rows of ``manage.py bench``."""

from .models import Thread


def run(bench):
    bench.time_admin_list("Threads list", Thread)
    bench.time_admin_detail("Thread detail", Thread, bench.latest_pk(Thread))
