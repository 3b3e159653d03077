"""A backoffice form answers an input that a database check of vouchers would refuse with a
form error, never a 500 (an IntegrityError): a campaign's limits lowered below what its codes
have used, a partner offer without a code or link, or ending before it starts."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.vouchers.factories import CampaignFactory
from vouchers.models import PartnerOffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def used_campaign():
    """Used twice, 9.76 granted: the tester's campaign."""
    return CampaignFactory(
        name="Spring", kind="multi", uses_count=2, discount_spent=Decimal("9.76")
    )


def change(client, campaign, **fields):
    url = reverse("admin:vouchers_campaign_change", args=[campaign.pk])
    return client.post(url, {"name": campaign.name, **fields})


def field_errors(response, field):
    return [str(e) for e in response.context["adminform"].form.errors.get(field, [])]


def test_total_uses_below_the_uses_so_far_is_a_form_error_naming_them(admin_client, used_campaign):
    response = change(admin_client, used_campaign, max_uses="1")
    assert response.status_code == 200
    assert field_errors(response, "max_uses") == [
        "The campaign's codes have already been used 2 times: the total uses cannot be lower."
    ]
    used_campaign.refresh_from_db()
    assert used_campaign.max_uses is None


def test_a_budget_below_the_discount_granted_is_a_form_error_in_the_readers_numbers(
    admin_client, used_campaign, staff
):
    response = change(admin_client, used_campaign, budget="1,00")
    assert response.status_code == 200
    assert field_errors(response, "budget") == [
        "€9.76 has already been spent on discounts: the budget cannot be lower."
    ]
    staff.language = "de"
    staff.save(update_fields=["language"])
    with translation.override("de"):
        response = change(admin_client, used_campaign, budget="1,00")
    assert response.status_code == 200
    assert "9,76\xa0€" in field_errors(response, "budget")[0]
    used_campaign.refresh_from_db()
    assert used_campaign.budget is None


def test_both_limits_wrong_are_both_said(admin_client, used_campaign):
    response = change(admin_client, used_campaign, budget="5,00", max_uses="1")
    assert response.status_code == 200
    assert field_errors(response, "budget") and field_errors(response, "max_uses")


def test_limits_at_what_is_used_are_saved(admin_client, used_campaign):
    response = change(admin_client, used_campaign, budget="9,76", max_uses="2")
    assert response.status_code == 302
    used_campaign.refresh_from_db()
    assert (used_campaign.budget, used_campaign.max_uses) == (Decimal("9.76"), 2)


@pytest.mark.parametrize("typed", ["-1", "0"])
def test_total_uses_below_one_get_one_message(admin_client, used_campaign, typed):
    response = change(admin_client, used_campaign, max_uses=typed)
    assert response.status_code == 200
    assert field_errors(response, "max_uses") == [
        "Ensure this value is greater than or equal to 1."
    ]


@pytest.mark.parametrize("typed", ["-1", "0"])
def test_a_budget_of_nothing_gets_one_message(admin_client, typed):
    campaign = CampaignFactory()
    response = change(admin_client, campaign, budget=typed)
    assert response.status_code == 200
    assert field_errors(response, "budget") == [
        "Ensure this value is greater than or equal to €0.01."
    ]


# --- partner offers ------------------------------------------------------------------


def offer_post(client, **fields):
    data = {"partner": "Kaffee & Co", "headline_en": "10 % off", "position": "0", **fields}
    data.setdefault("enabled", "on")
    return client.post(reverse("admin:vouchers_partneroffer_add"), data)


def test_an_offer_without_code_or_link_is_a_form_error(admin_client):
    response = offer_post(admin_client, voucher_code="", link_url="")
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Please give a voucher code or a link (or both)."
    ]
    assert not PartnerOffer.objects.exists()


def test_an_offer_ending_before_it_starts_is_a_form_error(admin_client):
    response = offer_post(
        admin_client,
        voucher_code="KAFFEE10",
        valid_from="2030-05-10",
        valid_to="2030-05-01",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "“Valid to” is before “valid from”."
    ]
    assert not PartnerOffer.objects.exists()


def test_the_offer_form_is_saved_with_a_code(admin_client):
    response = offer_post(admin_client, voucher_code="KAFFEE10")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PartnerOffer.objects.get().voucher_code == "KAFFEE10"
