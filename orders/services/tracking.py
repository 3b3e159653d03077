"""Tracking numbers in bulk: the carrier's list of parcels (order or shipment number, carrier,
tracking number — pasted or uploaded as CSV) added to the shipments, and e-mailed.

The list is checked as a whole first: a line that names no shipment, an unknown carrier or a
malformed number is reported with its line number and nothing is added. Then each line goes
through ``add_tracking`` (and ``send_tracking``), as on the shipment page.
"""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import OrderError
from ..models import Shipment, TrackingNumber
from .lifecycle import FINAL_STATES, add_tracking, send_tracking, tracking_parcels

MAX_LINES = 2000


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


class _Semicolons(csv.excel):
    delimiter = ";"


def _rows(text):
    """The list's rows: ``;``, ``,`` or tab separated (as a spreadsheet saves them), blank
    lines and a heading line left out."""
    text = text.lstrip("\ufeff")
    sample = text[:2000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = _Semicolons
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        yield number, cells


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
    for number, cells in _rows(text or ""):
        if len(lines) + len(errors) >= MAX_LINES:
            raise OrderError(
                _("At most %(max)s lines at once: split the list.") % {"max": MAX_LINES}
            )
        if len(cells) < 3:
            if number == 1 and not lines:
                continue  # a heading line ("Order;Carrier;Tracking number")
            errors.append(
                _("Line %(line)d: enter order or shipment number, carrier and tracking number.")
                % {"line": number}
            )
            continue
        reference, carrier_text, tracking = cells[0], cells[1], cells[2]
        carrier = carrier_code(carrier_text)
        shipment = _shipment(reference) if reference else None
        if carrier is None and number == 1 and not lines and shipment is None:
            continue  # a heading line
        if shipment is None:
            errors.append(
                _("Line %(line)d: no shipment %(reference)s (an order must be shipped first).")
                % {"line": number, "reference": reference or "—"}
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
                    "carrier": carrier_text or "—",
                    "known": ", ".join(str(label) for _v, label in TrackingNumber.Carrier.choices),
                }
            )
            continue
        try:
            tracking_parcels([(carrier, tracking)])
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
