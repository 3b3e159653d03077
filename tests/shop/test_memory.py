"""A web process freezes its loaded objects out of the garbage collector's scans (shop.memory):
at start and once more after its first requests."""

import gc

import pytest
from django.core.signals import request_finished

from shop import memory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()
    request_finished.disconnect(dispatch_uid=memory.UID)


def frozen(obj):
    """Tracked by the collector but in none of its generations: in the permanent one."""
    return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())


def test_a_web_process_freezes_at_start_and_after_its_first_requests(client, settings, unfrozen):
    settings.GC_FREEZE_AFTER_REQUESTS = 3
    loaded_before = [object()]
    memory.freeze_for_web_process()
    assert frozen(loaded_before)
    loaded_later = [object()]  # what the first requests load (templates, kept rows …)
    for _ in range(2):
        assert client.get("/").status_code == 200
    assert not frozen(loaded_later)
    assert client.get("/").status_code == 200
    assert frozen(loaded_later)
    after_requests = [object()]
    client.get("/")
    assert not frozen(after_requests)  # once only


def test_no_freeze_when_turned_off(client, settings, unfrozen):
    settings.GC_FREEZE_AFTER_REQUESTS = 0
    memory.freeze_for_web_process()
    client.get("/")
    assert gc.get_freeze_count() == 0
    assert not frozen(settings)


def test_the_wsgi_application_freezes_when_loaded():
    import subprocess
    import sys

    from django.conf import settings

    out = subprocess.run(
        [sys.executable, "-c", "import gc, shop.wsgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
        check=True,
    )
    assert int(out.stdout.split()[-1]) > 10_000
