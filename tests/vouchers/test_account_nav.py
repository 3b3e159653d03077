""" "Discount codes" in the storefront account's navigation, and the codes page shows it."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, UserFactory
from tests.pages import ok_page

pytestmark = pytest.mark.django_db


def nav(page):
    start = page.index('class="account-nav"')
    return page[start : page.index("</nav>", start)]


def test_discount_codes_are_in_the_account_navigation(client):
    client.force_login(UserFactory())
    links = nav(ok_page(client, reverse("customers:account")))
    assert f'href="{reverse("vouchers:account_codes")}">Discount codes</a>' in links


def test_the_codes_page_has_the_account_navigation_with_its_link_current(client):
    client.force_login(UserFactory())
    links = nav(ok_page(client, reverse("vouchers:account_codes")))
    assert 'aria-current="page">Discount codes</a>' in links
    assert reverse("customers:profile") in links


def test_staff_get_no_codes_link(client):
    staff = StaffFactory()
    from vouchers.panels import account_nav

    class Request:
        user = staff
        resolver_match = None

    assert account_nav(Request(), staff) is None


def test_a_code_valid_until_a_date_says_until_not_an_open_range(client):
    """A campaign with an end and no start read "… – 03.03.2027"; with a start and no end
    "01.12.2026 – …"."""
    from datetime import date

    from django.utils import timezone

    from tests.vouchers.factories import CampaignFactory, CodeFactory
    from vouchers.models import Campaign

    customer = UserFactory()
    now = timezone.now()
    for valid_from, valid_to, text in (
        (None, date(2099, 3, 3), "UNTIL01"),
        (date(2026, 1, 1), None, "FROM0001"),
        (date(2026, 1, 1), date(2099, 3, 3), "BOTH0001"),
    ):
        campaign = CampaignFactory(
            kind=Campaign.Kind.ASSIGNED, valid_from=valid_from, valid_to=valid_to
        )
        CodeFactory(campaign=campaign, text=text, assigned_to=customer, assigned_at=now)
    client.force_login(customer)
    page = ok_page(client, "/de" + reverse("vouchers:account_codes"))
    assert "bis 03.03.2099" in page and "ab 01.01.2026" in page
    assert "01.01.2026 – 03.03.2099" in page
    assert "…" not in page.split("<table", 1)[1].split("</table>", 1)[0]
