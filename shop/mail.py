"""The one way every app sends e-mail: the outbox (SPEC S13).

``queue_email`` renders a template pair (``templates/emails/<name>.txt`` and ``.html``, the
first line of the text template is the subject) in the recipient's language, writes an
``OutboxEmail`` row in the caller's transaction and hands the row to Celery after commit.
The text part is rendered by the ``text`` template engine (settings ``TEMPLATES``): the same
templates without HTML escaping, so a name like "O'Brien & Söhne" reads as typed there,
while the HTML part stays escaped.
A rolled-back transaction leaves no row and sends nothing; a broker outage leaves the row
pending and the beat task ``resend_pending_emails`` sends it later.
"""

import json
import logging
import re
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import Resolver404, resolve, translate_url
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .models import OutboxEmail

log = logging.getLogger(__name__)
# The template engine of plain text (settings.TEMPLATES): no HTML escaping.
TEXT_ENGINE = "text"
_suppressed = threading.local()


@contextmanager
def suppressed():
    """No e-mail is queued inside this block (``seed_demo --no-mail``: the demo's history
    without its e-mails, for tests and benchmarks that seed the shop many times)."""
    previous = getattr(_suppressed, "on", False)
    _suppressed.on = True
    try:
        yield
    finally:
        _suppressed.on = previous


def link_in_language(url, language):
    """``url`` (a storefront path or an absolute ``SITE_URL`` link) to the same page in
    ``language`` (``/pl/…``); anything else as it is."""
    base = settings.SITE_URL.rstrip("/")
    if url.startswith(base + "/"):
        return base + translate_url(url[len(base) :], language)
    if url.startswith("/"):
        return translate_url(url, language)
    return url


def links_in_language(context, language):
    """``context`` with its storefront links (values of keys ending in ``url``) in
    ``language``: a caller builds them in its own language (an operator's, a task's), the
    e-mail or document links the pages in the language it is written in."""
    return {
        key: link_in_language(value, language)
        if key.endswith("url") and isinstance(value, str)
        else value
        for key, value in context.items()
    }


# Links whose path is a credential (a password-reset or confirmation link, a download
# token, a guest's signed link): URL names ("namespace:name") each app declares in its
# ``ready()`` with :func:`declare_secret_urls`. Whoever reads such a link in the outbox can
# take over the account, order or file, so the backoffice shows e-mails without them
# (:func:`without_secret_links`); the outbox itself keeps and sends the e-mail as written.
_secret_url_names = set()
# Absolute links (any host: SITE_URL may have changed since the e-mail was written) and
# root-relative ones in an attribute or on their own.
_LINK = re.compile(r"""https?://[^\s"'<>]+|(?<![\w/.:<])/[^\s"'<>]+""")
# Punctuation a text may put right after a link; no token or signature ends with it.
_TRAILING = ".,;:!?)]}*"


def declare_secret_urls(*names):
    """Declare the URL names (``"customers:password_reset_confirm"``) whose links are secret."""
    _secret_url_names.update(names)


def secret_url_names():
    return frozenset(_secret_url_names)


def _secret_match(path):
    """The resolved match of ``path`` when it is a secret link, in whichever language it was
    written (``/pl/…`` resolves only while Polish is active); ``None`` otherwise."""
    candidates = [path] if path.endswith("/") else [path, path + "/"]  # APPEND_SLASH
    for language in dict.fromkeys([settings.LANGUAGE_CODE, *dict(settings.LANGUAGES)]):
        with translation.override(language):
            for candidate in candidates:
                try:
                    match = resolve(candidate)
                except Resolver404:
                    continue
                if match.view_name in _secret_url_names:
                    return match
    return None


def _hidden(link):
    parts = urlsplit(link)
    match = _secret_match(unquote(parts.path))
    if match is None:
        return None
    values = {str(v) for v in (*match.args, *match.kwargs.values()) if str(v)}
    marker = gettext("[hidden]")
    segments = [marker if unquote(s) in values else s for s in parts.path.split("/")]
    path = "/".join(segments)
    for value in values:  # a value inside a segment ("<number>.pdf")
        path = path.replace(value, marker)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def without_secret_links(text):
    """``text`` (an e-mail's text or HTML part) with the secret part of every secret link
    replaced by "[hidden]": what the backoffice shows of an e-mail."""

    def replace(found):
        link = found.group(0)
        core = link.rstrip(_TRAILING)
        for candidate in dict.fromkeys([core, link]):
            hidden = _hidden(candidate)
            if hidden is not None:
                return hidden + link[len(candidate) :]
        return link

    return _LINK.sub(replace, text or "")


# Values that work as money or a key without a link around them (a gift-card number, a
# discount code issued to one customer): the app that writes them into an e-mail names them
# with ``queue_email(..., secrets=[...])``; they are kept on the row (``secret_values``) and
# hidden like the secret links wherever the e-mail is shown (:func:`without_secrets`).


def without_secrets(text, values=()):
    """``text`` (an e-mail's subject, text or HTML part) as the backoffice and the privacy
    pages show it: secret links (:func:`without_secret_links`) and the e-mail's secret
    ``values`` (as written and HTML-escaped) replaced by "[hidden]"."""
    from django.utils.html import escape

    text = without_secret_links(text)
    marker = gettext("[hidden]")
    forms = {form for value in values or () if value for form in (str(value), escape(value))}
    for form in sorted(forms, key=len, reverse=True):  # "1234 5678 …" before "1234"
        text = text.replace(form, marker)
    return text


def queue_email(
    template,
    to,
    context=None,
    *,
    language=None,
    reply_to=None,
    attachments=None,
    render_later=None,
    secrets=None,
):
    """Record an e-mail in the outbox; it is sent after the current transaction commits.

    ``secrets``: values in the e-mail that work as money or a key (gift-card numbers, a
    customer's personal discount code). The e-mail is sent with them; wherever it is shown
    (the outbox, the privacy pages) they read "[hidden]" (:func:`without_secrets`).

    ``attachments`` are descriptions, rendered at send time:
    ``{"filename": "invoice.pdf", "mimetype": "application/pdf",
    "generator": "orders.pdf.invoice_pdf_bytes", "args": [invoice_id]}``.

    ``render_later``: ``{"builder": "orders.services.checkout.confirmation_email_context",
    "args": [order_id]}`` instead of ``context``: the e-mail is written when it is sent (by
    the worker), from the context the builder returns for the rows it reads then — the
    checkout does not spend its time writing the confirmation. Until then the outbox shows
    what it will be (``OutboxEmail.display_subject``, :func:`written`).
    """
    if getattr(_suppressed, "on", False):
        return None
    recipients = [to] if isinstance(to, str) else list(to)
    language = language or settings.LANGUAGE_CODE
    if render_later is not None:
        subject = body = html = ""
        later = {
            "builder": render_later["builder"],
            "args": list(render_later.get("args", [])),
            "language": language,
        }
    else:
        subject, body, html = _render(template, context, language)
        later = {}
    email = OutboxEmail.objects.create(
        to=recipients,
        reply_to=list(reply_to or []),
        subject=subject,
        body_text=body,
        body_html=html,
        template=template,
        attachments=list(attachments or []),
        render_later=later,
        secret_values=sorted({str(value) for value in secrets or () if value}),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: dispatch(email.pk))
    return email


def _render(template, context, language):
    """(subject, text body, HTML body) of the template pair in ``language``."""
    ctx = {"site_url": settings.SITE_URL, **(context or {})}
    from .models import ShopSettings

    ctx.setdefault("shop", ShopSettings.load())
    ctx = links_in_language(ctx, language)
    with translation.override(language):
        text = render_to_string(f"emails/{template}.txt", ctx, using=TEXT_ENGINE)
        subject, _sep, body = text.partition("\n")
        try:
            html_template = get_template(f"emails/{template}.html")
        except TemplateDoesNotExist:  # the HTML part is optional; a broken one is a bug
            html = ""
        else:  # the subject is the HTML part's <title> (emails/_layout.html)
            html = html_template.render({**ctx, "subject": subject.strip()})
    return subject.strip()[:300], body.lstrip("\n"), html


def written(email, save=True):
    """``email`` with subject and bodies: an e-mail queued with ``render_later`` is written
    now (and with ``save`` kept so: the outbox holds what was sent). Returns ``email``."""
    later = email.render_later
    if later:
        language = later.get("language") or settings.LANGUAGE_CODE
        # The builder speaks the e-mail's language too: what it writes into the context
        # (a country in the withdrawal instructions' address …) is part of the e-mail.
        with translation.override(language):
            context = import_string(later["builder"])(*later.get("args", []))
        email.subject, email.body_text, email.body_html = _render(email.template, context, language)
        email.render_later = {}
        if save:
            email.save(update_fields=["subject", "body_text", "body_html", "render_later"])
    return email


def queue_staff_email(template, to, context=None, **kwargs):
    """``queue_email`` to staff: each recipient reads it in their backoffice language.

    Addresses that belong to a staff user are grouped by that user's ``language``; one
    e-mail goes out per language. Other addresses (a shop service address, the data
    protection officer's) get the shop's default language. Returns the outbox rows.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    known = dict(
        get_user_model()
        .objects.filter(is_staff=True, email__in=[e.strip().lower() for e in recipients])
        .values_list("email", "language")
    )
    by_language = {}
    for address in recipients:
        language = known.get(address.strip().lower()) or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(address)
    return [
        queue_email(template, addresses, context, language=language, **kwargs)
        for language, addresses in sorted(by_language.items())
    ]


def dispatch(email_id):
    """Hand an outbox row to Celery after commit. Never raises, and waits at most about
    BROKER_TIMEOUT when the broker is down or hangs: the row then stays pending and the beat
    task ``resend_pending_emails`` sends it (``send_now`` sends a row once, whoever asks)."""
    from .celery import hand_off
    from .tasks import send_outbox_email

    if not hand_off(send_outbox_email, email_id):
        log.warning("Outbox e-mail %s not dispatched; beat will send it", email_id)


def send_again(email_ids):
    """Operator action: send the given outbox rows again. Returns how many were queued.

    Pending or failed rows get a fresh set of attempts. A row that was already sent is
    copied into a new pending row, so the outbox keeps the history of what went out when.
    """
    now = timezone.now()
    queued = []
    with transaction.atomic():
        rows = list(OutboxEmail.objects.select_for_update().filter(pk__in=list(email_ids)))
        for email in rows:
            if email.status == OutboxEmail.Status.SENT:
                email.pk = None
                email.status = OutboxEmail.Status.PENDING
                email.sent_at = None
                email.last_error = ""
                email.attempts = 0
                email.next_attempt_at = now
                email.save(force_insert=True)
            else:
                email.status = OutboxEmail.Status.PENDING
                email.attempts = 0
                email.next_attempt_at = now
                email.save(update_fields=["status", "attempts", "next_attempt_at"])
            queued.append(email.pk)
        transaction.on_commit(lambda: [dispatch(pk) for pk in queued])
    return len(queued)


def backoff(attempts):
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def send_now(email_id):
    """Send one outbox row exactly once. Returns the row's new status.

    The row is locked while it is sent, and skipped if another worker holds it or it is
    no longer pending, so concurrent dispatches and beat re-sends never send twice.
    """
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboxEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        try:
            # Written in the send's own savepoint: one that fails (the order it was to be
            # written from is gone …) is retried, then marked failed, like a refused send.
            with transaction.atomic():
                written(email)
            build_message(email).send()
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = OutboxEmail.Status.FAILED
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return email.status
        email.status = OutboxEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return email.status


def build_message(email):
    msg = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        reply_to=email.reply_to or None,
        headers={"Message-ID": email.message_id, "X-Shop-Outbox-Id": str(email.pk)},
    )
    if email.body_html:
        msg.attach_alternative(email.body_html, "text/html")
    for att in email.attachments:
        content = import_string(att["generator"])(*att.get("args", []))
        msg.attach(att["filename"], content, att.get("mimetype", "application/octet-stream"))
    return msg


def pending_due():
    return OutboxEmail.objects.filter(
        status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)


class ConsoleAndFileBackend(BaseEmailBackend):
    """Development default: print each message and keep it as ``var/mail/<time>-<id>.eml``."""

    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            raw = message.message().as_bytes()
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            outbox_id = message.extra_headers.get("X-Shop-Outbox-Id", "x")
            (folder / f"{stamp}-{outbox_id}.eml").write_bytes(raw)
            if not getattr(settings, "EMAIL_QUIET", False):
                sys.stdout.write(
                    f"[mail] {message.subject} → {', '.join(message.to)} ({folder.name}/{stamp}-{outbox_id}.eml)\n"
                )
        return len(email_messages)


# ---------------------------------------------------------------------------------------
# Retention and erasure: a sent e-mail is a copy of personal data (GDPR storage limitation)
# ---------------------------------------------------------------------------------------


def purge_sent(days=None):
    """Delete e-mails sent more than ``days`` (default ``OUTBOX_RETENTION_DAYS``) ago.

    Pending and failed rows stay: they still have to go out or need an operator. Returns
    the number of rows deleted; ``days`` of 0 keeps everything.
    """
    days = settings.OUTBOX_RETENTION_DAYS if days is None else int(days)
    if days <= 0:
        return 0
    return purge_sent_before(timezone.now() - timedelta(days=days))


def purge_sent_before(cutoff, dry_run=False):
    """Delete (or with ``dry_run`` count) the e-mails sent before ``cutoff`` (the retention
    rule of the outbox, see shop.retention)."""
    sent = OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT, sent_at__lt=cutoff)
    if dry_run:
        return sent.count()
    deleted, _rows = sent.delete()
    return deleted


def erase_recipient(*emails):
    """Erasure of a person: delete the e-mails that went to (or failed for) any of
    ``emails`` — the account's address and the earlier ones the person used — and the
    e-mails to staff that carry the person's address as their reply-to (a helpdesk or
    contact notice quotes what the person wrote).

    A pending e-mail is still delivered (e.g. the confirmation of the erasure itself) and
    later removed by the retention purge. Returns the number of rows deleted.
    """
    addresses = {(email or "").strip() for email in emails} - {""}
    if not addresses:
        return 0
    deleted, _rows = _addressed_to(addresses).exclude(status=OutboxEmail.Status.PENDING).delete()
    return deleted


def _addressed_to(addresses):
    """Rows with one of ``addresses`` among their recipients or reply-to, in any case (an
    address is one mailbox however it is capitalised). Erasure is rare: a scan of the
    outbox's JSON text is fine."""
    condition = Q()
    for email in {address.lower() for address in addresses}:
        quoted = json.dumps(email)
        condition |= Q(to__icontains=quoted) | Q(reply_to__icontains=quoted)
    return OutboxEmail.objects.filter(condition)
