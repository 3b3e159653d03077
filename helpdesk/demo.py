"""Demo helpdesk: topics, canned replies and one thread in every status (idempotent)."""

from customers.models import User

from . import services
from .models import CannedReply, ContactTopic, Message, Thread

TOPICS = [
    ("Orders & delivery", "orders@example.com"),
    ("Returns", "returns@example.com"),
    ("Payments", "payments@example.com"),
    ("Wholesale", "wholesale@example.com"),
]

CANNED = [
    (
        "Shipping time",
        "Thank you for your message. Your order left our warehouse today and usually arrives "
        "within 1–2 working days. You will find the tracking number in your customer account.",
    ),
    (
        "Return label",
        "We are sorry the item did not suit you. Please send it back within 30 days using the "
        "enclosed return label; we refund the purchase price within 5 working days of receipt.",
    ),
    (
        "Payment received",
        "Many thanks — we have received your payment and your order is now being packed.",
    ),
    (
        "Forwarded to a colleague",
        "I have passed your question on to the responsible colleague, who will contact you "
        "shortly.",
    ),
]

# (subject, topic index or None, customer text, operator answer, note, final status)
THREADS = [
    (
        "Where is my parcel?",
        0,
        "I ordered last week and have no tracking yet.",
        None,
        None,
        Thread.Status.REPORTED,
    ),
    (
        "Wrong colour delivered",
        1,
        "The vase I received is blue instead of green.",
        "We are sorry! A replacement is on its way.",
        "Warehouse checked: mix-up at packing.",
        Thread.Status.OPERATOR_REPLIED,
    ),
    (
        "Invoice address",
        2,
        "Could you put my company name on the invoice?",
        "Of course — which company name should we use?",
        None,
        Thread.Status.CUSTOMER_REPLIED,
    ),
    (
        "Thank you",
        0,
        "Everything arrived quickly, thank you!",
        "Glad to hear it!",
        None,
        Thread.Status.CLOSED,
    ),
    (
        "Newsletter discount",
        None,
        "Do newsletter subscribers get a discount code?",
        None,
        "Marketing decides on codes.",
        Thread.Status.FORWARDED_MARKETING,
    ),
    (
        "Bulk order for our café",
        3,
        "We would like 40 coffee pots for our café chain.",
        None,
        "Large order: Sales please quote.",
        Thread.Status.FORWARDED_SALES,
    ),
    (
        "Payment charged twice",
        2,
        "My card was charged twice for the same order.",
        None,
        "Check with the payment provider.",
        Thread.Status.FORWARDED_PAYMENTS,
    ),
    (
        "Complaint about delivery driver",
        0,
        "The driver left the parcel in the rain.",
        None,
        "Escalate to the store manager.",
        Thread.Status.FORWARDED_MANAGER,
    ),
]


def seed(cmd):
    topics = []
    for position, (name, email) in enumerate(TOPICS):
        topic, created = ContactTopic.objects.get_or_create(
            name=name, defaults={"recipient_email": email, "position": position}
        )
        topics.append(topic)
    for position, (title, text) in enumerate(CANNED):
        CannedReply.objects.get_or_create(
            title=title, defaults={"text": text, "position": position}
        )
    cmd.stdout.write(f"Helpdesk: {len(topics)} contact topics, {len(CANNED)} canned replies")

    if Thread.objects.exists():
        cmd.stdout.write("Helpdesk: demo threads already present")
        return
    from orders.models import Order

    operator = (
        User.objects.filter(email="support@example.com").first()
        or User.objects.filter(is_superuser=True).first()
    )
    orders = list(Order.objects.filter(customer__isnull=False).select_related("customer")[:8])
    for i, (subject, topic_index, text, answer, note, status) in enumerate(THREADS):
        order = orders[i // 2] if i % 2 == 0 and i // 2 < len(orders) else None
        if order is not None:
            thread = services.start_order_thread(order, order.customer, subject=subject, text=text)
        else:
            topic = topics[topic_index if topic_index is not None else 0]
            n = i + 1
            thread = services.create_contact_request(
                topic_id=topic.pk,
                name=f"Demo Guest {n}",
                email=f"guest{n}@example.com",
                subject=subject,
                text=text,
            )
        if answer:
            services.operator_reply(thread, operator, answer)
        if status == Thread.Status.CUSTOMER_REPLIED:
            services.customer_reply(thread, "Nordlicht Design GmbH, please.")
        if note and operator is not None:
            services.add_note(thread, operator, note)
        if status in (Thread.Status.CLOSED, *Thread.DEPARTMENTS):
            services.set_status(thread, status, operator)
    cmd.stdout.write(
        f"Helpdesk: {Thread.objects.count()} threads, {Message.objects.count()} messages"
    )
