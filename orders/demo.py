"""Demo orders in every status for ``manage.py seed_demo`` (after customers' demo).

Idempotent: every scenario is keyed on its customer e-mail and customer note; a scenario that
exists already is skipped, so running the command twice changes nothing.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from customers.models import User
from shop.exceptions import DomainError
from shop.models import PaymentMethod, Product, ShippingMethod

from . import services
from .aftersales import Return, Withdrawal
from .models import Invoice, Order

DEMO_CUSTOMER_PASSWORD = "demo-customer-2026"

CUSTOMERS = {
    "erika@example.com": ("Erika", "Mustermann", "", "Musterstraße 1", "10115", "Berlin", "DE"),
    "anna.schmidt@example.com": ("Anna", "Schmidt", "", "Lindenallee 7", "20259", "Hamburg", "DE"),
    "jan.kowalski@example.com": (
        "Jan",
        "Kowalski",
        "Kowalski Sp. z o.o.",
        "ul. Długa 15",
        "00-238",
        "Warszawa",
        "PL",
    ),
    "mette.jensen@example.com": ("Mette", "Jensen", "", "Nørregade 22", "1165", "København", "DK"),
}
GUESTS = {
    "thomas.gast@example.com": ("Thomas", "Gast", "", "Am Markt 3", "04109", "Leipzig", "DE"),
    "sofie.berg@example.com": ("Sofie", "Berg", "", "Kirkegade 5", "8000", "Aarhus", "DK"),
}

# (e-mail, note, items {sku: qty}, payment code, steps)
SCENARIOS = [
    ("erika@example.com", "Please ring twice.", {"KIT-001": 1, "PAN-002": 2}, "card", []),
    (
        "anna.schmidt@example.com",
        "It is a gift: no prices in the parcel, please.",
        {"LIV-001": 1},
        "prepayment",
        ["invoice", "comment"],
    ),
    (
        "erika@example.com",
        "Leave the parcel at the back door.",
        {"KIT-004": 1, "PAN-001": 2},
        "card",
        ["invoice", "send_invoice", "ship_all", "send_tracking", "notify"],
    ),
    (
        "jan.kowalski@example.com",
        "Deliver to warehouse gate 3.",
        {"KIT-002": 3, "LIV-002": 2},
        "invoice",
        ["ship_first"],
    ),
    ("mette.jensen@example.com", "Please deliver after 5 pm.", {"LIV-003": 1}, "card", ["cancel"]),
    (
        "anna.schmidt@example.com",
        "Birthday present for my sister.",
        {"PAN-003": 5},
        "card",
        ["invoice", "refund", "payout"],
    ),
    (
        "thomas.gast@example.com",
        "Please send everything in one parcel.",
        {"KIT-003": 2},
        "prepayment",
        [],
    ),
    (
        "sofie.berg@example.com",
        "Guest order with an e-book.",
        {"DIG-001": 1, "PAN-002": 1},
        "card",
        ["invoice", "ship_all", "send_tracking"],
    ),
    (
        "erika@example.com",
        "E-book for the holidays.",
        {"DIG-001": 1},
        "prepayment",
        ["mark_paid", "invoice"],
    ),
    # The order's life after delivery (issue 20): a partial refund, withdrawals and returns.
    (
        "anna.schmidt@example.com",
        "Two for the kitchen, one for the office.",
        {"KIT-002": 2, "PAN-001": 1},
        "card",
        ["invoice", "ship_all", "delivered", "partial_refund"],
    ),
    (
        "jan.kowalski@example.com",
        "For the new flat.",
        {"LIV-001": 2, "LIV-002": 1},
        "invoice",
        ["invoice", "ship_all", "delivered", "withdrawal", "return_from_withdrawal"],
    ),
    (
        "mette.jensen@example.com",
        "Gift wrap, please.",
        {"KIT-003": 1, "PAN-003": 2},
        "card",
        ["invoice", "ship_all", "delivered", "return", "receive", "refund_return"],
    ),
    (
        "thomas.gast@example.com",
        "Second order, same address.",
        {"KIT-001": 1},
        "prepayment",
        ["mark_paid", "invoice", "ship_all", "delivered", "return", "reject_return"],
    ),
]
# A withdrawal statement whose order number and e-mail address match no order.
UNMATCHED_WITHDRAWAL = ("Sofie Berg", "sofie.berg@example.com", "99999")


HISTORY_NOTE = "Demo order history"
HISTORY_DAYS = 90


def seed(cmd):
    if not Product.objects.filter(sku="KIT-001").exists():
        cmd.stdout.write("Orders: catalog missing, skipped.")
        return
    ebook_file(cmd)
    customers = {email: demo_customer(email, data) for email, data in CUSTOMERS.items()}
    # First, so that the history's invoices get the lower numbers of the year, in date order.
    seed_history(cmd, customers)
    shipping = ShippingMethod.objects.order_by("position").first()
    staff = User.objects.filter(email="clerk@example.com").first()
    created = 0
    for email, note, items, payment, steps in SCENARIOS:
        if Order.objects.filter(email=email, customer_note=note).exists():
            continue
        customer = customers.get(email)
        first, last, company, street, postcode, city, country = (
            CUSTOMERS.get(email) or GUESTS[email]
        )
        products = {p.sku: p for p in Product.objects.filter(sku__in=items)}
        order = services.place_order(
            {products[sku].pk: qty for sku, qty in items.items()},
            services.CheckoutData(
                email=email,
                billing={
                    "first_name": first,
                    "last_name": last,
                    "company": company,
                    "street": street,
                    "postcode": postcode,
                    "city": city,
                    "country": country,
                },
                shipping_method_id=shipping.pk,
                payment_method_id=PaymentMethod.objects.get(code=payment).pk,
                customer_note=note,
                # the demo buyers ticked the downloads' box (ignored for other carts)
                digital_consent=True,
                language=customer.language if customer else settings.LANGUAGE_CODE,
            ),
            customer=customer,
        )
        # Placed over the last two weeks, the first scenario earliest, at a time of day of
        # its own: the lists and the start page look like a shop, not one busy minute. Dated
        # before its steps run, so its invoice prints the order date the order page shows.
        back = timedelta(
            days=len(SCENARIOS) - SCENARIOS.index((email, note, items, payment, steps)),
            hours=(7 * order.pk) % 11,
            minutes=(37 * order.pk) % 60,
        )
        Order.objects.filter(pk=order.pk).update(created=timezone.now() - back)
        order.refresh_from_db()
        run_steps(order, steps, staff)
        created += 1
    name, email, number = UNMATCHED_WITHDRAWAL
    if not Withdrawal.objects.filter(email=email, order_number=number).exists():
        services.record_withdrawal(
            name=name,
            email=email,
            order_number=number,
            items_text="The blue cushion",
            language="da",
        )
    total = Order.objects.filter(email__in=[*CUSTOMERS, *GUESTS]).count()
    cmd.stdout.write(f"Orders: {created} created, {total} demo orders in total.")


def demo_customer(email, data):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, last, company, *_address = data
        user = User.objects.create_user(
            email, DEMO_CUSTOMER_PASSWORD, first_name=first, last_name=last, company=company
        )
    return user


def run_steps(order, steps, staff):
    shipment = None
    for step in steps:
        if step == "invoice":
            services.create_invoice(order, user=staff)
        elif step == "send_invoice":
            services.send_invoice(order.invoices.get(), user=staff)
        elif step == "mark_paid":
            services.mark_paid(order, user=staff)
        elif step == "ship_all":
            lines = {li.pk: li.quantity for li in order.lines.all() if li.needs_shipping}
            shipment = services.create_shipment(
                order, lines, [("dhl", f"00340434{order.pk:012d}")], user=staff
            )
        elif step == "ship_first":
            line = order.lines.order_by("id").first()
            shipment = services.create_shipment(
                order, {line.pk: line.quantity}, [("dpd", f"0150{order.pk:010d}")], user=staff
            )
        elif step == "send_tracking":
            services.send_tracking(shipment, user=staff)
        elif step == "comment":
            services.add_comment(order, "Waiting for the bank transfer before we ship.", user=staff)
        elif step == "notify":
            services.add_comment(
                order,
                "Thank you! Your skillet was packed with extra care.",
                notify_customer=True,
                user=staff,
            )
        elif step == "cancel":
            services.cancel_order(order, user=staff)
        elif step == "refund":
            services.refund_order(order, user=staff)
        else:
            run_aftersales_step(order, step, shipment, staff)


def run_aftersales_step(order, step, shipment, staff):
    first = order.lines.order_by("id").first()
    latest_return = order.returns.order_by("-id").first()
    if step == "payout":
        note = order.invoices.get().credit_notes.order_by("-sequence").first()
        services.mark_refunded(note, user=staff)
    elif step == "delivered":
        services.set_delivered(shipment, timezone.localdate(), user=staff)
    elif step == "partial_refund":
        services.create_credit_note(
            order,
            {first.pk: 1},
            reason="One bowl arrived chipped; we refund it. Sorry!",
            user=staff,
        )
    elif step == "withdrawal":
        services.record_withdrawal(
            name=order.billing_name,
            email=order.email,
            order_number=order.number,
            items={first.pk: 1},
            reason="The colour does not match the sofa.",
        )
    elif step == "return_from_withdrawal":
        withdrawal = order.withdrawals.order_by("-id").first()
        services.create_return(
            order,
            services.withdrawal_lines(withdrawal),
            Return.Reason.WITHDRAWAL,
            note=withdrawal.reason,
            user=staff,
            withdrawal=withdrawal,
        )
    elif step == "return":
        services.create_return(
            order, {first.pk: 1}, Return.Reason.DEFECTIVE, note="Handle loose.", user=staff
        )
    elif step == "receive":
        lines = {line.pk: ("as_new", True) for line in latest_return.lines.all()}
        services.receive_return(latest_return, lines, user=staff)
    elif step == "refund_return":
        services.refund_return(latest_return, reason=_in_language(RETURN_THANKS, order), user=staff)
    elif step == "reject_return":
        services.reject_return(
            latest_return,
            _in_language(RETURN_REJECTED, order),
            user=staff,
        )
    else:
        raise ValueError(f"unknown demo step {step}")


def ebook_file(cmd):
    """Give the demo e-book a real (small) PDF so download links work in the demo."""
    product = Product.objects.filter(sku="DIG-001").first()
    if product is None or product.download_file:
        return
    from weasyprint import HTML

    pdf = HTML(
        string="<h1>Nordic baking</h1><p>Cinnamon buns, rye bread and cardamom cake — "
        "a demo e-book of the Nordlicht shop.</p>"
    ).write_pdf()
    product.download_file.save("nordic-baking.pdf", ContentFile(pdf), save=True)
    cmd.stdout.write("Orders: demo e-book file attached to DIG-001.")


def seed_history(cmd, customers):
    """Orders of the last 90 days (a few a day, some invoiced, paid or refunded) so the start
    page's figures and the sales report show something. Placed through the checkout and the
    lifecycle like any order, then dated back."""
    if Order.objects.filter(customer_note=HISTORY_NOTE).exists():
        return
    rnd = random.Random(26)
    products = list(
        # Untracked or plentiful stock only: the scenarios below need what is in stock.
        Product.objects.filter(is_active=True, is_giftcard=False, is_downloadable=False).filter(
            Q(stock__isnull=True) | Q(stock__gte=100)
        )
    )
    if not products:
        return
    shipping = ShippingMethod.objects.order_by("position").first()
    methods = {m.code: m for m in PaymentMethod.objects.all()}
    staff = User.objects.filter(email="clerk@example.com").first()
    buyers = [*CUSTOMERS, *GUESTS, "lars.holm@example.com", "eva.nowak@example.com"]
    extra = {
        "lars.holm@example.com": ("Lars", "Holm", "", "Vestergade 9", "5000", "Odense", "DK"),
        "eva.nowak@example.com": ("Eva", "Nowak", "", "ul. Polna 4", "30-001", "Kraków", "PL"),
    }
    now = timezone.now()
    created = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        for _n in range(rnd.choice([0, 1, 1, 2, 2, 3])):
            email = rnd.choice(buyers)
            first, last, company, street, postcode, city, country = (
                CUSTOMERS.get(email) or GUESTS.get(email) or extra[email]
            )
            payment = rnd.choice(["card", "card", "card", "prepayment", "invoice"])
            if payment not in methods:
                continue
            items = {p.pk: rnd.randint(1, 2) for p in rnd.sample(products, rnd.randint(1, 2))}
            customer = customers.get(email)
            try:
                order = services.place_order(
                    items,
                    services.CheckoutData(
                        email=email,
                        billing={
                            "first_name": first,
                            "last_name": last,
                            "company": company,
                            "street": street,
                            "postcode": postcode,
                            "city": city,
                            "country": country,
                        },
                        shipping_method_id=shipping.pk,
                        payment_method_id=methods[payment].pk,
                        customer_note=HISTORY_NOTE,
                        digital_consent=True,
                        language=customer.language if customer else settings.LANGUAGE_CODE,
                    ),
                    customer=customer,
                )
            except DomainError:
                continue  # e.g. the customer's open-amount limit: a real shop refuses it too
            placed = now - timedelta(
                days=days_ago, hours=rnd.randint(0, 10), minutes=rnd.randint(0, 59)
            )
            Order.objects.filter(pk=order.pk).update(created=placed)
            order.refresh_from_db()
            _history_steps(order, payment, days_ago, rnd, staff)
            created += 1
    cmd.stdout.write(f"Orders: {created} orders of the last {HISTORY_DAYS} days.")


def _history_steps(order, payment, days_ago, rnd, staff):
    """What happened to an order of ``days_ago`` days ago (older ones are further along)."""
    roll = rnd.random()
    if roll < 0.06:
        services.cancel_order(order, user=staff)
        return
    if days_ago < 3 and roll < 0.6:
        return  # still pending
    if payment == "prepayment":
        services.mark_paid(order, user=staff)
    invoice = services.create_invoice(order, user=staff)
    invoiced = timezone.now() - timedelta(days=max(0, days_ago - 1))
    Invoice.objects.filter(pk=invoice.pk).update(created=invoiced)
    if payment == "invoice" and (days_ago < 20 or rnd.random() < 0.5):
        pass  # still open: the receivables by age
    elif payment == "invoice":
        services.mark_paid(order, user=staff)
    lines = {li.pk: li.quantity for li in order.lines.all() if li.needs_shipping}
    if lines:
        services.create_shipment(order, lines, [("dhl", f"00340434{order.pk:012d}")], user=staff)
    if rnd.random() < 0.05:
        services.refund_order(order, user=staff, reason="Returned within 14 days.")


# What the demo's staff write to the customer (the credit note's note, a return's rejection)
# is written in the customer's language, as a clerk would.
RETURN_THANKS = {
    "en": "Thank you for sending it back.",
    "de": "Vielen Dank für die Rücksendung.",
    "pl": "Dziękujemy za odesłanie.",
    "da": "Tak, fordi du sendte den tilbage.",
}
RETURN_REJECTED = {
    "en": "The pan shows heavy use; this is wear, not a defect covered by the guarantee.",
    "de": (
        "Die Pfanne zeigt starke Gebrauchsspuren; das ist Verschleiß, kein Mangel, den die "
        "Garantie abdeckt."
    ),
    "pl": (
        "Patelnia nosi ślady intensywnego użytkowania; to zużycie, a nie wada objęta gwarancją."
    ),
    "da": "Panden viser tydelige brugsspor; det er slid, ikke en fejl, som garantien dækker.",
}


def _in_language(texts, order):
    return texts.get(order.language, texts["en"])
