"""A buyer's download link in a real browser: opening it shows the download's page and
counts nothing (mail scanners open the links of an e-mail before the buyer does); the page's
button delivers the file and counts one download."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import DownloadLink

pytestmark = pytest.mark.e2e


def test_opening_a_download_link_counts_nothing_and_the_button_downloads(
    demo_shop, live_server, new_page
):
    link = DownloadLink.objects.filter(expires_at__gt=timezone.now(), download_count=0).first()
    assert link is not None  # seed_demo delivers an e-book to a paid order
    url = live_server.url + link.get_absolute_url()

    scanner = new_page("scanner")
    for _visit in range(link.max_downloads + 1):
        scanner.goto(url)
    link.refresh_from_db()
    assert link.download_count == 0

    buyer = new_page("buyer")
    buyer.goto(url)
    expect(buyer.get_by_role("heading", name="Your download")).to_be_visible()
    expect(buyer.locator("main")).to_contain_text(link.order_line.name)
    expect(buyer.locator("main")).to_contain_text(f"{link.max_downloads} of {link.max_downloads}")
    with buyer.expect_download() as info:
        buyer.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    link.refresh_from_db()
    assert link.download_count == 1 and link.last_download_at is not None
