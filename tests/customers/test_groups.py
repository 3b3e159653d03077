import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from customers import services
from customers.models import CustomerGroup, User
from tests.factories import CustomerGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_group_list_add_and_rename(admin_client):
    response = admin_client.post(
        reverse("admin:customers_customergroup_add"),
        {"name": "Wholesale", "open_amount_limit": "5000.00"},
    )
    assert response.status_code == 302
    group = CustomerGroup.objects.get(name="Wholesale")
    admin_client.post(
        reverse("admin:customers_customergroup_change", args=[group.pk]),
        {"name": "Trade", "open_amount_limit": "5000.00"},
    )
    group.refresh_from_db()
    assert group.name == "Trade"
    UserFactory(group=group)
    page = admin_client.get(reverse("admin:customers_customergroup_changelist")).content.decode()
    assert "Trade" in page and f"group__id__exact={group.pk}" in page


def test_delete_group_with_members_asks_and_moves_them(admin_client):
    old, new = CustomerGroupFactory(name="Old"), CustomerGroupFactory(name="New")
    members = [UserFactory(group=old), UserFactory(group=old)]
    url = reverse("admin:customers_customergroup_delete", args=[old.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "2 members" in body and 'name="move_to"' in body
    response = admin_client.post(url, {"move_to": new.pk})
    assert response.status_code == 302
    assert not CustomerGroup.objects.filter(pk=old.pk).exists()
    assert all(User.objects.get(pk=m.pk).group_id == new.pk for m in members)


def test_delete_group_with_members_to_no_group(admin_client):
    old = CustomerGroupFactory(name="Old")
    member = UserFactory(group=old)
    response = admin_client.post(
        reverse("admin:customers_customergroup_delete", args=[old.pk]), {"move_to": ""}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.group_id is None
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_group_into_itself_is_refused():
    group = CustomerGroupFactory()
    UserFactory(group=group)
    with pytest.raises(services.CustomerError):
        services.delete_group(group, move_to=group)
    assert CustomerGroup.objects.filter(pk=group.pk).exists()


def test_group_bulk_delete_action_is_not_offered(admin_client):
    page = admin_client.get(reverse("admin:customers_customergroup_changelist")).content.decode()
    assert 'value="delete_selected"' not in page


def test_bulk_assign_to_group_with_intermediate_page(admin_client):
    group = CustomerGroupFactory(name="VIP")
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    url = reverse("admin:customers_user_changelist")
    page = admin_client.post(url, {"action": "assign_group", ACTION_CHECKBOX_NAME: [a.pk, b.pk]})
    assert page.status_code == 200
    assert 'name="group"' in page.content.decode()
    assert User.objects.filter(group=group).count() == 0
    response = admin_client.post(
        url,
        {
            "action": "assign_group",
            ACTION_CHECKBOX_NAME: [a.pk, b.pk],
            "apply": "1",
            "group": group.pk,
        },
    )
    assert response.status_code == 302
    assert set(User.objects.filter(group=group).values_list("pk", flat=True)) == {a.pk, b.pk}
    c.refresh_from_db()
    assert c.group_id is None


def test_assign_group_on_detail_page(admin_client, customer):
    group = CustomerGroupFactory(name="Retail")
    response = admin_client.post(
        reverse("admin:customers_user_change", args=[customer.pk]),
        {
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "company": "",
            "phone": "",
            "language": "en",
            "group": group.pk,
            "open_amount_limit": "",
            "is_active": "on",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.group_id == group.pk
