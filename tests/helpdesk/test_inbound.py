import imaplib

import pytest

from helpdesk import inbound, services
from helpdesk.models import Message, Thread
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


def test_unknown_token_or_foreign_sender_is_ignored(thread):
    assert inbound.receive_email(raw_mail(subject="Re: hello [#T-UNKNOWN2345]")).status == (
        "no_thread"
    )
    assert inbound.receive_email(raw_mail(subject="no tag at all")).status == "no_thread"
    result = inbound.receive_email(raw_mail(thread, sender="mallory@example.com"))
    assert result.status == "wrong_sender"
    assert not thread.messages.filter(kind="customer").exists()


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
