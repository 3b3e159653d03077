"""Discount-code campaigns (S7) and partner offers (S12): every operation that changes them.

Views, backoffice, commands and Celery tasks call these functions; each is one transaction
and raises ``VoucherError`` (nothing changed) on illegal input.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, Exists, F, Max, Min, OuterRef, Sum
from django.db.models.functions import Greatest, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from customers import loyalty
from orders.models import catalog_goods_total
from shop import events
from shop.db import is_postgresql, table
from shop.mail import queue_email
from shop.models import Category, Product
from shop.money import ZERO, MoneyError, format_money, money, parse_money

from . import masks
from .errors import VoucherError
from .models import (
    Campaign,
    CampaignScope,
    Code,
    CodeMailOptOut,
    PointsPurchase,
    Redemption,
    normalise_code,
)

log = logging.getLogger(__name__)

__all__ = ["VoucherError", "quote_for_checkout", "record_redemption"]

ASYNC_THRESHOLD = 10_000  # generation from the backoffice runs as a job from here on
MAX_POINTS_PRICE = 1_000_000
MAX_PER_CUSTOMER_LIMIT = 10_000
MAX_TOTAL_USES = 100_000_000
COPY_CHUNK = 50_000


# ---------------------------------------------------------------------------------------
# Generating a campaign with its codes
# ---------------------------------------------------------------------------------------


def validate_campaign_data(
    *,
    name,
    kind,
    discount_type,
    discount_value=None,
    min_order_value=None,
    points_price=None,
    valid_from=None,
    valid_to=None,
    per_customer_limit=None,
    budget=None,
    max_uses=None,
):
    name = (name or "").strip()
    if not name:
        raise VoucherError(_("Please give the campaign a name."), field="name")
    check_campaign_name(name)
    if kind not in Campaign.Kind.values:
        raise VoucherError(_("Unknown kind of codes: %(kind)s.") % {"kind": kind}, field="kind")
    if discount_type not in Campaign.DiscountType.values:
        raise VoucherError(_("Please choose a kind of discount."), field="discount_type")
    value = _amount(discount_value or 0, "discount_value")
    if discount_type == Campaign.DiscountType.PERCENT and not ZERO < value <= 100:
        raise VoucherError(
            _("A percent discount must be more than 0 and at most 100."), field="discount_value"
        )
    if discount_type == Campaign.DiscountType.AMOUNT and value <= 0:
        raise VoucherError(_("A fixed discount must be more than 0."), field="discount_value")
    if discount_type == Campaign.DiscountType.FREE_SHIPPING:
        value = ZERO
    if min_order_value is not None and _amount(min_order_value, "min_order_value") < 0:
        raise VoucherError(
            _("The minimum order value cannot be negative."), field="min_order_value"
        )
    if points_price is not None and not 1 <= int(points_price) <= MAX_POINTS_PRICE:
        raise VoucherError(
            _("The points price must be between 1 and %(max)s.") % {"max": MAX_POINTS_PRICE},
            field="points_price",
        )
    if points_price is not None and kind == Campaign.Kind.MULTI:
        # Buying a code assigns one code to one customer: a multi-use code is shared by all.
        raise VoucherError(
            _("Only single-use and assigned codes can be sold for loyalty points."),
            field="points_price",
        )
    check_per_customer_limit(per_customer_limit, kind=kind, points_price=points_price)
    if valid_from and valid_to and valid_to < valid_from:
        raise VoucherError(_("“Valid to” is before “valid from”."), field="valid_to")
    if valid_to and valid_to < timezone.localdate():
        raise VoucherError(
            _("“Valid to” is in the past: no code of the campaign could be redeemed."),
            field="valid_to",
        )
    if budget is not None and _amount(budget, "budget") <= 0:
        raise VoucherError(_("The budget must be more than 0."), field="budget")
    if max_uses is not None and not 1 <= int(max_uses) <= MAX_TOTAL_USES:
        raise VoucherError(
            _("The total uses must be between 1 and %(max)s.") % {"max": MAX_TOTAL_USES},
            field="max_uses",
        )
    return name, value


def check_campaign_name(name, campaign=None):
    """VoucherError unless no campaign but ``campaign`` (the one being renamed) is named
    ``name`` in any case: names are unique case-insensitively (``campaign_name_unique_ci``)."""
    others = Campaign.objects.filter(name__iexact=name)
    if campaign is not None and campaign.pk is not None:
        others = others.exclude(pk=campaign.pk)
    if others.exists():
        raise _name_taken(name)


def _name_taken(name):
    return VoucherError(
        _("A campaign named “%(name)s” already exists.") % {"name": name}, field="name"
    )


def _violates(exc, constraint):
    """Whether the IntegrityError ``exc`` is a violation of ``constraint`` (PostgreSQL names
    it in the error's diagnostics, SQLite in its message)."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    return name == constraint if name else constraint in str(exc)


def check_per_customer_limit(limit, *, kind, points_price=None):
    """VoucherError unless ``limit`` (uses per customer, None = unlimited) suits a campaign
    of ``kind``: multi-use and single-use campaigns take one (a person holding five codes of
    a single-use campaign gets its uses once); an assigned code is personal already, and a
    code bought with points must stay usable by its buyer."""
    if limit is None:
        return
    if not 1 <= int(limit) <= MAX_PER_CUSTOMER_LIMIT:
        raise VoucherError(
            _("The uses per customer must be between 1 and %(max)s.")
            % {"max": MAX_PER_CUSTOMER_LIMIT},
            field="per_customer_limit",
        )
    if kind == Campaign.Kind.ASSIGNED:
        raise VoucherError(
            _(
                "Codes assigned to a customer are personal already: a per-customer limit "
                "applies to multi-use and single-use codes."
            ),
            field="per_customer_limit",
        )
    if points_price is not None:
        raise VoucherError(
            _(
                "Codes sold for loyalty points cannot have a per-customer limit: a customer "
                "could not use every code they bought."
            ),
            field="per_customer_limit",
        )


def limits_below_use(campaign, *, budget, max_uses):
    """The new ``budget`` and ``max_uses`` of ``campaign`` that are below what its codes have
    used already, as errors naming the use (``[]``: both fine; ``None``: no limit).

    Locks the campaign row, which redemptions lock too: called in the transaction that saves
    the limits (the backoffice change page), no order uses the campaign between this check
    and the save — the ``campaign_within_*`` constraints would refuse the save."""
    used = (
        Campaign.objects.select_for_update()
        .values("uses_count", "discount_spent")
        .get(pk=campaign.pk)
    )
    errors = []
    if max_uses is not None and max_uses < used["uses_count"]:
        count = used["uses_count"]
        errors.append(
            VoucherError(
                ngettext(
                    "The campaign's codes have already been used %(count)s time: the total "
                    "uses cannot be lower.",
                    "The campaign's codes have already been used %(count)s times: the total "
                    "uses cannot be lower.",
                    count,
                )
                % {"count": number_format(count, force_grouping=True)},
                field="max_uses",
            )
        )
    if budget is not None and budget < used["discount_spent"]:
        errors.append(
            VoucherError(
                _("%(amount)s has already been spent on discounts: the budget cannot be lower.")
                % {"amount": format_money(used["discount_spent"])},
                field="budget",
            )
        )
    return errors


@dataclass
class ScopeInput:
    """What a campaign applies to, as given by the form or the command."""

    categories: list = field(default_factory=list)
    products: list = field(default_factory=list)
    excluded_categories: list = field(default_factory=list)
    excluded_products: list = field(default_factory=list)
    exclude_sale_items: bool = False

    def apply(self, campaign):
        campaign.categories.set(self.categories)
        campaign.products.set(self.products)
        campaign.excluded_categories.set(self.excluded_categories)
        campaign.excluded_products.set(self.excluded_products)
        if campaign.exclude_sale_items != self.exclude_sale_items:
            campaign.exclude_sale_items = self.exclude_sale_items
            campaign.save(update_fields=["exclude_sale_items"])


def scope_from_names(
    *,
    categories=(),
    products=(),
    excluded_categories=(),
    excluded_products=(),
    exclude_sale_items=False,
):
    """A :class:`ScopeInput` from category slugs and product SKUs (the command's flags);
    an unknown one is an error naming it."""

    def lookup(model, key, values, option):
        values = [v.strip() for v in values if v and v.strip()]
        found = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": values})}
        for value in values:
            if value not in found:
                raise VoucherError(
                    _("%(option)s: “%(value)s” does not exist.")
                    % {"option": option, "value": value}
                )
        return [found[value] for value in values]

    return ScopeInput(
        categories=lookup(Category, "slug", categories, "--category"),
        products=lookup(Product, "sku", products, "--product"),
        excluded_categories=lookup(Category, "slug", excluded_categories, "--exclude-category"),
        excluded_products=lookup(Product, "sku", excluded_products, "--exclude-product"),
        exclude_sale_items=exclude_sale_items,
    )


def _amount(value, field):
    try:
        return parse_money(value)
    except MoneyError as exc:
        raise VoucherError(exc.message, field=field) from None


def _report(progress, percent):
    if progress is not None:
        progress(int(percent))


def generate_campaign(
    *,
    name,
    count,
    kind=Campaign.Kind.SINGLE,
    discount_type=Campaign.DiscountType.PERCENT,
    discount_value=None,
    mask="",
    min_order_value=None,
    points_price=None,
    valid_from=None,
    valid_to=None,
    per_customer_limit=None,
    budget=None,
    max_uses=None,
    scope=None,
    progress=None,
):
    """Create a campaign and its ``count`` codes, all or nothing.

    ``scope`` (a :class:`ScopeInput`) limits the goods the discount applies to; ``budget``
    and ``max_uses`` limit it across all codes.

    The codes are built in Python and written with PostgreSQL ``COPY`` inside the
    transaction; the unique index finds clashes with existing codes at the end. Random
    parts of clashing codes are drawn again; a clash of a deterministic code is an error.
    """
    name, value = validate_campaign_data(
        name=name,
        kind=kind,
        discount_type=discount_type,
        discount_value=discount_value,
        min_order_value=min_order_value,
        points_price=points_price,
        valid_from=valid_from,
        valid_to=valid_to,
        per_customer_limit=per_customer_limit,
        budget=budget,
        max_uses=max_uses,
    )
    if isinstance(scope, dict):  # from a code job's JSON parameters
        scope = ScopeInput(**scope)
    count = int(count)
    mask = (mask or "").strip()
    parsed = masks.plan(mask, count)
    _report(progress, 1)
    codes = masks.generate(mask, count)
    _report(progress, 30)
    with transaction.atomic():
        try:
            # A savepoint: the name was free when checked above, but the same form sent
            # twice at once (a double click) creates it twice — the unique index makes the
            # later one wait for the first and then refuses it; the sender sees the form's
            # "already exists", not a server error.
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    name=name,
                    kind=kind,
                    discount_type=discount_type,
                    discount_value=value,
                    min_order_value=min_order_value,
                    points_price=points_price,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    per_customer_limit=per_customer_limit,
                    budget=budget,
                    max_uses=max_uses,
                    exclude_sale_items=bool(scope and scope.exclude_sale_items),
                    mask=parsed.text,
                    requested_count=count,
                )
        except IntegrityError as exc:
            if _violates(exc, "campaign_name_unique_ci"):
                raise _name_taken(name) from None
            raise
        if scope is not None:
            scope.apply(campaign)
        taken = set()
        for _attempt in range(10):
            clashes = _write_codes(campaign.pk, codes, progress)
            if not clashes:
                break
            taken |= clashes  # existing codes: random parts are drawn again around them
            codes = masks.ensure_distinct(parsed, codes, exclude=taken)
        else:
            raise VoucherError(_("Could not find free codes for this mask; widen it."))
    _report(progress, 100)
    return campaign


def _write_codes(campaign_id, codes, progress=None):
    """Write the codes; return the set of those that already exist (nothing written then)."""
    try:
        with transaction.atomic():
            if is_postgresql():
                _copy_codes(campaign_id, codes, progress)
            else:
                for start in range(0, len(codes), 5000):
                    Code.objects.bulk_create(
                        [Code(campaign_id=campaign_id, text=t) for t in codes[start : start + 5000]]
                    )
                    _report(progress, 30 + 69 * (start + 5000) / len(codes))
    except IntegrityError:
        return _existing(codes)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) == "23505":  # psycopg UniqueViolation from COPY
            return _existing(codes)
        raise
    return set()


def _copy_codes(campaign_id, codes, progress=None):
    prefix, suffix = f"{campaign_id}\t", "\tt\n"
    joiner = suffix + prefix
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table(Code)} (campaign_id, text, is_active) FROM STDIN") as copy:
            for start in range(0, len(codes), COPY_CHUNK):
                chunk = codes[start : start + COPY_CHUNK]
                copy.write(prefix + joiner.join(chunk) + suffix)
                _report(progress, 30 + 65 * (start + len(chunk)) / len(codes))


def _existing(codes):
    found = set()
    for start in range(0, len(codes), 50_000):
        found.update(
            Code.objects.filter(text__in=codes[start : start + 50_000]).values_list(
                "text", flat=True
            )
        )
    return found


# ---------------------------------------------------------------------------------------
# Codes in the backoffice
# ---------------------------------------------------------------------------------------


def set_codes_active(queryset, active):
    """Activate or deactivate every code in ``queryset`` (all matching, not only a page)."""
    with transaction.atomic():
        return queryset.order_by().exclude(is_active=active).update(is_active=active)


def _points_owed_back(campaign):
    """The campaign's codes bought with points that their buyer still holds: not used, not
    voided (a voided code's points went back already), the buyer's account not deleted.
    Deactivated by an operator or not, deleting the campaign takes them away."""
    return PointsPurchase.objects.filter(
        code__campaign=campaign, code__assigned_to__isnull=False, voided_at__isnull=True
    ).filter(~Exists(Redemption.objects.filter(code=OuterRef("code_id"))))


def points_given_back_on_delete(campaign):
    """What deleting ``campaign`` gives back (its confirmation page says it):
    ``{"customers": n, "points": n}``."""
    totals = _points_owed_back(campaign).aggregate(
        customers=Count("code__assigned_to", distinct=True), points=Sum("points")
    )
    return {"customers": totals["customers"], "points": totals["points"] or 0}


def delete_campaign(campaign):
    """Delete a campaign with its codes. Refused once a code was used: the orders and the
    statistics refer to it (deactivate the codes instead).

    A code bought with loyalty points and not used is taken from its buyer: its points go
    back to them in the same transaction (a ledger entry naming the code and the campaign),
    as when the code is voided (:func:`settle_points_debt`). Returns the number of points
    given back."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        # Locked: a voiding of one of them at the same time (settle_points_debt) has either
        # given its points back already — it is left out here — or skips it.
        purchases = list(
            _points_owed_back(campaign)
            .select_for_update(of=("self", "code"))
            .select_related("code")
            .order_by("code__assigned_to_id", "id")
        )
        if Redemption.objects.filter(campaign=campaign).exists():
            raise VoucherError(
                _(
                    "“%(name)s” cannot be deleted: some of its codes were used in orders. "
                    "Deactivate its codes instead."
                )
                % {"name": campaign.name}
            )
        given_back = 0
        for purchase in purchases:
            loyalty.give_back_points(
                purchase.code.assigned_to_id,
                purchase.points,
                [
                    events.part(
                        gettext_noop(
                            "Discount code %(code)s withdrawn (campaign %(campaign)s deleted)"
                        ),
                        code=purchase.code.text,
                        campaign=campaign.name,
                    )
                ],
            )
            given_back += purchase.points
        # The purchase records go with the codes (the raw DELETE below passes Django's
        # cascade by); the ledger entries stay.
        PointsPurchase.objects.filter(code__campaign=campaign).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table(Code)} WHERE campaign_id = %s", [campaign.pk])
        campaign.delete()
    return given_back


def campaign_statistics(campaign):
    """Orders that used the campaign's codes: summary and per code, by aggregate SQL."""
    uses = Redemption.objects.filter(campaign=campaign)
    summary = uses.aggregate(
        orders=Count("order", distinct=True),
        codes=Count("code", distinct=True),
        value=Sum("order__grand_total"),
        discount=Sum("discount"),
    )
    summary["value"] = summary["value"] or ZERO
    summary["discount"] = summary["discount"] or ZERO
    per_code = (
        uses.values("code_id", "code__text")
        .annotate(
            orders=Count("order"),
            value=Sum("order__grand_total"),
            discount=Sum("discount"),
        )
        .order_by("code__text")
    )
    return summary, per_code


def campaign_timeline(campaign, max_days=92):
    """Uses, order value and discount of the campaign per day (per month when its uses span
    more than ``max_days``), from its first use to its last: [(date, uses, value, discount)]
    and the unit ("day" or "month"). Two queries."""
    uses = Redemption.objects.filter(campaign=campaign)
    span = uses.aggregate(first=Min("created"), last=Max("created"))
    if span["first"] is None:
        return [], "day"
    first, last = timezone.localdate(span["first"]), timezone.localdate(span["last"])
    unit = "day" if (last - first).days <= max_days else "month"
    tz = timezone.get_current_timezone()
    period = (
        TruncDate("created", tzinfo=tz)
        if unit == "day"
        else TruncMonth("created", output_field=DateField(), tzinfo=tz)
    )
    rows = {
        row["period"]: row
        for row in uses.annotate(period=period)
        .values("period")
        .annotate(n=Count("id"), value=Sum("order__grand_total"), discount=Sum("discount"))
        .order_by()
    }
    timeline = []
    current = first if unit == "day" else first.replace(day=1)
    while current <= last:
        row = rows.get(current, {})
        timeline.append(
            (current, row.get("n", 0), row.get("value") or ZERO, row.get("discount") or ZERO)
        )
        current = (
            current + timedelta(days=1)
            if unit == "day"
            else (current + timedelta(days=32)).replace(day=1)
        )
    return timeline, unit


# ---------------------------------------------------------------------------------------
# Redemption at checkout
# ---------------------------------------------------------------------------------------


@dataclass
class Quote:
    code: Code
    code_text: str
    discount: Decimal
    shipping_discount: Decimal
    campaign: Campaign
    scope: CampaignScope | None = None  # read when the quote had the order's lines
    # The cart's products the discount leaves out (``cart_preview``): on sale when the
    # campaign excludes sale items, outside its products/categories, gift cards.
    left_out: list = field(default_factory=list)

    @property
    def single_use(self):
        return self.campaign.single_use

    @property
    def label(self):
        return self.campaign.discount_label()


def _is_limited(code):
    return code.campaign.single_use or bool(code.campaign.per_customer_limit)


def quote_for_checkout(code_text, *, customer, order, goods=None, lines=None, lock=False):
    """Validate a code for an unsaved order and return the discount it grants.

    ``order`` needs ``goods_total`` and ``shipping_total`` (None = not known yet, as in the
    cart) and ``email``. ``goods`` is the value of the goods that count towards a minimum
    order value: gift cards are a means of payment, so they are neither discounted nor count
    (default: all goods). ``lines`` (``[(product, amount)]``) are the order's goods: the
    discount applies to those in the campaign's scope (all but gift cards when it has none).
    With ``lock=True`` (inside the placement transaction) a limited code's row is locked, so
    of two concurrent orders only one can use a single-use code, and a campaign with a budget,
    a total-use limit or uses per customer (multi-use or single-use) has its row locked, so
    concurrent orders cannot exceed them, whichever of its codes they use.
    """
    goods = order.goods_total if goods is None else goods
    text = normalise_code(code_text)
    if not text:
        raise VoucherError(_("Please enter a discount code."))
    code = (
        Code.objects.select_related("campaign").filter(text=text).first()
        if text.isprintable()
        else None
    )
    if code is None:
        raise VoucherError(_("The discount code “%(code)s” does not exist.") % {"code": text})
    if lock and _is_limited(code):
        code = (
            Code.objects.select_related("campaign").select_for_update(of=("self",)).get(pk=code.pk)
        )
    if lock and (code.campaign.limited_in_total or code.campaign.per_customer_limit):
        # Read the counters under the campaign's row lock: the lock is held until the
        # placement commits, after record_redemption has counted this order. A per-customer
        # limit counts the campaign's uses, whichever of its codes: two orders of one person
        # with two different codes wait for each other here.
        code.campaign = Campaign.objects.select_for_update().get(pk=code.campaign_id)
    campaign = code.campaign
    today = timezone.localdate()
    if not code.is_active:
        raise VoucherError(_("The discount code “%(code)s” is not active.") % {"code": text})
    if campaign.valid_from and campaign.valid_from > today:
        raise VoucherError(
            _("The discount code “%(code)s” is valid from %(date)s.")
            % {"code": text, "date": campaign.valid_from.strftime("%d.%m.%Y")}
        )
    if campaign.valid_to and campaign.valid_to < today:
        raise VoucherError(
            _("The discount code “%(code)s” expired on %(date)s.")
            % {"code": text, "date": campaign.valid_to.strftime("%d.%m.%Y")}
        )
    if goods <= 0 and order.goods_total > 0:
        raise VoucherError(
            _(
                "Discount codes do not apply to gift cards, and your order holds nothing else. "
                "Keep the code “%(code)s” for another order."
            )
            % {"code": text}
        )
    if campaign.min_order_value and goods < campaign.min_order_value:
        values = {
            "code": text,
            "min": format_money(campaign.min_order_value),
            "currency": settings.SHOP_CURRENCY,
        }
        if order.goods_total >= campaign.min_order_value:
            raise VoucherError(
                _(
                    "The discount code “%(code)s” is valid from a goods value of %(min)s; "
                    "gift cards do not count towards it."
                )
                % values
            )
        raise VoucherError(
            _("The discount code “%(code)s” is valid from a goods value of %(min)s.") % values
        )
    if (
        campaign.discount_type == Campaign.DiscountType.FREE_SHIPPING
        and order.shipping_total is not None
        and order.shipping_total <= 0
    ):
        raise VoucherError(
            _(
                "Shipping is already free for this order, so the code “%(code)s” would save "
                "nothing. Keep it for another order."
            )
            % {"code": text}
        )
    customer_id = getattr(customer, "pk", None)
    if code.assigned_to_id is not None:
        if customer_id is None:
            raise VoucherError(
                _("The discount code “%(code)s” is personal. Please log in to use it.")
                % {"code": text}
            )
        if code.assigned_to_id != customer_id:
            raise VoucherError(
                _("The discount code “%(code)s” belongs to another customer.") % {"code": text}
            )
    elif campaign.kind == Campaign.Kind.ASSIGNED or campaign.points_price is not None:
        # A code sold for points is a customer's once bought: until then it is nobody's
        # (its running numbers and random parts are guessable, its value is not a gift).
        raise VoucherError(
            _("The discount code “%(code)s” has not been issued to a customer yet.")
            % {"code": text}
        )
    if campaign.used_up:
        raise VoucherError(
            _("The discount code “%(code)s” is no longer valid: the campaign has ended.")
            % {"code": text}
        )
    if campaign.single_use and Redemption.objects.filter(code=code).exists():
        raise VoucherError(
            _("The discount code “%(code)s” has already been used.") % {"code": text}
        )
    if campaign.per_customer_limit:
        # The person's uses: as a customer and as a guest under the same mailbox (a guest
        # order first must not give a customer one use more; anna+2@ is anna@'s mailbox).
        # Per campaign, not per code: a campaign of several codes (running numbers are easy
        # to guess, five single-use codes in one hand) gives one person its uses once.
        used = (
            Redemption.objects.filter(campaign_id=campaign.pk)
            .of_person(
                [getattr(order, "email", ""), getattr(customer, "email", "")],
                customer_id=customer_id,
            )
            .count()
        )
        if used >= campaign.per_customer_limit:
            raise VoucherError(
                _("You have already used the discount code “%(code)s” as often as allowed.")
                % {"code": text}
            )
    base = goods
    scope = None
    if lines is not None:
        scope = campaign.scope()
        base = sum((amount for product, amount in lines if scope.applies_to(product)), ZERO)
        if base <= 0 and scope.limited:
            raise VoucherError(
                _("The discount code “%(code)s” does not apply to the products in your cart.")
                % {"code": text}
            )
    discount, shipping_discount = _discount(campaign, order, base)
    if campaign.budget is not None and discount > campaign.budget_left:
        if campaign.discount_type == Campaign.DiscountType.FREE_SHIPPING:
            # Free shipping is all of it or nothing: the checkout shows a free-shipping code's
            # shipping as free for every method, and part of it charged was never shown.
            raise VoucherError(
                _(
                    "The discount code “%(code)s” does not cover this shipping any more: the "
                    "campaign is nearly used up."
                )
                % {"code": text}
            )
        # The last order of a campaign gets what is left of its budget.
        discount = campaign.budget_left
    return Quote(code, text, discount, shipping_discount, campaign, scope)


def _discount(campaign, order, base):
    """(discount, of which shipping) on ``base``, the goods the campaign applies to."""
    if campaign.discount_type == Campaign.DiscountType.PERCENT:
        return min(base, money(base * campaign.discount_value / 100)), ZERO
    if campaign.discount_type == Campaign.DiscountType.AMOUNT:
        return min(base, campaign.discount_value), ZERO
    shipping = order.shipping_total or ZERO
    return shipping, shipping


def record_redemption(quote, order):
    """Record the use on the saved order (inside the placement transaction)."""
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                code=quote.code,
                campaign=quote.campaign,
                order=order,
                customer=order.customer,
                discount=quote.discount,
                single_use=quote.single_use,
            )
            # The counters behind the budget and the total-use limit (their check
            # constraints refuse an order that would exceed them).
            Campaign.objects.filter(pk=quote.campaign.pk).update(
                uses_count=F("uses_count") + 1, discount_spent=F("discount_spent") + quote.discount
            )
            if quote.campaign.points_price is not None and quote.campaign.budget is not None:
                # This use may spend the last of the budget: the codes sold for points and
                # not used yet could then never be redeemed (after commit, not under the
                # checkout's locks: other customers' points are booked).
                campaign_id = quote.campaign.pk
                transaction.on_commit(lambda: _hand_over_withdrawal(campaign_id))
            return redemption
    except IntegrityError:
        # The partial unique index: another order used the single-use code first.
        raise VoucherError(
            _("The discount code “%(code)s” has already been used.") % {"code": quote.code_text}
        ) from None


def price_at_checkout(order, lines, data, customer, preview=False):
    """The ``price`` checkout step: the code entered at checkout discounts the unsaved order
    (its row locked when it is limited, unless this is the checkout page's ``preview``).
    Returns the quote for :func:`record_redemption`."""
    if not data.voucher_code.strip():
        return None
    quote = quote_for_checkout(
        data.voucher_code,
        customer=customer,
        order=order,
        goods=catalog_goods_total(lines),
        lines=[(line.product, line.line_total) for line in lines],
        lock=not preview,
    )
    order.voucher_code = quote.code_text
    order.discount_total = quote.discount
    order.shipping_discount = quote.shipping_discount
    # The discount falls on the lines of the campaign's scope alone (their VAT rows, their
    # credit notes): a code for the 19 % throw does not lower the 7 % jam's VAT.
    scope = quote.scope or quote.campaign.scope()
    for line in lines:
        line.discounted = scope.applies_to(line.product)
    return quote


def lock_redemptions(order):
    """Lock the campaigns ``order`` redeemed (``orders.signals.order_releasing``): the
    placement locks a campaign before anything of the order's payment and stock. The codes
    stay unlocked: giving a code back deletes the redemption, which locks nothing of the code
    (a lock there would wait for a placement's foreign-key check on it)."""
    campaigns = sorted(
        set(Redemption.objects.filter(order=order).values_list("campaign_id", flat=True))
    )
    if campaigns:
        list(
            Campaign.objects.select_for_update()
            .filter(pk__in=campaigns)
            .order_by("pk")
            .values_list("pk")
        )


def release_redemptions(order):
    """Cancellation (or the full refund) frees the order's codes again (single-use codes
    become usable) and gives the campaigns their use and budget back. The points the order
    earned have been taken back by then: if they were spent on codes, the unused ones are
    voided (:func:`settle_points_debt`)."""
    with transaction.atomic():
        redemptions = list(Redemption.objects.filter(order=order))
        for redemption in redemptions:
            Campaign.objects.filter(pk=redemption.campaign_id).update(
                uses_count=Greatest(F("uses_count") - 1, 0),
                discount_spent=Greatest(F("discount_spent") - redemption.discount, ZERO),
            )
        released = Redemption.objects.filter(order=order).delete()[0]
        settle_points_debt(order.customer_id)
        return released


def cart_preview(code_text, *, customer, cart, email=""):
    """The quote for the cart page: shipping is not chosen yet."""
    lines = cart.lines()
    order = SimpleNamespace(goods_total=cart.goods_total(lines), shipping_total=None, email=email)
    quote = quote_for_checkout(
        code_text,
        customer=customer,
        order=order,
        goods=cart.discountable_total(lines),
        lines=[(line.product, line.total) for line in lines],
        lock=False,
    )
    if quote.campaign.discount_type != Campaign.DiscountType.FREE_SHIPPING:
        scope = quote.scope or quote.campaign.scope()
        quote.left_out = [line.product for line in lines if not scope.applies_to(line.product)]
    return quote


# ---------------------------------------------------------------------------------------
# Assigning codes to customers
# ---------------------------------------------------------------------------------------


@dataclass
class Criteria:
    min_order_value: Decimal | None = None
    min_orders: int | None = None
    ordered_from: object = None  # date
    ordered_to: object = None  # date

    def validate(self):
        if (
            self.min_order_value is None
            and self.min_orders is None
            and self.ordered_from is None
            and self.ordered_to is None
        ):
            raise VoucherError(
                _(
                    "Choose at least one criterion: order value from, number of orders from, "
                    "or an order date range."
                ),
                field=None,
            )
        if self.min_order_value is not None and Decimal(self.min_order_value) < 0:
            raise VoucherError(_("The order value cannot be negative."), field="min_order_value")
        if self.min_orders is not None and int(self.min_orders) < 1:
            raise VoucherError(_("The number of orders must be at least 1."), field="min_orders")
        if self.ordered_from and self.ordered_to and self.ordered_to < self.ordered_from:
            raise VoucherError(_("The date range ends before it starts."), field="ordered_to")
        return self

    def as_dict(self):
        return {
            "min_order_value": str(self.min_order_value)
            if self.min_order_value is not None
            else None,
            "min_orders": self.min_orders,
            "ordered_from": self.ordered_from.isoformat() if self.ordered_from else None,
            "ordered_to": self.ordered_to.isoformat() if self.ordered_to else None,
        }

    @classmethod
    def from_dict(cls, data):
        from datetime import date

        return cls(
            min_order_value=Decimal(data["min_order_value"])
            if data.get("min_order_value") is not None
            else None,
            min_orders=data.get("min_orders"),
            ordered_from=date.fromisoformat(data["ordered_from"])
            if data.get("ordered_from")
            else None,
            ordered_to=date.fromisoformat(data["ordered_to"]) if data.get("ordered_to") else None,
        )


def _matching_sql(criteria, campaign_id=None):
    """SQL (and params) selecting matching customer ids: customers (not staff, not blocked)
    whose orders — in the date range, canceled and closed ones not counted — reach the
    value and count criteria. With ``campaign_id``: only those not holding a code of it."""
    where = ["o.customer_id IS NOT NULL", "o.status NOT IN ('canceled', 'closed')"]
    params = []
    tz = timezone.get_current_timezone()
    if criteria.ordered_from:
        where.append("o.created >= %s")
        params.append(timezone.make_aware(datetime.combine(criteria.ordered_from, time.min), tz))
    if criteria.ordered_to:
        where.append("o.created <= %s")
        params.append(timezone.make_aware(datetime.combine(criteria.ordered_to, time.max), tz))
    having = ["COUNT(*) >= %s"]
    params_having = [int(criteria.min_orders or 1)]
    if criteria.min_order_value is not None:
        having.append("SUM(o.grand_total) >= %s")
        params_having.append(Decimal(criteria.min_order_value))
    user_where = "u.is_staff = false AND u.is_active = true AND u.is_rejected = false"
    holder = ""
    holder_params = []
    if campaign_id is not None:
        holder = (
            f" AND NOT EXISTS (SELECT 1 FROM {table(Code)} h"
            " WHERE h.campaign_id = %s AND h.assigned_to_id = u.id)"
        )
        holder_params = [campaign_id]
    from customers.models import User
    from orders.models import Order

    sql = (
        f"SELECT o.customer_id AS uid FROM {table(Order)} o"
        f" JOIN {table(User)} u ON u.id = o.customer_id"
        f" WHERE {' AND '.join(where)} AND {user_where}{holder}"
        f" GROUP BY o.customer_id HAVING {' AND '.join(having)}"
    )
    return sql, params + holder_params + params_having


def matching_customers(criteria):
    """The customers matching the criteria (for "Save CSV"), as a User queryset."""
    from customers.models import User

    criteria.validate()
    sql, params = _matching_sql(criteria)
    return User.objects.filter(pk__in=_RawIds(sql, params)).order_by("email")


class _RawIds:
    """A raw subquery usable in ``pk__in``."""

    def __init__(self, sql, params):
        self.sql, self.params = sql, params

    def resolve_expression(self, *args, **kwargs):
        from django.db.models.expressions import RawSQL

        return RawSQL(self.sql, self.params).resolve_expression(*args, **kwargs)


def _free_codes_q(campaign):
    used = Redemption.objects.filter(code=OuterRef("pk"))
    return Code.objects.filter(campaign=campaign, assigned_to__isnull=True, is_active=True).filter(
        ~Exists(used)
    )


def check_enough_codes(campaign, criteria):
    """Number of customers who would get a code; VoucherError if there are not enough
    free codes for all of them (checked before anything is assigned)."""
    match_sql, match_params = _matching_sql(criteria, campaign.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({match_sql}) m", match_params)
        wanted = cursor.fetchone()[0]
    if wanted:
        free = _free_codes_q(campaign).count()
        if free < wanted:
            # Two sentences, each with the plural of its own number ("1 free code",
            # Polish "3 wolne kody" but "5 wolnych kodów").
            matching = ngettext("%(n)s customer matches.", "%(n)s customers match.", wanted)
            if free:
                missing = ngettext(
                    "The campaign has only %(n)s free code: nothing was assigned.",
                    "The campaign has only %(n)s free codes: nothing was assigned.",
                    free,
                )
            else:
                missing = _("The campaign has no free codes: nothing was assigned.")
            raise VoucherError(" ".join([matching % {"n": wanted}, missing % {"n": free}]))
    return wanted


def check_assignable(campaign):
    """Codes of an expired campaign are not handed out, nor those customers buy with points
    (the form refuses it before the job starts, the job checks again)."""
    if campaign.points_price is not None:
        raise VoucherError(
            _(
                "The codes of “%(name)s” are sold for loyalty points: customers buy them "
                "in their account, they cannot be assigned."
            )
            % {"name": campaign.name},
            field="campaign",
        )
    if campaign.valid_to and campaign.valid_to < timezone.localdate():
        raise VoucherError(
            _("The campaign “%(name)s” has expired.") % {"name": campaign.name}, field="campaign"
        )


@dataclass
class Assignment:
    """What an assignment did: codes assigned, and of their customers those not e-mailed
    (``notify``) because they objected to e-mails about discount codes."""

    assigned: int = 0
    not_emailed: int = 0


def assign_codes(campaign, criteria, *, notify=False, progress=None):
    """Give one free code of ``campaign`` to each matching customer not holding one yet.
    Returns the number assigned (:func:`assign_to_matching` for what was e-mailed)."""
    return assign_to_matching(campaign, criteria, notify=notify, progress=progress).assigned


def assign_to_matching(campaign, criteria, *, notify=False, progress=None):
    """:func:`assign_codes`, returning an :class:`Assignment`.

    One set-based UPDATE pairs the n-th free code with the n-th matching customer. Not
    enough free codes is an error before anything is assigned. ``notify``: each customer
    gets the code by e-mail, except those who objected to code e-mails (they see the code
    in their account).
    """
    criteria.validate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        check_assignable(campaign)
        match_sql, match_params = _matching_sql(criteria, campaign.pk)
        wanted = check_enough_codes(campaign, criteria)
        _report(progress, 20)
        if wanted == 0:
            return Assignment()
        _report(progress, 40)
        # The n-th free code goes to the n-th matching customer: two sorted id arrays
        # unnested side by side, then one UPDATE by primary key. No join on row numbers,
        # so the plan stays linear even when the statistics are stale.
        sql = f"""
            WITH matching AS (
                SELECT array_agg(uid ORDER BY uid) AS uids FROM ({match_sql}) m
            ), free AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM (
                    SELECT c.id FROM {table(Code)} c
                    WHERE c.campaign_id = %s AND c.assigned_to_id IS NULL AND c.is_active
                      AND NOT EXISTS (SELECT 1 FROM {table(Redemption)} r WHERE r.code_id = c.id)
                    ORDER BY c.id
                    LIMIT %s
                ) f
            )
            UPDATE {table(Code)} AS t SET assigned_to_id = pair.uid, assigned_at = %s
            FROM matching, free, unnest(free.ids, matching.uids) AS pair(code_id, uid)
            WHERE t.id = pair.code_id AND pair.uid IS NOT NULL AND t.assigned_to_id IS NULL
            RETURNING t.id
        """
        if is_postgresql():
            with connection.cursor() as cursor:
                cursor.execute(sql, [*match_params, campaign.pk, wanted, timezone.now()])
                assigned_ids = [row[0] for row in cursor.fetchall()]
        else:  # SQLite (the embedded development default): same pairing, in batches
            assigned_ids = _assign_pairs_portable(campaign, match_sql, match_params, wanted)
        _report(progress, 80)
        not_emailed = notify_assigned(assigned_ids) if notify and assigned_ids else 0
    _report(progress, 100)
    return Assignment(assigned=len(assigned_ids), not_emailed=not_emailed)


def assign_code(code, email, *, notify=False):
    """Give ``code`` — free, of a campaign of codes assigned to customers — to the customer
    account with ``email`` (a complaint, a goodwill gesture): the checks of the bulk
    assignment (not expired, not sold for loyalty points; one code per customer and
    campaign), under the code's row lock, so two staff members cannot hand it out twice.
    ``notify``: the customer gets the e-mail of the bulk assignment, unless they objected to
    code e-mails (the returned code's ``emailed`` says whether it was sent). VoucherError:
    nothing is assigned."""
    from customers.models import User

    email = (email or "").strip()
    if not email:
        raise VoucherError(_("Please enter the customer's e-mail address."), field="email")
    with transaction.atomic():
        locked = Code.objects.select_for_update().select_related("campaign").get(pk=code.pk)
        campaign = locked.campaign
        if campaign.kind != Campaign.Kind.ASSIGNED:
            raise VoucherError(
                _(
                    "Only codes of a campaign of codes assigned to customers are given to one "
                    "customer; the codes of “%(name)s” are used by whoever has them."
                )
                % {"name": campaign.name}
            )
        check_assignable(campaign)
        if locked.assigned_to_id is not None:
            raise VoucherError(_("This code has been given to a customer already."))
        if not locked.is_active:
            raise VoucherError(_("This code is deactivated: activate it first."))
        if Redemption.objects.filter(code=locked).exists():
            raise VoucherError(_("This code has been used."))
        customer = User.objects.filter(
            email__iexact=email, is_active=True, is_staff=False, is_rejected=False
        ).first()
        if customer is None:
            raise VoucherError(
                _("No customer account has the e-mail address %(email)s.") % {"email": email},
                field="email",
            )
        held = Code.objects.filter(campaign=campaign, assigned_to=customer).first()
        if held is not None:
            raise VoucherError(
                _("%(email)s has a code of this campaign already (%(code)s).")
                % {"email": customer.email, "code": held.text},
                field="email",
            )
        locked.assigned_to = customer
        locked.assigned_at = timezone.now()
        locked.save(update_fields=["assigned_to", "assigned_at"])
        locked.emailed = bool(notify) and not notify_assigned([locked.pk])
    return locked


def _assign_pairs_portable(campaign, match_sql, match_params, wanted):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT uid FROM ({match_sql}) m ORDER BY uid", match_params)
        uids = [row[0] for row in cursor.fetchall()]
    ids = list(_free_codes_q(campaign).order_by("id").values_list("pk", flat=True)[:wanted])
    now = timezone.now()
    codes = [
        Code(pk=pk, assigned_to_id=uid, assigned_at=now) for pk, uid in zip(ids, uids, strict=False)
    ]
    Code.objects.bulk_update(codes, ["assigned_to", "assigned_at"], batch_size=2000)
    return [c.pk for c in codes]


def notify_assigned(code_ids):
    """One e-mail per newly assigned code, written to the outbox in this transaction — not to
    the customers who objected to code e-mails (:func:`object_to_code_mails`). Returns the
    number of codes not e-mailed for that reason."""
    not_emailed = 0
    for start in range(0, len(code_ids), 2000):
        codes = list(
            Code.objects.filter(pk__in=code_ids[start : start + 2000]).select_related(
                "campaign", "assigned_to"
            )
        )
        addresses = {code.pk: _addresses_of(code.assigned_to) for code in codes}
        objected = set(
            CodeMailOptOut.objects.filter(
                email__in=set().union(*addresses.values()) if addresses else set()
            ).values_list("email", flat=True)
        )
        for code in codes:
            customer = code.assigned_to
            if addresses[code.pk] & objected:
                not_emailed += 1
                continue
            queue_email(
                "voucher_assigned",
                customer.email,
                {
                    "code": code,
                    "campaign": code.campaign,
                    "customer": customer,
                    "unsubscribe_url": code_mail_unsubscribe_path(customer),
                },
                language=customer.language,
                # A code issued to one customer is a present of money: not shown in the outbox
                # (a campaign's public code is printed anywhere and stays readable).
                secrets=[code.text],
            )
    return not_emailed


# ---------------------------------------------------------------------------------------
# Objections to e-mails about discount codes (§ 7 Abs. 3 UWG)
# ---------------------------------------------------------------------------------------

CODE_MAIL_UNSUBSCRIBE_SALT = "vouchers.code_mail_unsubscribe"


def code_mail_unsubscribe_path(customer):
    """The link of every code e-mail that ends them: signed, without the address in the URL
    (links end up in server logs), and valid for as long as the account exists (an
    objection is possible at any time)."""
    value = signing.Signer(salt=CODE_MAIL_UNSUBSCRIBE_SALT).sign(str(customer.pk))
    return reverse("vouchers:unsubscribe", args=[value])


def email_from_code_mail_unsubscribe(value):
    """The address an unsubscribe link stands for (the account's current one), or None if
    the link was altered or the account is gone."""
    from customers.models import User

    try:
        pk = signing.Signer(salt=CODE_MAIL_UNSUBSCRIBE_SALT).unsign(value)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).values_list("email", flat=True).first()


def _normal_email(email):
    return (email or "").strip().lower()


def _addresses_of(customer):
    """The account's address and its earlier ones (``previous_emails``): an objection made
    under an address the customer has since changed still stands."""
    emails = [customer.email, *(getattr(customer, "previous_emails", None) or [])]
    return {_normal_email(e) for e in emails if _normal_email(e)}


def object_to_code_mails(email):
    """No more e-mails about discount codes to ``email`` (idempotent)."""
    if _normal_email(email):
        CodeMailOptOut.objects.get_or_create(email=_normal_email(email))


def allow_code_mails(customer):
    """Code e-mails to ``customer`` again (their own choice in their account): the objection
    is lifted under every address of the account."""
    CodeMailOptOut.objects.filter(email__in=_addresses_of(customer)).delete()


def objects_to_code_mails(customer):
    """Whether ``customer`` objected to code e-mails under any address of the account."""
    return CodeMailOptOut.objects.filter(email__in=_addresses_of(customer)).exists()


# ---------------------------------------------------------------------------------------
# Buying a code with loyalty points
# ---------------------------------------------------------------------------------------


def points_campaigns():
    """Campaigns a customer can buy a code of now: current, sold for points, not used up
    (a code of a campaign whose uses or budget are gone could never be redeemed)."""
    return (
        Campaign.objects.current()
        .not_used_up()
        .filter(points_price__isnull=False)
        .exclude(kind=Campaign.Kind.MULTI)
        .order_by("points_price", "name")
    )


def buy_code_with_points(customer, campaign):
    """Deduct the points and assign a free code, in one transaction (both or neither)."""

    with transaction.atomic():
        # Locked like a redemption of a campaign limited in total, so that no checkout uses
        # up its last use or budget between the check below and the points taken.
        campaign = (
            Campaign.objects.select_for_update()
            .filter(pk=getattr(campaign, "pk", campaign))
            .first()
        )
        if campaign is None or campaign.points_price is None:
            raise VoucherError(_("Codes of this campaign cannot be bought with points."))
        if (
            campaign.kind == Campaign.Kind.MULTI
            or not campaign.is_valid_on(timezone.localdate())
            or campaign.used_up
        ):
            raise VoucherError(
                _("Codes of “%(name)s” are not available any more.") % {"name": campaign.name}
            )
        code = _free_codes_q(campaign).select_for_update(skip_locked=True).order_by("id").first()
        if code is None or _no_use_left_to_sell(campaign):
            raise VoucherError(
                _("All codes of “%(name)s” are gone. Please try another one.")
                % {"name": campaign.name}
            )
        entry = loyalty.spend_points(
            customer,
            campaign.points_price,
            [
                events.part(
                    gettext_noop("Discount code %(code)s (%(campaign)s)"),
                    code=code.text,
                    campaign=campaign.name,
                )
            ],
        )
        code.assigned_to = customer
        code.assigned_at = timezone.now()
        code.save(update_fields=["assigned_to", "assigned_at"])
        PointsPurchase.objects.create(
            code=code, points=campaign.points_price, spend_entry=entry, created=code.assigned_at
        )
    return code


def _no_use_left_to_sell(campaign):
    """A campaign limited in uses whose uses are all taken or promised: its redemptions and
    its codes bought with points and not used yet (each is owed one use)."""
    if campaign.max_uses is None:
        return False
    unused = (
        PointsPurchase.objects.filter(
            code__campaign=campaign, code__is_active=True, voided_at__isnull=True
        )
        .exclude(Exists(Redemption.objects.filter(code=OuterRef("code_id"))))
        .count()
    )
    return campaign.uses_count + unused >= campaign.max_uses


def settle_points_debt(customer_id):
    """Void the customer's unused codes bought with points, newest first, and give their
    points back until the balance is no longer negative; returns the codes voided.

    Points are earned when an order is paid and taken back in full when it is canceled or
    refunded (``customers.loyalty``): spent on a code meanwhile, they leave the balance
    negative — the customer owes them. Called when that happens (receiver of
    ``customers.signals.points_owed``: a cancellation, a full or a partial refund) and again
    when an order is canceled (``order_canceled``; then a no-op). What no unused code covers stays
    owed; later earnings repay it. A code a concurrent checkout has locked is about to be
    used: it is skipped, not waited for."""
    if customer_id is None:
        return []
    voided = []
    with transaction.atomic():
        balance = loyalty.locked_balance(customer_id)
        if balance >= 0:
            return []
        used = Redemption.objects.filter(code=OuterRef("code_id"))
        purchases = (
            PointsPurchase.objects.select_for_update(of=("self", "code"), skip_locked=True)
            .select_related("code__campaign")
            .filter(
                code__assigned_to_id=customer_id,
                code__is_active=True,
                voided_at__isnull=True,
            )
            .filter(~Exists(used))
            .order_by("-created", "-id")
        )
        for purchase in purchases:
            if balance >= 0:
                break
            code = purchase.code
            code.is_active = False
            code.save(update_fields=["is_active"])
            purchase.void_entry = loyalty.give_back_points(
                customer_id,
                purchase.points,
                [
                    events.part(
                        gettext_noop("Discount code %(code)s (%(campaign)s) voided"),
                        code=code.text,
                        campaign=code.campaign.name,
                    )
                ],
            )
            purchase.voided_at = timezone.now()
            purchase.save(update_fields=["void_entry", "voided_at"])
            balance += purchase.points
            voided.append(code)
    return voided


def withdraw_codes_of_used_up_campaign(campaign_id):
    """A campaign sold for points whose budget is used up: each code bought and not used
    yet can never be redeemed any more ("the campaign has ended"), so it is voided and its
    points go back to its buyer (a ledger entry saying why). Run after the redemption that
    used the budget up commits, and daily by beat for what a lost task left. A use given
    back later (a cancellation) lets the campaign sell codes again. Returns the codes
    voided."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.points_price is None or not campaign.used_up:
            return []
        purchases = (
            _points_owed_back(campaign)
            .filter(code__is_active=True)
            .select_for_update(of=("self", "code"), skip_locked=True)
            .select_related("code")
            .order_by("id")
        )
        voided = []
        for purchase in purchases:
            code = purchase.code
            code.is_active = False
            code.save(update_fields=["is_active"])
            purchase.void_entry = loyalty.give_back_points(
                code.assigned_to_id,
                purchase.points,
                [
                    events.part(
                        gettext_noop(
                            "Discount code %(code)s withdrawn: the campaign %(campaign)s has "
                            "used up its budget"
                        ),
                        code=code.text,
                        campaign=campaign.name,
                    )
                ],
            )
            purchase.voided_at = timezone.now()
            purchase.save(update_fields=["void_entry", "voided_at"])
            voided.append(code)
    return voided


def withdraw_codes_of_used_up_campaigns():
    """Beat: :func:`withdraw_codes_of_used_up_campaign` for every campaign sold for points
    whose budget is used up and that still has codes bought and not used."""
    campaigns = (
        Campaign.objects.filter(points_price__isnull=False, budget__isnull=False)
        .filter(discount_spent__gte=F("budget"))
        .values_list("pk", flat=True)
    )
    return sum(len(withdraw_codes_of_used_up_campaign(pk)) for pk in campaigns)


def _hand_over_withdrawal(campaign_id):
    from .tasks import withdraw_codes_of_used_up_campaign as task

    try:
        task.delay(campaign_id)
    except Exception as exc:  # the broker is down: the daily run catches it
        log.warning("Codes of used-up campaign %s not withdrawn now: %s", campaign_id, exc)


def customer_codes(customer):
    used = Redemption.objects.filter(code=OuterRef("pk"))
    return (
        Code.objects.filter(assigned_to=customer)
        .select_related("campaign")
        .annotate(used=Exists(used))
        .order_by("-assigned_at", "-id")
    )
