"""Customers answer by replying to a helpdesk e-mail (SPEC S9, beyond the seed).

Outgoing helpdesk mails carry ``[#T-<token>]`` in the subject. A Celery beat task polls the
shop's mailbox over IMAP (``IMAP_URL``, e.g. ``imaps://user:password@imap.example.com/INBOX``;
polling is off when it is unset) and hands every new message to ``receive_email``. Auto-replies
and messages already stored (same Message-ID) are ignored.
"""

import imaplib
import logging
import os
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import parseaddr
from html import unescape
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import IntegrityError

from . import services
from .models import Message

log = logging.getLogger(__name__)

QUOTE_HEADER = re.compile(
    r"^\s*(On .+wrote:|Am .+schrieb .+:|-----\s*Original Message\s*-----|"
    r"Den .+skrev .+:|W dniu .+pisze:|Dnia .+napisał.*:)\s*$",
    re.IGNORECASE,
)


@dataclass
class InboundResult:
    status: str  # "stored", "auto_reply", "duplicate", "no_thread", "wrong_sender", "empty"
    message: Message | None = None


def is_auto_reply(msg):
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    precedence = (msg.get("Precedence") or "").strip().lower()
    if precedence in {"bulk", "auto_reply", "junk", "list"}:
        return True
    return bool(msg.get("X-Autoreply") or msg.get("X-Autorespond"))


def body_text(msg):
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
    return text


def strip_quoted(text):
    """Keep what the customer wrote, not the quoted mail below it."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_HEADER.match(line):
            break
        if line.startswith(">"):
            continue
        if line.strip() == "--":  # signature separator
            break
        kept.append(line)
    return "\n".join(kept).strip()


def receive_email(raw):
    """Store one inbound e-mail (RFC 822 bytes) as the customer's answer in its thread."""
    msg = message_from_bytes(raw, policy=policy.default)
    if is_auto_reply(msg):
        return InboundResult("auto_reply")
    message_id = (msg.get("Message-ID") or "").strip()[:300] or None
    if message_id and Message.objects.filter(message_id=message_id).exists():
        return InboundResult("duplicate")
    thread = services.thread_from_subject(str(msg.get("Subject") or ""))
    if thread is None:
        return InboundResult("no_thread")
    sender = parseaddr(str(msg.get("From") or ""))[1].lower()
    allowed = {thread.email.lower()}
    if thread.customer_id:
        allowed.add(thread.customer.email.lower())
    # The token in the subject is not a secret (it is quoted in every reply chain), so only
    # the thread's own sender may add to it.
    if sender not in allowed:
        return InboundResult("wrong_sender")
    text = strip_quoted(body_text(msg))
    if not text:
        return InboundResult("empty")
    try:
        message = services.customer_reply(thread, text, message_id=message_id)
    except IntegrityError:  # the same mail stored concurrently by another poll
        return InboundResult("duplicate")
    return InboundResult("stored", message)


def imap_url():
    return getattr(settings, "IMAP_URL", "") or os.environ.get("IMAP_URL", "")


def poll_mailbox(url=None):
    """Fetch unseen messages from the IMAP mailbox, store them, mark them seen.
    Returns {status: count}; does nothing when no IMAP_URL is configured."""
    url = url or imap_url()
    counts = {}
    if not url:
        return counts
    parts = urlparse(url)
    port = parts.port or (993 if parts.scheme == "imaps" else 143)
    cls = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    mailbox = parts.path.lstrip("/") or "INBOX"
    # Every IMAP command gives up after IMAP_TIMEOUT seconds: a hung mail server fails this
    # poll (beat tries again) instead of blocking the worker.
    with cls(parts.hostname, port, timeout=settings.IMAP_TIMEOUT) as imap:
        imap.login(unquote(parts.username or ""), unquote(parts.password or ""))
        imap.select(mailbox)
        _status, data = imap.search(None, "UNSEEN")
        for num in data[0].split():
            _status, fetched = imap.fetch(num, "(RFC822)")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            try:
                result = receive_email(raw).status
            except services.HelpdeskError as exc:
                log.warning("Inbound mail %s rejected: %s", num, exc.message)
                result = "rejected"
            counts[result] = counts.get(result, 0) + 1
            imap.store(num, "+FLAGS", "\\Seen")
    return counts
