"""One free code of an "assigned" campaign given to one customer from the code's page (a
complaint, a goodwill gesture) — the bulk assignment's checks, one code per customer and
campaign, under the code's row lock; the optional e-mail; view-only roles get no form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import OutboxEmail
from tests.factories import RoleUserFactory, StaffFactory, UserFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign, Redemption

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory(name="Sorry", kind=Campaign.Kind.ASSIGNED)


def change_url(code):
    return reverse("admin:vouchers_code_change", args=[code.pk])


def assign_url(code):
    return reverse("admin:vouchers_code_assign", args=[code.pk])


def test_the_code_page_gives_a_free_code_to_a_customer_and_mails_it(admin_client, campaign):
    code = CodeFactory(campaign=campaign, text="SORRY0001")
    anna = UserFactory(email="anna@example.com", language="de")
    page = admin_client.get(change_url(code)).content.decode()
    assert 'id="assign-code"' in page and assign_url(code) in page
    response = admin_client.post(
        assign_url(code), {"email": "ANNA@example.com", "notify": "on"}, follow=True
    )
    code.refresh_from_db()
    assert code.assigned_to == anna and code.assigned_at is not None
    assert "Code SORRY0001 given to anna@example.com." in response.content.decode()
    mail = OutboxEmail.objects.get(template="voucher_assigned")
    assert mail.to == ["anna@example.com"] or "anna@example.com" in str(mail.to)
    # given: no form any more
    assert 'id="assign-code"' not in admin_client.get(change_url(code)).content.decode()


def test_without_the_tick_no_e_mail(admin_client, campaign):
    code = CodeFactory(campaign=campaign)
    UserFactory(email="ben@example.com")
    admin_client.post(assign_url(code), {"email": "ben@example.com"})
    code.refresh_from_db()
    assert code.assigned_to.email == "ben@example.com"
    assert not OutboxEmail.objects.filter(template="voucher_assigned").exists()


def test_what_cannot_be_given_is_refused_and_changes_nothing(campaign):
    customer = UserFactory(email="carla@example.com")
    held = CodeFactory(campaign=campaign, assigned_to=customer, assigned_at=timezone.now())
    free = CodeFactory(campaign=campaign)
    cases = [
        (free, "nobody@example.com", "No customer account has the e-mail address"),
        (free, StaffFactory().email, "No customer account has the e-mail address"),
        (free, "carla@example.com", f"has a code of this campaign already ({held.text})"),
        (held, "other@example.com", "given to a customer already"),
        (CodeFactory(campaign=campaign, is_active=False), "carla@example.com", "deactivated"),
        (CodeFactory(), "carla@example.com", "are used by whoever has them"),
        (
            CodeFactory(campaign=CampaignFactory(kind=Campaign.Kind.ASSIGNED, points_price=500)),
            "carla@example.com",
            "sold for loyalty points",
        ),
        (
            CodeFactory(
                campaign=CampaignFactory(
                    kind=Campaign.Kind.ASSIGNED,
                    valid_to=timezone.localdate() - timedelta(days=1),
                )
            ),
            "carla@example.com",
            "has expired",
        ),
        (free, "", "Please enter the customer's e-mail address."),
    ]
    UserFactory(email="other@example.com")
    for code, email, message in cases:
        before = (code.assigned_to_id, code.assigned_at)
        with pytest.raises(VoucherError, match=message.replace("(", r"\(").replace(")", r"\)")):
            services.assign_code(code, email)
        code.refresh_from_db()
        assert (code.assigned_to_id, code.assigned_at) == before


def test_a_used_code_is_not_given(campaign, make_order):
    code = CodeFactory(campaign=campaign)
    Redemption.objects.create(
        code=code, campaign=campaign, order=make_order(), discount=1, single_use=True
    )
    UserFactory(email="dora@example.com")
    with pytest.raises(VoucherError, match="has been used"):
        services.assign_code(code, "dora@example.com")


def test_a_refusal_on_the_page_is_a_message(admin_client, campaign):
    code = CodeFactory(campaign=campaign)
    response = admin_client.post(assign_url(code), {"email": "ghost@example.com"}, follow=True)
    assert "No customer account has the e-mail address ghost@example.com." in (
        response.content.decode()
    )
    code.refresh_from_db()
    assert code.assigned_to_id is None


def test_a_view_only_role_gets_no_form_and_a_403(client, campaign):
    code = CodeFactory(campaign=campaign)
    UserFactory(email="eve@example.com")
    client.force_login(RoleUserFactory(role="Sales"))
    page = client.get(change_url(code))
    assert page.status_code == 200 and 'id="assign-code"' not in page.content.decode()
    assert client.post(assign_url(code), {"email": "eve@example.com"}).status_code == 403
    code.refresh_from_db()
    assert code.assigned_to_id is None


def test_only_post(admin_client, campaign):
    code = CodeFactory(campaign=campaign)
    assert admin_client.get(assign_url(code)).status_code == 405
