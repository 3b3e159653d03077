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
