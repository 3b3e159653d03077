"""The role groups (shop/roles.py) are found by their English names, so they are not renamed;
the backoffice names them in the reader's language: the group list, the staff list's filter
and the staff form's group choice."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from shop.roles import ROLE_LABELS, ROLES, role_label
from tests.factories import RoleUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def polish_admin(client):
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    return client


def test_every_role_has_a_label():
    assert set(ROLE_LABELS) == set(ROLES)
    assert role_label("Warehouse") == "Warehouse"  # a group an administrator created


def test_the_group_list_names_roles_in_the_readers_language(polish_admin):
    Group.objects.create(name="Warehouse")
    page = polish_admin.get(reverse("admin:auth_group_changelist")).content.decode()
    assert 'Inspektor ochrony danych <span class="quiet">(Data protection officer)</span>' in page
    assert "Obsługa zamówień" in page and ">Warehouse<" in page
    # ordered by the stored name: Data protection officer … Shop manager … Warehouse
    assert page.index("(Data protection officer)") < page.index("(Shop manager)")
    assert page.index("(Shop manager)") < page.index(">Warehouse<")


def test_the_staff_filter_and_form_name_roles_in_the_readers_language(polish_admin):
    clerk = RoleUserFactory(role="Order clerk")
    listing = polish_admin.get(reverse("admin:customers_staffuser_changelist")).content.decode()
    assert "Obsługa zamówień" in listing and "Order clerk" not in listing
    form = polish_admin.get(reverse("admin:customers_staffuser_change", args=[clerk.pk]))
    html = form.content.decode()
    group = Group.objects.get(name="Order clerk")
    assert f'<option value="{group.pk}" selected>Obsługa zamówień</option>' in html
    assert "Order clerk" not in html


def test_a_role_group_is_neither_renamed_nor_deleted(polish_admin):
    payments = Group.objects.get(name="Payments")
    url = reverse("admin:auth_group_change", args=[payments.pk])
    polish_admin.post(url, {"name": "Zahlungen", "permissions": []})
    assert Group.objects.filter(name="Payments").exists()
    assert (
        polish_admin.get(reverse("admin:auth_group_delete", args=[payments.pk])).status_code == 403
    )
    own = Group.objects.create(name="Warehouse")
    changelist = reverse("admin:auth_group_changelist")
    both = {"action": "delete_selected", "_selected_action": [payments.pk, own.pk], "post": "yes"}
    assert polish_admin.post(changelist, both).status_code == 403  # refused as a whole
    assert Group.objects.filter(pk__in=[payments.pk, own.pk]).count() == 2
    polish_admin.post(changelist, {**both, "_selected_action": [own.pk]})
    assert not Group.objects.filter(pk=own.pk).exists()


def test_permissions_are_named_in_the_readers_language(polish_admin):
    """Django stores "Can add order" in English; the group and staff forms name each
    permission from its model, in the reader's language."""
    from django.contrib.auth.models import Permission

    from orders.models import Order
    from shop.admin import permission_label

    add_order = Permission.objects.get(codename="add_order")
    reports = Permission.objects.get(codename="accounting_reports")
    with translation.override("pl"):
        label = permission_label(add_order)
        assert label.endswith(f"| Może dodawać: {Order._meta.verbose_name}")
        assert "Can add" not in label
        assert "Can see" not in permission_label(reports)
    html = polish_admin.get(reverse("admin:auth_group_add")).content.decode()
    assert "Może dodawać:" in html and "Can add order" not in html
    clerk = RoleUserFactory(role="Order clerk")
    html = polish_admin.get(
        reverse("admin:customers_staffuser_change", args=[clerk.pk])
    ).content.decode()
    assert "Może przeglądać:" in html and "Can view" not in html


# Words that are the same in English and the language (not an untranslated name).
SAME_WORD = {
    "de": {"Administration", "Helpdesk", "Sessions", "Shop", "Code"},
    "pl": {"Helpdesk"},
    "da": {"Administration", "Helpdesk", "Session"},
}


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_every_permission_names_app_model_and_action_in_the_readers_language(language):
    """Also the libraries' (django-guardian names its models in English only, django-axes
    speaks no Danish): an operator choosing a group's permissions reads every line."""
    from django.contrib.auth.models import Permission

    from shop.admin import permission_label

    permissions = list(Permission.objects.select_related("content_type"))
    with translation.override("en"):
        english = {p.pk: permission_label(p).split(" | ") for p in permissions}
    untranslated = []
    with translation.override(language):
        for permission in permissions:
            parts = permission_label(permission).split(" | ")
            untranslated += [
                part
                for part, original in zip(parts, english[permission.pk], strict=True)
                if part == original and part not in SAME_WORD[language]
            ]
        assert not sorted(set(untranslated))
        access_head = Permission.objects.get(codename="view_accessloghead")
        assert access_head.content_type.model_class()._meta.verbose_name_plural != (
            f"{access_head.content_type.model_class()._meta.verbose_name}s"
        )
    with translation.override("da"):
        axes = Permission.objects.get(codename="view_accessattempt")
        assert permission_label(axes) == "Loginbeskyttelse | Loginforsøg | Kan se loginforsøg"


def test_a_role_groups_page_is_headed_by_the_role_in_the_readers_language(polish_admin):
    payments = Group.objects.get(name="Payments")
    page = polish_admin.get(reverse("admin:auth_group_change", args=[payments.pk]))
    html = page.content.decode()
    with translation.override("pl"):
        label = str(role_label("Payments"))
    assert label != "Payments"
    assert f"<h2>{label}</h2>" in html  # the subtitle under the page title
    assert f"&rsaquo; {label}\n</div>" in html  # the breadcrumbs
    assert f"<title>{label} |" in html
    history = polish_admin.get(reverse("admin:auth_group_history", args=[payments.pk]))
    html = history.content.decode()
    assert f"<title>Historia zmian: {label} |" in html
    assert f">{label}</a>\n&rsaquo; Historia" in html and "Payments" not in html
    own = Group.objects.create(name="Warehouse")
    html = polish_admin.get(reverse("admin:auth_group_change", args=[own.pk])).content.decode()
    assert "<h2>Warehouse</h2>" in html
    assert polish_admin.get(reverse("admin:auth_group_change", args=["x"])).status_code == 302
