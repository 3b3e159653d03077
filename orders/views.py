import os
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from customers import services as customer_services
from shop import pagecache
from shop.cart import Cart
from shop.clientip import client_ip
from shop.exceptions import DomainError, add_to_form
from shop.locales import country_name
from shop.models import (
    PaymentMethod,
    ShippingMethod,
    ShopSettings,
    country_list,
    delivery_country_codes,
)
from shop.pagecache import cached_page, cart_variant
from shop.pdf import pdf_response
from shop.ratelimit import (
    CODE_FAILED_LOOKUPS,
    GIFTCARD_LOOKUP_LIMIT,
    GIFTCARD_LOOKUP_WINDOW,
    GIFTCARD_LOOKUPS,
    RateLimit,
)

from . import einvoice, limits, links, pdf, services
from .aftersales import Return, Withdrawal
from .errors import OrderAlreadyPlaced
from .forms import (
    CheckoutForm,
    WithdrawalForm,
    delivery_countries,
    saved_address_values,
    sign_shown,
)
from .models import Order, OrderComment, OrderLine, Shipment
from .services.checkout import (
    delivery_notes,
    has_downloads,
    needs_shipping,
    quote_lines,
    vies_unconfirmed,
)
from .services.withdrawals import open_orders

SUCCESS_SESSION_KEY = "last_order_id"

# The numbers this checkout session has looked up (keyed digests, never the numbers): the
# page sent again with one of them tells nothing new, so it is not counted again — a card
# the customer applied keeps paying once the allowance is used up.
GIFTCARDS_CHECKED_SESSION_KEY = "checkout_giftcards_checked"


def _customer(request):
    return request.user if request.user.is_authenticated and not request.user.is_staff else None


def _prefill(customer, address_book):
    """Logged-in customers start from their account data and default address (the first of
    their ``address_book``) — nothing of an address in a country the checkout does not
    deliver to (the country select would show its first country instead). Returns the
    initial values and the country of the address left out ("" when none was)."""
    initial = {
        "email": customer.email,
        "phone": customer.phone,
        "billing_first_name": customer.first_name,
        "billing_last_name": customer.last_name,
        "billing_company": customer.company,
        "is_business": bool(customer.company or customer.vat_id),
        "vat_id": customer.vat_id,
        "buyer_reference": customer.buyer_reference,
        "purchase_order_reference": customer.purchase_order_reference,
    }
    address = address_book[0] if address_book else None  # Address.Meta.ordering: default first
    if address and address.country not in delivery_country_codes():
        return initial, address.country
    if address:
        initial.update(
            saved_address_values(address, "billing", customer),
            phone=customer.phone or address.phone,
        )
    return initial, ""


def _fill_saved_address(request, form):
    """A "Use" button of the page's address picker (the page without its script, which fills
    the fields itself): the page again, with the customer's chosen saved address filled in
    and everything else as entered — nothing is placed. Another customer's address, or one
    in a country the checkout does not deliver to, is not filled in. Returns the form and
    {prefix: what its picker says}."""
    prefix = request.POST.get("use_address")
    prefix = prefix if prefix in ("billing", "shipping") and form.needs_shipping else "billing"
    address = form.saved_address(request.POST.get(f"{prefix}_saved_address"))
    initial, status = form.entered_values(), {}
    if address is None:
        status["error"] = _("Please choose one of your saved addresses.")
    elif not form.can_use(address, prefix):
        countries = (
            delivery_countries() if prefix == "shipping" else country_list(delivery_country_codes())
        )
        status["error"] = _(
            "We deliver only to %(countries)s, so your saved address in %(country)s "
            "has not been filled in."
        ) % {"countries": countries, "country": country_name(address.country)}
    else:
        initial, status["filled"] = form.fill_saved_address(address, prefix), True
    filled = CheckoutForm(
        initial=initial,
        customer=form.customer,
        address_book=form.address_book,
        needs_shipping=form.needs_shipping,
        has_downloads=form.has_downloads,
    )
    return filled, {prefix: status}


# The delivery country each page language stands for: a customer on /pl/checkout/ starts in
# Poland, so their postcode is not checked against the German format unless they notice the
# select. English stands for no country: the shop's own country (ShopSettings.country).
LANGUAGE_COUNTRIES = {"de": "DE", "pl": "PL", "da": "DK"}


def _preset_country(prefill):
    """The country the billing and shipping address start with: a saved address's (in
    ``prefill``), else the page language's, else the shop's own — the first of them that is
    a delivery country for the billing address, and the first some shipping method delivers
    to for the delivery address (else the first such country)."""
    language = (get_language() or "")[:2]
    candidates = [
        prefill.get("billing_country"),
        LANGUAGE_COUNTRIES.get(language),
        ShopSettings.load().country,
    ]
    served = ShippingMethod.served_countries()
    preset = {}
    billing = next((c for c in candidates if c in delivery_country_codes()), None)
    if billing:
        preset["billing_country"] = billing
    preset["shipping_country"] = next((c for c in candidates if c in served), served[0])
    return preset


def _radio_choices(bound_field, describe):
    """Pair each radio of a ModelChoiceField with its model instance (for prices, texts)."""
    choices = []
    for radio in bound_field:
        instance = getattr(radio.data["value"], "instance", None)
        choices.append({"radio": radio, "obj": instance, **describe(instance)})
    return choices


# A guest's first view of the checkout page is the same for every guest with the same cart
# (an empty form, the same quote): kept like the cart page (shop.pagecache), with its
# one-time token filled in per view. A bound form, a customer, a session holding a code or
# anything else but the cart and messages always get a fresh page.
@cached_page(variant=cart_variant)
def checkout(request):
    from shop import readiness  # a production shop with demo seller data takes no orders

    if (closed := readiness.closed_checkout(request)) is not None:
        return closed
    cart = Cart(request)
    if not cart.items:
        # The first submit of this page placed the order and emptied the cart: a second one
        # (a double click, a reload) gets the first one's answer.
        placed = _placed_from(request) if request.method == "POST" else None
        if placed is not None:
            answer = _placed_answer(request, cart, _customer(request), placed)
            if answer is not None:
                return answer
            messages.error(request, _("An order has already been placed from this checkout page."))
        else:
            messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    customer = _customer(request)
    # A rejected customer's session no longer logs in; it must not order as a guest either.
    rejected = customer_services.rejected_session_customer(request) if customer is None else None
    if rejected is not None and request.method != "POST":
        messages.error(request, _("Your customer account is blocked. Please contact us."))
    # The customer's saved addresses, read once: the prefill and the page's address pickers.
    address_book = list(customer.addresses.all()) if customer else []
    prefill, undelivered = _prefill(customer, address_book) if customer else ({}, "")
    if undelivered and request.method != "POST":
        messages.warning(
            request,
            _(
                "We deliver only to %(countries)s, so your saved address in %(country)s "
                "has not been filled in."
            )
            % {
                "countries": country_list(delivery_country_codes()),
                "country": country_name(undelivered),
            },
        )
    # The cart as the page's quote prices it: whether it ships anything decides what the
    # page asks for (no shipping method and no delivery address for gift cards and
    # downloads alone: orders.services.needs_shipping).
    # (A submitted page is shown only if its order is not placed: its pictures are read then.)
    lines = quote_lines(cart.items, pictures=request.method != "POST")
    # Products no longer for sale leave the cart (the placement refuses an order with them).
    listed = {str(line.product_id) for line in lines}
    cart.drop([pk for pk in cart.items if pk not in listed])
    if not cart.items:
        return redirect("shop:cart")
    form = CheckoutForm(
        request.POST or None,
        initial={
            **prefill,
            # A submitted page keeps what was entered (a bound form ignores these).
            **_preset_country(prefill),
            # the code applied on the cart page (vouchers.panels)
            "voucher_code": request.session.get("voucher_code", ""),
        },
        customer=customer,
        address_book=address_book,
        needs_shipping=needs_shipping(lines),
        has_downloads=has_downloads(lines),
    )
    address_status = {}
    if customer is not None and request.method == "POST" and "use_address" in request.POST:
        form, address_status = _fill_saved_address(request, form)
    valid = form.is_valid()
    # The order speaks the language the contract is made in: the checkout page's (its
    # confirmation, documents and e-mails), also for a customer whose profile says another.
    data = form.checkout_data(language=(get_language() or settings.LANGUAGE_CODE)[:2])
    if data.giftcard_number and not _giftcard_lookup_allowed(request, data.giftcard_number):
        # Nothing of this card is looked up (placed, quoted): the page shows the order
        # without it, everything else as entered.
        _refuse_giftcard(form)
        data.giftcard_number, valid = "", False
    if _code_lookup_refused(request, data.voucher_code):
        # The same for a discount code past the client's allowance of codes that did not work.
        _refuse_code(form)
        data.voucher_code, valid = "", False
    if valid:
        # A complete input is placed at once. The placement prices it and refuses what the
        # page would (a product gone, a code that does not apply, a payment method over the
        # open-amount limit for the same amount due — orders.limits), so the quote below is
        # only needed to show the page (again).
        try:
            order = services.place_order(
                cart.items,
                data,
                customer=customer or rejected,
                products=[line.product for line in lines],  # read above, for this request
            )
        except OrderAlreadyPlaced as exc:
            answer = _placed_answer(request, cart, customer, exc.order)
            if answer is not None:
                return answer
            add_to_form(form, exc)  # shown again with a new token: nothing was placed
        except DomainError as exc:
            add_to_form(form, exc)
            _count_failed_code(request, data, [exc])
        else:
            cart.clear()
            request.session.pop("voucher_code", None)
            request.session[SUCCESS_SESSION_KEY] = order.pk
            return redirect("orders:success")
    # What the order would cost for exactly this input; the payment methods are offered for
    # what it leaves due, the amount the placement checks the open-amount limit with.
    if request.method == "POST":
        lines = quote_lines(cart.items)  # with their pictures, for the page
    quote = services.quote_order(cart.items, data, customer=customer, lines=lines)
    if not valid:  # (a placement's refusal was counted above)
        _count_failed_code(request, data, quote.errors)
    if not quote.lines:  # nothing in the cart is for sale any more
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    offered = limits.allowed_payment_methods(
        customer, quote.amount_due, ships=needs_shipping(quote.lines)
    )
    form.offer_payment_methods(offered)
    context = _checkout_context(request, form, quote, offered, customer, data)
    return render(request, "orders/checkout.html", {**context, "address_status": address_status})


def _giftcard_lookup_allowed(request, number):
    """May the checkout look up the typed gift-card ``number``? One this session has looked
    up before, always; any other only within the client's allowance (GIFTCARD_LOOKUPS),
    counted before it is looked up — so that requests sent at once cannot pass it either."""
    # (however the digit groups are separated: the giftcards app reads them all alike)
    key = salted_hmac(
        "orders.checkout.giftcard", "".join(ch for ch in number if ch.isalnum())
    ).hexdigest()
    checked = request.session.get(GIFTCARDS_CHECKED_SESSION_KEY, [])
    if key in checked:
        return True
    if GIFTCARD_LOOKUPS.attempt(client_ip(request)):
        return False
    checked = [*checked, key][-GIFTCARD_LOOKUP_LIMIT:]
    request.session[GIFTCARDS_CHECKED_SESSION_KEY] = checked
    return True


def _refuse_giftcard(form):
    message = _(
        "Too many gift card numbers have been checked from your connection. Please try "
        "again in %(minutes)d minutes, or clear this field to order without a gift card."
    ) % {"minutes": GIFTCARD_LOOKUP_WINDOW // 60}
    if form.is_bound:
        form.add_error("giftcard_number", message)
    else:  # the page shown again with a saved address filled in: shown, not validated
        form.errors["giftcard_number"] = form.error_class([message])


def _applied_code(request, code):
    """Is ``code`` the one the cart page applied (it worked there: never refused here)?"""
    applied = (request.session.get("voucher_code") or "").strip().upper()
    return bool(applied) and (code or "").strip().upper() == applied


def _code_lookup_refused(request, code):
    """Past the client's allowance of discount codes that did not work
    (``shop.ratelimit.CODE_FAILED_LOOKUPS``, shared with the cart page) a code typed on the
    checkout page is not looked up at all — so a guess cannot be confirmed either."""
    if not (code or "").strip() or _applied_code(request, code):
        return False
    return CODE_FAILED_LOOKUPS.exceeded(client_ip(request))


def _refuse_code(form):
    minutes = max(1, CODE_FAILED_LOOKUPS.window // 60)
    message = ngettext(
        "Too many discount codes from your connection did not work. Please try again in "
        "%(minutes)d minute.",
        "Too many discount codes from your connection did not work. Please try again in "
        "%(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if form.is_bound:
        form.add_error("voucher_code", message)
    else:
        form.errors["voucher_code"] = form.error_class([message])


def _count_failed_code(request, data, errors):
    """A typed code the page or the placement refused counts against the allowance."""
    if not (data.voucher_code or "").strip() or _applied_code(request, data.voucher_code):
        return
    if any(getattr(exc, "field", None) == "voucher_code" for exc in errors):
        CODE_FAILED_LOOKUPS.hit(client_ip(request))


def _placed_from(request):
    """The order placed from the checkout page this POST comes from, if any."""
    try:
        token = uuid.UUID(request.POST.get("checkout_token") or "")
    except ValueError:
        return None
    return Order.objects.filter(checkout_token=token).first()


def _placed_answer(request, cart, customer, placed):
    """The answer to a second submit of a checkout page placed already as ``placed``: the
    first submit's answer, its success page — None if this visitor did not place it (a
    customer's order for another account, a guest's for a session that neither holds its
    cart nor saw its success page)."""
    ordered = {str(pk): qty for pk, qty in placed.lines.values_list("product_id", "quantity")}
    if customer is not None:
        own = placed.customer_id == customer.pk
    else:
        own = placed.customer_id is None and (
            request.session.get(SUCCESS_SESSION_KEY) == placed.pk or cart.items == ordered
        )
    if not own:
        return None
    if cart.items == ordered:
        # This request read the session before the first submit emptied the cart: written
        # back as it was read, the session would bring the cart back.
        cart.clear()
        request.session.pop("voucher_code", None)
    request.session[SUCCESS_SESSION_KEY] = placed.pk
    return redirect("orders:success")


def _checkout_context(request, form, quote, offered, customer, data):
    order = quote.order
    slots = getattr(request, "page_slots", None)  # rendered to be kept (shop.pagecache)

    def shipping_info(method):
        return {"cost": quote.shipping_cost(method), "free_over": method.free_over}

    # A cart that ships nothing offers no choice (the form has no such field): the placement
    # records the default method, at no cost.
    ships = form.needs_shipping
    shipping_choices = _radio_choices(form["shipping_method"], shipping_info) if ships else []
    offered_ids = {m.pk for m in offered}
    room = limits.headroom(customer)
    # What this page shows, for the placement to compare with (orders.services.ShownFigures).
    shown = services.ShownFigures.from_quote(
        quote, data, {c["obj"].pk: c["cost"] for c in shipping_choices if c["obj"] is not None}
    )
    cacheable = customer is None and not form.is_bound
    return {
        "form": form,
        # A new one-time token each time the page is shown (never kept: CheckoutForm; on a
        # kept page a slot filled in per view).
        "checkout_token": slots.fresh_token if slots is not None else uuid.uuid4(),
        "checkout_shown": sign_shown(shown),
        "lines": quote.lines,
        "order": order,
        "goods_discount": order.discount_total - order.shipping_discount,
        "free_shipping_code": bool(order.voucher_code) and order.shipping_discount > 0,
        "available": quote.available,
        # What would stop the order (a code that does not apply …), unless the form says it.
        "quote_errors": [e for e in quote.errors if e.message not in form.non_field_errors()],
        "needs_shipping": ships,
        # What the page says instead of a shipping method (nothing to ship).
        "delivery_notes": delivery_notes(order, quote.lines),
        "shipping_choices": shipping_choices,
        # (the key of the guests' address fields: their delivery country select lists these)
        "served_countries": ",".join(ShippingMethod.served_countries()),
        # (what the page's script says when no method delivers to the chosen country)
        "limited_methods": any(c["obj"].countries for c in shipping_choices if c["obj"]),
        "delivery_country_list": delivery_countries() if ships else "",
        "payment_choices": _radio_choices(
            form["payment_method"],
            lambda m: {"offered": m.pk in offered_ids, "limited": m.limited_by_open_amount},
        ),
        # For the summary script: the limited methods fit while the amount due ≤ this.
        "limit_headroom": "" if room is None else f"{room:.2f}",
        "customer": customer,
        # The customer's saved addresses to pick from, and what the page's script fills in.
        "address_book": form.address_book_choices() if form.address_book else None,
        # (where the listed addresses may be: where the goods may go, else the billing's)
        "delivery_countries": (
            (delivery_countries() if ships else country_list(delivery_country_codes()))
            if form.address_book
            else ""
        ),
        "address_book_data": form.address_book_data() if form.address_book else None,
        # A guest's first view: the address fields hold nothing of theirs (cached fragment).
        "address_cacheable": cacheable,
        # … kept per storefront version: the consents link the terms and the privacy notice
        # once the shop has them, the VAT-ID help names the shop's country (its settings;
        # read with the session, no query of its own).
        "storefront_version": pagecache.version() if cacheable else None,
        # … nor do the code fields, unless a code was applied on the cart page. What the
        # apps' panels show there follows the shop's settings: a {% kept %} fragment (per
        # storefront version, which every change of them moves on).
        "codes_cacheable": cacheable and not form.initial.get("voucher_code"),
    }


def success(request):
    order_id = request.session.get(SUCCESS_SESSION_KEY)
    if not order_id:
        return redirect("shop:home")
    order = get_object_or_404(
        Order.objects.prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.with_pictures())
        ),
        pk=order_id,
    )
    # The methods of an order placed a moment ago are among the active ones every checkout
    # keeps (no join); one retired since is looked up.
    for field, model in (("payment_method", PaymentMethod), ("shipping_method", ShippingMethod)):
        row = model.active_row(getattr(order, f"{field}_id"))
        if row is not None:
            setattr(order, field, row)
    lines = list(order.lines.all())
    return render(
        request,
        "orders/success.html",
        {
            "order": order,
            "lines": lines,
            # Nothing to ship: no shipping line and no delivery address, these notes instead.
            "needs_shipping": needs_shipping(lines),
            "delivery_notes": delivery_notes(order, lines),
            "taxes": order.tax_breakdown(lines, invoice=None),  # just placed
            # VAT charged because VIES could not confirm the VAT ID (no query without one)
            "vies_unconfirmed": vies_unconfirmed(order),
            "status_url": None if order.customer_id else links.status_path(order),
        },
    )


# --------------------------------------------------------------------------------------------
# Customer account: orders, invoices, packing slips, downloads (S3). A customer only ever
# reaches their own orders; anything else is a 404, never a 403.
# --------------------------------------------------------------------------------------------


def _order_page_queryset():
    return Order.objects.select_related("payment_method", "shipping_method").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.with_pictures()),
        "invoices__credit_notes",
        Prefetch(
            "shipments",
            queryset=Shipment.objects.prefetch_related("lines__order_line", "tracking"),
        ),
        Prefetch(
            "comments",
            queryset=OrderComment.objects.filter(visible_to_customer=True),
            to_attr="visible_comments",
        ),
        Prefetch("returns", queryset=Return.objects.prefetch_related("lines__order_line")),
        Prefetch("withdrawals", queryset=Withdrawal.objects.order_by("received_at", "pk")),
        "download_links__order_line",
    )


def _own_order(request, number):
    return get_object_or_404(_order_page_queryset(), number=number, customer_id=request.user.pk)


def _order_page_context(order):
    """What the account's order page and the guest order-status page show."""
    lines = list(order.lines.all())  # prefetched
    return {
        "order": order,
        "state": services.order_state(order),
        # Nothing to ship: no shipping line, column or address, these notes instead.
        "needs_shipping": needs_shipping(lines),
        "delivery_notes": delivery_notes(order, lines),
        "shipments": list(order.shipments.all()),
        "downloads": list(order.download_links.all()),
        "taxes": order.tax_breakdown(),
        "credit_notes": order.credit_notes,
        "returns": list(order.returns.all()),
        "withdrawals": list(order.withdrawals.all()),
        "withdrawal_open": services.withdrawal_open(order),
        "withdrawal_period_ends": services.period_end(order),
    }


@login_required
def account_orders(request):
    orders = Order.objects.filter(customer_id=request.user.pk).select_related("payment_method")
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render(request, "orders/account_orders.html", {"page": page, "orders": page})


@login_required
def account_order(request, number):
    order = _own_order(request, number)
    return render(
        request,
        "orders/account_order.html",
        {**_order_page_context(order), "withdrawal_url": links.withdrawal_path(order)},
    )


@login_required
def account_invoice(request, number):
    order = _own_order(request, number)
    invoice = order.invoice
    if invoice is None:
        raise Http404
    return render(
        request,
        "orders/account_invoice.html",
        {"order": order, **pdf.invoice_context(invoice)},
    )


@login_required
def account_invoice_pdf(request, number):
    order = _own_order(request, number)
    invoice = order.invoice
    if invoice is None:
        raise Http404
    return pdf_response(pdf.render_invoice(invoice), invoice.filename)


@login_required
def account_invoice_xrechnung(request, number):
    """The invoice as XRechnung (CII) for public buyers: only when it has a buyer reference."""
    order = _own_order(request, number)
    invoice = order.invoice
    if invoice is None or not invoice.buyer_reference:
        raise Http404
    return einvoice.xml_response(
        einvoice.invoice_xml(invoice, xrechnung=True), invoice.xrechnung_filename
    )


def _credit_note_of(order, credit_number):
    credit_note = next((n for n in order.credit_notes if n.number == credit_number), None)
    if credit_note is None:
        raise Http404
    return pdf_response(pdf.render_credit_note(credit_note), credit_note.filename)


@login_required
def account_credit_note_pdf(request, number, credit_number):
    return _credit_note_of(_own_order(request, number), credit_number)


@login_required
def account_packing_slip(request, number, shipment):
    order = _own_order(request, number)
    found = next((s for s in order.shipments.all() if s.pk == shipment), None)
    if found is None:
        raise Http404
    return pdf_response(pdf.render_packing_slip(found), found.filename)


@require_http_methods(["GET", "POST"])
def download(request, token):
    """The e-mailed download link: the token is the credential (guests have no account).

    A GET shows the download's page — the product, the order, how long the link is valid and
    how many downloads are left — and counts nothing: mail scanners (Microsoft's Safe Links,
    a company's gateway) and link previews open the links of an e-mail before the buyer
    does, and each of their visits used up one of the buyer's downloads. The file comes with
    the page's button, a POST with the page's CSRF token, which counts one download. A HEAD
    (a link checker) is refused."""
    try:
        if request.method == "POST":
            link = services.use_download_link(token)
        else:
            link = services.check_download_link(token)
    except services.DownloadError as exc:
        return render(
            request,
            "orders/download_unavailable.html",
            {"message": exc.message, "status": exc.status},
            status=exc.status,
        )
    file = link.order_line.product.download_file
    filename = os.path.basename(file.name)
    if request.method == "GET":
        response = render(
            request,
            "orders/download.html",
            {"link": link, "filename": filename, "size": file.storage.size(file.name)},
        )
        # The token is the credential and the count changes: no shared cache keeps it.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename)


# --------------------------------------------------------------------------------------------
# Guests: the signed order-status link of the confirmation e-mail (orders.links).
# --------------------------------------------------------------------------------------------


def _guest_order(signed):
    order_id = links.order_id_from_signed(signed)
    if order_id is None:
        raise Http404
    return get_object_or_404(_order_page_queryset(), pk=order_id)


def guest_status(request, signed):
    order = _guest_order(signed)
    return render(
        request,
        "orders/guest_status.html",
        {
            **_order_page_context(order),
            "signed": signed,
            "withdrawal_url": links.withdrawal_path(order),
        },
    )


def guest_invoice_pdf(request, signed):
    order = _guest_order(signed)
    invoice = order.invoice
    if invoice is None:
        raise Http404
    return pdf_response(pdf.render_invoice(invoice), invoice.filename)


def guest_credit_note_pdf(request, signed, credit_number):
    return _credit_note_of(_guest_order(signed), credit_number)


# --------------------------------------------------------------------------------------------
# The withdrawal function (orders.services.withdrawals): a link on every storefront page,
# two steps (identify the contract, then "Confirm withdrawal"), an acknowledgement e-mail at
# once. An unknown order or a wrong e-mail address gets the same answer as any statement.
# --------------------------------------------------------------------------------------------

WITHDRAWAL_THROTTLE_WINDOW = 3600  # seconds
# Withdrawing is a legal right: a statement that names an order of its e-mail address is
# never refused because of other people's traffic from the same address (an office, a
# mobile network). Only statements naming no such order — a wrong order number or e-mail
# address, or someone guessing them — are limited per client.
WITHDRAWAL_FAILED_LOOKUPS = RateLimit(
    "orders:withdrawal-unmatched",
    limit=("WITHDRAWAL_LIMIT", 5),
    window=WITHDRAWAL_THROTTLE_WINDOW,
)
# New statements per order and hour (each one acknowledged by e-mail to the order's
# address); past it, the latest statement's confirmation is shown again, nothing recorded.
WITHDRAWAL_STATEMENTS_PER_ORDER = RateLimit(
    "orders:withdrawal-order",
    limit=("WITHDRAWAL_ORDER_LIMIT", 5),
    window=WITHDRAWAL_THROTTLE_WINDOW,
)
WITHDRAWAL_SESSION_KEY = "last_withdrawal_id"


def _known_order(request):
    """The logged-in customer's own order named in ``?order=`` (its items can be chosen)."""
    customer = _customer(request)
    number = request.GET.get("order") or request.POST.get("order") or ""
    if customer is None or not number:
        return None
    return (
        Order.objects.filter(number=number[:40], customer=customer)
        .prefetch_related("lines")
        .first()
    )


def _withdrawal_initial(request, order):
    customer = _customer(request)
    if order is not None:
        return {"name": order.billing_name, "email": order.email, "order_number": order.number}
    if customer is not None:
        return {"name": customer.get_full_name(), "email": customer.email}
    return {}


def withdrawal_instructions(request):
    """The withdrawal instructions and the model withdrawal form as a storefront page (in
    the footer of every page): the shop's own text per language where it set one, else the
    statutory model instructions with the shop's period."""
    from .services.withdrawals import information

    shop = ShopSettings.load()
    return render(
        request, "orders/withdrawal_instructions.html", {**information(shop=shop), "shop": shop}
    )


@require_http_methods(["GET", "POST"])
def withdraw(request):
    return _withdrawal_page(request, _known_order(request))


@require_http_methods(["GET", "POST"])
def guest_withdraw(request, signed):
    order_id = links.order_id_from_signed(signed)
    if order_id is None:
        raise Http404
    order = get_object_or_404(Order.objects.prefetch_related("lines"), pk=order_id)
    return _withdrawal_page(request, order, signed=signed)


def _withdrawal_page(request, order, signed=None):
    form = WithdrawalForm(
        request.POST or None, initial=_withdrawal_initial(request, order), order=order
    )
    customer = _customer(request)
    context = {"form": form, "order": order, "signed": signed}
    if order is None and customer is not None:
        # The footer's link, logged in: their orders open for withdrawal, each with its
        # items to choose (as from the order's page); the form below for any other order.
        context["own_orders"] = open_orders(customer)
    if request.method == "POST" and form.is_valid():
        if "edit" in request.POST:
            return render(request, "orders/withdraw.html", context)
        if "confirm" not in request.POST:
            return render(request, "orders/withdraw_confirm.html", context)
        cd = form.cleaned_data
        number = order.number if order is not None else cd["order_number"]
        named = order or services.find_order(number, cd["email"], customer)
        ip = client_ip(request)
        if named is None and WITHDRAWAL_FAILED_LOOKUPS.exceeded(ip):
            form.add_error(
                None,
                _(
                    "You have sent several statements in a short time. Please check the "
                    "order number and the e-mail address as in your order confirmation and "
                    "try again in an hour, or write to us by e-mail."
                ),
            )
            return render(request, "orders/withdraw_confirm.html", context)
        if named is not None and WITHDRAWAL_STATEMENTS_PER_ORDER.exceeded(named.pk):
            latest = named.withdrawals.order_by("-received_at", "-pk").first()
            if latest is not None:
                request.session[WITHDRAWAL_SESSION_KEY] = latest.pk
                return redirect("orders:withdraw_done")
        try:
            withdrawal = services.record_withdrawal(
                name=cd["name"],
                email=cd["email"],
                order_number=number,
                items=form.items() if order is not None else None,
                items_text=cd.get("items_text", ""),
                reason=cd["reason"],
                customer=customer,
                language=(get_language() or settings.LANGUAGE_CODE)[:2],
                order=named,
            )
        except DomainError as exc:
            add_to_form(form, exc)
            return render(request, "orders/withdraw.html", context)
        if named is None:
            WITHDRAWAL_FAILED_LOOKUPS.hit(ip)
        elif not withdrawal.is_repeat:
            WITHDRAWAL_STATEMENTS_PER_ORDER.hit(named.pk)
        request.session[WITHDRAWAL_SESSION_KEY] = withdrawal.pk
        return redirect("orders:withdraw_done")
    return render(request, "orders/withdraw.html", context)


def withdraw_done(request):
    withdrawal_id = request.session.get(WITHDRAWAL_SESSION_KEY)
    withdrawal = Withdrawal.objects.filter(pk=withdrawal_id).first() if withdrawal_id else None
    if withdrawal is None:
        return redirect("orders:withdraw")
    items = [(item, item["quantity"]) for item in withdrawal.items]
    return render(request, "orders/withdraw_done.html", {"withdrawal": withdrawal, "items": items})
