"""The text part of an e-mail is plain text: what a customer typed reads there as typed
(``O'Brien & "Söhne" <b>``, never ``O&#x27;Brien &amp; …``), while the HTML part escapes it.
Both ways an e-mail is written — at once, and later by the outbox (``render_later``) — go
through the ``text`` template engine (settings ``TEMPLATES``, shop.mail)."""

import html
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from orders import services
from orders.models import Order
from shop import mail
from shop.models import OutboxEmail
from tests.factories import ProductFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

TYPED = 'O\'Brien & "Söhne" <b>'
ESCAPED = html.escape(TYPED)  # O&#x27;Brien &amp; &quot;Söhne&quot; &lt;b&gt;
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EMAILS = TEMPLATES / "emails"
KINDS = sorted(p.stem for p in EMAILS.glob("*.txt") if not p.name.startswith("_"))
SOURCES = "\n".join(
    path.read_text()
    for path in [*EMAILS.glob("*.txt"), *EMAILS.glob("*.html"), *TEMPLATES.glob("orders/*/*.txt")]
)
TAGS = re.findall(r"{[{%](.*?)[%}]}", SOURCES)
# Every name a template reads (extra names in a context do no harm) …
NAMES = {
    name
    for tag in TAGS
    for name in re.findall(r"(?<![\w.|'\"])([a-z_][a-z0-9_]*)", re.sub(r"\|\w+", "", tag))
}
# … the ones printed with |date must be dates, the counters of plural texts numbers.
DATES = {name for tag in TAGS for name in re.findall(r"(\w+)\|date", tag)}
COUNTERS = {
    counter.split(".")[-1]
    for tag in TAGS
    for counter in re.findall(r"\bcount \w+=([\w.]+)(?![\w.|])", tag)
}


class Typed(str):
    """What a customer typed, and every field of it the same text again: ``order.number``,
    ``withdrawal.reason``, ``thread.subject`` … all read ``TYPED`` (dates and counters a
    date and a number), a list is one such item: one context reaches the variables of
    every e-mail."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in DATES:
            return timezone.make_aware(datetime(2026, 12, 5, 9, 30))
        if name in COUNTERS:
            return 2
        return Typed(TYPED)

    def __iter__(self):  # a list of one: {% for line in lines %}
        return iter([Typed(TYPED)])

    def __getitem__(self, key):
        if isinstance(key, int | slice):
            return str.__getitem__(self, key)
        return self.__getattr__(key)


def typed_context():
    context = {name: Typed(TYPED) for name in NAMES}
    context.update({name: 2 for name in COUNTERS})
    context.update({name: timezone.now() for name in DATES})
    context["items"] = [(Typed(TYPED), 2)]  # the statement's (line, units) pairs
    return context


def assert_plain_text_and_escaped_html(email):
    assert TYPED in email.body_text, email.template
    assert ENTITY.findall(email.body_text) == [], email.template
    assert not ENTITY.search(email.subject), email.template
    if email.body_html:
        assert ESCAPED in email.body_html, email.template
        assert TYPED not in email.body_html and "<b>" not in email.body_html, email.template


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_emails_text_part_keeps_typed_text_and_its_html_part_escapes_it(language):
    assert len(KINDS) >= 20
    for kind in KINDS:
        email = mail.queue_email(kind, "erika@example.com", typed_context(), language=language)
        assert_plain_text_and_escaped_html(email)


def test_an_email_written_later_by_the_outbox_is_plain_text_as_well(make_order):
    order = make_order(
        billing={
            "first_name": "Jörg",
            "last_name": 'Żółć-O\'Brien & "Söhne" <b>',
            "street": "Musterstraße 1",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        language="de",
    )
    queued = OutboxEmail.objects.get(template="order_confirmation")
    assert queued.render_later and queued.body_text == ""
    email = mail.written(queued)
    assert 'Żółć-O\'Brien & "Söhne" <b>' in email.body_text
    assert not ENTITY.search(email.body_text)
    assert "Żółć-O&#x27;Brien &amp; &quot;Söhne&quot; &lt;b&gt;" in email.body_html
    assert order.number in email.subject


def test_confirmation_withdrawal_receipt_and_credit_note_as_sent(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    """The real e-mails through their services, as the customer's mail program gets them."""
    lamp = ProductFactory(name="Lampe „Anna“ & Söhne", price=Decimal("15.00"), stock=10)
    name = "Żółć-O'Brien"
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(
            {lamp.pk: 2},
            billing={
                "first_name": 'Jörg "Jo"',
                "last_name": name,
                "company": "Müller & Söhne",
                "street": "Musterstraße 1",
                "postcode": "10115",
                "city": "Berlin",
                "country": "DE",
            },
            language="de",
        )
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    order = Order.objects.get(pk=order.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_withdrawal(
            name=f"Jörg {name}",
            email=order.email,
            order_number=order.number,
            reason="Zu viel Kaffee <script>",
            order=order,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.create_credit_note(
            order, {order.lines.get().pk: 1}, reason="Wiedereinlagerung <b>fett</b>"
        )
    templates = dict(OutboxEmail.objects.values_list("pk", "template"))
    sent = {templates[int(m.extra_headers["X-Shop-Outbox-Id"])]: m for m in mailoutbox}
    confirmation = sent["order_confirmation"]
    receipt = sent["order_withdrawal_received"]
    credit_note = sent["order_credit_note"]
    assert 'Hallo Jörg "Jo"' in confirmation.body
    assert "Müller & Söhne" in confirmation.body and name in confirmation.body
    assert "Lampe „Anna“ & Söhne" in confirmation.body
    assert f"Jörg {name}" in receipt.body and "Zu viel Kaffee <script>" in receipt.body
    assert "Wiedereinlagerung <b>fett</b>" in credit_note.body
    for message in (confirmation, receipt, credit_note):
        assert not ENTITY.search(message.body), message.subject
        assert not ENTITY.search(message.subject), message.subject
        html_part = message.alternatives[0][0]
        assert "<script>" not in html_part and "<b>fett" not in html_part
    assert "Żółć-O&#x27;Brien" in confirmation.alternatives[0][0]
    assert "Zu viel Kaffee &lt;script&gt;" in receipt.alternatives[0][0]
    assert "Wiedereinlagerung &lt;b&gt;fett&lt;/b&gt;" in credit_note.alternatives[0][0]
