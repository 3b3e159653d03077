"""The erasure record says that the VIES checks of the person's VAT IDs were kept: tax proof
of the invoices without VAT, deleted with them by the retention (customers.personal_data)."""

from datetime import timedelta

import pytest

from customers import services
from customers.models import VatIdCheck
from orders.services import create_invoice
from privacy.models import ErasureRecord
from tests.conftest import BILLING
from tests.factories import StaffFactory, UserFactory, settle_open_business

pytestmark = pytest.mark.django_db

VIENNA = dict(BILLING, company="Anna Huber Handel e.U.", country="AT", postcode="1010")


def test_the_erasure_record_says_the_vies_checks_were_kept(make_order):
    anna = UserFactory(email="anna.huber@example.com")
    order = make_order(customer=anna, email=anna.email, billing=VIENNA, vat_id="ATU13585627")
    check = VatIdCheck.objects.create(
        vat_id="ATU13585627", result="confirmed", checked_at=order.created - timedelta(hours=1)
    )
    other = VatIdCheck.objects.create(vat_id="DE136695976", result="confirmed")
    create_invoice(order)
    settle_open_business(order)

    summary = services.delete_customer(anna, by=StaffFactory())

    record = ErasureRecord.objects.get()
    assert record.counts["vat_id_checks_kept"] == 1
    assert "1 VIES check of a VAT ID kept (tax law)" in record.summary()
    assert summary["erasure_summary"] == str(record.summary())
    assert set(VatIdCheck.objects.values_list("pk", flat=True)) == {check.pk, other.pk}
