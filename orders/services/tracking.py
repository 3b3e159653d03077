"""Tracking numbers in bulk: the carrier's list of parcels (order or shipment number, carrier,
tracking number — pasted or uploaded as CSV) added to the shipments, and e-mailed.

The list is checked as a whole first: a line that names no shipment, an unknown carrier or a
malformed number is reported with its line number and nothing is added. Then each line goes
through ``add_tracking`` (and ``send_tracking``), as on the shipment page.

Each line of the text is one parcel. Carrier lists do not quote their cells, so a quote is
no CSV quoting here: read as one, a stray quote made the following lines one "number" —
stored, e-mailed, and the next parcels silently without theirs. A cell enclosed in quotes as
a whole (a spreadsheet's "quote text cells") is read without them; a quote anywhere else
stays in the cell, and a number holding one is refused with its line.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import OrderError
from ..models import Shipment, TrackingNumber
from .lifecycle import FINAL_STATES, add_tracking, send_tracking, tracking_parcels

MAX_LINES = 2000
MAX_LINE_LENGTH = 1000  # characters: a carrier's line, with a few more columns, is far shorter
LINE_END = re.compile(r"\r\n|\r|\n")
DELIMITERS = ";\t,"  # as a spreadsheet saves them; the first wins a tie


@dataclass
class TrackingLine:
    line: int  # in the list, from 1
    reference: str
    shipment: Shipment
    carrier: str
    number: str


def carrier_code(text):
    """A carrier as its code ("dhl") or its name ("PostNord", "DHL"), any case; else None."""
    wanted = (text or "").strip().casefold()
    for value, label in TrackingNumber.Carrier.choices:
        if wanted in (value, str(label).casefold()):
            return value
    return None


def _delimiter(lines):
    """The separator of the list: the one that splits most of its first lines into (at least)
    three cells."""
    sample = [line for line in lines[:50] if line.strip()][:20]
    best = max(DELIMITERS, key=lambda d: sum(1 for line in sample if line.count(d) >= 2))
    return best if any(line.count(best) >= 2 for line in sample) else ";"


def _cell(text):
    """A cell's text, without the quotes around it when it is quoted as a whole."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1].strip()
    return text


def _looks_like_heading(cells):
    """The first line is a heading ("Order;Carrier;Tracking number") only when none of its
    cells holds a digit, as a shipment or order number always does: any other first line (a
    mistyped number, a missing cell) is checked and named like the rest, not dropped unseen."""
    return not any(char.isdigit() for cell in cells[:3] for char in cell)


def _rows(text):
    """(line number, cells) of the list's lines — one line one row; blank lines left out."""
    lines = LINE_END.split(text.lstrip("\ufeff"))
    delimiter = _delimiter(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_LENGTH:
            yield number, None  # too long to be a parcel's line
            continue
        yield number, [_cell(cell) for cell in line.split(delimiter)]


def _shown(text, width=40):
    """``text`` cut for an error message: a long cell is named by its beginning."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _shipment(reference):
    """The shipment a reference names: a shipment number (100123-2), or an order number —
    that order's last shipment."""
    shipment = Shipment.objects.select_related("order").filter(number=reference).first()
    if shipment is None:
        shipment = (
            Shipment.objects.select_related("order")
            .filter(order__number=reference)
            .order_by("-created", "-id")
            .first()
        )
    return shipment


def parse(text):
    """The checked lines of ``text``, or ``OrderError`` listing every line that is wrong."""
    lines, errors = [], []
    first = True
    for number, cells in _rows(text or ""):
        if len(lines) + len(errors) >= MAX_LINES:
            raise OrderError(
                _("At most %(max)s lines at once: split the list.") % {"max": MAX_LINES}
            )
        if cells is None:
            errors.append(
                _("Line %(line)d is too long (at most %(max)s characters).")
                % {"line": number, "max": MAX_LINE_LENGTH}
            )
            first = False
            continue
        if first:
            first = False
            if _looks_like_heading(cells):
                continue  # a heading line ("Order;Carrier;Tracking number")
        if len(cells) < 3:
            errors.append(
                _("Line %(line)d: enter order or shipment number, carrier and tracking number.")
                % {"line": number}
            )
            continue
        reference, carrier_text, tracking = cells[0], cells[1], cells[2]
        carrier = carrier_code(carrier_text)
        shipment = _shipment(reference) if reference else None
        if shipment is None:
            errors.append(
                _("Line %(line)d: no shipment %(reference)s (an order must be shipped first).")
                % {"line": number, "reference": _shown(reference) or "—"}
            )
            continue
        if shipment.order.status in FINAL_STATES:
            errors.append(
                _("Line %(line)d: order %(order)s is %(status)s.")
                % {
                    "line": number,
                    "order": shipment.order.number,
                    "status": str(shipment.order.get_status_display()).lower(),
                }
            )
            continue
        if carrier is None:
            errors.append(
                _("Line %(line)d: unknown carrier %(carrier)s (known: %(known)s).")
                % {
                    "line": number,
                    "carrier": _shown(carrier_text) or "—",
                    "known": ", ".join(str(label) for _v, label in TrackingNumber.Carrier.choices),
                }
            )
            continue
        try:
            if not tracking_parcels([(carrier, tracking)]):
                # An empty row on the Ship page; in the list, a parcel without its number.
                raise OrderError(_("Enter a tracking number (up to 64 characters)."))
        except OrderError as exc:
            errors.append(_("Line %(line)d: %(error)s") % {"line": number, "error": exc.message})
            continue
        lines.append(TrackingLine(number, reference, shipment, carrier, tracking))
    if errors:
        raise OrderError(" ".join(errors))
    if not lines:
        raise OrderError(_("The list has no tracking numbers."))
    return lines


@dataclass
class ImportResult:
    added: int
    already: int
    emailed: list  # shipment numbers


def import_tracking(text, send=True, user=None):
    """Add every tracking number of the list to its shipment (all or none), then — with
    ``send`` — e-mail each shipment's tracking information once."""
    lines = parse(text)
    added = already = 0
    shipments = {}
    with transaction.atomic():
        for line in lines:
            try:
                add_tracking(line.shipment, [(line.carrier, line.number)], user=user)
            except OrderError:
                already += 1  # the shipment has this number: importing twice adds nothing
            else:
                added += 1
                shipments[line.shipment.pk] = line.shipment
    emailed = []
    if send:
        for shipment in shipments.values():
            send_tracking(shipment, user=user)
            emailed.append(shipment.number)
    return ImportResult(added, already, emailed)


def send_tracking_of(shipments, user=None):
    """ "Send tracking information" for many shipments: (sent numbers, [(number, reason)])."""
    sent, skipped = [], []
    for shipment in shipments:
        if shipment.order.status in FINAL_STATES:
            skipped.append((shipment.number, str(shipment.order.get_status_display()).lower()))
            continue
        if shipment.tracking_sent_at:
            skipped.append((shipment.number, _("already e-mailed")))
            continue
        try:
            send_tracking(shipment, user=user)
        except OrderError as exc:
            skipped.append((shipment.number, exc.message))
        else:
            sent.append(shipment.number)
    return sent, skipped
