"""Extension points of ``orders`` for the apps above it (besides the signals in
``orders.signals`` and the page panels in ``shop.panels``).

**Checkout steps.** Placing an order is one transaction (``orders.services.place_order``);
apps that take part in it register a :class:`CheckoutStep` in their ``AppConfig.ready()``::

    from orders import extensions
    extensions.register_checkout_step(extensions.CheckoutStep("vouchers", price=..., record=...))

The placement calls, in registration order (= the apps' layer order):

1. ``price(order, lines, data, customer, preview=False)`` before the totals are fixed: the order is not
   saved yet; a step may set ``discount_total``, ``shipping_discount`` and ``voucher_code``
   and lock what it consumes. It returns a value that is handed back to ``record``.
2. ``record(value, order)`` once the order and its lines are saved (e.g. a redemption).
3. ``pay(order, lines, data, customer, preview=False)`` after every step has recorded: pays part of what is
   still due from a stored value (gift card, account credit) and returns what it took as
   ``{"giftcard_total": amount, "credit_total": amount}`` (missing keys = nothing). The
   placement adds it to the order and decides whether the order is paid.

A step raises a ``DomainError`` to refuse the order; nothing of it is saved.

**Refund steps.** A credit note (``orders.services.refunds``) gives money back to where it
came from before the rest is refunded through the payment method. Apps that took part of the
payment register a :class:`RefundStep` in ``ready()``::

    extensions.register_refund_step(extensions.RefundStep("giftcards", refund=...))

``refund(order, amount, reference="", preview=False)`` gives back at most ``amount`` of what
the app took for ``order`` and not yet gave back, and returns what it gave back as
``{"giftcard_total": amount, "credit_total": amount}``; ``reference`` is the credit note's
number (for the app's own records). With ``preview=True`` (the operator's confirmation page)
it computes the same amounts and books nothing.

**Refund to the account credit.** The operator may choose to credit what a credit note would
refund through the payment method to the customer's account credit instead (the customer
asked for store credit). The app that keeps the account credit gives its refund step a
``to_account``::

    extensions.register_refund_step(
        extensions.RefundStep("giftcards", refund=..., to_account=...)
    )

``to_account(order, amount, reference="", preview=False, user=None)`` books ``amount`` on
the account credit of ``order``'s customer (``reference``: the credit note's number, for the
app's own records; ``user``: the staff member who issues the note, whose limits the app may
apply) under the row locks it takes for its balances, and returns the amount booked (all
of it: the credit note's ``credit_total``); it raises a ``DomainError`` to refuse (nothing
is saved). With ``preview=True`` it checks and books nothing. No app registered one
(:func:`account_credit_step`): the option is not offered.

**Credit line steps.** A partial credit note may credit lines whose goods another app
delivered (the gift cards bought with the order: the giftcards app issued them). Such an app
registers a :class:`CreditLineStep` in ``ready()``::

    extensions.register_credit_line_step(extensions.CreditLineStep("giftcards", credit=...))

``credit(order, lines, reference="", preview=False)`` is called for every credit note but
the full refund (whose ``order_canceled`` receivers undo the whole order) with ``lines``, a
list of :class:`CreditedLine` (each credited order line, the units credited now and those
credited by earlier notes); a step acts only on the lines that are its own. It raises a
``DomainError`` to refuse the credit (the note is not issued: nothing of it is saved) and
returns a list of sentences for the operator (what it is going to do), or None. With
``preview=True`` (while the note is planned, also for the operator's confirmation page) it
checks and describes, locking and changing nothing; without, it is called under the order's
lock after ``signals.order_releasing`` (its rows are locked by then) and before the note is
saved, with ``reference`` = the credit note's number for the app's own records.

**Document notes.** The credit note's e-mail and PDF tell the customer what a higher app
did with the note (the gift cards bought with the order that are no longer valid). Such an
app registers :class:`DocumentNotes` in ``ready()``::

    extensions.register_document_notes(extensions.DocumentNotes("giftcards", credit_note=...))

``credit_note(credit_note)`` returns a list of sentences for the customer, in the active
language, from what the app recorded for that note (so a note sent again, or its PDF
rendered again, says the same); :func:`credit_note_notes` collects them in the customer's
language as ``document_notes`` of the e-mail and PDF context. ``canceled_order(order)``
does the same for the e-mail telling the customer the order has been canceled
(:func:`canceled_order_notes`, called after the ``order_canceled`` receivers). Either may be
left out.

**Preview.** The checkout page shows what the placement would charge and offers the payment
methods for it (``orders.services.quote_order``): it calls ``price`` and ``pay`` with
``preview=True`` on an unsaved order. A step then computes exactly what it would do, but
locks, records and moves nothing; ``pay`` may add how much it could pay at most
(``{"giftcard_available": …, "credit_available": …}``) for the page's summary script.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation


class _Steps:
    """The steps (or notes) the apps registered for one extension point, in registration
    order (= the apps' layer order). ``ready()`` may run twice in some test set-ups: a step
    of the same name replaces the earlier one."""

    def __init__(self):
        self._steps = []

    def register(self, step):
        self._steps = [s for s in self._steps if s.name != step.name] + [step]

    def __call__(self):
        return list(self._steps)


@dataclass(frozen=True)
class CheckoutStep:
    name: str
    price: Callable | None = None
    record: Callable | None = None
    pay: Callable | None = None


checkout_steps = _Steps()
register_checkout_step = checkout_steps.register

# The order fields a ``pay`` step may fill.
PAYMENT_FIELDS = ("giftcard_total", "credit_total")
# What a ``pay`` step may report in a preview besides: the most it could pay.
AVAILABLE_FIELDS = ("giftcard_available", "credit_available")


@dataclass(frozen=True)
class RefundStep:
    name: str
    refund: Callable
    # Credits what would go back through the payment method to the customer's account
    # credit instead (the operator's choice); see "Refund to the account credit" above.
    to_account: Callable | None = None


refund_steps = _Steps()
register_refund_step = refund_steps.register


def account_credit_step():
    """The refund step that books a refund on the customer's account credit instead of the
    payment method (its ``to_account``), or None: no app offers that."""
    return next((step for step in refund_steps() if step.to_account is not None), None)


# The credit-note fields a refund step may fill.
REFUND_FIELDS = ("giftcard_total", "credit_total")


@dataclass(frozen=True)
class CreditedLine:
    """An order line a credit note credits: ``quantity`` units now, ``credited_before`` units
    by the order's earlier credit notes."""

    line: object
    quantity: int
    credited_before: int = 0


@dataclass(frozen=True)
class CreditLineStep:
    name: str
    credit: Callable


credit_line_steps = _Steps()
register_credit_line_step = credit_line_steps.register


@dataclass(frozen=True)
class DocumentNotes:
    name: str
    credit_note: Callable | None = None
    canceled_order: Callable | None = None


document_notes = _Steps()
register_document_notes = document_notes.register


def credit_note_notes(credit_note, language=None):
    """The sentences the apps add to ``credit_note``'s e-mail and PDF, in ``language`` (else
    the active one)."""
    with translation.override(language or translation.get_language()):
        return [
            note
            for n in document_notes()
            if n.credit_note
            for note in n.credit_note(credit_note) or []
        ]


def canceled_order_notes(order, language=None):
    """The sentences the apps add to the e-mail telling the customer ``order`` has been
    canceled, in ``language`` (else the active one)."""
    with translation.override(language or translation.get_language()):
        return [
            note
            for n in document_notes()
            if n.canceled_order
            for note in n.canceled_order(order) or []
        ]
