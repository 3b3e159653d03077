"""A unit a discount made free can be returned and settled: its credit note credits it at
0.00. The service refused any note that was not positive, so the return of a free unit (two
units at 10.00 with a 20.00 code) could be neither refunded nor left open — an open return
holds back the full refund — and the only way out was rejecting it, which e-mails the
customer a rejection (an audit)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from lxml import etree

from orders import pdf, services
from orders.models import CreditNote, Order
from orders.services import OrderError
from orders.services.returns import create_return, receive_return, refund_return
from shop.mail import written
from shop.models import OutboxEmail
from tests.einvoice import validate as validator
from tests.factories import ProductFactory
from tests.orders.test_einvoice import pdf_text, xml_of
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

from .factories import ship_all

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def free_units(make_order):
    """Two units at 10.00, both paid for by a 20.00 code; 4.90 shipping paid."""
    cup = ProductFactory(name="Cup", price=D("10.00"), stock=10)
    campaign = CampaignFactory(
        kind=Campaign.Kind.MULTI,
        discount_type=Campaign.DiscountType.AMOUNT,
        discount_value=D("20.00"),
    )
    CodeFactory(campaign=campaign, text="TWENTY")
    order = make_order({cup.pk: 2}, voucher_code="TWENTY")
    assert order.grand_total == D("4.90")
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def test_the_return_of_a_free_unit_is_settled_with_a_note_of_nothing(free_units):
    line = free_units.lines.get()
    ret = create_return(free_units, {line.pk: 1}, "defective")
    receive_return(ret)
    ret = refund_return(ret)
    note = ret.credit_note
    assert note.grand_total == 0 and not note.is_final
    assert note.goods_total == D("10.00") and note.discount_total == D("10.00")
    assert note.paid_total == 0
    # a valid document: the PDF/A-3 with its EN 16931 XML
    document = pdf.render_credit_note(note)
    ok, problems = validator.validate(document)
    assert ok, problems
    said = "Nothing is paid back: the discount paid for the credited items."
    assert said in " ".join(pdf_text(document).split())
    assert said in etree.tostring(xml_of(document), encoding="unicode")
    mail = written(OutboxEmail.objects.filter(template="order_credit_note").latest("pk"))
    assert said in " ".join(mail.body_text.split())
    # the rest of the order can still be refunded in full
    services.refund_order(Order.objects.get(pk=free_units.pk))
    final = CreditNote.objects.get(is_final=True)
    assert final.grand_total == D("4.90")  # the other free unit and the shipping paid
    assert Order.objects.get(pk=free_units.pk).status == Order.Status.CLOSED


def test_a_note_of_nothing_that_credits_no_free_goods_is_still_refused(free_units):
    with pytest.raises(OrderError, match="must be positive"):
        services.create_credit_note(free_units, {}, shipping="0")
    with pytest.raises(OrderError, match="must be positive"):
        services.create_credit_note(
            free_units, {}, adjustment="-1.00", adjustment_text="Restocking fee"
        )
    # and the database holds to it too: only a discount can make credited goods worth 0.00
    note = CreditNote.objects.first()
    assert note is None
    ret = create_return(free_units, {free_units.lines.get().pk: 1}, "defective")
    note = refund_return(ret).credit_note
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditNote.objects.filter(pk=note.pk).update(discount_total=0, goods_total=0)


def test_the_backoffice_settles_it_from_the_return_page(admin_client, free_units):
    ret = create_return(free_units, {free_units.lines.get().pk: 1}, "defective")
    receive_return(ret)
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    preview = admin_client.post(detail, {"action": "preview", "shipping": "", "adjustment": ""})
    assert preview.status_code == 200
    assert preview.context["plan"].grand_total == 0
    assert "Nothing is paid back: the discount paid for the credited items." in (
        preview.content.decode()
    )
    response = admin_client.post(
        detail,
        {
            "action": "refund",
            "shipping": "",
            "adjustment": "",
            "previewed": preview.context["previewed"],
        },
    )
    assert response.status_code in (200, 302)
    ret.refresh_from_db()
    assert ret.credit_note is not None and ret.credit_note.grand_total == 0
