"""Is a buyer's VAT ID registered? Asked of the EU's VIES service before an order goes out
without VAT.

A VAT ID with the right format and check digit (:mod:`customers.vat`) may still be made up;
the exemption of an intra-community supply needs the buyer's *valid* VAT ID (§ 6a / § 4 Nr. 1b
UStG, Art. 138 VAT Directive), and German practice is to confirm it with VIES and keep the
proof. VIES's REST service (``VIES_URL``, ``POST /check-vat-number``) takes::

    {"countryCode": "AT", "vatNumber": "U13585627",
     "requesterMemberStateCode": "DE", "requesterNumber": "123456788"}

(the requester: the shop's own VAT ID, when it has one) and answers ``{"valid": true|false,
"name", "address", "requestDate", "requestIdentifier", …}`` — the request identifier (the
consultation number) only for a request with a requester: the proof that the shop asked. An
error comes as ``{"actionSucceed": false, "errorWrappers": [{"error": "MS_UNAVAILABLE",
"message": …}]}``, with HTTP 200 or an error status: ``MS_UNAVAILABLE`` (the member state's
registry does not answer — they have their hours), ``TIMEOUT``, ``SERVICE_UNAVAILABLE``,
``MS_MAX_CONCURRENT_REQ`` / ``GLOBAL_MAX_CONCURRENT_REQ`` (too many requests),
``INVALID_INPUT``, ``INVALID_REQUESTER_INFO`` …

Every check is a :class:`~customers.models.VatIdCheck` row, with one of three results:
confirmed, not registered, or unknown (VIES unreachable, a member state unavailable, any
error or answer that cannot be read). A confirmation is reused for ``VIES_CACHE_HOURS``: a
buyer's second order that day asks nothing. A VIES that does not answer trips a circuit
breaker (``shop.breaker``): for ``VIES_RETRY_AFTER`` seconds (default 60) checks are answered
"unknown" at once instead of each checkout waiting ``VIES_TIMEOUT`` seconds.

Without ``VIES_URL`` (the default outside production, and in the test suite) nothing is asked
and :func:`enabled` is False: the format and the check digit decide, as before.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shop.breaker import CircuitBreaker

from .vat import is_valid_vat_id, normalize_vat_id

log = logging.getLogger(__name__)

CONFIRMED = "confirmed"
NOT_REGISTERED = "not_registered"
UNKNOWN = "unknown"

# The requester's VAT ID was refused (the shop's own is wrong or not registered): asked
# again without it — a confirmation without a consultation number beats none.
INVALID_REQUESTER = "INVALID_REQUESTER_INFO"
# VIES as a whole is down or overloaded: the breaker opens, as for no answer at all. Other
# errors (a member state's registry down — they have their hours —, INVALID_INPUT …) leave
# it closed: VIES answers, and the other member states' checks work.
VIES_DOWN = {"SERVICE_UNAVAILABLE", "GLOBAL_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ_TIME"}
# What ``userError`` says when there is no error.
NO_ERROR = {"", "VALID", "INVALID"}
# What a member state answers for a name or address it does not disclose.
UNDISCLOSED = {"---", "--", "-"}

breaker = CircuitBreaker("VIES", "VIES_RETRY_AFTER", 60)


def enabled():
    """Are VAT IDs confirmed with VIES (``VIES_URL`` set)?"""
    return bool(getattr(settings, "VIES_URL", ""))


@dataclass
class Answer:
    result: str
    name: str = ""
    address: str = ""
    request_identifier: str = ""
    error: str = ""


class ViesUnreachable(Exception):
    """VIES did not answer, or not in a way that can be read: trips the breaker."""


def check_vat_id(vat_id, requester=""):
    """The :class:`~customers.models.VatIdCheck` of ``vat_id``: a confirmation of the last
    ``VIES_CACHE_HOURS`` (``reused`` True), else a new check asked of VIES and recorded.
    ``requester``: the shop's own VAT ID (the answer then carries a consultation number).

    Call it outside any transaction that holds row locks: it waits for the network (up to
    ``VIES_TIMEOUT`` seconds), and its row is the proof also when the order then fails."""
    from .models import VatIdCheck

    vat_id = normalize_vat_id(vat_id)
    confirmation = cached_confirmation(vat_id)
    if confirmation is not None:
        return confirmation
    answer = ask(vat_id, requester)
    check = VatIdCheck.objects.create(
        vat_id=vat_id,
        result=answer.result,
        name=answer.name[:300],
        address=answer.address,
        request_identifier=answer.request_identifier[:100],
        error=answer.error[:200],
    )
    check.reused = False
    return check


def cached_confirmation(vat_id):
    """The latest confirmation of ``vat_id`` within ``VIES_CACHE_HOURS``, or None (no query
    without ``VIES_URL``)."""
    from .models import VatIdCheck

    vat_id = normalize_vat_id(vat_id)
    if not enabled() or not vat_id:
        return None
    since = timezone.now() - timedelta(hours=float(getattr(settings, "VIES_CACHE_HOURS", 24)))
    check = (
        VatIdCheck.objects.filter(vat_id=vat_id, result=CONFIRMED, checked_at__gte=since)
        .order_by("-checked_at", "-pk")
        .first()
    )
    if check is not None:
        check.reused = True
    return check


def ask(vat_id, requester=""):
    """Ask VIES about ``vat_id`` (normalised, e.g. ``ATU13585627``): an :class:`Answer`,
    never an exception — anything but a clear yes or no is "unknown"."""
    if breaker.is_open:
        return Answer(UNKNOWN, error="VIES skipped: unavailable a moment ago")
    payload = {"countryCode": vat_id[:2], "vatNumber": vat_id[2:]}
    requester = normalize_vat_id(requester)
    if requester and is_valid_vat_id(requester):
        payload["requesterMemberStateCode"] = requester[:2]
        payload["requesterNumber"] = requester[2:]
    try:
        answer = _read(_post(payload))
        if answer.error == INVALID_REQUESTER and "requesterNumber" in payload:
            log.warning("VIES refused the shop's VAT ID %s as requester; asked without", requester)
            answer = _read(_post({"countryCode": vat_id[:2], "vatNumber": vat_id[2:]}))
    except ViesUnreachable as exc:
        breaker.trip(exc)
        return Answer(UNKNOWN, error=str(exc))
    if answer.error in VIES_DOWN:
        breaker.trip(ViesUnreachable(answer.error))
    elif answer.result == UNKNOWN:
        log.warning("VIES could not check %s: %s", vat_id, answer.error)
    return answer


def _post(payload):
    """The decoded JSON VIES answered with (also with an error status: VIES puts its error
    codes in the body)."""
    request = urllib.request.Request(
        settings.VIES_URL,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    timeout = float(getattr(settings, "VIES_TIMEOUT", 5))
    try:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if not _has_error_code(body):
                # A gateway's error page: VIES is down (5xx) or refuses us (4xx).
                raise ViesUnreachable(f"HTTP {exc.code}") from None
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out …
        reason = getattr(exc, "reason", exc)
        raise ViesUnreachable(f"{type(reason).__name__}: {reason}") from None
    try:
        data = json.loads(body)
    except ValueError:
        raise ViesUnreachable("answer is not JSON") from None
    if not isinstance(data, dict):
        raise ViesUnreachable("answer is not a JSON object")
    return data


def _has_error_code(body):
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and bool(_error_code(data))


def _error_code(data):
    wrappers = data.get("errorWrappers") or []
    if isinstance(wrappers, list):
        for wrapper in wrappers:
            if isinstance(wrapper, dict) and wrapper.get("error"):
                return str(wrapper["error"])
    if data.get("actionSucceed") is False:
        return "actionSucceed false"
    user_error = str(data.get("userError") or "")
    return "" if user_error in NO_ERROR else user_error


def _text(value):
    text = " ".join(str(value or "").split())
    return "" if text in UNDISCLOSED else text


def _read(data):
    error = _error_code(data)
    if error:
        return Answer(UNKNOWN, error=error)
    valid = data.get("valid")
    if not isinstance(valid, bool):
        raise ViesUnreachable("answer without 'valid'")
    if not valid:
        return Answer(NOT_REGISTERED, request_identifier=_text(data.get("requestIdentifier")))
    return Answer(
        CONFIRMED,
        name=_text(data.get("name")),
        address=str(data.get("address") or "").strip() if _text(data.get("address")) else "",
        request_identifier=_text(data.get("requestIdentifier")),
    )
