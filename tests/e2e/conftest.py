"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Screenshots of each browser context's final screen (also after a failure) are written to
var/e2e/<test name>[-<person>].png; ``snapshot`` adds intermediate screens.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Generous waits for slow CI machines; a passing assertion returns as soon as it holds.
expect.set_options(timeout=15_000)

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package", autouse=True)
def _orm_next_to_playwright():
    """Playwright's sync API keeps an asyncio loop registered in this thread, so Django's guard
    would refuse the test's own (synchronous, safe) ORM calls. Allow them only while the e2e
    package runs: a process-wide setting would leak into the rest of the suite and into
    subprocesses (``check --deploy`` reports it as an error)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(_orm_next_to_playwright):
    """One Chromium for the e2e package; closed before the rest of the suite goes on."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _artifact_name(request, label=""):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return ARTIFACTS / (f"{name}-{label}.png" if label else f"{name}.png")


@pytest.fixture
def new_page(browser, request):
    """Factory for isolated browser contexts (one per person in a scenario).

    ``new_page("operator")`` names the final screenshot ``<test>-operator.png``; unnamed
    contexts are numbered (the first one gets no suffix).
    """
    contexts = []
    stale = _artifact_name(request)
    for old in [stale, *stale.parent.glob(f"{stale.stem}-*.png")]:
        old.unlink(missing_ok=True)  # screenshots of an earlier run of this test

    def make(label=""):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(15000)
        contexts.append((label or (str(len(contexts) + 1) if contexts else ""), context))
        return context.new_page()

    yield make
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, context in contexts:
        for i, page in enumerate(context.pages):
            suffix = "-".join(part for part in (label, str(i + 1) if i else "") if part)
            try:
                page.screenshot(path=str(_artifact_name(request, suffix)), full_page=True)
            except Exception:  # a crashed page must not hide the test's own failure
                pass
        context.close()


@pytest.fixture
def snapshot(request):
    """``snapshot(page, "label")``: save an intermediate screen as <test>-<label>.png."""

    def take(page, label):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(_artifact_name(request, label)), full_page=True)

    return take


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_shop(transactional_db, settings, demo_copy):
    """The demo catalog, staff and payment/shipping methods (seed_demo)."""
    from django.core.cache import cache

    settings.AXES_ENABLED = False
    # The cache (Redis when REDIS_URL is set) outlives the flushed database: clear throttle
    # counters (reviews, contact form) and cached sessions of users that no longer exist.
    cache.clear()
    demo_copy.load(settings)
    yield
    cache.clear()
