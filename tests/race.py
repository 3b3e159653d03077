"""The one race harness of the suite: real threads, released together, each on its own
database connection (so the test needs ``@pytest.mark.django_db(transaction=True)``)."""

import threading

from django.db import connections


def run_concurrently(fn, n, timeout=60):
    """Call ``fn(i)`` for i in 0..n-1 in n threads that start at the same moment.

    Returns the n outcomes in thread order: what ``fn`` returned, or the exception it raised.
    Every thread closes its database connections when it is done. A thread still running
    after ``timeout`` seconds fails the test.
    """
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=timeout)
            outcomes[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - handed to the test as an outcome
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"race-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {timeout}s: {stuck}"
    return outcomes
