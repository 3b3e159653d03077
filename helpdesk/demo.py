"""Demo helpdesk: topics with service levels, canned replies in four languages, one thread
in every status — spread over the last days, some assigned, one overdue, one with an
attachment (idempotent)."""

import io
from datetime import timedelta

from django.utils import timezone

from customers.models import User

from . import services
from .attachments import Incoming
from .models import CannedReply, ContactTopic, Message, Thread

# (English name, {language: name}, recipient, first answer within hours)
TOPICS = [
    (
        "Orders & delivery",
        {"de": "Bestellung & Lieferung", "pl": "Zamówienia i dostawa", "da": "Ordrer & levering"},
        "orders@example.com",
        24,
    ),
    (
        "Returns",
        {"de": "Rücksendungen", "pl": "Zwroty", "da": "Returneringer"},
        "returns@example.com",
        48,
    ),
    (
        "Payments",
        {"de": "Zahlungen", "pl": "Płatności", "da": "Betalinger"},
        "payments@example.com",
        24,
    ),
    ("Wholesale", {"de": "Großhandel", "pl": "Hurt", "da": "Engros"}, "wholesale@example.com", 72),
]
# SLA of the system topic for questions from the account's order page
ORDER_QUESTION_SLA = 24

# (English title, English text, {language: (title, text)})
CANNED = [
    (
        "Shipping time",
        "Hello {customer_name},\n\nthank you for your message. Your order {order_number} has "
        "left our warehouse and usually arrives within 1–2 working days. You can follow the "
        "parcel here: {tracking_link}",
        {
            "de": (
                "Lieferzeit",
                "Hallo {customer_name},\n\nvielen Dank für Ihre Nachricht. Ihre Bestellung "
                "{order_number} hat unser Lager verlassen und kommt in der Regel in 1–2 Werktagen "
                "an. Hier können Sie das Paket verfolgen: {tracking_link}",
            ),
            "pl": (
                "Czas dostawy",
                "Dzień dobry {customer_name},\n\ndziękujemy za wiadomość. Zamówienie "
                "{order_number} opuściło nasz magazyn i zwykle dociera w ciągu 1–2 dni "
                "roboczych. Przesyłkę można śledzić tutaj: {tracking_link}",
            ),
            "da": (
                "Leveringstid",
                "Hej {customer_name},\n\ntak for din besked. Din ordre {order_number} har "
                "forladt vores lager og ankommer normalt inden for 1–2 hverdage. Du kan følge "
                "pakken her: {tracking_link}",
            ),
        },
    ),
    (
        "Return label",
        "Hello {customer_name},\n\nwe are sorry the item did not suit you. Please send it back "
        "within 14 days using the enclosed return label; we refund the purchase price within "
        "5 working days of receipt.",
        {
            "de": (
                "Rücksendeetikett",
                "Hallo {customer_name},\n\nes tut uns leid, dass der Artikel nicht passt. Bitte "
                "senden Sie ihn innerhalb von 14 Tagen mit dem beiliegenden Rücksendeetikett "
                "zurück; wir erstatten den Kaufpreis innerhalb von 5 Werktagen nach Eingang.",
            ),
            "pl": (
                "Etykieta zwrotna",
                "Dzień dobry {customer_name},\n\nprzykro nam, że produkt nie spełnił oczekiwań. "
                "Prosimy odesłać go w ciągu 14 dni z załączoną etykietą zwrotną; zwrócimy cenę "
                "zakupu w ciągu 5 dni roboczych od otrzymania.",
            ),
            "da": (
                "Returlabel",
                "Hej {customer_name},\n\nvi beklager, at varen ikke passede dig. Send den venligst "
                "retur inden for 14 dage med den vedlagte returlabel; vi refunderer købsprisen "
                "inden for 5 hverdage efter modtagelsen.",
            ),
        },
    ),
    (
        "Payment received",
        "Many thanks — we have received your payment for order {order_number} and are now "
        "packing it.",
        {
            "de": (
                "Zahlung erhalten",
                "Vielen Dank — wir haben Ihre Zahlung für die Bestellung {order_number} erhalten "
                "und packen sie jetzt.",
            ),
            "pl": (
                "Płatność otrzymana",
                "Dziękujemy — otrzymaliśmy płatność za zamówienie {order_number} i właśnie je "
                "pakujemy.",
            ),
            "da": (
                "Betaling modtaget",
                "Mange tak — vi har modtaget din betaling for ordre {order_number} og pakker den "
                "nu.",
            ),
        },
    ),
    (
        "Forwarded to a colleague",
        "I have passed your question on to the responsible colleague, who will contact you "
        "shortly.",
        {
            "de": (
                "An Kollegen weitergeleitet",
                "Ich habe Ihre Frage an die zuständige Kollegin weitergegeben, die sich in Kürze "
                "bei Ihnen meldet.",
            ),
            "pl": (
                "Przekazano współpracownikowi",
                "Przekazałem Twoje pytanie odpowiedniej osobie, która wkrótce się z Tobą "
                "skontaktuje.",
            ),
            "da": (
                "Videresendt til en kollega",
                "Jeg har givet dit spørgsmål videre til den ansvarlige kollega, som snart "
                "kontakter dig.",
            ),
        },
    ),
]

# Hours ago each demo thread came in (same order as THREADS): the first one is overdue.
AGES = [30, 52, 20, 120, 6, 26, 3, 10]

# (subject, topic index or None, customer text, operator answer, note, final status)
THREADS = [
    (
        "Where is my parcel?",
        0,
        "I ordered last week and have no tracking yet.",
        None,
        "Asked the warehouse whether the parcel has left; waiting for their answer.",
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


def _demo_png():
    """A small photo stand-in (the customer's business card)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 180), "#f4efe6")
    draw = ImageDraw.Draw(image)
    draw.rectangle([12, 12, 308, 168], outline="#1f4e79", width=4)
    draw.text((30, 60), "Nordlicht Design GmbH", fill="#1f4e79")
    draw.text((30, 90), "Hafenstrasse 3, Hamburg", fill="#333333")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _seed_topics():
    topics = []
    for position, (name, names, email, sla) in enumerate(TOPICS):
        topic, _created = ContactTopic.objects.get_or_create(
            name_en=name,
            defaults={"name_en": name, "recipient_email": email, "position": position},
        )
        changed = []
        for language, translated in names.items():
            if not getattr(topic, f"name_{language}"):
                setattr(topic, f"name_{language}", translated)
                changed.append(f"name_{language}")
        if topic.sla_hours is None:
            topic.sla_hours = sla
            changed.append("sla_hours")
        if changed:
            topic.save(update_fields=changed)
            services.apply_topic_sla(topic)
        topics.append(topic)
    order_topic = ContactTopic.system(ContactTopic.ORDER)
    if order_topic.sla_hours is None:
        order_topic.sla_hours = ORDER_QUESTION_SLA
        order_topic.save(update_fields=["sla_hours"])
        services.apply_topic_sla(order_topic)
    return topics


def _seed_canned():
    for position, (title, text, translations) in enumerate(CANNED):
        reply, _created = CannedReply.objects.get_or_create(
            title_en=title, defaults={"text_en": text, "position": position}
        )
        changed = []
        for language, (t_title, t_text) in translations.items():
            for field, value in ((f"title_{language}", t_title), (f"text_{language}", t_text)):
                if not getattr(reply, field):
                    setattr(reply, field, value)
                    changed.append(field)
        if changed:
            reply.save(update_fields=changed)


def _spread_over_time(thread, hours):
    """Let a demo thread have come in ``hours`` ago, its messages following at intervals,
    and set its clock (last activity, first answer, waiting, SLA) to match."""
    thread.refresh_from_db()
    start = timezone.now() - timedelta(hours=hours)
    messages = list(thread.messages.order_by("id"))
    gap = min(timedelta(minutes=95), timedelta(hours=hours) / (len(messages) + 1))
    waiting_since = None
    first_answer = None
    for i, message in enumerate(messages):
        message.created = start + i * gap
        if message.kind == Message.Kind.OPERATOR:
            first_answer = first_answer or message.created
            waiting_since = None
        elif message.kind == Message.Kind.CUSTOMER and waiting_since is None:
            waiting_since = message.created
    Message.objects.bulk_update(messages, ["created"])
    answered = (Thread.Status.OPERATOR_REPLIED, Thread.Status.CLOSED)
    Thread.objects.filter(pk=thread.pk).update(
        created=start,
        updated=messages[-1].created,
        last_activity=messages[-1].created,
        first_answered_at=first_answer,
        waiting_since=None if thread.status in answered else waiting_since,
        sla_due_at=thread.topic.sla_due(start) if thread.topic_id else None,
    )


def seed(cmd):
    topics = _seed_topics()
    _seed_canned()
    cmd.stdout.write(f"Helpdesk: {len(topics)} contact topics, {len(CANNED)} canned replies")

    if Thread.objects.exists():
        cmd.stdout.write("Helpdesk: demo threads already present")
        return
    from orders.models import Order

    operator = (
        User.objects.filter(email="support@example.com").first()
        or User.objects.filter(is_superuser=True).first()
    )
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
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
            services.customer_reply(
                thread,
                "Nordlicht Design GmbH, please — our business card is attached.",
                files=[Incoming.from_bytes("business-card.png", _demo_png())],
            )
        if note and operator is not None:
            services.add_note(thread, operator, note)
        if status in (Thread.Status.CLOSED, *Thread.DEPARTMENTS):
            services.set_status(thread, status, operator)
        if i in (0, 2) and operator is not None:
            services.assign([thread], operator, admin)
        elif i == 5 and admin is not None:
            services.assign([thread], admin, admin)
        _spread_over_time(thread, AGES[i])
    cmd.stdout.write(
        f"Helpdesk: {Thread.objects.count()} threads, {Message.objects.count()} messages"
    )
