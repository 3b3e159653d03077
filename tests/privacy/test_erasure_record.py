"""Every erasure of a customer leaves a record (GDPR Art. 5(2)): the customer number, when, by
whom and how many records were anonymised, deleted or kept — no personal data."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from customers import services
from orders.services import create_invoice
from privacy.models import ErasureRecord
from shop.roles import setup_roles
from tests.factories import StaffFactory, UserFactory, settle_open_business

pytestmark = pytest.mark.django_db


def test_erasure_by_staff_is_recorded_with_counts_and_no_personal_data(make_order):
    dpo = StaffFactory(email="dpo@example.com")
    user = UserFactory(email="jan@example.com", first_name="Jan", last_name="Kowalski")
    number = user.customer_number
    invoiced = make_order(customer=user, email=user.email)
    create_invoice(invoiced)
    settle_open_business(invoiced)
    pending = make_order(customer=user, email=user.email)  # unpaid: canceled first
    summary = services.delete_customer(user, by=dpo)
    record = ErasureRecord.objects.get()
    assert record.customer_number == number
    assert record.staff == dpo and record.staff_name == "dpo@example.com"
    assert record.by_customer is False
    assert record.counts == {"orders_anonymised": 2, "orders_canceled": 1, "invoices_kept": 1}
    text = record.summary()
    assert text == (
        f"Customer {number} erased: 2 orders anonymised; 1 unpaid order canceled first; "
        "1 invoice kept (tax law)."
    )
    assert summary["erasure_summary"] == text
    stored = str(record.counts) + record.customer_number + record.staff_name
    for personal in ("jan@example.com", "Jan", "Kowalski"):
        assert personal not in stored
    # no order number either (it may equal a customer number: compare the field, not text)
    assert pending.number not in record.counts.values()


def test_self_deletion_is_recorded_as_by_the_customer(make_order):
    user = UserFactory(password="pw-Secret-12345")
    user.set_password("pw-Secret-12345")
    user.save()
    services.delete_own_account(user, "pw-Secret-12345")
    record = ErasureRecord.objects.get()
    assert record.by_customer is True and record.staff is None
    assert str(record.erased_by_display) == "the customer themselves"


def test_a_refused_erasure_leaves_no_record(make_order):
    from orders.services import mark_paid

    user = UserFactory()
    mark_paid(make_order(customer=user, email=user.email))  # paid, not shipped: refused
    with pytest.raises(services.CustomerError):
        services.delete_customer(user, by=StaffFactory())
    assert not ErasureRecord.objects.exists()


def test_the_dpo_sees_the_records_read_only(client):
    setup_roles()
    dpo = StaffFactory()
    dpo.groups.add(Group.objects.get(name="Data protection officer"))
    ErasureRecord.objects.create(customer_number="100012", counts={"orders_anonymised": 3})
    client.force_login(dpo)
    page = client.get(reverse("admin:privacy_erasurerecord_changelist"))
    assert page.status_code == 200
    assert "Customer 100012 erased: 3 orders anonymised." in page.content.decode()
    assert client.get(reverse("admin:privacy_erasurerecord_add")).status_code == 403
    clerk = StaffFactory()
    clerk.groups.add(Group.objects.get(name="Order clerk"))
    client.force_login(clerk)
    assert client.get(reverse("admin:privacy_erasurerecord_changelist")).status_code == 403


def test_the_backoffice_erasure_says_what_it_did(admin_client, make_order):
    user = UserFactory(email="ola@example.com")
    number = user.customer_number
    make_order(customer=user, email=user.email)  # unpaid: canceled first
    response = admin_client.post(
        reverse("admin:customers_user_delete", args=[user.pk]), {"post": "yes"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith(f"Customer {number} erased:") for m in shown), shown
    assert ErasureRecord.objects.filter(customer_number=number).exists()


def test_the_delete_page_says_what_happens_to_helpdesk_messages(client):
    from helpdesk import services as helpdesk_services
    from tests.helpdesk.factories import ContactTopicFactory

    user = UserFactory(email="ewa@example.com")
    client.force_login(user)
    page = client.get(reverse("customers:delete_account")).content.decode()
    assert "messages to our customer service" not in page
    helpdesk_services.create_contact_request(
        topic_id=ContactTopicFactory().pk,
        name="Ewa",
        email=user.email,
        subject="Question",
        text="Hello",
        customer=user,
    )
    page = client.get(reverse("customers:delete_account")).content.decode()
    assert "Your messages to our customer service stay as a record of the conversation" in page
