"""The account's start page marks a code as the codes page does: an expired code read as
usable there (found by a storefront walk-through)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def test_the_account_page_says_which_codes_can_be_used(client):
    customer = UserFactory()
    today = timezone.localdate()
    CodeFactory(
        text="SUMMER01",
        assigned_to=customer,
        campaign=CampaignFactory(valid_to=today - timedelta(days=1)),
    )
    CodeFactory(text="WINTER01", assigned_to=customer, campaign=CampaignFactory())
    client.force_login(customer)
    page = client.get(reverse("customers:account")).content.decode()
    summer = page.split("SUMMER01")[1].split("</li>")[0]
    winter = page.split("WINTER01")[1].split("</li>")[0]
    assert "expired" in summer and "ready to use" not in summer
    assert "ready to use" in winter
