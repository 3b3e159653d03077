"""A model-based test of the shop's money (issue 18): a hypothesis state machine that drives
the real services on PostgreSQL with random sequences of what customers and operators do, and
checks every money invariant (``invariants.check_all``) after each step.

Each example runs in a savepoint of the test's transaction and is rolled back at its end, so
every example starts from the same small shop (:func:`build_shop`).

Besides the invariants, the placement rule checks the checkout page's promise: the page
(``orders.services.quote_order`` + ``orders.limits.allowed_payment_methods``) offers a
payment method exactly when the placement accepts it, and shows the totals it charges.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from customers import loyalty
from customers import services as customer_services
from customers.models import User
from customers.services import CustomerError
from giftcards import services as giftcard_services
from giftcards.models import GiftCard
from orders import limits
from orders import services as order_services
from orders.models import CreditNote, Order
from orders.services import lifecycle
from orders.services.checkout import needs_shipping
from shop.exceptions import DomainError
from shop.models import PaymentMethod, ShippingMethod, ShopSettings
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from vouchers import services as voucher_services
from vouchers.models import Campaign, Code

from . import invariants

BILLING = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Musterstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}
D = Decimal
TOTALS = ("goods_total", "shipping_total", "discount_total", "grand_total", "giftcard_total")
index = st.integers(min_value=0, max_value=50)
# (product index, quantity): mostly goods, now and then a download or a gift card
lines = st.lists(
    st.tuples(st.sampled_from([0, 0, 1, 1, 2, 3, 4]), st.integers(1, 3)), min_size=1, max_size=3
)
giftcard_lines = st.lists(
    st.tuples(st.sampled_from([3, 3, 4, 0]), st.integers(1, 2)), min_size=1, max_size=2
)
goods_lines = st.lists(
    st.tuples(st.sampled_from([0, 1, 2]), st.integers(1, 3)), min_size=1, max_size=3
)


def build_shop():
    """The shop every example starts from: goods, a download, two gift-card products, four
    payment methods (two limited by the open amount), two shipping methods, three customers
    (one a test customer), codes of every kind and three gift cards."""
    shop = ShopSettings.load()
    shop.default_open_amount_limit = D("150.00")
    shop.guests_may_use_limited_methods = False
    shop.giftcard_mode = ShopSettings.GiftCardMode.CARD
    shop.loyalty_points_per_euro = D("1.00")
    shop.save()
    category = CategoryFactory()
    products = [
        ProductFactory(category=category, name="Mug", price=D("9.90"), stock=40),
        ProductFactory(category=category, name="Lamp", price=D("35.00")),
        ProductFactory(category=category, name="E-book", price=D("19.90"), is_downloadable=True),
        ProductFactory(
            category=category, name="Card 25", price=D("25.00"), tax_rate=D("0"), is_giftcard=True
        ),
        ProductFactory(
            category=category, name="Card 50", price=D("50.00"), tax_rate=D("0"), is_giftcard=True
        ),
    ]
    shipping = [
        ShippingMethod.objects.create(name="Parcel", price=D("4.90"), free_over=D("50.00")),
        ShippingMethod.objects.create(name="Express", price=D("12.90"), position=1),
    ]
    payment = [
        PaymentMethod.objects.create(code="card", name="Card", kind="card"),
        PaymentMethod.objects.create(code="prepay", name="Prepayment", kind="prepayment"),
        PaymentMethod.objects.create(
            code="invoice", name="Invoice", kind="invoice", limited_by_open_amount=True
        ),
        PaymentMethod.objects.create(
            code="cod", name="Cash on delivery", kind="cod", limited_by_open_amount=True
        ),
    ]
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    alice = UserFactory(email="alice@example.com", open_amount_limit=D("100.00"))
    bob = UserFactory(email="bob@example.com")
    tess = UserFactory(email="tess@example.com", is_test=True)
    for customer in (alice, bob, tess):
        loyalty.adjust_points(customer, 60, "welcome")
    giftcard_services.adjust_account(
        giftcard_services.account_for(bob), D("30.00"), "goodwill", staff
    )
    codes = []
    for name, kind, dtype, value, extra, texts in [
        ("Single 10 %", "single", "percent", 10, {}, ["S10A", "S10B"]),
        (
            "Multi 15",
            "multi",
            "amount",
            15,
            {"min_order_value": 40, "per_customer_limit": 2},
            ["M15"],
        ),
        ("Ship free", "single", "free_shipping", 0, {}, ["SHIPA"]),
        ("Alice 5", "assigned", "amount", 5, {}, ["ALICE5"]),
        ("Points 7", "single", "amount", 7, {"points_price": 50}, ["PTS1", "PTS2", "PTS3"]),
    ]:
        campaign = Campaign.objects.create(
            name=name, kind=kind, discount_type=dtype, discount_value=value, **extra
        )
        for text in texts:
            Code.objects.create(campaign=campaign, text=text)
        codes.extend(texts)
    Code.objects.filter(text="ALICE5").update(assigned_to=alice)
    cards = [
        giftcard_services.issue_cards(D(amount))[0].number
        for amount in ("20.00", "60.00", "200.00")
    ]
    return {
        "products": products,
        "shipping": shipping,
        "payment": payment,
        "staff": staff,
        "customers": [alice.pk, bob.pk, tess.pk],
        "codes": codes,
        "cards": cards,
    }


def pick(items, i):
    return items[i % len(items)]


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # One savepoint per example, rolled back in teardown(): every example starts afresh.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.shop = build_shop()
        self.orders = []  # ids of the orders placed
        self.invoices_seen = set()
        self.credit_notes_seen = set()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------

    def _customer(self, i):
        return User.objects.filter(pk=pick(self.shop["customers"], i)).first()

    def _order(self, i):
        return Order.objects.filter(pk=pick(self.orders, i)).first()

    # --- what customers do ------------------------------------------------------------------

    # Four rules place orders (so that orders are a good share of the steps): anything at
    # all, goods only (codes and the limited methods), goods paid with a card or credit, and
    # gift cards bought (with a code, too).

    @rule(
        who=st.one_of(st.none(), index),
        guest_email=st.one_of(st.none(), index),
        lines=lines,
        code=st.one_of(st.none(), index),
        card=st.one_of(st.none(), index),
        use_credit=st.booleans(),
        payment=index,
        shipping=index,
    )
    def place_order(self, who, guest_email, lines, code, card, use_credit, payment, shipping):
        self._place(who, guest_email, lines, code, card, use_credit, payment, shipping)

    @rule(
        who=st.one_of(st.none(), index),
        lines=goods_lines,
        code=st.one_of(st.none(), index),
        payment=st.sampled_from([2, 3, 0]),
        shipping=index,
    )
    def place_goods_order(self, who, lines, code, payment, shipping):
        self._place(who, None, lines, code, None, False, payment, shipping)

    @rule(
        who=index,
        lines=goods_lines,
        card=st.one_of(st.none(), index),
        payment=index,
        shipping=index,
    )
    def place_order_paid_with_stored_value(self, who, lines, card, payment, shipping):
        self._place(who, None, lines, None, card, card is None or who % 2 == 0, payment, shipping)

    @rule(
        who=st.one_of(st.none(), index),
        lines=giftcard_lines,
        code=st.one_of(st.none(), index),
        payment=index,
    )
    def buy_gift_cards(self, who, lines, code, payment):
        self._place(who, None, lines, code, None, False, payment, 0)

    def _place(self, who, guest_email, lines, code, card, use_credit, payment, shipping):
        customer = None if who is None else self._customer(who)
        products = self.shop["products"]
        items = {}
        for product_index, quantity in lines:
            items[str(products[product_index].pk)] = quantity
        email = "guest@example.com"
        if customer is not None:
            email = customer.email
        elif guest_email is not None:  # a guest under a customer's address (rejected ones!)
            other = User.objects.filter(pk=pick(self.shop["customers"], guest_email)).first()
            email = other.email if other else email
        method = pick(self.shop["payment"], payment)
        data = order_services.CheckoutData(
            email=email,
            billing=dict(BILLING),
            shipping_method_id=pick(self.shop["shipping"], shipping).pk,
            payment_method_id=method.pk,
            voucher_code="" if code is None else pick(self.shop["codes"], code),
            giftcard_number="" if card is None else pick(self.shop["cards"], card),
            use_credit=bool(customer) and use_credit,
            digital_consent=True,
        )
        rejected = (customer is not None and customer.is_rejected) or (
            customer is None and User.objects.filter(email=email, is_rejected=True).exists()
        )
        # The checkout page for the same input (a rejected session is no customer there).
        page_customer = None if rejected else customer
        quote = order_services.quote_order(items, data, customer=page_customer)
        ships = needs_shipping(quote.lines)  # cash on delivery needs a parcel
        offered = {
            m.pk
            for m in limits.allowed_payment_methods(page_customer, quote.amount_due, ships=ships)
        }
        try:
            order = order_services.place_order(items, data, customer=customer)
        except DomainError as exc:
            if isinstance(exc, CustomerError) and exc.field == "payment_method":
                assert method.pk not in offered, "the page offered a method the placement refused"
            return
        assert not rejected, f"a rejected customer ordered ({email})"
        assert method.pk in offered, "the placement accepted a method the page did not offer"
        assert quote.errors == [], f"the page showed errors for a placeable order: {quote.errors}"
        for name in (*TOTALS, "credit_total"):
            assert getattr(quote.order, name) == getattr(order, name), (
                f"the page showed {name} {getattr(quote.order, name)}, the order charged "
                f"{getattr(order, name)}"
            )
        self.orders.append(order.pk)
        # Cards bought with the order can pay later orders once issued (when it is paid).
        self._collect_cards()

    def _collect_cards(self):
        known = set(self.shop["cards"])
        for number in GiftCard.objects.exclude(number__in=known).values_list("number", flat=True):
            self.shop["cards"].append(number)

    @precondition(lambda self: ShopSettings.load().giftcard_mode == "customer")
    @rule(who=index, card=index)
    def redeem_card_to_account(self, who, card):
        customer = self._customer(who)
        if customer is None:
            return
        try:
            giftcard_services.redeem_to_account(pick(self.shop["cards"], card), customer)
        except DomainError:
            pass

    @rule(who=index)
    def buy_code_with_points(self, who):
        customer = self._customer(who)
        if customer is None or customer.is_rejected:
            return
        campaign = Campaign.objects.get(name="Points 7")
        try:
            voucher_services.buy_code_with_points(customer, campaign)
        except DomainError:
            pass

    # --- what operators do ------------------------------------------------------------------

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def mark_paid(self, i):
        order = self._order(i)
        if order is not None:
            self._try(order_services.mark_paid, order)
            self._collect_cards()

    @precondition(lambda self: self.orders)
    @rule(i=index, amount=st.sampled_from([D("5.00"), D("24.90"), D("100.00")]))
    def money_arrives(self, i, amount):
        """A transfer read off the bank statement: a part payment, the whole, too much — or
        money for an order that owes nothing (canceled, closed, paid), owed back."""
        order = self._order(i)
        if order is not None:
            record = (
                order_services.record_payment_owed_back
                if lifecycle.owes_nothing(order)
                else order_services.mark_paid
            )
            self._try(record, order, amount=amount)
            self._collect_cards()

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def pay_back(self, i):
        """Payments marks what an order owes back as paid back (a cancellation's payout, an
        overpayment)."""
        order = self._order(i)
        if order is not None:
            self._try(order_services.mark_cancellation_refunded, order)
            self._try(order_services.mark_overpayment_paid_back, order)

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def invoice(self, i):
        order = self._order(i)
        if order is None:
            return
        invoice = self._try(order_services.create_invoice, order)
        if invoice is not None:
            self.invoices_seen.add(invoice.number)
        self._collect_cards()

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def ship(self, i):
        order = self._order(i)
        if order is None:
            return
        state = order_services.order_state(order)
        remaining = {p.line.pk: p.remaining for p in state.progress if p.remaining}
        if remaining:
            self._try(order_services.create_shipment, order, remaining)

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def cancel(self, i):
        order = self._order(i)
        if order is not None:
            self._try(order_services.cancel_order, order)

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def cancel_with_credit_note(self, i):
        """The clerk's cancellation of an invoiced order neither paid nor shipped."""
        order = self._order(i)
        if order is None:
            return
        if self._try(lifecycle.cancel_with_credit_note, order) is not None:
            self._collect_credit_notes()

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def refund(self, i):
        order = self._order(i)
        if order is None:
            return
        if self._try(order_services.refund_order, order) is not None:
            self._collect_credit_notes()

    @precondition(lambda self: self.orders)
    @rule(
        i=index,
        units=st.lists(st.integers(0, 2), min_size=1, max_size=3),
        shipping=st.sampled_from([D("0"), D("1.00"), D("4.90")]),
        adjustment=st.sampled_from([D("0"), D("-2.50"), D("3.00")]),
    )
    def partial_refund(self, i, units, shipping, adjustment):
        """A partial credit note: some units of some lines, part of the shipping, a deduction
        or an extra credit — refused where it would credit too much."""
        order = self._order(i)
        if order is None:
            return
        lines = {
            line.pk: units[n % len(units)]
            for n, line in enumerate(order.lines.filter(is_giftcard=False))
        }
        note = self._try(
            order_services.create_credit_note,
            order,
            lines,
            shipping=shipping,
            adjustment=adjustment,
            adjustment_text="Restocking fee" if adjustment < 0 else "Goodwill",
        )
        if note is not None:
            self._collect_credit_notes()

    @precondition(lambda self: self.orders)
    @rule(i=index)
    def mark_credit_note_refunded(self, i):
        note = CreditNote.objects.filter(paid_total__gt=0, refunded_at__isnull=True).first()
        if note is not None:
            self._try(order_services.mark_refunded, note)

    def _collect_credit_notes(self):
        self.credit_notes_seen.update(CreditNote.objects.values_list("number", flat=True))

    @rule()
    def switch_giftcard_mode(self):
        mode = ShopSettings.load().giftcard_mode
        other = "customer" if mode == "card" else "card"
        giftcard_services.switch_mode(other, self.shop["staff"])

    def _good_customers(self):
        return User.objects.filter(pk__in=self.shop["customers"], is_rejected=False).count()

    # Rejecting and deleting stop while a single good customer is left, so that later steps
    # still have someone ordering with an account.

    @precondition(lambda self: self._good_customers() > 1)
    @rule(i=index)
    def reject_customer(self, i):
        customer = self._customer(i)
        if customer is not None:
            customer.is_rejected = True
            customer.save(update_fields=["is_rejected"])

    @rule(i=index)
    def readmit_customer(self, i):
        User.objects.filter(pk=pick(self.shop["customers"], i)).update(is_rejected=False)

    @precondition(lambda self: self._good_customers() > 1)
    @rule(i=index)
    def delete_or_erase_customer(self, i):
        customer = self._customer(i)
        if customer is not None:
            self._try(customer_services.delete_customer, customer, by=self.shop["staff"])

    @rule(card=index)
    def expire_a_card(self, card):
        """Time passes for one card: its last day was yesterday; the nightly job writes off
        what is left."""
        yesterday = timezone.localdate() - timedelta(days=1)
        GiftCard.objects.filter(number=pick(self.shop["cards"], card)).update(valid_until=yesterday)
        giftcard_services.expire_cards()

    @staticmethod
    def _try(operation, *args, **kwargs):
        """An operation the shop may refuse (a domain error changes nothing)."""
        try:
            return operation(*args, **kwargs)
        except DomainError:
            return None

    # --- after every step -------------------------------------------------------------------

    @invariant()
    def money_invariants_hold(self):
        invariants.check_all(self.invoices_seen, self.credit_notes_seen)
