"""The e-mail outbox (SPEC S13): written in the caller's transaction, sent after commit,
re-sent by beat, sent at most once, failures recorded."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shop import mail
from shop.models import OutboxEmail
from shop.tasks import resend_pending_emails, send_outbox_email

pytestmark = pytest.mark.django_db


class BrokenSMTPBackend(BaseEmailBackend):
    """A mail server that refuses every message (a real failure mode, not a mock of ours)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def order_context(make_order):
    order = make_order()
    OutboxEmail.objects.all().delete()
    return {"order": order, "lines": list(order.lines.all()), "taxes": order.tax_breakdown()}


def test_queue_email_renders_subject_text_and_html(order_context, mailoutbox):
    order = order_context["order"]
    with transaction.atomic():
        email = mail.queue_email("order_confirmation", order.email, order_context)
    assert email.subject == f"Your order {order.number}"
    assert order.number in email.body_html
    assert "Total" in email.body_text
    assert email.status == OutboxEmail.Status.PENDING


def test_email_is_sent_after_commit(order_context, mailoutbox, django_capture_on_commit_callbacks):
    order = order_context["order"]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email = mail.queue_email("order_confirmation", order.email, order_context)
            assert mailoutbox == []  # nothing leaves before the commit
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [order.email]
    assert message.subject == f"Your order {order.number}"
    assert message.alternatives and message.alternatives[0][1] == "text/html"


def test_rolled_back_transaction_records_and_sends_nothing(
    order_context, mailoutbox, django_capture_on_commit_callbacks
):
    order = order_context["order"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            mail.queue_email("order_confirmation", order.email, order_context)
            raise RuntimeError("the business change failed")
    assert callbacks == []
    assert OutboxEmail.objects.count() == 0
    assert mailoutbox == []


def test_failed_checkout_sends_no_confirmation(
    checkout_data, mailoutbox, django_capture_on_commit_callbacks
):
    from orders.services import CheckoutError, place_order
    from tests.factories import ProductFactory

    sold_out = ProductFactory(stock=0)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(CheckoutError):
            place_order({sold_out.pk: 1}, checkout_data())
    assert OutboxEmail.objects.count() == 0
    assert mailoutbox == []


def test_beat_resends_pending_rows(order_context, mailoutbox):
    order = order_context["order"]
    # queued while the broker was down: the row exists, nothing was sent
    due = mail.queue_email("order_confirmation", order.email, order_context)
    later = mail.queue_email("order_confirmation", "later@example.com", order_context)
    OutboxEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert mailoutbox == []
    assert resend_pending_emails() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == OutboxEmail.Status.SENT and due.sent_at is not None
    assert later.status == OutboxEmail.Status.PENDING  # not due yet: backoff respected
    assert [m.to for m in mailoutbox] == [[order.email]]
    assert resend_pending_emails() == 0  # nothing sent twice


def test_send_now_twice_sends_once(order_context, mailoutbox):
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    assert mail.send_now(email.pk) == OutboxEmail.Status.SENT
    assert mail.send_now(email.pk) is None
    send_outbox_email(email.pk)  # a duplicate task delivery
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_smtp_failure_keeps_row_pending_with_error(order_context, settings):
    settings.EMAIL_BACKEND = "tests.shop.test_outbox.BrokenSMTPBackend"
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    before = timezone.now()
    assert mail.send_now(email.pk) == OutboxEmail.Status.PENDING
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.PENDING
    assert email.attempts == 1
    assert "SMTP server unreachable" in email.last_error
    assert email.next_attempt_at > before  # retried later, with backoff
    assert email.sent_at is None


def test_smtp_failure_marks_failed_after_max_attempts(order_context, settings):
    settings.EMAIL_BACKEND = "tests.shop.test_outbox.BrokenSMTPBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    statuses = [mail.send_now(email.pk) for _ in range(4)]
    assert statuses == ["pending", "pending", "failed", None]
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == 3
    assert "ConnectionRefusedError" in email.last_error


def test_the_order_confirmation_is_written_when_it_is_sent(make_order, mailoutbox):
    """The checkout queues the confirmation unwritten (render_later); the send writes it
    from the order, in the order's language, and the outbox keeps what went out."""
    order = make_order(language="de")
    email = OutboxEmail.objects.get(template="order_confirmation")
    assert email.render_later == {
        "builder": "orders.services.checkout.confirmation_email_context",
        "args": [order.pk],
        "language": "de",
    }
    assert email.subject == email.body_text == email.body_html == ""
    assert "order_confirmation" in str(email)  # the outbox says what it will be
    assert mail.send_now(email.pk) == OutboxEmail.Status.SENT
    email.refresh_from_db()
    assert email.render_later == {}
    assert email.subject == f"Ihre Bestellung {order.number}"
    assert order.number in email.body_text and order.number in email.body_html
    message = mailoutbox[0]
    assert (message.subject, message.body) == (email.subject, email.body_text)
    assert message.alternatives[0][0] == email.body_html
    # named in the order's language like its other documents
    assert [a[0] for a in message.attachments] == [f"widerrufsbelehrung-{order.number}.pdf"]


def test_an_e_mail_that_cannot_be_written_is_retried_then_failed(make_order, settings):
    """Writing it is part of the send: an order gone before its confirmation went out
    (a test shop's data deleted …) leaves the row to retry, then failed, never half-written."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    order = make_order()
    email = OutboxEmail.objects.get(template="order_confirmation")
    order.delete()
    assert mail.send_now(email.pk) == OutboxEmail.Status.PENDING
    email.refresh_from_db()
    assert "DoesNotExist" in email.last_error and email.attempts == 1
    assert email.render_later and email.body_text == ""  # nothing half-written was kept
    assert mail.send_now(email.pk) == OutboxEmail.Status.FAILED


def test_the_outbox_shows_an_unwritten_e_mail_as_it_will_be_sent(admin_client, make_order):
    order = make_order()
    email = OutboxEmail.objects.get(template="order_confirmation")
    listing = admin_client.get(reverse("admin:shop_outboxemail_changelist")).content.decode()
    assert "order_confirmation (written when sent)" in listing
    page = admin_client.get(reverse("admin:shop_outboxemail_change", args=[email.pk]))
    assert f"Your order {order.number}" in page.content.decode()
    email.refresh_from_db()
    assert email.render_later and email.body_text == ""  # looking at it writes nothing


def test_backoff_grows_and_is_capped():
    assert mail.backoff(1) == timedelta(seconds=30)
    assert mail.backoff(2) == timedelta(seconds=60)
    assert mail.backoff(20) == timedelta(hours=1)


def test_console_backend_writes_eml_files(order_context, settings, tmp_path):
    settings.EMAIL_BACKEND = "shop.mail.ConsoleAndFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.EMAIL_QUIET = True
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    assert mail.send_now(email.pk) == "sent"
    files = list(Path(tmp_path / "mail").glob(f"*-{email.pk}.eml"))
    assert len(files) == 1
    raw = files[0].read_text()
    assert "To: x@example.com" in raw
    assert f"X-Shop-Outbox-Id: {email.pk}" in raw


def test_attachment_is_rendered_at_send_time(order_context, mailoutbox):
    email = mail.queue_email(
        "order_confirmation",
        "x@example.com",
        order_context,
        attachments=[
            {
                "filename": "a.txt",
                "mimetype": "text/plain",
                "generator": "builtins.bytes",
                "args": [3],
            }
        ],
    )
    mail.send_now(email.pk)
    assert mailoutbox[0].attachments == [("a.txt", "\x00\x00\x00", "text/plain")]


# --- backoffice ---------------------------------------------------------------------------


def test_outbox_list_shows_status_attempts_and_error(admin_client, order_context):
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    OutboxEmail.objects.filter(pk=email.pk).update(
        status="failed", attempts=8, last_error="SMTPServerDisconnected: gone"
    )
    page = admin_client.get(reverse("admin:shop_outboxemail_changelist")).content.decode()
    assert "SMTPServerDisconnected: gone" in page
    assert "Failed" in page
    assert "send_again" in page


def test_send_again_action_requeues_failed_and_copies_sent(
    admin_client, order_context, mailoutbox, django_capture_on_commit_callbacks
):
    failed = mail.queue_email("order_confirmation", "failed@example.com", order_context)
    OutboxEmail.objects.filter(pk=failed.pk).update(status="failed", attempts=8, last_error="x")
    sent = mail.queue_email("order_confirmation", "sent@example.com", order_context)
    mail.send_now(sent.pk)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:shop_outboxemail_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == 1
    sent.refresh_from_db()
    assert sent.status == "sent"  # the original stays as history …
    copies = OutboxEmail.objects.filter(to=["sent@example.com"]).exclude(pk=sent.pk)
    assert copies.count() == 1 and copies.get().status == "sent"  # … a copy went out
    assert sorted(m.to[0] for m in mailoutbox) == ["failed@example.com", "sent@example.com"]


def test_outbox_rows_cannot_be_edited_or_deleted(admin_client, order_context):
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    url = reverse("admin:shop_outboxemail_change", args=[email.pk])
    admin_client.post(url, {"subject": "changed"})
    email.refresh_from_db()
    assert email.subject != "changed"
    response = admin_client.post(
        reverse("admin:shop_outboxemail_delete", args=[email.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert OutboxEmail.objects.filter(pk=email.pk).exists()


def test_start_page_shows_failed_emails(admin_client, order_context):
    email = mail.queue_email("order_confirmation", "x@example.com", order_context)
    OutboxEmail.objects.filter(pk=email.pk).update(status="failed")
    response = admin_client.get(reverse("admin:index"))
    items = {str(i["label"]): i for i in response.context["attention"]}
    item = items["E-mails that could not be sent"]
    assert item["count"] == 1
    assert item["url"].endswith("?status__exact=failed")
    assert "Needs attention" in response.content.decode()


def test_start_page_hides_items_without_permission(client, order_context):
    from tests.factories import StaffFactory

    clerk = StaffFactory()
    client.force_login(clerk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    labels = [str(i["label"]) for i in response.context["attention"]]
    assert "E-mails that could not be sent" not in labels


def _row(to, status, sent_days_ago=None):
    sent_at = timezone.now() - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    return OutboxEmail.objects.create(
        to=[to],
        subject="s",
        body_text="Dear Anna Schmidt, your order …",
        template="order_confirmation",
        status=status,
        sent_at=sent_at,
    )


def test_retention_purge_deletes_only_old_sent_emails(settings):
    from shop.tasks import apply_retention

    settings.OUTBOX_RETENTION_DAYS = 90
    old_sent = _row("a@example.com", OutboxEmail.Status.SENT, sent_days_ago=91)
    recent = _row("a@example.com", OutboxEmail.Status.SENT, sent_days_ago=10)
    pending = _row("a@example.com", OutboxEmail.Status.PENDING)
    failed = _row("a@example.com", OutboxEmail.Status.FAILED)
    apply_retention()
    remaining = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert old_sent.pk not in remaining
    assert {recent.pk, pending.pk, failed.pk} <= remaining
    # 0 keeps everything.
    settings.OUTBOX_RETENTION_DAYS = 0
    assert mail.purge_sent() == 0 and OutboxEmail.objects.filter(pk=recent.pk).exists()


def test_erasing_a_recipient_deletes_their_sent_and_failed_emails_only():
    mine_sent = _row("anna@example.com", OutboxEmail.Status.SENT, sent_days_ago=1)
    mine_failed = _row("Anna@Example.com", OutboxEmail.Status.FAILED)
    mine_pending = _row("anna@example.com", OutboxEmail.Status.PENDING)
    other = _row("jan@example.com", OutboxEmail.Status.SENT, sent_days_ago=1)
    assert mail.erase_recipient("Anna@Example.com") == 2
    remaining = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert mine_sent.pk not in remaining and mine_failed.pk not in remaining
    assert {mine_pending.pk, other.pk} <= remaining
    assert mail.erase_recipient("") == 0


# --- the optional HTML part ------------------------------------------------------------------


@pytest.fixture
def email_templates(settings, tmp_path):
    """An extra template directory in front of the project's, for made-up e-mails (in every
    template engine: the text part is written by the ``text`` one)."""
    (tmp_path / "emails").mkdir()
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]

    def write(name, text):
        (tmp_path / "emails" / name).write_text(text)

    return write


def test_missing_html_template_sends_text_only(email_templates):
    email_templates("plain_notice.txt", "Notice\n\nHello {{ name }}")
    email = mail.queue_email("plain_notice", "erika@example.com", {"name": "Erika"})
    assert (email.subject, email.body_text, email.body_html) == ("Notice", "Hello Erika", "")


def test_syntax_error_in_the_html_template_is_not_swallowed(email_templates):
    from django.template import TemplateSyntaxError

    email_templates("broken_notice.txt", "Notice\n\nHello")
    email_templates("broken_notice.html", "<p>{% if %}</p>")
    with pytest.raises(TemplateSyntaxError):
        mail.queue_email("broken_notice", "erika@example.com")
    assert not OutboxEmail.objects.filter(template="broken_notice").exists()


def test_runtime_error_in_the_html_template_is_not_swallowed(email_templates):
    from django.template import TemplateDoesNotExist

    email_templates("include_notice.txt", "Notice\n\nHello")
    email_templates("include_notice.html", '<p>{% include "emails/no_such_part.html" %}</p>')
    with pytest.raises(TemplateDoesNotExist, match="no_such_part"):
        mail.queue_email("include_notice", "erika@example.com")
    assert not OutboxEmail.objects.filter(template="include_notice").exists()
