"""The withdrawal function (Art. 11a CRD, § 356a BGB): a link on every storefront page and on
the account's order page while the period runs, two steps, an acknowledgement e-mail at once
with the content and the time of receipt, late statements marked, unknown orders answered
neutrally, statements naming no order throttled per client."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from orders import links, services
from orders.aftersales import Withdrawal
from orders.deadlines import next_working_day
from orders.models import Order, Shipment
from shop.admin import backoffice
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from tests.factories import ProductFactory, UserFactory, settle_open_business

from .factories import downloadable_product, ship_all

pytestmark = pytest.mark.django_db

LABELS = {
    "en": "Withdraw from contract here",
    "de": "Vertrag hier widerrufen",
    "pl": "Odstąp od umowy tutaj",
    "da": "Fortryd aftalen her",
}
CONFIRM = {
    "en": "Confirm withdrawal",
    "de": "Widerruf bestätigen",
    "pl": "Potwierdź odstąpienie od umowy",
    "da": "Bekræft fortrydelse",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def shipped(make_order, days_ago=0, **kwargs):
    order = make_order(**kwargs)
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(pk=shipment.pk).update(
        created=timezone.now() - timedelta(days=days_ago)
    )
    return Order.objects.get(pk=order.pk)


def step_data(order, **overrides):
    return {
        "name": "Erika Mustermann",
        "email": order.email,
        "order_number": order.number,
        "items_text": "",
        "reason": "",
        **overrides,
    }


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_every_storefront_page_links_the_withdrawal_function(client, product, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    for url in (reverse("shop:home"), product.get_absolute_url(), reverse("shop:cart")):
        page = client.get(url, follow=True).content.decode()
        assert LABELS[language] in page and reverse("orders:withdraw") in page, url


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_the_confirm_button_is_labelled_in_every_language(client, make_order, language):
    order = shipped(make_order)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    with translation.override(language):  # the form of the page in that language
        url = reverse("orders:withdraw")
    page = client.post(url, step_data(order)).content.decode()
    assert CONFIRM[language] in page


def test_guest_withdraws_in_two_steps_and_gets_the_acknowledgement_at_once(
    client, make_order, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(make_order, language="de")
    step1 = client.get(reverse("orders:withdraw"))
    assert step1.status_code == 200 and b'name="order_number"' in step1.content
    data = step_data(order, items_text="The lamp", reason="Too big")
    step2 = client.post(reverse("orders:withdraw"), data)
    page = step2.content.decode()
    # Step 2 shows what will be sent and sends nothing yet.
    assert "Confirm withdrawal" in page and "The lamp" in page and order.number in page
    assert not Withdrawal.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("orders:withdraw"), {**data, "confirm": ""}, follow=True)
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.order == order and not withdrawal.is_late
    assert withdrawal.items_text == "The lamp" and withdrawal.reason == "Too big"
    assert done.redirect_chain[-1][0] == reverse("orders:withdraw_done")
    assert "Your withdrawal has been sent" in done.content.decode()
    mail = mailoutbox[-1]
    assert mail.to == [order.email]
    # In the language the customer declared in (the English page), not the order's German:
    # the acknowledgement repeats the declaration in the customer's own words.
    assert withdrawal.language == "en"
    assert mail.subject == f"We have received your withdrawal from order {order.number}"
    received = timezone.localtime(withdrawal.received_at)
    assert received.strftime("%H:%M") in mail.body and "The lamp" in mail.body
    assert "Too big" in mail.body and "I hereby withdraw from my contract" in mail.body
    assert withdrawal.acknowledged_at is not None
    assert order.comments.filter(text__startswith="Withdrawal statement received").exists()


def test_a_declaration_on_the_polish_page_is_acknowledged_in_polish(client, make_order, mailoutbox):
    order = shipped(make_order, language="de")
    with translation.override("pl"):
        url = reverse("orders:withdraw")
    assert url.startswith("/pl/")
    client.post(url, {**step_data(order, reason="Za dużo kawy"), "confirm": ""})
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.language == "pl"
    mail = written(OutboxEmail.objects.get(template="order_withdrawal_received"))
    assert mail.subject == f"Otrzymaliśmy Twoje odstąpienie od zamówienia {order.number}"
    assert "Niniejszym odstępuję" in mail.body_text and "Hiermit" not in mail.body_text


def test_the_reason_and_the_items_are_optional(client, make_order):
    order = shipped(make_order)
    data = step_data(order)
    response = client.post(reverse("orders:withdraw"), {**data, "confirm": ""})
    assert response.status_code == 302
    assert Withdrawal.objects.get().whole_order


def test_a_statement_after_the_period_is_recorded_acknowledged_and_marked_late(client, make_order):
    order = shipped(make_order, days_ago=40)  # delivered 37 days ago (3 days in transit)
    assert services.period_end(order) < timezone.localdate()
    client.post(reverse("orders:withdraw"), {**step_data(order), "confirm": ""})
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.is_late and withdrawal.period_ends == services.period_end(order)
    mail = OutboxEmail.objects.get(template="order_withdrawal_received")
    assert "withdrawal period for this order ended" in mail.body_text


@pytest.mark.parametrize(
    "change", [{"email": "someone.else@example.com"}, {"order_number": "999999"}]
)
def test_unknown_order_or_wrong_email_gets_the_same_neutral_answer(client, make_order, change):
    order = shipped(make_order)
    real = client.post(reverse("orders:withdraw"), {**step_data(order), "confirm": ""})
    real_page = client.get(reverse("orders:withdraw_done")).content.decode()
    wrong = client.post(reverse("orders:withdraw"), {**step_data(order, **change), "confirm": ""})
    wrong_page = client.get(reverse("orders:withdraw_done")).content.decode()
    assert real.status_code == wrong.status_code == 302
    neutral = "If the order number and the e-mail address"
    assert neutral in real_page and neutral in wrong_page
    assert "Erika Mustermann" not in wrong_page.replace("Erika Mustermann", "", 1)
    for secret in (order.billing_street, "Lamp", order.grand_total):
        assert str(secret) not in wrong_page
    unmatched = Withdrawal.objects.get(order__isnull=True)
    assert unmatched.acknowledged_at is None
    assert OutboxEmail.objects.filter(template="order_withdrawal_received").count() == 1


def test_withdrawals_are_throttled_per_order_and_failed_lookups_per_client(
    client, make_order, settings
):
    """A statement naming an order of its e-mail address is never refused for other
    people's traffic from the same address; new statements for one order are limited (past
    the limit the latest one is confirmed again), lookups that find no order per client
    (the rest: tests/orders/test_ha_withdrawal_refunds.py)."""
    settings.WITHDRAWAL_ORDER_LIMIT = 2
    settings.WITHDRAWAL_LIMIT = 2
    order = shipped(make_order)
    # Different statements (the same one repeated is one statement: test_withdrawal_once).
    for name in ("Erika Mustermann", "Max Mustermann"):
        client.post(reverse("orders:withdraw"), {**step_data(order, name=name), "confirm": ""})
    again = client.post(
        reverse("orders:withdraw"), {**step_data(order, name="Eva Mustermann"), "confirm": ""}
    )
    assert again.status_code == 302
    assert Withdrawal.objects.count() == 2
    for number in ("999991", "999992"):
        client.post(
            reverse("orders:withdraw"), {**step_data(order, order_number=number), "confirm": ""}
        )
    refused = client.post(
        reverse("orders:withdraw"), {**step_data(order, order_number="999993"), "confirm": ""}
    )
    assert refused.status_code == 200
    assert "several statements in a short time" in refused.content.decode()
    assert Withdrawal.objects.count() == 4


def test_bad_input_is_a_form_error_and_records_nothing(client, make_order):
    order = shipped(make_order)
    response = client.post(
        reverse("orders:withdraw"),
        {**step_data(order, email="not-an-address", name=""), "confirm": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Withdrawal.objects.exists()


def test_logged_in_customer_withdraws_chosen_items_with_prefilled_data(
    client, make_order, customer
):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"))
    mug = ProductFactory(name="Mug", price=Decimal("8.00"))
    order = shipped(
        make_order, items={lamp.pk: 2, mug.pk: 1}, customer=customer, email=customer.email
    )
    client.force_login(customer)
    url = reverse("orders:withdraw") + f"?order={order.number}"
    form = client.get(url).context["form"]
    assert form.initial["email"] == customer.email and form.initial["order_number"] == order.number
    lamp_line = order.lines.get(product=lamp)
    mug_line = order.lines.get(product=mug)
    data = {
        "name": "Erika Mustermann",
        "email": customer.email,
        f"qty_{lamp_line.pk}": "1",
        f"qty_{mug_line.pk}": "0",
        "reason": "",
    }
    confirm = client.post(url, data).content.decode()
    assert "1 × Lamp" in confirm and "Mug" not in confirm.split("Statement")[1]
    client.post(url, {**data, "confirm": ""})
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.items == [{"line": lamp_line.pk, "name": "Lamp", "quantity": 1}]
    assert withdrawal.customer == customer


def test_a_customer_cannot_prefill_someone_elses_order(client, make_order, customer):
    other = shipped(make_order, email="other@example.com")
    client.force_login(customer)
    form = client.get(reverse("orders:withdraw") + f"?order={other.number}").context["form"]
    assert not form.line_fields and form.initial.get("order_number") is None


def test_account_order_page_offers_the_withdrawal_while_the_period_runs(
    client, make_order, customer
):
    order = shipped(make_order, customer=customer, email=customer.email)
    client.force_login(customer)
    url = reverse("orders:account_order", args=[order.number])
    page = client.get(url).content.decode()
    assert LABELS["en"] in page and f"?order={order.number}" in page
    Shipment.objects.filter(order=order).update(created=timezone.now() - timedelta(days=30))
    assert LABELS["en"] not in client.get(url).content.decode().split("<footer")[0]


def test_the_period_runs_from_the_delivery_of_the_last_shipment(make_order, staff):
    shop = ShopSettings.load()
    shop.withdrawal_period_days = 30
    shop.delivery_transit_days = 2
    shop.save()
    order = make_order(items=None)
    services.create_invoice(order)
    assert services.period_end(order) is None  # nothing delivered: not started
    assert services.withdrawal_open(order)
    shipment = services.create_shipment(order, ship_all(order))
    today = timezone.localdate()
    assert services.period_end(order) == next_working_day(today + timedelta(days=32), "DE")
    services.set_delivered(shipment, today, user=staff)
    assert services.period_end(order) == next_working_day(today + timedelta(days=30), "DE")
    services.set_delivered(shipment, None, user=staff)
    assert services.period_end(order) == next_working_day(today + timedelta(days=32), "DE")


def test_a_delivery_date_before_shipping_or_in_the_future_is_refused(make_order):
    order = make_order()
    shipment = services.create_shipment(order, ship_all(order))
    today = timezone.localdate()
    for when in (today - timedelta(days=1), today + timedelta(days=1)):
        with pytest.raises(services.OrderError):
            services.set_delivered(shipment, when)
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None


def test_downloads_count_from_the_order_date(make_order):
    order = make_order(items={downloadable_product().pk: 1})
    assert services.period_end(order) == next_working_day(
        timezone.localdate(order.created) + timedelta(days=14), "DE"
    )


def test_guest_status_page_by_signed_link_shows_status_shipments_invoice_and_withdrawal(
    client, make_order
):
    order = shipped(make_order)
    Shipment.objects.get(order=order).tracking.create(carrier="dhl", number="00340434123")
    url = links.status_path(order)
    page = client.get(url).content.decode()
    assert order.number in page and order.get_status_display() in page
    assert "00340434123" in page
    assert reverse("orders:guest_invoice_pdf", args=[links.signed_status_value(order)]) in page
    withdraw_url = reverse("orders:guest_withdraw", args=[links.signed_status_value(order)])
    assert withdraw_url in page and LABELS["en"] in page
    invoice = client.get(
        reverse("orders:guest_invoice_pdf", args=[links.signed_status_value(order)])
    )
    assert invoice["Content-Type"] == "application/pdf"
    # The signed link knows the order: its items can be chosen, nothing can be changed.
    form = client.get(withdraw_url).context["form"]
    assert form.line_fields and form.fields["order_number"].disabled


def test_a_status_link_cannot_be_forged_for_another_order(client, make_order):
    order = make_order()
    other = make_order(email="other@example.com")
    signature = links.signed_status_value(order).split(":")[1]
    forged = f"{other.pk}:{signature}"
    assert client.get(reverse("orders:guest_status", args=[forged])).status_code == 404
    credit = reverse("orders:guest_credit_note_pdf", args=[links.signed_status_value(order), "X"])
    assert client.get(credit).status_code == 404


def test_new_withdrawals_need_attention_in_the_backoffice(rf, make_order, staff):
    order = shipped(make_order)
    services.record_withdrawal(name="Erika", email=order.email, order_number=order.number)
    request = rf.get("/backoffice/")
    request.user = staff
    tile = next(i for i in backoffice.attention_items(request) if i["label"] == "New withdrawals")
    assert tile["count"] == 1 and tile["urgent"]


def test_operator_sees_the_statement_and_marks_it_processed(admin_client, make_order):
    order = shipped(make_order)
    withdrawal = services.record_withdrawal(
        name="Erika", email=order.email, order_number=order.number, reason="Wrong size"
    )
    listing = admin_client.get(reverse("admin:orders_withdrawal_changelist")).content.decode()
    assert order.number in listing
    detail_url = reverse("admin:orders_withdrawal_change", args=[withdrawal.pk])
    assert "Wrong size" in admin_client.get(detail_url).content.decode()
    order_page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert detail_url in order_page.content.decode()
    admin_client.post(detail_url)
    assert Withdrawal.objects.get().status == Withdrawal.Status.PROCESSED


def test_withdrawal_of_an_erased_customer_keeps_the_date_but_not_the_person(make_order):
    from customers import services as customer_services

    customer = UserFactory(first_name="Erika", last_name="Mustermann")
    order = shipped(make_order, customer=customer, email=customer.email)
    services.record_withdrawal(
        name="Erika Mustermann",
        email=customer.email,
        order_number=order.number,
        reason="Erika changed her mind",
        customer=customer,
    )
    settle_open_business(order)  # the statement processed: erasure waits for it otherwise
    customer_services.delete_customer(customer)
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.received_at and withdrawal.order_id == order.pk
    assert "Erika" not in withdrawal.name + withdrawal.email + withdrawal.reason


def test_units_refunded_already_cannot_be_withdrawn_from(client, make_order, customer):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"))
    mug = ProductFactory(name="Mug", price=Decimal("8.00"))
    order = shipped(
        make_order, items={lamp.pk: 2, mug.pk: 1}, customer=customer, email=customer.email
    )
    lamp_line, mug_line = order.lines.get(product=lamp), order.lines.get(product=mug)
    services.create_credit_note(order, {lamp_line.pk: 1, mug_line.pk: 1})
    assert services.withdrawable_units(order) == {lamp_line.pk: 1}

    client.force_login(customer)
    url = reverse("orders:withdraw") + f"?order={order.number}"
    response = client.get(url)
    form = response.context["form"]
    assert [line for line, _name in form.line_fields] == [lamp_line]  # the mug is refunded
    assert form.fields[f"qty_{lamp_line.pk}"].max_value == 1
    assert form.fields[f"qty_{lamp_line.pk}"].initial == 1
    assert "refunded: 1" in response.content.decode()
    data = {"name": "Erika Mustermann", "email": customer.email, "reason": ""}
    refused = client.post(url, {**data, f"qty_{lamp_line.pk}": "2", "confirm": ""})
    assert refused.context["form"].errors and not Withdrawal.objects.exists()
    with pytest.raises(services.OrderError, match=r"Only 1 × Lamp can be withdrawn from"):
        services.record_withdrawal(
            name="Erika", email=order.email, order_number=order.number, items={lamp_line.pk: 2}
        )
    assert not Withdrawal.objects.exists()

    client.post(url, {**data, "confirm": ""})  # all it offers, as it is by default
    withdrawal = Withdrawal.objects.get()
    # Not "the whole order": the statement names exactly what was not refunded.
    assert withdrawal.items == [{"line": lamp_line.pk, "name": "Lamp", "quantity": 1}]
    assert services.withdrawal_lines(withdrawal) == {lamp_line.pk: 1}


def test_units_named_in_an_earlier_statement_are_not_offered_again_by_default(
    client, make_order, customer
):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"))
    mug = ProductFactory(name="Mug", price=Decimal("8.00"))
    order = shipped(
        make_order, items={lamp.pk: 2, mug.pk: 1}, customer=customer, email=customer.email
    )
    lamp_line, mug_line = order.lines.get(product=lamp), order.lines.get(product=mug)
    services.record_withdrawal(
        name="Erika", email=order.email, order_number=order.number, items={lamp_line.pk: 1}
    )
    client.force_login(customer)
    url = reverse("orders:withdraw") + f"?order={order.number}"
    response = client.get(url)
    form = response.context["form"]
    assert form.fields[f"qty_{lamp_line.pk}"].initial == 1  # the other lamp
    assert form.fields[f"qty_{mug_line.pk}"].initial == 1
    assert form.fields[f"qty_{lamp_line.pk}"].max_value == 2  # naming it again is allowed
    assert "withdrawn already: 1" in response.content.decode()
    # Withdrawn and refunded: one bracket, not two in a row.
    services.create_credit_note(order, {lamp_line.pk: 1})
    page = client.get(url).content.decode()
    assert "(withdrawn already: 1, refunded: 1)" in page

    data = {"name": "Erika Mustermann", "email": customer.email, "reason": ""}
    client.post(url, {**data, "confirm": ""})  # what it preselects
    second = Withdrawal.objects.latest("received_at")
    assert sorted((i["line"], i["quantity"]) for i in second.items) == [
        (lamp_line.pk, 1),
        (mug_line.pk, 1),
    ]
    assert services.withdrawn_units(order) == {lamp_line.pk: 2, mug_line.pk: 1}
    assert not services.withdrawal_open(order)

    # Everything is named: the page says so and preselects nothing; naming again still works.
    response = client.get(url)
    form = response.context["form"]
    assert form.all_declared and form.fields[f"qty_{mug_line.pk}"].initial == 0
    page = response.content.decode()
    assert "already names every item" in page
    nothing = client.post(url, {**data, "confirm": ""})
    assert "names every item already" in nothing.content.decode()
    assert Withdrawal.objects.count() == 2
    client.post(url, {**data, f"qty_{mug_line.pk}": "1", f"qty_{lamp_line.pk}": "0", "confirm": ""})
    assert Withdrawal.objects.count() == 3


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_the_earlier_statement_note_is_translated(client, make_order, customer, language):
    order = shipped(make_order, customer=customer, email=customer.email, language=language)
    services.record_withdrawal(name="Erika", email=order.email, order_number=order.number)
    client.force_login(customer)
    with translation.override(language):
        url = reverse("orders:withdraw") + f"?order={order.number}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        expected = translation.gettext(
            "Your earlier statement already names every item of this order: you do not need "
            "to withdraw again. To name items once more anyway, enter their quantities."
        )
    assert expected in page
    assert language == "en" or "you do not need to withdraw again" not in page


def test_the_instructions_link_the_address_of_the_withdrawal_function(client):
    page = client.get(reverse("orders:withdrawal_instructions")).content.decode()
    url = links.withdrawal_url(None)
    assert f'on our website (<a href="{url}">{url}</a>)' in page


def test_the_acknowledgement_asks_to_send_back_only_goods_that_were_shipped(make_order):
    pending = make_order()
    sent = shipped(make_order)
    for order in (pending, sent):
        services.record_withdrawal(name="Erika", email=order.email, order_number=order.number)
    mails = OutboxEmail.objects.filter(template="order_withdrawal_received")
    body = {
        order.number: next(m.body_text for m in mails if order.number in m.subject)
        for order in (pending, sent)
    }
    assert "Nothing of it has been shipped to you yet" in body[pending.number]
    assert "Please send the goods back" not in body[pending.number]
    assert "Please send the goods back" in body[sent.number]
    # Where to and by when (Art. 14(1) Directive 2011/83/EU: 14 days from the statement).
    shop = ShopSettings.load()
    statement = sent.withdrawals.get()
    by = next_working_day(timezone.localdate(statement.received_at) + timedelta(days=14), "DE")
    with translation.override("en"):
        by_text = date_format(by, "DATE_FORMAT")
    assert f"at the latest by {by_text} (14 days from your withdrawal)" in body[sent.number]
    assert f"to: {shop.legal_name}, {shop.street}, {shop.postcode} {shop.city}" in body[sent.number]
    # the country in the e-mail's language, whatever language the request was in
    german = shipped(make_order)
    with translation.override("en"):
        services.record_withdrawal(
            name="Erika", email=german.email, order_number=german.number, language="de"
        )
    mail = OutboxEmail.objects.filter(template="order_withdrawal_received").latest("pk")
    assert f"{shop.postcode} {shop.city}, Deutschland." in mail.body_text
    assert "Germany" not in mail.body_text


def test_withdrawing_from_unshipped_items_says_the_rest_of_the_order_still_comes(
    make_order, product
):
    from tests.factories import ProductFactory

    order = make_order({product.pk: 1, ProductFactory().pk: 1})
    line = order.lines.get(product=product)
    services.record_withdrawal(
        name="Erika", email=order.email, order_number=order.number, items={line.pk: 1}
    )
    body = OutboxEmail.objects.get(template="order_withdrawal_received").body_text
    text = " ".join(body.split())
    assert "The items you withdrew from have not been shipped to you yet" in text
    assert "the rest of your order is not affected" in text
    assert "Nothing of it has been shipped" not in text


def acknowledgement():
    mail = written(OutboxEmail.objects.get(template="order_withdrawal_received"))
    return " ".join(mail.body_text.split()), " ".join(mail.body_html.split())


def statement(order):
    return services.record_withdrawal(
        order=order, name="Erika Mustermann", email=order.email, order_number=order.number
    )


def test_a_statement_over_an_expired_download_promises_no_refund_for_it(make_order):
    """The whole order declared (the footer form names no items) where its only item is a
    download delivered with the consent: recorded, but the acknowledgement says nothing can
    be withdrawn from instead of promising a refund."""
    ebook = downloadable_product(name="E-Book")
    order = make_order({ebook.pk: 1})
    services.mark_paid(order)
    statement(Order.objects.get(pk=order.pk))
    for text in acknowledgement():
        assert "nothing of this order can be withdrawn from any more" in text
        assert "We refund you" not in text
        assert "1 × E-Book: your right of withdrawal expired" in text


def test_a_whole_order_statement_names_what_it_cannot_include(make_order, product, invoice_payment):
    """A book and a download: the book goes back and is refunded, the download is named as
    not included (its right expired), and a unit refunded already as refunded."""
    ebook = downloadable_product(name="E-Book")
    order = make_order({product.pk: 2, ebook.pk: 1}, payment_method_id=invoice_payment.pk)
    services.mark_paid(order)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    book = order.lines.get(product=product)
    services.create_credit_note(order, {book.pk: 1})
    statement(Order.objects.get(pk=order.pk))
    for text in acknowledgement():
        assert "Please send the goods back" in text
        assert "Not included, as our records stand:" in text
        assert "1 × E-Book: your right of withdrawal expired" in text
        assert f"1 × {book.name}: refunded already" in text


def test_a_statement_for_a_canceled_order_promises_nothing(make_order, product):
    order = make_order({product.pk: 1})
    services.cancel_order(order)
    statement(Order.objects.get(pk=order.pk))
    for text in acknowledgement():
        assert "This order has been canceled already" in text
        assert "We refund you" not in text and "Not included" not in text
