"""Gift cards and customer credit (S8): the only code that moves a balance.

Every movement locks the card or account row (``select_for_update``), writes one ledger entry
and updates the cached balance in the same transaction, so the balance always equals the
ledger sum; the ``balance >= 0`` constraints make overspending impossible even if a caller
forgot a lock.

Mode switch (``switch_mode``) only flips the shop setting. Nothing is converted, so a switch
never breaks an issued card or credit:

- card → customer mode: cards with a balance keep it. A logged-in customer redeems them into the
  credit account (account page, or simply by entering the number at checkout, which redeems
  the card and pays from the credit in one step). Guests are asked to log in.
- customer → card mode: credit already on accounts stays and can still be used at checkout
  ("Pay with my account credit"); cards not yet redeemed pay directly at checkout.
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shop import events, staff_limits
from shop.mail import queue_email
from shop.models import ShopSettings
from shop.money import CENT, MAX_AMOUNT, ZERO, MoneyError, format_max, format_money, parse_money

from .errors import GiftCardError, GiftCardOperationError
from .models import NUMBER_LENGTH, CardState, CreditAccount, GiftCard, GiftCardEvent, LedgerEntry

MAX_BULK = 10_000
MAX_VALUE = Decimal("10000.00")
# A refund to a card that expired since the order: the card gets this many days again.
REFUND_GRACE_DAYS = 30
# The reasons of the ledger entries of a credit note (its number and the order's) and of a
# canceled order; the credit note's documents find the cards it voided by the first.
CREDIT_NOTE_REASON = gettext_noop("Credit note %(number)s of order %(order)s")
ORDER_CANCELED_REASON = gettext_noop("Order %(number)s canceled")
# Besides CREDIT_NOTE_REASON on the entry of a credit note's money the operator credited to
# the customer's account instead of refunding it via the payment method; the credit note's
# documents find the entry by it.
INSTEAD_OF_PAYMENT_REASON = gettext_noop("instead of a refund via %(method)s")


Kind = LedgerEntry.Kind


# --- numbers ---------------------------------------------------------------------------


def normalise_number(text):
    """Accept what people type: spaces, dashes and dots between the digit groups."""
    return "".join(ch for ch in (text or "") if ch not in " -.\t\u00a0")


def luhn_check_digit(payload):
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, starting next to the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_number(number):
    return (
        len(number) == NUMBER_LENGTH
        and number.isascii()
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def generate_number():
    payload = str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _i in range(NUMBER_LENGTH - 2)
    )
    return payload + luhn_check_digit(payload)


def _fresh_numbers(count):
    numbers = set()
    while len(numbers) < count:
        wanted = count - len(numbers)
        candidates = {generate_number() for _i in range(wanted)} - numbers
        taken = set(GiftCard.objects.filter(number__in=candidates).values_list("number", flat=True))
        numbers |= candidates - taken
    return list(numbers)


def check_number_format(text):
    """Return the normalised number or raise a precise error for a malformed one."""
    number = normalise_number(text)
    if not number:
        raise GiftCardError(_("Please enter the gift card number."))
    if len(number) != NUMBER_LENGTH or not (number.isascii() and number.isdigit()):
        raise GiftCardError(
            _("A gift card number has %(n)d digits. Please check it.") % {"n": NUMBER_LENGTH}
        )
    if not is_valid_number(number):
        raise GiftCardError(_("This number has a typo — please check it."))
    return number


def card_number_forms(cards):
    """Every way the cards' numbers are written (as stored and in groups of four): what the
    outbox hides of an e-mail that carries them (``shop.mail.queue_email``'s ``secrets``)."""
    return [form for card in cards for form in (card.number, card.display_number)]


def find_card(text, *, lock=False):
    number = check_number_format(text)
    qs = GiftCard.objects.select_for_update() if lock else GiftCard.objects
    card = qs.filter(number=number).first()
    if card is None:
        raise GiftCardError(_("This gift card number is unknown."))
    return card


def assert_usable(card):
    """Refuse a card that cannot pay or be redeemed right now, saying exactly why."""
    state = card.state
    if state == CardState.BLOCKED:
        raise GiftCardError(_("This gift card is blocked. Please contact us."))
    if state == CardState.REDEEMED:
        raise GiftCardError(_("This gift card has already been redeemed into a customer account."))
    if state == CardState.EXPIRED:
        raise GiftCardError(
            _("This gift card expired on %(date)s.")
            % {"date": date_format(card.valid_until, "SHORT_DATE_FORMAT")}
        )
    if state == CardState.USED:
        raise GiftCardError(_("This gift card has no balance left."))


# --- ledger primitives -----------------------------------------------------------------


def _post(
    holder, amount, kind, *, order=None, staff=None, reason="", message=None, source_card=None
):
    """Move ``amount`` (signed) on a locked card or account and write its ledger entry: with
    the ``reason`` staff typed, or the shop's own ``message`` (``shop.events`` parts), read
    later in each reader's language."""
    if message:
        reason = events.text(message)
    amount = Decimal(amount).quantize(CENT)
    new_balance = holder.balance + amount
    if new_balance < 0:
        raise GiftCardError(_("The balance cannot go below zero."))
    if new_balance > MAX_AMOUNT:
        raise GiftCardError(
            _("A balance can be at most %(max)s.") % {"max": format_max()}, field="amount"
        )
    holder.balance = new_balance
    holder.save(update_fields=["balance"])
    is_card = isinstance(holder, GiftCard)
    return LedgerEntry.objects.create(
        card=holder if is_card else None,
        account=None if is_card else holder,
        amount=amount,
        kind=kind,
        order=order,
        staff=staff if staff is not None and staff.is_authenticated else None,
        reason=reason[:300],
        message=message or [],
        source_card=source_card,
    )


def _lock_card(card):
    return GiftCard.objects.select_for_update().get(pk=card.pk)


def _lock_account(account):
    return CreditAccount.objects.select_for_update().get(pk=account.pk)


def account_for(customer, *, lock=False):
    """The customer's credit account, opened on first use (under the customer number)."""
    account, _created = CreditAccount.objects.get_or_create(
        customer=customer,
        defaults={
            "customer_number": customer.customer_number or str(customer.pk),
            "currency": settings.SHOP_CURRENCY,
        },
    )
    return _lock_account(account) if lock else account


def credit_balance(customer):
    if customer is None or not customer.is_authenticated:
        return ZERO
    account = CreditAccount.objects.filter(customer=customer).only("balance").first()
    return account.balance if account else ZERO


def ledger_sum(holder):
    field = "card" if isinstance(holder, GiftCard) else "account"
    return LedgerEntry.objects.filter(**{field: holder}).aggregate(s=Sum("amount"))["s"] or ZERO


# --- issuing ---------------------------------------------------------------------------


def _check_amount(amount):
    try:
        amount = parse_money(amount)
    except MoneyError as exc:
        raise GiftCardError(exc.message, field="amount") from None
    if amount <= 0:
        raise GiftCardError(_("The amount must be greater than zero."), field="amount")
    if amount > MAX_VALUE:
        raise GiftCardError(
            _("A gift card can be worth at most %(max)s.") % {"max": format_money(MAX_VALUE)},
            field="amount",
        )
    return amount


ISSUE_BEYOND_LIMIT = "giftcards.issue_beyond_limit"


def _issued_today(staff):
    """What ``staff`` made out of nothing today (the shop's day): cards issued, positive
    manual adjustments of cards and credit accounts, and credit notes booked to the account
    credit instead of a payout (the only refund entries that name a staff member)."""
    total = LedgerEntry.objects.filter(
        staff=staff,
        kind__in=[Kind.ISSUE, Kind.ADJUST, Kind.REFUND],
        amount__gt=0,
        created__gte=staff_limits.start_of_today(),
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def issue_allowance(staff, lock=False):
    """``(limit, issued today, left)`` of the shop's daily limit for ``staff``, or None when
    it does not bind them (no limit set, or they may issue beyond it)."""
    limit = ShopSettings.load().staff_issue_limit
    return staff_limits.allowance(staff, limit, ISSUE_BEYOND_LIMIT, _issued_today, lock=lock)


def _check_issue_limit(staff, amount, field=None):
    """Inside the transaction that books ``amount``: refuse it when it would take ``staff``
    over the shop's daily limit (counted under the lock of their row: shop.staff_limits)."""
    allowed = issue_allowance(staff, lock=True)
    if allowed is None:
        return  # the shop itself (a captured order's cards, ops commands), or unlimited
    limit, issued, left = allowed
    if issued + amount > limit:
        raise GiftCardError(
            _(
                "This would take you over your daily limit of %(limit)s for gift cards and "
                "credit: you have issued %(issued)s today, %(left)s is left. Someone with the "
                "permission to issue beyond the limit (the Shop manager) can do it."
            )
            % {
                "limit": format_money(limit),
                "issued": format_money(issued),
                "left": format_money(left),
            },
            field=field,
        )


def issue_cards(amount, count=1, *, staff=None, valid_until=None, reason="", message=None):
    """Operator issue of ``count`` cards of ``amount`` each (all or nothing), with the
    ``reason`` staff typed or else the shop's ``message`` (default: "Issued by the shop")."""
    amount = _check_amount(amount)
    if not 1 <= int(count) <= MAX_BULK:
        raise GiftCardError(
            _("You can issue between 1 and %(max)d cards at once.") % {"max": MAX_BULK},
            field="count",
        )
    if valid_until is not None and valid_until < timezone.localdate():
        raise GiftCardError(_("The expiry date lies in the past."), field="valid_until")
    staff = staff if staff is not None and staff.is_authenticated else None
    message = [] if reason else message or [events.part(gettext_noop("Issued by the shop"))]
    reason = reason or events.text(message)
    with transaction.atomic():
        _check_issue_limit(staff, amount * int(count))
        cards = GiftCard.objects.bulk_create(
            [
                GiftCard(
                    number=number,
                    initial_value=amount,
                    balance=amount,
                    currency=settings.SHOP_CURRENCY,
                    valid_until=valid_until,
                    issued_by_staff=staff,
                )
                for number in _fresh_numbers(int(count))
            ],
            batch_size=2000,
        )
        now = timezone.now()
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    card=card,
                    amount=amount,
                    kind=Kind.ISSUE,
                    staff=staff,
                    reason=reason,
                    message=message,
                    created=now,
                )
                for card in cards
            ],
            batch_size=2000,
        )
    return cards


def issue_for_paid_order(order, marked_by=None):
    """One card per gift-card unit of a paid order (idempotent), numbers e-mailed to the buyer.

    Units a credit note credited before the payment (the buyer withdrew from them) get no
    card: a line has as many live cards as units not credited (:func:`take_back_cards`
    voids the card of a unit credited after it was issued). ``marked_by``: the staff member
    who recorded the payment by hand — the cards are issued on their word that the money
    arrived, so their value counts against that person's daily limit (their entries name
    them) and above it the Shop manager records the payment."""
    from orders.models import CreditNote, Order
    from orders.services.lifecycle import credited_units

    with transaction.atomic():
        # serialise re-deliveries, and with the credit notes (they lock the order as well)
        Order.objects.select_for_update().filter(pk=order.pk).first()
        lines = list(order.lines.filter(is_giftcard=True))
        if not lines:
            return []
        credited = credited_units(CreditNote.objects.filter(invoice__order_id=order.pk))
        cards = list(
            GiftCard.objects.filter(issued_by_line__in=lines).values_list(
                "pk", "issued_by_line_id", "line_unit"
            )
        )
        voided = _voided_ids(pk for pk, _line, _unit in cards)
        units = []  # (line, unit) of each card to issue
        for line in lines:
            if line.unit_price <= 0:
                continue
            taken = {unit for _pk, line_id, unit in cards if line_id == line.pk}
            live = sum(1 for pk, line_id, _u in cards if line_id == line.pk and pk not in voided)
            missing = line.quantity - credited[line.pk][0] - live
            free = [unit for unit in range(line.quantity) if unit not in taken]
            units += [(line, unit) for unit in free[: max(0, missing)]]
        staff = marked_by if marked_by is not None and marked_by.is_authenticated else None
        if units:
            _check_issue_limit(staff, sum((line.unit_price for line, _unit in units), ZERO))
        new_cards = []
        for line, unit in units:
            number = _fresh_numbers(1)[0]
            card = GiftCard.objects.create(
                number=number,
                initial_value=line.unit_price,
                balance=ZERO,
                currency=order.currency,
                issued_by_order=order,
                issued_by_line=line,
                line_unit=unit,
            )
            _post(
                card,
                line.unit_price,
                Kind.ISSUE,
                order=order,
                staff=staff,
                message=[
                    events.part(gettext_noop("Bought with order %(number)s"), number=order.number)
                ],
            )
            new_cards.append(card)
        if new_cards:
            queue_email(
                "giftcard_issued",
                order.email,
                {
                    "order": order,
                    "cards": new_cards,
                    "mode": ShopSettings.load().giftcard_mode,
                },
                language=order.language,
                # Whoever reads a number can spend the card: not shown in the outbox.
                secrets=card_number_forms(new_cards),
            )
    return new_cards


# --- customer mode: redeem into the account --------------------------------------------


def redeem_to_account(card_number, customer):
    """Move a card's whole balance to the customer's credit account; the card is then spent."""
    if customer is None or not customer.is_authenticated:
        raise GiftCardError(_("Please log in to redeem a gift card into your account."))
    with transaction.atomic():
        card = find_card(card_number, lock=True)
        assert_usable(card)
        account = account_for(customer, lock=True)
        if card.currency != account.currency:
            raise GiftCardError(_("This gift card is in a different currency."))
        amount = card.balance
        redeemed = events.part(
            gettext_noop("Redeemed into %(account)s"), account=account.customer_number
        )
        _post(card, -amount, Kind.REDEEM, message=[redeemed])
        card.redeemed_to = account
        card.save(update_fields=["redeemed_to"])
        source = events.part(gettext_noop("Gift card %(number)s"), number=card.display_number)
        _post(account, amount, Kind.REDEEM, message=[source], source_card=card)
    return card, account, amount


# --- checkout --------------------------------------------------------------------------


def pay_order(order, *, card_number="", use_credit=False, customer=None, lines=(), preview=False):
    """Pay part or all of a just-placed order with a gift card and/or account credit.

    The checkout step of this app (``orders.extensions``): called by the placement inside its
    transaction, after the order is saved. Takes at most what is still due; whatever is left
    stays on the card or account. In customer mode a card entered at checkout is first
    redeemed into the customer's account (guests are asked to log in), then the credit pays.
    Returns what it took, ``{"giftcard_total": …, "credit_total": …}``; the placement adds it
    to the order and decides whether the order is paid.

    ``preview`` (the checkout page): the same checks and amounts for an unsaved order, but
    nothing is locked, redeemed or spent; it also reports what card and credit could pay at
    most (``giftcard_available``, ``credit_available``).
    """
    card_number = (card_number or "").strip()
    taken = {}
    if not card_number and not use_credit:
        return taken
    if any(line.is_giftcard for line in lines):
        raise GiftCardError(_("A gift card cannot be paid with a gift card or account credit."))
    if customer is not None and not customer.is_authenticated:
        customer = None
    mode = ShopSettings.load().giftcard_mode
    due = order.amount_due
    redeemed = ZERO  # what a preview's card would have moved to the account

    if card_number and mode == ShopSettings.GiftCardMode.CUSTOMER:
        if customer is None:
            raise GiftCardError(
                _(
                    "In this shop gift cards are redeemed into a customer account. Please log in "
                    "(or register), redeem the card in your account and pay with your credit."
                )
            )
        if preview:
            card = find_card(card_number)
            assert_usable(card)
            account = CreditAccount.objects.filter(customer=customer).first()
            if card.currency != (account.currency if account else settings.SHOP_CURRENCY):
                raise GiftCardError(_("This gift card is in a different currency."))
            redeemed = card.balance
        else:
            redeem_to_account(card_number, customer)
        use_credit = True
    elif card_number:
        if sum(ch.isdigit() for ch in card_number) >= 2 * NUMBER_LENGTH:
            raise GiftCardError(
                _("Only one gift card can be used per order. Please enter a single card number.")
            )
        card = find_card(card_number, lock=not preview)
        assert_usable(card)
        if card.currency != order.currency:
            raise GiftCardError(_("This gift card is in a different currency."))
        take = min(card.balance, due)
        if preview:
            taken["giftcard_available"] = card.balance
        if take > 0:
            if not preview:
                _post(
                    card,
                    -take,
                    Kind.SPEND,
                    order=order,
                    message=[events.part(gettext_noop("Order %(number)s"), number=order.number)],
                )
            taken["giftcard_total"] = take
            due -= take

    if use_credit:
        if customer is None:
            raise GiftCardError(_("Please log in to pay with account credit."), field="use_credit")
        accounts = CreditAccount.objects.filter(customer=customer)
        account = (accounts if preview else accounts.select_for_update()).first()
        if account is not None and account.currency != order.currency:
            raise GiftCardError(
                _("Your account credit is in a different currency."), field="use_credit"
            )
        balance = (account.balance if account is not None else ZERO) + redeemed
        if balance <= 0:
            raise GiftCardError(_("Your customer account has no credit."), field="use_credit")
        take = min(balance, due)
        if preview:
            taken["credit_available"] = balance
        if take > 0:
            if not preview:
                _post(
                    account,
                    -take,
                    Kind.SPEND,
                    order=order,
                    message=[events.part(gettext_noop("Order %(number)s"), number=order.number)],
                )
            taken["credit_total"] = take
    return taken


def pay_at_checkout(order, lines, data, customer, preview=False):
    """The ``pay`` checkout step: the card number and credit choice of the checkout form."""
    return pay_order(
        order,
        card_number=data.giftcard_number,
        use_credit=data.use_credit,
        customer=customer,
        lines=lines,
        preview=preview,
    )


# --- refunds and cancellations ---------------------------------------------------------


def _give_back(order, limit, message, preview=False):
    """Give back up to ``limit`` (None: everything) of what gift cards and account credit
    paid for ``order`` and have not got back yet: cards first, then accounts. A card that
    expired in the meantime still gets its money and is valid again for
    ``REFUND_GRACE_DAYS`` days, so the refund can actually be used. Returns what each kind
    got back; ``preview`` books nothing."""
    rows = (
        LedgerEntry.objects.filter(order=order, kind__in=[Kind.SPEND, Kind.REFUND])
        .values("card_id", "account_id")
        .annotate(net=Sum("amount"))
        .order_by(F("account_id").asc(nulls_first=True), "card_id")  # cards first
    )
    given = {"giftcard_total": ZERO, "credit_total": ZERO}
    entries = []
    left = limit
    for row in rows:
        due = -row["net"]
        if due <= 0:
            continue
        amount = due if left is None else min(due, left)
        if amount <= 0:
            break
        if row["card_id"]:
            given["giftcard_total"] += amount
            if not preview:
                card = GiftCard.objects.select_for_update().get(pk=row["card_id"])
                parts = list(message)
                if card.is_expired:
                    # What was left when it expired stays written off (the daily job may not
                    # have run yet): only the refund is valid again, not the old balance.
                    _write_off_expired(card)
                    card.valid_until = timezone.localdate() + timedelta(days=REFUND_GRACE_DAYS)
                    card.save(update_fields=["valid_until"])
                    parts.append(
                        events.part(
                            gettext_noop("(expired card extended to %(date)s)"),
                            date=events.day(card.valid_until),
                        )
                    )
                entries.append(_post(card, amount, Kind.REFUND, order=order, message=parts))
        else:
            given["credit_total"] += amount
            if not preview:
                account = CreditAccount.objects.select_for_update().get(pk=row["account_id"])
                entries.append(
                    _post(account, amount, Kind.REFUND, order=order, message=list(message))
                )
        if left is not None:
            left -= amount
    return given, entries


def lock_for_order_release(order):
    """Before a cancellation or credit note of ``order`` (``orders.signals.order_releasing``):
    the cards and credit accounts that paid for it and the cards it bought, cards first as
    the placement does, each kind by id."""
    paid = LedgerEntry.objects.filter(order=order).values_list("card_id", "account_id")
    cards = sorted({card for card, _account in paid if card})
    accounts = sorted({account for _card, account in paid if account})
    list(
        GiftCard.objects.select_for_update()
        .filter(Q(pk__in=cards) | Q(issued_by_order=order))
        .order_by("pk")
        .values_list("pk")
    )
    if accounts:
        list(
            CreditAccount.objects.select_for_update()
            .filter(pk__in=accounts)
            .order_by("pk")
            .values_list("pk")
        )


def refund_order(order):
    """Give back every gift-card / credit payment of ``order`` to where it came from (a
    canceled or fully refunded order). Idempotent: only what is still unrefunded per card or
    account is returned."""
    with transaction.atomic():
        canceled = events.part(ORDER_CANCELED_REASON, number=order.number)
        return _give_back(order, None, [canceled])[1]


def refund_at_credit_note(order, amount, reference="", preview=False):
    """The refund step of this app (``orders.extensions``): a credit note of ``order`` gives
    back up to ``amount`` to the gift card, then to the account credit that paid for it."""
    with transaction.atomic():
        credit_note = events.part(CREDIT_NOTE_REASON, number=reference, order=order.number)
        return _give_back(order, amount, [credit_note], preview=preview)[0]


def credit_account_at_credit_note(order, amount, reference="", preview=False, user=None):
    """The ``to_account`` of this app's refund step (``orders.extensions``): the operator
    credits ``amount`` of a credit note of ``order`` — what would go back via the payment
    method — to the account credit of the order's customer instead. One ``refund`` ledger
    entry naming the credit note (``reference``) and the payment method, under the
    account's row lock (opened on first use, as a redemption opens it). Returns the amount
    booked; ``preview`` checks and books nothing. Spendable credit instead of a payout that
    leaves a trace at the bank: it counts against ``user``'s daily limit like credit added
    by hand (the entry names them)."""
    amount = Decimal(amount).quantize(CENT)
    if order.customer_id is None:
        raise GiftCardOperationError(
            _("Order %(number)s has no customer account to credit.") % {"number": order.number}
        )
    if amount <= 0:
        return ZERO
    with transaction.atomic():
        if preview:
            account = CreditAccount.objects.filter(customer_id=order.customer_id).first()
        else:
            account = account_for(order.customer, lock=True)
        currency = account.currency if account is not None else settings.SHOP_CURRENCY
        if currency != order.currency:
            raise GiftCardOperationError(
                _("The customer's account credit is kept in another currency.")
            )
        balance = account.balance if account is not None else ZERO
        if balance + amount > MAX_AMOUNT:
            raise GiftCardOperationError(
                _("A balance can be at most %(max)s.") % {"max": format_max()}
            )
        if preview:
            return amount
        staff = user if user is not None and user.is_authenticated else None
        _check_issue_limit(staff, amount)
        message = [
            events.part(CREDIT_NOTE_REASON, number=reference, order=order.number),
            events.part(INSTEAD_OF_PAYMENT_REASON, method=events.method(order.payment_method)),
        ]
        _post(account, amount, Kind.REFUND, order=order, staff=staff, message=message)
    return amount


def _voided_ids(card_ids):
    """The ids among ``card_ids`` of the cards voided: taken back by a credit note
    (:func:`take_back_cards`), or with the order that bought them (canceled, fully refunded)."""
    return set(
        LedgerEntry.objects.filter(card_id__in=list(card_ids), kind=Kind.VOID).values_list(
            "card_id", flat=True
        )
    )


def _used_cards_refusal(cards):
    # A card a credit note took back is blocked and settled already: it is not "used".
    voided = _voided_ids(c.pk for c in cards)
    used = [
        c
        for c in cards
        if c.pk not in voided
        and (
            c.balance != c.initial_value
            or c.redeemed_to_id
            or c.ledger.exclude(kind=Kind.ISSUE).exists()
        )
    ]
    if not used:
        return None
    return GiftCardOperationError(
        _(
            "Gift card(s) %(numbers)s bought with this order have already been used; the "
            "order cannot be canceled as a whole."
        )
        % {"numbers": ", ".join(c.display_number for c in used)}
    )


def cancel_refusal(order):
    """What the cancellation or full refund of ``order`` would be refused for (a card bought
    with it has been used), or None — for the operator's confirmation page
    (``orders.signals.order_cancel_check``). Locks and changes nothing."""
    return _used_cards_refusal(list(GiftCard.objects.filter(issued_by_order=order)))


def block_cards_of_canceled_order(order):
    """Cards bought with a canceled or fully refunded order are blocked, and what is on them
    is voided (a ``void`` ledger entry naming the credit note that completed the refund, or
    the cancellation): the buyer gets their money back, so the shop no longer owes it on the
    card. In the cancellation's (or credit note's) transaction, under the cards' row locks.

    If one has already been spent or redeemed, the buyer has used what they paid for: the
    cancellation is refused (the operator refunds the rest by hand instead), so the shop never
    pays back money that has already bought goods. A card a credit note of its line took
    back earlier is voided already and stays as it is.
    """
    cards = list(GiftCard.objects.select_for_update().filter(issued_by_order=order).order_by("pk"))
    refusal = _used_cards_refusal(cards)
    if refusal is not None:
        raise refusal
    message = _release_message(order)
    for card in cards:
        _void(card, order, message)
    return cards


def _release_message(order):
    """Why the cards bought with ``order`` are voided when the order is undone as a whole:
    the credit note that completed its refund (as :func:`take_back_cards` names its own),
    else its cancellation."""
    from orders.models import CreditNote, Order

    if order.status == Order.Status.CLOSED:
        number = (
            CreditNote.objects.filter(invoice__order_id=order.pk, is_final=True)
            .order_by("-pk")
            .values_list("number", flat=True)
            .first()
        )
        if number:
            return [events.part(CREDIT_NOTE_REASON, number=number, order=order.number)]
    return [events.part(ORDER_CANCELED_REASON, number=order.number)]


def _void(locked, order, message):
    """Block the locked card bought with ``order`` and write off what is left on it: the
    buyer has been refunded. (A card blocked by staff for another reason keeps its balance:
    it is still owed, and can be unblocked.)"""
    _block(locked)
    if locked.balance > 0:
        _post(locked, -locked.balance, Kind.VOID, order=order, message=message)


def credit_note_notes(credit_note):
    """What the documents of ``credit_note`` (its e-mail and PDF) tell the customer about
    the gift cards bought with the order (``orders.extensions`` document notes): each card
    it made invalid, by the ``void`` entries naming it — a partial note's cards taken back,
    the final note's cards voided with the refund. Masked numbers: the card is worthless
    now, but a document is kept and forwarded. (What the note credited as store credit the
    note says itself: ``CreditNote.account_total``.)"""
    reason = [CREDIT_NOTE_REASON, {"number": credit_note.number}]
    return _voided_card_notes(credit_note.invoice.order_id, reason)


def canceled_order_notes(order):
    """What the e-mail telling the customer ``order`` has been canceled says about the gift
    cards bought with it (``orders.extensions`` document notes): each card the cancellation
    voided."""
    return _voided_card_notes(order.pk, [ORDER_CANCELED_REASON, {"number": order.number}])


def _voided_card_notes(order_id, reason):
    # The order's few void entries, matched here rather than with a JSON containment
    # lookup, which SQLite (the `make run` database) does not have.
    entries = (
        LedgerEntry.objects.filter(order_id=order_id, kind=Kind.VOID)
        .select_related("card")
        .order_by("card__issued_by_line_id", "card__line_unit", "card_id")
    )
    return [
        _("Gift card %(number)s bought with this order is no longer valid.")
        % {"number": entry.card.masked_number}
        for entry in entries
        if _names(entry.message, reason)
    ]


def _names(message, reason):
    """Does the ``message`` (``shop.events`` parts) hold the part ``reason`` — its msgid, and
    its values among the part's (as a JSON containment lookup matches)?"""
    msgid, values = reason
    return any(
        isinstance(part, list)
        and part[:1] == [msgid]
        and all(item in (part[1] if len(part) > 1 else {}).items() for item in values.items())
        for part in message or []
    )


def _card_take_back_refusal(card):
    """Why a credit note of its line cannot take back ``card`` (bought with the order), or
    None: it must be available and wholly unspent (its balance its value)."""
    if card.is_blocked:
        return GiftCardOperationError(
            _(
                "Gift card %(number)s bought with this order is blocked: a credit note does not "
                "take back a card blocked for another reason. Check why it was blocked before "
                "crediting its line."
            )
            % {"number": card.display_number}
        )
    if card.redeemed_to_id or card.balance < card.initial_value:
        return GiftCardOperationError(
            _(
                "Gift card %(number)s bought with this order has already been used: "
                "%(spent)s of its %(value)s spent. Only an unspent card can be taken back "
                "with a credit note of its line."
            )
            % {
                "number": card.display_number,
                "spent": format_money(card.initial_value - card.balance, card.currency),
                "value": format_money(card.initial_value, card.currency),
                "currency": card.currency,
            }
        )
    if card.state != CardState.AVAILABLE or card.balance != card.initial_value:
        return GiftCardOperationError(
            _(
                "Gift card %(number)s bought with this order cannot be taken back with a "
                "credit note of its line: it is “%(state)s”, with %(balance)s of its %(value)s."
            )
            % {
                "number": card.display_number,
                "state": card.state_label,
                "balance": format_money(card.balance, card.currency),
                "value": format_money(card.initial_value, card.currency),
                "currency": card.currency,
            }
        )
    return None


def take_back_cards(order, lines, reference="", preview=False):
    """The credit line step of this app (``orders.extensions``): a credit note of ``order``
    credits ``lines`` (``CreditedLine``); for its gift-card lines the cards of the units
    credited are taken back — blocked, and their whole value voided in their ledger with
    the credit note's number — in the note's transaction. A card that has been (partly)
    spent or redeemed, is blocked or expired refuses the note (nothing is changed): the
    money it bought cannot be paid back too.

    Units with no card yet (the order is not paid: cards are issued on payment) need
    nothing now: :func:`issue_for_paid_order` issues no card for credited units. Which card
    of a line with several is taken back: the unspent ones, in the order of their units.

    The cards are locked (``select_for_update``; the order's ``order_releasing`` took the
    same locks first): a redemption running at the same time either commits before — and
    the note is refused — or waits and finds the card blocked. ``preview``: checks and
    says what would happen, locking and changing nothing. Returns those sentences."""
    wanted = [cl for cl in lines if cl.line.is_giftcard and cl.quantity > 0]
    wanted = [cl for cl in wanted if cl.line.unit_price > 0]  # such a unit gets no card
    if not wanted:
        return []
    notices, chosen = [], []
    with transaction.atomic():
        cards = GiftCard.objects.filter(issued_by_line__in=[cl.line for cl in wanted])
        if not preview:
            cards = cards.select_for_update()
        cards = list(cards.order_by("issued_by_line_id", "line_unit", "pk"))
        voided = _voided_ids(card.pk for card in cards)
        for cl in wanted:
            live = [c for c in cards if c.issued_by_line_id == cl.line.pk and c.pk not in voided]
            unissued = max(0, cl.line.quantity - cl.credited_before - len(live))
            if unissued:
                notices.append(
                    _(
                        "No gift card will be issued for %(count)s × %(name)s (the order has "
                        "not been paid yet)."
                    )
                    % {"count": min(unissued, cl.quantity), "name": cl.line.name}
                )
            count = cl.quantity - min(cl.quantity, unissued)
            if not count:
                continue
            refusals = [_card_take_back_refusal(card) for card in live]
            unspent = [
                card for card, refusal in zip(live, refusals, strict=True) if refusal is None
            ]
            if len(unspent) < count:
                # (a line has a live card for each unit neither credited nor unissued; should
                # the data say otherwise, the note is refused, never half applied)
                raise next(
                    (refusal for refusal in refusals if refusal is not None),
                    GiftCardOperationError(
                        _("Only %(left)s × %(name)s left to credit.")
                        % {"left": len(unspent), "name": cl.line.name}
                    ),
                )
            chosen.extend(unspent[:count])
        for card in chosen:
            notices.append(
                _("Gift card %(number)s (%(value)s) will be blocked and its value voided.")
                % {
                    "number": card.display_number,
                    "value": format_money(card.initial_value, card.currency),
                    "currency": card.currency,
                }
            )
        if preview:
            return notices
        message = [events.part(CREDIT_NOTE_REASON, number=reference, order=order.number)]
        for card in chosen:
            _void(card, order, message)
    return notices


def on_order_canceled(order):
    with transaction.atomic():
        block_cards_of_canceled_order(order)
        return refund_order(order)


# --- backoffice operations ----------------------------------------------------------------


def _check_adjuster(user):
    if user is None or not user.has_perm("giftcards.adjust_balance"):
        raise GiftCardOperationError(
            _("Only the Payments and Shop manager roles may adjust balances.")
        )


def _adjust(holder_model, holder, amount, reason, user):
    _check_adjuster(user)
    reason = (reason or "").strip()
    if not reason:
        raise GiftCardError(_("Please give a reason for the adjustment."), field="reason")
    try:
        amount = parse_money(amount)
    except MoneyError as exc:
        raise GiftCardError(exc.message, field="amount") from None
    if amount == 0:
        raise GiftCardError(_("The adjustment must not be zero."), field="amount")
    with transaction.atomic():
        if amount > 0:  # money added: a correction down takes nothing out of nothing
            _check_issue_limit(user, amount, field="amount")
        locked = holder_model.objects.select_for_update().get(pk=holder.pk)
        if isinstance(locked, GiftCard):
            _check_card_adjustable(locked)
        if locked.balance + amount < 0:
            raise GiftCardError(
                _("The balance is %(balance)s; it cannot go below zero.")
                % {"balance": format_money(locked.balance)},
                field="amount",
            )
        if isinstance(locked, GiftCard) and locked.balance + amount > MAX_VALUE:
            raise GiftCardError(
                _("A gift card can be worth at most %(max)s.") % {"max": format_money(MAX_VALUE)},
                field="amount",
            )
        entry = _post(locked, amount, Kind.ADJUST, staff=user, reason=reason)
    return entry


def _check_card_adjustable(card):
    """A redeemed card's money lives in the customer's credit account, and what an expired
    card holds is written off by the daily expiry: neither balance is adjusted on the card."""
    state = card.state
    if state == CardState.REDEEMED:
        raise GiftCardOperationError(
            _(
                "Gift card %(number)s was redeemed into the credit account of customer "
                "%(account)s; its money is kept there. Adjust that credit account instead."
            )
            % {"number": card.display_number, "account": card.redeemed_to.customer_number}
        )
    if state == CardState.EXPIRED:
        raise GiftCardOperationError(
            _(
                "Gift card %(number)s expired on %(date)s, so its balance cannot be adjusted: "
                "the expiry would write it off again, and an expired card's validity cannot be "
                "extended. To give the customer the amount, issue a new gift card."
            )
            % {
                "number": card.display_number,
                "date": date_format(card.valid_until, "SHORT_DATE_FORMAT"),
            }
        )


def adjust_card(card, amount, reason, user):
    return _adjust(GiftCard, card, amount, reason, user)


def adjust_account(account, amount, reason, user):
    return _adjust(CreditAccount, account, amount, reason, user)


def _block(locked, blocked=True):
    """Block (or unblock) the locked ``card`` if it is not already."""
    if locked.is_blocked != blocked:
        locked.is_blocked = blocked
        locked.save(update_fields=["is_blocked"])


BLOCK_REASON_MAX = 300


def _block_reason(reason, user):
    """An operator blocks or unblocks a card for a reason, recorded in the card's history.
    A call without a user (demo data, a script) may give none: then nothing is recorded."""
    reason = (reason or "").strip()
    if user is not None and not reason:
        raise GiftCardOperationError(
            _("Please give the reason for blocking or unblocking the gift card.")
        )
    if len(reason) > BLOCK_REASON_MAX:
        raise GiftCardOperationError(
            _("The reason is too long (at most %(max)s characters).") % {"max": BLOCK_REASON_MAX}
        )
    return reason


def _staff(user):
    return user if user is not None and user.is_authenticated else None


def set_blocked(card, blocked, reason="", user=None):
    """Block (or unblock) ``card`` for ``reason``; a change is recorded with who, when and
    why (``GiftCardEvent``). A card already in that state is left alone."""
    reason = _block_reason(reason, user)
    with transaction.atomic():
        locked = _lock_card(card)
        was_blocked = locked.is_blocked
        _block(locked, blocked)
        if reason and locked.is_blocked != was_blocked:
            GiftCardEvent.objects.create(
                card=locked,
                kind=GiftCardEvent.Kind.BLOCK if blocked else GiftCardEvent.Kind.UNBLOCK,
                staff=_staff(user),
                reason=reason,
            )
    return locked


def set_blocked_many(cards, blocked, reason="", user=None):
    """Block (or unblock) every card of the queryset ``cards`` in one UPDATE, like
    :func:`set_blocked` one by one: cards already in that state are left alone, and with a
    reason each card that changed gets its event. The UPDATE waits for row locks held by
    running redemptions, as the single block does. Returns how many cards changed."""
    reason = _block_reason(reason, user)
    with transaction.atomic():
        selected = GiftCard.objects.filter(pk__in=cards.order_by().values("pk")).exclude(
            is_blocked=blocked
        )
        if not reason:
            return selected.update(is_blocked=blocked)
        changed = list(selected.select_for_update().values_list("pk", flat=True))
        GiftCard.objects.filter(pk__in=changed).update(is_blocked=blocked)
        kind = GiftCardEvent.Kind.BLOCK if blocked else GiftCardEvent.Kind.UNBLOCK
        now = timezone.now()
        GiftCardEvent.objects.bulk_create(
            GiftCardEvent(card_id=pk, kind=kind, staff=_staff(user), reason=reason, created=now)
            for pk in changed
        )
        return len(changed)


def expire_cards(today=None):
    """Write off what is left on cards past their last day (an ``expire`` ledger entry).

    Run daily by the beat task ``giftcards.tasks.expire_giftcards``. The card shows as Expired
    from the day after ``valid_until`` either way; this keeps the books in line.
    """
    today = today or timezone.localdate()
    count = 0
    ids = list(
        GiftCard.objects.filter(valid_until__lt=today, balance__gt=0).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            card = GiftCard.objects.select_for_update().get(pk=pk)
            count += _write_off_expired(card, today)
    return count


def _write_off_expired(card, today=None):
    """Post the ``expire`` entry of ``card`` (locked) if it is past its last day with money
    left: the daily job's and a refund's one rule. Returns whether it wrote anything off."""
    today = today or timezone.localdate()
    if card.balance > 0 and card.valid_until and card.valid_until < today:
        _post(card, -card.balance, Kind.EXPIRE, message=[events.part(gettext_noop("Expired"))])
        return True
    return False


def switch_mode(mode, user=None):
    """Switch between top-up on card and top-up on customer. Nothing issued changes."""
    if mode not in ShopSettings.GiftCardMode.values:
        raise GiftCardError(_("Unknown gift-card mode."), field="mode")
    if user is not None and not user.has_perm("shop.change_shopsettings"):
        raise GiftCardOperationError(_("Only a shop manager may switch the gift-card mode."))
    with transaction.atomic():
        ShopSettings.load()
        shop = ShopSettings.objects.select_for_update().get(pk=1)
        previous = shop.giftcard_mode
        if previous != mode:
            shop.giftcard_mode = mode
            shop.save(update_fields=["giftcard_mode"])
    return previous, shop


def mode_summary():
    """What is live right now — shown before a mode switch."""
    available = GiftCard.objects.in_state(CardState.AVAILABLE)
    accounts = CreditAccount.objects.filter(balance__gt=0)
    return {
        "cards_with_balance": available.count(),
        "card_balance_total": available.aggregate(s=Sum("balance"))["s"] or ZERO,
        "accounts_with_credit": accounts.count(),
        "credit_total": accounts.aggregate(s=Sum("balance"))["s"] or ZERO,
    }
