"""A customer withdraws a consent given at checkout (GDPR Art. 7(3)): as easily as it was
given, from their account.

The consent stays recorded on each order as proof that it was given (``*_consent_at``,
``*_consent_text``: Art. 7(1)); withdrawing it clears the flag the shop acts on, so from then
on nothing is done with it, and writes the withdrawal into each order's history.

- partner network (``Order.partner_consent``): the success page's offers and the partner
  network's frame read the flag whenever they are shown (``vouchers.offers``), so no order
  data goes to the network any more, also not through a frame link still valid;
- review requests (``Order.review_request_consent``): no order is asked for reviews any more
  (``reviews.review_requests.due_orders``); the reviews app also unsubscribes the address.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from shop import events

from ..models import Order, OrderComment

PARTNER = "partner_consent"
REVIEW_REQUESTS = "review_request_consent"

_WITHDRAWN = {
    PARTNER: gettext_noop(
        "The customer withdrew their consent to the partner network in their account: no "
        "order data goes to partners any more."
    ),
    REVIEW_REQUESTS: gettext_noop(
        "The customer withdrew their consent to review requests in their account."
    ),
}


def _withdraw(customer, field):
    """Clear ``field`` on every order of ``customer`` that still has it and record it in
    each order's history. Returns the numbers of the orders changed."""
    with transaction.atomic():
        orders = list(
            Order.objects.select_for_update(of=("self",))
            .filter(customer_id=customer.pk, **{field: True})
            .order_by("pk")
        )
        if not orders:
            return []
        Order.objects.filter(pk__in=[order.pk for order in orders]).update(**{field: False})
        parts = [events.part(_WITHDRAWN[field])]
        OrderComment.objects.bulk_create(
            OrderComment(order=order, text=events.text(parts), message=parts, is_event=True)
            for order in orders
        )
    return [order.number for order in orders]


def withdraw_partner_consent(customer):
    """The customer withdraws the partner-network consent of all their orders."""
    return _withdraw(customer, PARTNER)


def withdraw_review_request_consent(customer):
    """The customer withdraws the review-request consent of all their orders."""
    return _withdraw(customer, REVIEW_REQUESTS)


def consent_given(customer, field):
    """The consent ``field`` as ``customer``'s orders hold it, or None when none has it: a
    dict with ``text`` (as the customer read it, the latest order's), ``given_at``,
    ``orders`` (``number`` and ``date`` of each order it was given with) and ``active``
    (still in force on an order)."""
    orders = list(
        Order.objects.filter(customer_id=customer.pk)
        .filter(Q(**{field: True}) | Q(**{f"{field}_at__isnull": False}))
        .order_by("-created", "-pk")
        .only("number", "created", field, f"{field}_at", f"{field}_text")
    )
    if not orders:
        return None
    active = [order for order in orders if getattr(order, field)]
    latest = (active or orders)[0]
    return {
        "text": getattr(latest, f"{field}_text"),
        "given_at": getattr(latest, f"{field}_at") or latest.created,
        "orders": [{"number": order.number, "date": order.created} for order in orders],
        "active": bool(active),
    }


def withdrawn_at(customer, field):
    """When ``customer`` last withdrew the consent ``field`` (from their orders' history),
    or None."""
    return (
        OrderComment.objects.filter(
            order__customer_id=customer.pk,
            is_event=True,
            message__0__0=_WITHDRAWN[field],
        )
        .order_by("-created")
        .values_list("created", flat=True)
        .first()
    )
