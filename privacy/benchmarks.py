"""The privacy rows of ``manage.py bench``: the access log and the personal-data browser."""

from customers.benchmarks import common_surname

from .models import AccessLogEntry


def run(bench):
    bench.time_admin_list("Access log list", AccessLogEntry)
    url = bench.admin_url(
        "admin:privacy_subject_changelist", query=f"?q={common_surname()}&scope=both"
    )
    bench.time_get("Personal-data search (name)", url, 50)  # S15 ≤ 50 ms
