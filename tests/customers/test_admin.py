import pytest
from django.urls import reverse

from customers import loyalty
from customers.models import StaffUser
from tests.customers.factories import AddressFactory
from tests.factories import CustomerGroupFactory, RoleUserFactory, StaffFactory, UserFactory
from tests.formtokens import fresh

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:customers_user_changelist"


def test_customer_list_shows_customers_only_with_constant_queries(
    admin_client, django_assert_max_num_queries
):
    group = CustomerGroupFactory(name="Wholesale")
    for _ in range(3):
        UserFactory(group=group)
    admin_client.get(reverse(CHANGELIST))  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(reverse(CHANGELIST))
    for _ in range(30):
        UserFactory(group=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(reverse(CHANGELIST))
    body = response.content.decode()
    assert "Wholesale" in body
    staff = StaffFactory(email="colleague@example.com")
    body = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert staff.email not in body


def test_search_by_name_email_and_customer_number(admin_client):
    anna = UserFactory(first_name="Anna", last_name="Schmidt", email="anna.s@example.com")
    jan = UserFactory(first_name="Jan", last_name="Kowalski", email="jan.k@example.com")
    url = reverse(CHANGELIST)
    by_name = admin_client.get(url, {"q": "schmidt"}).content.decode()
    assert anna.email in by_name and jan.email not in by_name
    by_email = admin_client.get(url, {"q": "jan.k@"}).content.decode()
    assert jan.email in by_email and anna.email not in by_email
    by_number = admin_client.get(url, {"q": jan.customer_number}).content.decode()
    assert jan.email in by_number and anna.email not in by_number


def test_filters_rejected_and_test(admin_client):
    rejected = UserFactory(is_rejected=True)
    tester = UserFactory(is_test=True)
    plain = UserFactory()
    body = admin_client.get(reverse(CHANGELIST), {"is_rejected__exact": "1"}).content.decode()
    assert rejected.email in body and plain.email not in body
    body = admin_client.get(reverse(CHANGELIST), {"is_test__exact": "1"}).content.decode()
    assert tester.email in body and plain.email not in body


def test_staff_users_have_their_own_screen(admin_client, customer):
    colleague = StaffFactory(email="colleague@example.com")
    body = admin_client.get(reverse("admin:customers_staffuser_changelist")).content.decode()
    assert colleague.email in body and customer.email not in body
    # A staff user is not reachable through the customer screens.
    response = admin_client.get(reverse("admin:customers_user_change", args=[colleague.pk]))
    assert response.status_code == 302


def test_staff_user_add_form(admin_client):
    response = admin_client.post(
        reverse("admin:customers_staffuser_add"),
        {
            "email": "new.clerk@example.com",
            "usable_password": "true",
            "password1": "Clerk-pass-2026!",
            "password2": "Clerk-pass-2026!",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk = StaffUser.objects.get(email="new.clerk@example.com")
    assert clerk.is_staff and clerk.check_password("Clerk-pass-2026!")


def test_customer_detail_shows_everything(admin_client, make_order, customer):
    AddressFactory(customer=customer, street="Elbchaussee 5")
    order = make_order(customer=customer)
    make_order(customer=customer)
    loyalty.adjust_points(customer, 42, "Goodwill")
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert customer.customer_number in body
    assert "Elbchaussee 5" in body
    assert order.number in body
    assert "49.80" in body  # sum of both orders
    assert "Goodwill" in body
    assert reverse("admin:customers_user_print", args=[customer.pk]) in body


def test_customer_detail_renders_other_apps_panels(admin_client, customer):
    from shop import panels

    # Any app's panel template works; reuse ours with a marker value.
    template = "customers/_points_panel.html"
    panels.BACKOFFICE_CUSTOMER.register(
        template,
        lambda request, obj: {"balance": 900000 + obj.pk, "entries": []},
        order=999,
        permission="customers.view_user",
    )
    try:
        body = admin_client.get(
            reverse("admin:customers_user_change", args=[customer.pk])
        ).content.decode()
    finally:
        registry = panels.BACKOFFICE_CUSTOMER
        registry._panels = [p for p in registry._panels if p.template != template]
    assert str(900000 + customer.pk) in body


def test_print_is_a_pdf_with_the_customer_data(admin_client, make_order, customer):
    from io import BytesIO

    from pypdf import PdfReader

    make_order(customer=customer)
    response = admin_client.get(reverse("admin:customers_user_print", args=[customer.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert customer.customer_number in text and customer.email in text
    assert "24.90" in text


def test_view_only_role_cannot_adjust_points(client, customer):
    client.force_login(RoleUserFactory(role="Order clerk"))
    assert client.get(reverse("admin:customers_user_change", args=[customer.pk])).status_code == 200
    response = client.post(
        reverse("admin:customers_user_points", args=[customer.pk]),
        fresh({"points": 5, "note": "x"}),
    )
    assert response.status_code == 403
    assert loyalty.points_balance(customer) == 0
    assert client.get(reverse("admin:customers_staffuser_changelist")).status_code == 403


def _bulk_customers(last_name, n):
    from customers.models import User
    from shop.db import analyze

    User.objects.bulk_create(
        User(email=f"{last_name.lower()}{i}@example.com", first_name="Ida", last_name=last_name)
        for i in range(n)
    )
    analyze(User)


def test_search_with_thousands_of_matches_shows_an_estimate_marked_about(admin_client):
    # A common surname: counting every match exactly through the trigram index would cost
    # more than the page, so the total comes from the planner and says "about".
    _bulk_customers("Kowalski", 1_500)
    _bulk_customers("Nowak", 3)
    url = reverse(CHANGELIST)
    body = admin_client.get(url, {"q": "kowalski"}).content.decode()
    assert "about " in body and "kowalski1499@example.com" in body
    # A rare name is counted exactly.
    body = admin_client.get(url, {"q": "nowak"}).content.decode()
    assert "3 results" in body and "about " not in body


def test_estimated_total_is_close_to_the_real_count(admin_client):
    from customers.models import User
    from shop.admin import EstimatedCountPaginator

    _bulk_customers("Kowalski", 1_500)
    paginator = EstimatedCountPaginator(
        User.objects.filter(last_name="Kowalski").order_by("pk"), 50
    )
    paginator.threshold = 1_000
    assert paginator.is_estimate is False
    assert 1_000 < paginator.count and paginator.is_estimate
    # The planner's row estimate, not an exact count — but in the right range.
    assert 1_200 <= paginator.count <= 1_800


def test_result_count_only_for_a_search_or_filter_and_row_checkboxes(admin_client):
    customer = UserFactory(last_name="Nowak")
    UserFactory()
    url = reverse(CHANGELIST)
    plain = admin_client.get(url).content.decode()
    assert "results (" not in plain  # an unfiltered list shows no "N results (Show all)"
    assert "1 result (" in admin_client.get(url, {"q": "nowak"}).content.decode()
    assert " results (" in admin_client.get(url, {"is_test__exact": "0"}).content.decode()
    # The row checkbox the bulk actions read (written without the widget template).
    assert (
        f'<input type="checkbox" name="_selected_action" value="{customer.pk}" '
        'class="action-select" aria-label="Select this object for an action - '
    ) in plain
