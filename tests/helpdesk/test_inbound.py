import imaplib
from email.message import EmailMessage

import pytest

from helpdesk import inbound, services
from helpdesk.models import ContactTopic, Message, Thread
from shop.models import OutboxEmail
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    thread = Thread.objects.create(subject="Where is my parcel?", email="erika@example.com")
    services.operator_reply(thread, StaffFactory(), "It left today.")
    return thread


def raw_mail(
    thread=None,
    *,
    sender="Erika <Erika@Example.com>",
    body=None,
    headers="",
    message_id="<abc-1@mail.example.com>",
    subject=None,
):
    subject = subject or f"Re: Where is my parcel? [#T-{thread.token}]"
    body = body or (
        "Thanks, but it is still not here.\n"
        "\n"
        "On Mon, 4 May 2026 at 10:00, Nordlicht Shop <shop@example.com> wrote:\n"
        "> we have answered your request\n"
    )
    return (
        f"From: {sender}\r\nTo: shop@example.com\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{headers}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")
    ).encode()


def multipart_mail(
    thread=None,
    *,
    sender="Erika <erika@example.com>",
    subject=None,
    text="See attached.",
    files=(),
    message_id="<multi-1@mail.example.com>",
):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "shop@example.com"
    msg["Subject"] = subject or f"Re: Where is my parcel? [#T-{thread.token}]"
    msg["Message-ID"] = message_id
    msg.set_content(text)
    for name, content_type, data in files:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_reply_by_email_becomes_customer_message(thread):
    result = inbound.receive_email(raw_mail(thread))
    assert result.status == "stored"
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CUSTOMER_REPLIED
    message = thread.messages.last()
    assert message.kind == Message.Kind.CUSTOMER
    assert message.text == "Thanks, but it is still not here."  # quote stripped
    assert message.message_id == "<abc-1@mail.example.com>"
    assert OutboxEmail.objects.filter(template="helpdesk_staff_notice").exists()


def test_duplicate_message_id_is_ignored(thread):
    assert inbound.receive_email(raw_mail(thread)).status == "stored"
    assert inbound.receive_email(raw_mail(thread)).status == "duplicate"
    assert thread.messages.filter(kind="customer").count() == 1


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied\r\n",
        "Precedence: bulk\r\n",
        "Precedence: auto_reply\r\n",
    ],
)
def test_auto_replies_are_ignored(thread, header):
    result = inbound.receive_email(raw_mail(thread, headers=header))
    assert result.status == "auto_reply"
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPERATOR_REPLIED
    assert not thread.messages.filter(kind="customer").exists()


def test_auto_submitted_no_is_a_normal_mail(thread):
    assert inbound.receive_email(raw_mail(thread, headers="Auto-Submitted: no\r\n")).status == (
        "stored"
    )


def test_foreign_sender_never_writes_into_the_tagged_thread(thread):
    result = inbound.receive_email(raw_mail(thread, sender="mallory@example.com"))
    assert result.status == "linked_thread"
    assert not thread.messages.filter(kind="customer").exists()


def test_mail_without_a_tag_becomes_a_new_email_thread():
    OutboxEmail.objects.all().delete()
    raw = raw_mail(sender="Jan Kowalski <jan@example.pl>", subject="Pytanie o zamówienie")
    result = inbound.receive_email(raw)
    assert result.status == "new_thread"
    new = result.message.thread
    assert (new.email, new.name, new.subject) == (
        "jan@example.pl",
        "Jan Kowalski",
        "Pytanie o zamówienie",
    )
    assert new.topic.code == ContactTopic.EMAIL and new.topic.name == "E-mail"
    assert new.status == Thread.Status.REPORTED and new.customer is None
    assert result.message.text == "Thanks, but it is still not here."
    assert result.message.message_id == "<abc-1@mail.example.com>"
    notice = OutboxEmail.objects.get(template="helpdesk_staff_notice")
    assert notice.to == [new.topic.recipient_email]
    # the same mail polled again is not stored twice
    assert inbound.receive_email(raw).status == "duplicate"
    assert Thread.objects.filter(email="jan@example.pl").count() == 1


def test_unknown_tag_becomes_a_new_thread_without_link():
    result = inbound.receive_email(raw_mail(subject="Re: hello [#T-UNKNOWN2345]"))
    assert result.status == "new_thread"
    assert result.message.thread.related_thread is None
    assert result.message.thread.subject == "Re: hello"  # the dead tag is not kept


def test_foreign_sender_on_a_tagged_thread_starts_a_linked_thread(thread, admin_client):
    result = inbound.receive_email(
        raw_mail(thread, sender="Max <max.partner@example.com>", body="I am writing for Erika.")
    )
    assert result.status == "linked_thread"
    linked = result.message.thread
    assert linked.related_thread == thread and linked.email == "max.partner@example.com"
    assert linked.language == thread.language
    assert list(thread.linked_threads.all()) == [linked]
    assert not thread.messages.filter(text__contains="writing for Erika").exists()
    from django.urls import reverse

    html = admin_client.get(reverse("admin:helpdesk_thread_change", args=[thread.pk])).content
    assert f"#{linked.pk}".encode() in html and b"max.partner@example.com" in html


def test_unknown_sender_with_an_account_gets_their_language_but_no_account_link(customer):
    customer.language = "da"
    customer.save()
    result = inbound.receive_email(raw_mail(sender=customer.email, subject="Hej"))
    thread = result.message.thread
    assert thread.language == "da" and thread.customer is None  # a From header proves nothing


@pytest.mark.parametrize(
    "headers, sender",
    [
        ("Return-Path: <>\r\n", "Erika <erika@example.com>"),
        ("", "Mail Delivery System <MAILER-DAEMON@mx.example.com>"),
        ("", "postmaster@example.com"),
    ],
)
def test_bounces_are_ignored(thread, headers, sender):
    result = inbound.receive_email(raw_mail(thread, headers=headers, sender=sender))
    assert result.status == "bounce"
    assert Thread.objects.count() == 1 and not thread.messages.filter(kind="customer").exists()


def test_delivery_report_is_a_bounce():
    msg = EmailMessage()
    msg["From"] = "someone@example.com"
    msg["Subject"] = "Undelivered Mail"
    msg.set_content("report")
    msg.make_mixed()
    del msg["Content-Type"]
    msg["Content-Type"] = "multipart/report; report-type=delivery-status; boundary=x"
    assert inbound.receive_email(msg.as_bytes()).status == "bounce"


def test_mail_without_a_usable_sender_is_left_in_the_mailbox():
    assert (
        inbound.receive_email(raw_mail(sender="undisclosed-recipients:;", subject="x")).status
        == "no_sender"
    )
    assert not Thread.objects.exists()


def test_long_mail_is_kept_shortened(thread):
    body = "Lorem ipsum dolor sit amet. " * 600  # ~16,800 characters
    result = inbound.receive_email(raw_mail(thread, body=body))
    assert result.status == "stored"
    assert len(result.message.text) <= services.MAX_TEXT
    assert result.message.text.endswith("(shortened)")


def test_attachment_only_mail_is_kept():
    raw = multipart_mail(
        subject="Scan", text="", files=[("scan.pdf", "application/pdf", b"%PDF-1.4 x")]
    )
    result = inbound.receive_email(raw)
    assert result.status == "new_thread"
    assert result.message.attachments.get().filename == "scan.pdf"


def test_html_only_mail_is_converted_to_text(thread):
    raw = (
        f"From: erika@example.com\r\nSubject: Re: [#T-{thread.token}]\r\n"
        "Message-ID: <html-1@example.com>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>Still &amp; again<br>waiting</p>"
    ).encode()
    assert inbound.receive_email(raw).status == "stored"
    assert thread.messages.last().text == "Still & again\nwaiting"


def test_poll_is_off_without_imap_url(settings, monkeypatch):
    monkeypatch.delenv("IMAP_URL", raising=False)
    settings.IMAP_URL = ""
    assert inbound.poll_mailbox() == {}


class FakeIMAP:
    """Stands in for the IMAP server (not our database): serves two stored raw mails."""

    mails = {}
    seen = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.timeout = host, port, timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def login(self, user, password):
        assert (user, password) == ("shop@example.com", "p@ss")

    def select(self, mailbox):
        assert mailbox == "INBOX"

    def search(self, charset, criterion):
        return "OK", [b" ".join(self.mails)]

    def fetch(self, num, what):
        return "OK", [(b"1 (RFC822 {n})", self.mails[num]), b")"]

    def store(self, num, flags, value):
        self.seen.append(num)


def test_poll_mailbox_stores_new_mail_and_marks_it_seen(thread, monkeypatch):
    FakeIMAP.mails = {
        b"1": raw_mail(thread),
        b"2": raw_mail(thread, headers="Auto-Submitted: auto-replied\r\n", message_id="<x@y>"),
    }
    FakeIMAP.seen = []
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeIMAP)
    counts = inbound.poll_mailbox("imaps://shop%40example.com:p%40ss@imap.example.com/INBOX")
    assert counts == {"stored": 1, "auto_reply": 1}
    assert FakeIMAP.seen == [b"1", b"2"]
    assert thread.messages.filter(kind="customer").count() == 1
