"""A campaign name that is taken, in any case, is refused with words on the form (audit: a
double click on "Generate codes" ended in a server error for the second send — an
IntegrityError of ``campaign_name_unique_ci`` —, and renaming "Winter" to "SUMMER" while
"Summer" existed said "Constraint “campaign_name_unique_ci” is violated.").

Both forms say "A campaign named “…” already exists." on the name field, as "Generate codes"
always did for a name taken before the send; exactly one campaign of the name exists."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import StaffFactory
from tests.race import run_concurrently
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign

from .factories import CampaignFactory

TAKEN = "A campaign named “{}” already exists."


def change(admin_client, campaign, name):
    return admin_client.post(
        reverse("admin:vouchers_campaign_change", args=[campaign.pk]), {"name": name}
    )


# --- Renaming ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_renaming_to_a_taken_name_in_another_case_says_so(admin_client):
    CampaignFactory(name="Summer")
    winter = CampaignFactory(name="Winter", kind=Campaign.Kind.MULTI)
    response = change(admin_client, winter, "SUMMER")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [TAKEN.format("SUMMER")]
    html = response.content.decode()
    assert TAKEN.format("SUMMER") in html and "campaign_name_unique_ci" not in html
    winter.refresh_from_db()
    assert winter.name == "Winter"


@pytest.mark.django_db
def test_a_campaign_keeps_its_own_name_in_another_case(admin_client):
    winter = CampaignFactory(name="Winter", kind=Campaign.Kind.MULTI)
    assert change(admin_client, winter, "WINTER").status_code == 302
    winter.refresh_from_db()
    assert winter.name == "WINTER"


@pytest.mark.django_db
def test_the_constraint_itself_says_the_name_is_taken():
    """Any other validation of the model (``full_clean``) reads words, not the constraint."""
    CampaignFactory(name="Summer")
    with pytest.raises(ValidationError) as error:
        Campaign(name="sUMMER").validate_constraints(exclude={"discount_value"})
    assert error.value.messages == ["A campaign with this name already exists."]


# --- Generating the same campaign twice at once ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_generate_shows_the_form_error_not_a_server_error():
    staff = StaffFactory(is_superuser=True)
    data = {
        "name": "Sommer 2030",
        "kind": "single",
        "count": "2000",
        "discount_type": "percent",
        "discount_value": "10",
        "mask": "",
    }

    def send(_):
        client = Client(raise_request_exception=False)
        client.force_login(staff)
        response = client.post(reverse("admin:vouchers_campaign_generate"), data)
        return response.status_code, response.content.decode()

    outcomes = run_concurrently(send, 4)
    statuses = sorted(status for status, _html in outcomes)
    assert statuses == [200, 200, 200, 302]
    for status, html in outcomes:
        if status == 200:
            assert TAKEN.format("Sommer 2030") in html
    campaign = Campaign.objects.get()
    assert campaign.name == "Sommer 2030" and campaign.codes.count() == 2000


@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_refuses_all_but_one_on_the_name_field():
    def generate(i):
        return services.generate_campaign(
            name="Rush" if i % 2 else "RUSH", count=500, mask=f"R{i}<NUM:1000>", discount_value=10
        )

    outcomes = run_concurrently(generate, 4)
    made = [o for o in outcomes if isinstance(o, Campaign)]
    refused = [o for o in outcomes if isinstance(o, VoucherError)]
    assert len(made) == 1 and len(refused) == 3, outcomes
    assert all(error.field == "name" and "already exists" in error.message for error in refused)
    assert Campaign.objects.get().codes.count() == 500
