"""Back-in-stock notices: "E-mail me when it is back in stock" on a sold-out product's page.

- **Request** (:func:`request_notice`): the storefront form records an unconfirmed notice and
  e-mails a signed confirmation link to the typed address (double opt-in). The visitor is
  told the same whatever the address asked before — an open notice is not made twice and
  the answer does not say whether one existed (no enumeration). An address gets at most
  ``STOCK_NOTICE_MAILS_PER_ADDRESS`` confirmation e-mails a day, however many clients ask
  for it: the form must not become a way to flood someone's mailbox.
- **Confirm** (:func:`confirm_notice`): the link shows a page with a button; only its POST
  confirms (mail scanners open links — as the reviews' confirmation).
- **Send** (:func:`send_due`, beat every 15 minutes): confirmed, unsent notices whose product
  is active and in stock again get one e-mail each through the outbox, in the notice's
  language, marked sent in the same transaction under ``SKIP LOCKED`` row locks, so two
  workers never send one twice. Beat, not a save signal, finds them: stock also changes
  through queryset updates (orders, returns, the catalog import) that send no signal.
- **Cancel** (:func:`cancel_notice`): the link in both e-mails deletes the notice (after
  sending: the address at once, not after the retention period the e-mail names).
- **Personal data**: deleted by the retention rule "back-in-stock notices" (:func:`purge_before`)
  and with an erased customer's or guest's addresses (:func:`forget`, ``shop.erasure``).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import retention
from .exceptions import DomainError
from .mail import queue_email
from .models import StockNotice
from .ratelimit import RateLimit

CONFIRM_SALT = "shop.stock-notice.confirm"
CANCEL_SALT = "shop.stock-notice.cancel"
CONFIRM_LINK_MAX_AGE = 7 * 24 * 3600  # seconds an address has to confirm its notice
SEND_BATCH = 200

# Requests per client (the form): only requests that were accepted count.
REQUESTS = RateLimit(
    "shop:stock-notice",
    limit=("STOCK_NOTICE_REQUEST_LIMIT", 5),
    window=("STOCK_NOTICE_REQUEST_WINDOW", 3600),
)
# Confirmation e-mails per address and day, whoever asks (see the module's docstring).
CONFIRMATION_MAILS = RateLimit(
    "shop:stock-notice-address",
    limit=("STOCK_NOTICE_MAILS_PER_ADDRESS", 3),
    window=24 * 3600,
)

# The one answer to a request, whatever the address asked before.
REQUESTED = _(
    "Thank you! Please confirm with the link we have sent to your e-mail address; then we "
    "will write to you as soon as the product is back in stock."
)
THROTTLED = _("You have asked for several notices in a short time. Please try again later.")


class StockNoticeError(DomainError):
    pass


def normalised(email):
    return (email or "").strip().lower()


def wanted(product):
    """Can a notice be asked for ``product``: on sale, sold out and not orderable (no
    backorders) — the product page shows the form exactly then."""
    return product.is_active and not product.orderable


def _address_key(email):
    # The rate limit's cache key holds a hash, not the address.
    return hashlib.sha256(normalised(email).encode()).hexdigest()[:32]


@transaction.atomic
def request_notice(product, email, language=None):
    """Record a notice of ``product`` for ``email`` and e-mail the confirmation link.

    An open notice of the address is not made again: an unconfirmed one gets its link sent
    once more (within the address's daily allowance), a confirmed one nothing. Returns the
    open notice. Raises StockNoticeError when the product is not sold out (any more)."""
    email = normalised(email)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if not wanted(product):
        raise StockNoticeError(_("This product is available: you can order it now."))
    notice = StockNotice.objects.open().filter(product=product, email=email).first()
    if notice is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent request made it first
                notice = StockNotice.objects.create(
                    product=product,
                    email=email,
                    language=language,
                    token=secrets.token_urlsafe(24),
                )
        except IntegrityError:
            notice = StockNotice.objects.open().get(product=product, email=email)
    if notice.confirmed_at is not None:
        return notice
    if notice.language != language:  # the language of the newest request
        notice.language = language
        notice.save(update_fields=["language"])
    if not CONFIRMATION_MAILS.attempt(_address_key(email)):
        queue_email(
            "stock_notice_confirm",
            email,
            {
                "product": product,
                "product_url": product.get_absolute_url(),
                "confirm_url": confirm_path(notice),
                "cancel_url": cancel_path(notice),
                "days": CONFIRM_LINK_MAX_AGE // (24 * 3600),
            },
            language=language,
        )
    return notice


# --- the signed links --------------------------------------------------------------------


def confirm_path(notice):
    value = signing.TimestampSigner(salt=CONFIRM_SALT).sign(notice.token)
    return reverse("shop:stock_notice_confirm", args=[value])


def cancel_path(notice):
    value = signing.Signer(salt=CANCEL_SALT).sign(notice.token)
    return reverse("shop:stock_notice_cancel", args=[value])


def notice_from_confirm_link(value):
    """The notice of a confirmation link, or None if the link was altered, is too old, or its
    notice is gone (cancelled, deleted by retention or erasure)."""
    try:
        token = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            value, max_age=CONFIRM_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return StockNotice.objects.select_related("product").filter(token=token).first()


def notice_from_cancel_link(value):
    try:
        token = signing.Signer(salt=CANCEL_SALT).unsign(value)
    except signing.BadSignature:
        return None
    return StockNotice.objects.select_related("product").filter(token=token).first()


# --- confirming, cancelling ----------------------------------------------------------------


def confirm_notice(notice):
    """The address confirmed the notice: from now on it waits for the stock. Idempotent."""
    with transaction.atomic():
        locked = StockNotice.objects.select_for_update().filter(pk=notice.pk).first()
        if locked is None:
            raise StockNoticeError(_("This link is not valid any more."))
        if locked.confirmed_at is None:
            locked.confirmed_at = timezone.now()
            locked.save(update_fields=["confirmed_at"])
    return locked


def cancel_notice(notice):
    """The address wants no notice (any more): the notice is deleted, sent or not."""
    deleted, _rows = StockNotice.objects.filter(pk=notice.pk).delete()
    return bool(deleted)


# --- sending --------------------------------------------------------------------------------


def send_due(batch=SEND_BATCH):
    """Queue the e-mail of every due notice (``StockNoticeQuerySet.due``) and mark it sent,
    in batches; each batch is one transaction holding its rows locked (``SKIP LOCKED``: a
    second worker takes other rows or none). Returns the number of notices sent."""
    sent = 0
    while True:
        with transaction.atomic():
            notices = list(
                StockNotice.objects.due()
                .select_related("product")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch]
            )
            for notice in notices:
                _queue_back_in_stock(notice)
            if notices:
                StockNotice.objects.filter(pk__in=[n.pk for n in notices]).update(
                    sent_at=timezone.now()
                )
        sent += len(notices)
        if len(notices) < batch:
            return sent


def _queue_back_in_stock(notice):
    product = notice.product
    queue_email(
        "stock_notice_back",
        notice.email,
        {
            "product": product,
            "product_url": product.get_absolute_url(),
            "cancel_url": cancel_path(notice),
            # What retention does with the sent notice (``purge_before``): the e-mail says
            # when the address goes, and the link deletes it at once.
            "delete_days": retention.period(retention.STOCK_NOTICES).amount,
        },
        language=notice.language,
    )


# --- personal data -------------------------------------------------------------------------


def waiting_count(product):
    return StockNotice.objects.waiting().filter(product=product).count()


# A confirmed notice waits this long for the stock (settings may override it with
# STOCK_NOTICE_WAIT_DAYS): a product that has not come back in a year is unlikely to, and
# the address is not kept for ever on the chance (GDPR Art. 5(1)(e)).
WAIT_DAYS = 365


def purge_before(cutoff, dry_run=False):
    """Retention: delete (or with ``dry_run`` count) the notices sent before ``cutoff``,
    those never confirmed that were asked for before it, and confirmed ones still waiting
    for the stock a year after their confirmation (``WAIT_DAYS``). A younger waiting notice
    stays: the person asked for it (and can cancel it with the link)."""
    from django.db.models import Q

    waited = timezone.now() - timedelta(days=getattr(settings, "STOCK_NOTICE_WAIT_DAYS", WAIT_DAYS))
    rows = StockNotice.objects.filter(
        Q(sent_at__lt=cutoff)
        | Q(confirmed_at__isnull=True, created__lt=cutoff)
        | Q(sent_at__isnull=True, confirmed_at__lt=waited)
    )
    if dry_run:
        return rows.count()
    deleted, _rows = rows.delete()
    return deleted


def forget(*addresses):
    """Erasure: delete every notice of ``addresses`` (any case). Returns how many."""
    emails = {normalised(a) for a in addresses} - {""}
    if not emails:
        return 0
    deleted, _rows = StockNotice.objects.filter(email__in=sorted(emails)).delete()
    return deleted
