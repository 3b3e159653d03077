"""Customers answer by replying to a helpdesk e-mail (SPEC S9, beyond the seed).

Outgoing helpdesk mails carry ``[#T-<token>]`` in the subject. A Celery beat task polls the
shop's mailbox over IMAP (``IMAP_URL``, e.g. ``imaps://user:password@imap.example.com/INBOX``;
polling is off when it is unset) and hands every new message to ``receive_email``:

* from the thread's own sender, with its tag: the customer's answer in that thread;
* without a tag (or with an unknown one): a new thread with the topic "E-mail";
* with a tag but from another sender: a new thread that links the tagged one (the tag is no
  secret — it is quoted in every reply chain — so a stranger never writes into a thread);
* auto-replies, bounces and messages already stored (same Message-ID) are ignored.

Attachments are kept within the helpdesk's limits; a file over a limit is named in the
message text instead, so staff know it existed.
"""

import imaplib
import logging
import os
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import parseaddr
from urllib.parse import unquote, urlparse

import lxml.html
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.utils.translation import gettext as _
from lxml import etree

from . import attachments, services
from .errors import HelpdeskError
from .models import Message

log = logging.getLogger(__name__)

# The line a mail client writes above the quoted mail, in the shop's languages: Gmail, Apple
# Mail, Thunderbird and Outlook ("On … wrote:", "Am … schrieb …:", "Den … skrev …:", "W dniu …
# napisał(a):" / "pisze:", "Dnia … napisał:", "Wiadomość napisana przez … w dniu …:") and
# Outlook's separator line in English, German, Polish and Danish.
QUOTE_HEADER = re.compile(
    r"^\s*(On\s.+\swrote:|Am\s.+\sschrieb\s.+:|Den\s.+\sskrev\s.+:|"
    r"W\s+dniu\s.+\s(pisze|napisał(\(a\)|a)?):|Dnia\s.+\snapisał.*:|"
    r"Wiadomość napisana przez\s.+\sw dniu\s.+:|"
    r"-{2,}\s*(Original Message|Ursprüngliche Nachricht|Oryginalna wiadomość|"
    r"Oprindelig meddelelse|Originalmeddelelse)\s*-{2,})\s*$",
    re.IGNORECASE,
)
# Outlook's header block above the quoted mail: "From: …" with "Sent: …" on the next line
# ("Von:"/"Gesendet:", "Od:"/"Wysłano:", "Fra:"/"Sendt:"), or both on one line when the block
# was one paragraph of HTML.
OUTLOOK_FROM = re.compile(r"^\s*\**(From|Von|Od|Fra)\**:\s*\S", re.IGNORECASE)
OUTLOOK_SENT = re.compile(
    r"(^|\s)\**(Sent|Date|Gesendet|Datum|Wysłano|Wysłane|Data|Sendt|Dato)\**:\s*\S",
    re.IGNORECASE,
)
# A client's attribution line is often wrapped in plain text ("On …, Shop <" / "shop@… wrote:").
QUOTE_HEADER_START = re.compile(r"^\s*(On|Am|Den|W\s+dniu|Dnia|Wiadomość)\s", re.IGNORECASE)


BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


@dataclass
class InboundResult:
    # "stored" (answer in its thread), "new_thread", "linked_thread" (another sender),
    # "auto_reply", "bounce", "duplicate", "empty", "no_sender"
    status: str
    message: Message | None = None


def is_auto_reply(msg):
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    precedence = (msg.get("Precedence") or "").strip().lower()
    if precedence in {"bulk", "auto_reply", "junk", "list"}:
        return True
    return bool(msg.get("X-Autoreply") or msg.get("X-Autorespond"))


def is_bounce(msg):
    """Delivery status notifications: a report, a null return path or the mail system."""
    if msg.get_content_type() == "multipart/report":
        return True
    if (msg.get("Return-Path") or "").strip() == "<>":
        return True
    local = parseaddr(str(msg.get("From") or ""))[1].split("@")[0].lower()
    return local in BOUNCE_SENDERS


def body_text(msg):
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text


# Never text: the page head (title, style sheets), scripts.
HTML_SKIPPED = {"head", "title", "style", "script", "template"}
# A quoted earlier mail, dropped (what follows it, e.g. answers between quotes, is kept):
# <blockquote> and the quote blocks of Gmail, Thunderbird, Yahoo, Proton Mail, Apple Mail.
HTML_QUOTE_CLASSES = {
    "gmail_quote",
    "gmail_quote_container",
    "moz-cite-prefix",
    "yahoo_quoted",
    "protonmail_quote",
    "AppleOriginalContents",
}
# Outlook's start of the quoted mail: its header block "From: … Sent: …" and the quoted mail
# follow as siblings, so everything from here to the end is the earlier mail.
HTML_QUOTE_START_IDS = {"divRplyFwdMsg", "appendonsend", "OLK_SRC_BODY_SECTION"}
HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
}  # fmt: skip


def html_to_text(html):
    """The text a reader sees in an HTML mail, one line per block, without the page head,
    style sheets and quoted earlier mails."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        # bytes: a str with an XML declaration naming a charset is refused by lxml
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):  # empty or nothing but comments
        return ""
    for el in list(root.iter(etree.Element)):
        if el.get("id") in HTML_QUOTE_START_IDS and el.getparent() is not None:
            _drop_from(el)
            break
    for el in list(root.iter(etree.Element)):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        classes = set((el.get("class") or "").split())
        if el.tag in HTML_SKIPPED or el.tag == "blockquote" or classes & HTML_QUOTE_CLASSES:
            el.drop_tree()  # keeps the text after it
    out = []
    _html_text(root, out, preformatted=False)
    lines = [line.rstrip() for line in "".join(out).replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _drop_from(el):
    """Remove el and everything after it in the document."""
    node = el
    while node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node.tail = None
        node = parent
    el.getparent().remove(el)


def _html_text(el, out, preformatted):
    def write(text):
        if text and not preformatted:
            text = re.sub(r"[ \t\r\n\f]+", " ", text)
            if not out or out[-1].endswith(("\n", " ")):
                text = text.lstrip(" ")  # a line starts with its first word, one space between
        if text:
            out.append(text)

    def line_break():
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    tag = el.tag if isinstance(el.tag, str) else ""
    preformatted = preformatted or tag in ("pre", "textarea")
    if tag == "br":
        out.append("\n")
    elif tag in HTML_BLOCKS:
        line_break()
    elif tag in ("td", "th") and out and not out[-1].endswith(("\n", " ")):
        out.append(" ")  # cells of a row on one line
    write(el.text)
    for child in el:
        _html_text(child, out, preformatted)
        write(child.tail)
    if tag in HTML_BLOCKS:
        line_break()


def strip_quoted(text):
    """Keep what the customer wrote, not the quoted mail below it."""
    lines = text.replace("\r\n", "\n").split("\n")
    following, after = [""] * len(lines), ""  # the next line with text after each line
    for i in range(len(lines) - 1, -1, -1):
        following[i] = after
        if lines[i].strip():
            after = lines[i]
    kept = []
    for line, next_line in zip(lines, following, strict=True):
        if _starts_quote(line, next_line):
            break
        if line.startswith(">"):
            continue
        if line.strip() == "--":  # signature separator
            break
        kept.append(line)
    return "\n".join(kept).strip()


QUOTE_HEADER_MAX = 300  # an attribution line is short; long lines are text (and cheap to skip)


def _starts_quote(line, next_line):
    if len(line) > QUOTE_HEADER_MAX:
        return False
    if QUOTE_HEADER.match(line):
        return True
    if (
        QUOTE_HEADER_START.match(line)
        and len(next_line) <= QUOTE_HEADER_MAX
        and QUOTE_HEADER.match(f"{line.rstrip()} {next_line.strip()}")
    ):
        return True  # the attribution line wrapped in two
    if OUTLOOK_FROM.match(line):
        return bool(
            OUTLOOK_SENT.search(line)
            or (len(next_line) <= QUOTE_HEADER_MAX and OUTLOOK_SENT.match(next_line))
        )
    return False


def mail_attachments(msg):
    """The files of an e-mail within the helpdesk's limits, and a line for each file left
    out (shown in the message text, so nothing disappears unnoticed)."""
    kept, skipped = [], []
    for part in msg.iter_attachments():
        name = part.get_filename() or ""
        if not name and part.get_content_maintype() in ("text", "multipart", "message"):
            continue  # an unnamed text or nested part is body, not a file
        try:
            data = part.get_content()
        except (LookupError, ValueError):
            data = part.get_payload(decode=True) or b""
        if isinstance(data, str):
            data = data.encode(part.get_content_charset() or "utf-8", "replace")
        if not isinstance(data, bytes):
            data = bytes(data) if data else b""
        incoming = attachments.Incoming.from_bytes(name or "attachment", data)
        if len(kept) >= attachments.max_files():
            skipped.append(
                _("Attachment “%(name)s” not kept: more than %(n)d files.")
                % {"name": name, "n": attachments.max_files()}
            )
            continue
        try:
            attachments.check_one(incoming)
        except HelpdeskError as exc:
            skipped.append(_("Attachment not kept: %(reason)s") % {"reason": exc.message})
            continue
        kept.append(incoming)
    return kept, skipped


def receive_email(raw):
    """Store one inbound e-mail (RFC 822 bytes): an answer in its thread, or a new thread."""
    msg = message_from_bytes(raw, policy=policy.default)
    if is_auto_reply(msg):
        return InboundResult("auto_reply")
    if is_bounce(msg):
        return InboundResult("bounce")
    message_id = (msg.get("Message-ID") or "").strip()[:300] or None
    if message_id and Message.objects.filter(message_id=message_id).exists():
        return InboundResult("duplicate")
    name, sender = parseaddr(str(msg.get("From") or ""))
    sender = sender.strip()
    try:
        validate_email(sender)
    except ValidationError:
        return InboundResult("no_sender")  # nobody to answer; it stays in the mailbox
    subject = str(msg.get("Subject") or "")
    files, skipped = mail_attachments(msg)
    text = strip_quoted(body_text(msg))
    if len(text) > services.MAX_TEXT - 200:  # a long mail is kept, shortened
        text = text[: services.MAX_TEXT - 200].rstrip() + "\n[…] " + _("(shortened)")
    text = "\n\n".join(part for part in [text, *skipped] if part)
    if not text and not files:
        return InboundResult("empty")
    thread = services.thread_from_subject(subject)
    try:
        if thread is not None and _is_threads_sender(thread, sender):
            message = services.customer_reply(thread, text, message_id=message_id, files=files)
            return InboundResult("stored", message)
        new = services.create_email_thread(
            email=sender,
            name=name,
            subject=subject,
            text=text,
            message_id=message_id,
            files=files,
            related_thread=thread,
        )
    except IntegrityError:  # the same mail stored concurrently by another poll
        return InboundResult("duplicate")
    return InboundResult(
        "linked_thread" if thread is not None else "new_thread", new.messages.first()
    )


def _is_threads_sender(thread, sender):
    allowed = {thread.email.lower()}
    if thread.customer_id:
        allowed.add(thread.customer.email.lower())
    return sender.lower() in allowed


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
