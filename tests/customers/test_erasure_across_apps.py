"""Erasing a customer reaches every app that keeps personal data (customer_deleting receivers).

helpdesk, reviews, vouchers and giftcards anonymise (real customer) or delete (test customer)
what they hold, in the deletion transaction; positive gift-card credit refuses the erasure
and leaves everything as it was; privacy records stay and do not block. The scan for traces
reads every table of the shop's apps (text and JSON columns), not a list that a new table
could miss: the order history kept the e-mail address until it was scanned too.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import CharField, JSONField, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from customers import services
from customers.models import User
from giftcards import services as giftcard_services
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from giftcards.services import GiftCardError
from helpdesk.inbound import receive_email
from helpdesk.models import Message, Thread
from orders.models import Order
from orders.services import add_comment, create_invoice, mark_paid, send_invoice
from privacy.models import AccessLogEntry, Disclosure
from privacy.services import write_entry
from reviews.models import Review
from tests.factories import UserFactory, settle_open_business
from tests.helpdesk.factories import MessageFactory, ThreadFactory
from tests.reviews.factories import ReviewFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign, Code, Redemption

pytestmark = pytest.mark.django_db

EMAIL = "annegret.vogelsang@example.org"
FIRST, LAST = "Annegret", "Vogelsang"
FULL = f"{FIRST} {LAST}"

# Every table of the shop's own apps is scanned, JSON columns too, so that a table added
# later cannot keep the person unnoticed. These keep them by design:
KEPT = {
    # the legal record of what was handed to whom (GDPR Art. 30), and who looked (S11)
    "privacy.Disclosure",
    "privacy.AccessLogEntry",
    "privacy.AccessReport",
    # invoices and credit notes keep their own snapshot of the buyer (retention duty)
    "orders.Invoice",
    "orders.CreditNote",
}
# An e-mail still to be sent keeps its recipient until it is delivered (an order
# confirmation, the notice of the erasure itself) and the outbox purge removes it.
STILL_DUE = {"shop.OutboxEmail": Q(status="pending")}


def scanned_models():
    """Every model of the shop's own apps (the packages at the project's top level), a table
    added later included."""
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
        for model in config.get_models()
        if model._meta.label not in KEPT and not model._meta.proxy and model._meta.managed
    ]


def rows_mentioning(model, *needles):
    """Rows of ``model`` whose text or JSON columns contain any needle (case-insensitive)."""
    columns = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, CharField | TextField | JSONField)
    ]
    if not columns:
        return []
    texts = {f"_t_{c}": Cast(c, TextField()) for c in columns}
    query = Q()
    for name in texts:
        for needle in needles:
            query |= Q(**{f"{name}__icontains": needle})
    rows = model._base_manager.annotate(**texts).filter(query)
    if model._meta.label in STILL_DUE:
        rows = rows.exclude(STILL_DUE[model._meta.label])
    return list(rows)


def personal_traces():
    needles = (EMAIL, EMAIL.split("@")[0], FULL, LAST)
    return {
        model.__name__: rows
        for model in scanned_models()
        if (rows := rows_mentioning(model, *needles))
    }


@pytest.fixture
def annegret(db):
    return UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST)


@pytest.fixture
def assigned_campaign(db):
    return CampaignFactory(kind=Campaign.Kind.ASSIGNED)


@pytest.fixture
def footprint(annegret, make_order, assigned_campaign, staff):
    """A real customer with an order (using an assigned code), threads, a review, an unused
    assigned code, a zero-balance credit account with ledger and privacy records."""
    billing = {
        "first_name": FIRST,
        "last_name": LAST,
        "street": "Lindenweg 7",
        "postcode": "20095",
        "city": "Hamburg",
        "country": "DE",
    }
    used_code = CodeFactory(campaign=assigned_campaign, assigned_to=annegret)
    unused_code = CodeFactory(campaign=assigned_campaign, assigned_to=annegret)
    order = make_order(
        customer=annegret,
        email=EMAIL,
        billing=billing,
        phone="+49 40 123456",
        customer_note=f"Please ring twice, {FULL}",
        voucher_code=used_code.text,
    )
    mark_paid(order)  # a business record: erasure cancels only unpaid pending orders
    # The order's history: an event naming the e-mail address, a staff comment the name.
    send_invoice(create_invoice(order), user=staff)
    add_comment(order, f"{FULL} asked for a gift wrap.", user=staff)
    settle_open_business(order)  # shipped: no open business stops the erasure
    account_thread = ThreadFactory(
        customer=annegret,
        email=EMAIL,
        name=FULL,
        order=order,
        subject=f"Delivery for {FULL}",
    )
    inbound = MessageFactory(
        thread=account_thread,
        text="Where is my parcel? It has not arrived yet.",
        message_id=f"<{EMAIL.split('@')[0]}.4711@example.org>",
    )
    reply = MessageFactory(
        thread=account_thread,
        kind=Message.Kind.OPERATOR,
        author=staff,
        text=f"Dear {FULL}, the parcel left today. Write to us from {EMAIL} any time.",
    )
    guest_thread = ThreadFactory(email=EMAIL.upper(), name="A. Vogelsang", subject="Question")
    guest_message = MessageFactory(thread=guest_thread, text="Do you ship to Austria?")
    review = ReviewFactory(
        customer=annegret,
        email=EMAIL,
        author_name=FULL,
        text="Sturdy pan, heats evenly. Recommended!",
        moderated=True,
        active=True,
    )
    card = giftcard_services.issue_cards(Decimal("20.00"), 1)[0]
    _card, account, _amount = giftcard_services.redeem_to_account(card.number, annegret)
    giftcard_services.adjust_account(
        account, Decimal("-20.00"), f"Paid out to {FULL} by bank transfer", staff
    )
    disclosure = Disclosure.objects.create(
        subject=f"customer:{annegret.pk}",
        subject_name=FULL,
        date=date(2026, 1, 15),
        recipient="Tax office",
        scope="Invoice address for an audit",
        created_by=staff,
    )
    write_entry(
        user=staff, action="detail", subjects=[f"customer:{annegret.pk}"], path="/backoffice/"
    )
    return {
        "customer_pk": annegret.pk,
        "order": order,
        "used_code": used_code,
        "unused_code": unused_code,
        "account_thread": account_thread,
        "inbound": inbound,
        "reply": reply,
        "guest_thread": guest_thread,
        "guest_message": guest_message,
        "review": review,
        "card": card,
        "account": account,
        "disclosure": disclosure,
    }


@pytest.fixture
def bystander(db, make_order):
    """Another customer's data must come through every erasure untouched."""
    other = UserFactory(email="someone.else@example.org", first_name="Bruno", last_name="Keller")
    thread = ThreadFactory(customer=other, email=other.email, name="Bruno Keller")
    review = ReviewFactory(customer=other, email=other.email, author_name="Bruno Keller")
    return {"user": other, "thread": thread, "review": review}


def test_real_customer_leaves_no_trace_but_business_records_remain(footprint, bystander):
    assert personal_traces()  # the scan does see the data before the erasure

    services.delete_customer(User.objects.get(email=EMAIL))

    assert personal_traces() == {}
    assert not User.objects.filter(email__iexact=EMAIL).exists()

    # helpdesk: both threads (account and same-address guest thread) stay, anonymised.
    account_thread = Thread.objects.get(pk=footprint["account_thread"].pk)
    assert account_thread.customer_id is None
    assert account_thread.name == "Deleted customer"
    assert account_thread.email == f"deleted-t{account_thread.pk}@invalid"
    assert account_thread.subject == "Delivery for Deleted customer"
    assert account_thread.order_id == footprint["order"].pk
    assert account_thread.token != footprint["account_thread"].token
    guest_thread = Thread.objects.get(pk=footprint["guest_thread"].pk)
    assert guest_thread.email == f"deleted-t{guest_thread.pk}@invalid"
    assert guest_thread.name == "Deleted customer"
    # Message texts are the record of the conversation; only the person is replaced.
    inbound = Message.objects.get(pk=footprint["inbound"].pk)
    assert inbound.text == "Where is my parcel? It has not arrived yet."
    assert inbound.message_id is None
    reply = Message.objects.get(pk=footprint["reply"].pk)
    assert reply.text == (
        "Dear Deleted customer, the parcel left today. "
        f"Write to us from deleted-t{account_thread.pk}@invalid any time."
    )
    assert reply.author_id is not None  # the staff author stays
    assert Message.objects.get(pk=footprint["guest_message"].pk).text == "Do you ship to Austria?"

    # reviews: the rating and public text stay.
    review = Review.objects.get(pk=footprint["review"].pk)
    assert (review.customer_id, review.author_name) == (None, "Deleted customer")
    assert review.email == f"deleted-r{review.pk}@invalid"
    assert review.text == "Sturdy pan, heats evenly. Recommended!"
    assert (review.rating, review.is_public) == (4, True)

    # vouchers: the unused personal code is withdrawn, the used one stays used.
    unused = Code.objects.get(pk=footprint["unused_code"].pk)
    assert (unused.assigned_to_id, unused.is_active) == (None, False)
    used = Code.objects.get(pk=footprint["used_code"].pk)
    assert used.assigned_to_id is None and used.is_active
    redemption = Redemption.objects.get(code=used)
    assert redemption.order_id == footprint["order"].pk
    assert redemption.customer_id is None
    assert redemption.discount > 0

    # giftcards: the empty credit account and its ledger stay as accounting history.
    account = CreditAccount.objects.get(pk=footprint["account"].pk)
    assert account.customer_id is None
    assert account.balance == 0
    assert account.customer_number == footprint["account"].customer_number
    reasons = list(
        LedgerEntry.objects.filter(account=account).order_by("id").values_list("amount", "reason")
    )
    assert reasons[-1] == (Decimal("-20.00"), "Paid out to Deleted customer by bank transfer")
    assert sum(amount for amount, _reason in reasons) == 0
    assert GiftCard.objects.get(pk=footprint["card"].pk).redeemed_to_id == account.pk

    # orders: anonymised by customers, amounts and lines kept.
    order = Order.objects.get(pk=footprint["order"].pk)
    assert order.email == f"deleted-{order.number}@invalid"
    assert order.grand_total == footprint["order"].grand_total
    assert order.discount_total == footprint["order"].discount_total > 0
    assert order.lines.count() == 1

    # privacy: the disclosure and the access log are the legal record and stay.
    assert Disclosure.objects.get(pk=footprint["disclosure"].pk).subject_name == FULL
    assert AccessLogEntry.objects.filter(
        subjects__contains=[f"customer:{footprint['customer_pk']}"]
    ).exists()

    # Nobody else was touched.
    other_thread = Thread.objects.get(pk=bystander["thread"].pk)
    assert (other_thread.customer_id, other_thread.name) == (bystander["user"].pk, "Bruno Keller")
    other_review = Review.objects.get(pk=bystander["review"].pk)
    assert (other_review.customer_id, other_review.email) == (
        bystander["user"].pk,
        "someone.else@example.org",
    )


def test_old_reply_tag_no_longer_reaches_the_anonymised_thread(footprint):
    tag = footprint["account_thread"].subject_tag
    services.delete_customer(User.objects.get(email=EMAIL))
    raw = (
        f"From: {FULL} <{EMAIL}>\r\nTo: shop@example.com\r\nSubject: Re: {tag}\r\n"
        "Message-ID: <late-reply@example.org>\r\n\r\nHello again\r\n"
    ).encode()
    # The renewed token matches no thread: the mail starts a thread of its own, unlinked.
    result = receive_email(raw)
    assert result.status == "new_thread"
    assert result.message.thread.related_thread is None
    anonymised = footprint["account_thread"]
    assert not anonymised.messages.filter(text__contains="Hello again").exists()


def test_positive_credit_refuses_erasure_and_changes_nothing(footprint, staff):
    user = User.objects.get(email=EMAIL)
    account = footprint["account"]
    giftcard_services.adjust_account(account, Decimal("12.50"), "Goodwill", staff)

    with pytest.raises(GiftCardError) as exc:
        services.delete_customer(user, by=staff)
    assert str(exc.value.message) == (
        f"Customer {account.customer_number} has €12.50 gift-card credit; "
        "pay it out or adjust it to 0 first."
    )
    with pytest.raises(GiftCardError, match="Your account still has €12.50"):
        services.delete_customer(user)

    # Rolled back: every receiver's work and the account itself.
    assert User.objects.filter(pk=user.pk).exists()
    assert CreditAccount.objects.get(pk=account.pk).customer_id == user.pk
    thread = Thread.objects.get(pk=footprint["account_thread"].pk)
    assert (thread.customer_id, thread.email, thread.name) == (user.pk, EMAIL, FULL)
    assert Message.objects.get(pk=footprint["inbound"].pk).message_id is not None
    assert Review.objects.get(pk=footprint["review"].pk).email == EMAIL
    assert Code.objects.get(pk=footprint["unused_code"].pk).assigned_to_id == user.pk
    assert Redemption.objects.get(code=footprint["used_code"]).customer_id == user.pk
    assert Order.objects.get(pk=footprint["order"].pk).email == EMAIL


def test_storefront_delete_with_credit_shows_the_reason(client, footprint, staff):
    user = User.objects.get(email=EMAIL)
    giftcard_services.adjust_account(footprint["account"], Decimal("5.00"), "Goodwill", staff)
    client.force_login(user)
    response = client.post(
        reverse("customers:delete_account"), {"password": "secret-pass-123", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Your account still has €5.00 gift-card credit" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert Review.objects.get(pk=footprint["review"].pk).customer_id == user.pk


def test_storefront_delete_without_credit_erases(client, footprint):
    user = User.objects.get(email=EMAIL)
    client.force_login(user)
    response = client.post(
        reverse("customers:delete_account"), {"password": "secret-pass-123", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert personal_traces() == {}


def test_backoffice_delete_with_credit_shows_a_message(admin_client, footprint, staff):
    user = User.objects.get(email=EMAIL)
    giftcard_services.adjust_account(footprint["account"], Decimal("7.00"), "Goodwill", staff)
    url = reverse("admin:customers_user_delete", args=[user.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "has €7.00 gift-card credit; pay it out or adjust it to 0 first" in (
        response.content.decode()
    )
    assert User.objects.filter(pk=user.pk).exists()
    assert Thread.objects.get(pk=footprint["account_thread"].pk).customer_id == user.pk


def test_backoffice_delete_without_credit_erases(admin_client, footprint):
    user = User.objects.get(email=EMAIL)
    url = reverse("admin:customers_user_delete", args=[user.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert personal_traces() == {}


def test_bulk_delete_action_reports_the_refused_customer(admin_client, footprint, staff):
    user = User.objects.get(email=EMAIL)
    plain = UserFactory()
    giftcard_services.adjust_account(footprint["account"], Decimal("3.00"), "Goodwill", staff)
    response = admin_client.post(
        reverse("admin:customers_user_changelist"),
        {"action": "delete_selected", "_selected_action": [user.pk, plain.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "gift-card credit" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert not User.objects.filter(pk=plain.pk).exists()


def test_test_customer_threads_and_reviews_are_deleted(make_order, bystander):
    tester = UserFactory(is_test=True, email="qa.tester@example.org")
    order = make_order(customer=tester, email=tester.email)
    order_thread = ThreadFactory(customer=tester, email=tester.email, order=order)
    MessageFactory(thread=order_thread)
    loose_thread = ThreadFactory(customer=tester, email=tester.email)
    guest_thread = ThreadFactory(email="QA.Tester@example.org")
    review = ReviewFactory(customer=tester, email=tester.email)
    code = CodeFactory(campaign=CampaignFactory(kind=Campaign.Kind.ASSIGNED), assigned_to=tester)
    giftcard_services.account_for(tester)  # an empty credit account does not block

    summary = services.delete_customer(tester)

    assert summary["orders_deleted"] == 1
    ids = [order_thread.pk, loose_thread.pk, guest_thread.pk]
    assert not Thread.objects.filter(pk__in=ids).exists()
    assert not Message.objects.filter(thread_id__in=ids).exists()
    assert not Review.objects.filter(pk=review.pk).exists()
    code.refresh_from_db()
    assert (code.assigned_to_id, code.is_active) == (None, False)
    assert Thread.objects.filter(pk=bystander["thread"].pk).exists()
    assert Review.objects.filter(pk=bystander["review"].pk).exists()


def test_test_customer_with_credit_is_refused_too(staff):
    tester = UserFactory(is_test=True)
    card = giftcard_services.issue_cards(Decimal("10.00"), 1)[0]
    giftcard_services.redeem_to_account(card.number, tester)
    thread = ThreadFactory(customer=tester, email=tester.email)
    with pytest.raises(GiftCardError):
        services.delete_customer(tester, by=staff)
    assert Thread.objects.filter(pk=thread.pk).exists()
    assert User.objects.filter(pk=tester.pk).exists()


def test_customer_without_data_in_other_apps_is_deleted(customer):
    services.delete_customer(customer)
    assert not User.objects.filter(pk=customer.pk).exists()
