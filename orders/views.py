import os
from copy import copy
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shop.cart import Cart
from shop.exceptions import DomainError, add_to_form
from shop.models import ShopSettings
from shop.money import ZERO
from shop.pdf import pdf_response

from . import einvoice, limits, pdf, services, vat
from .forms import CheckoutForm
from .models import Order, OrderComment, Shipment

SUCCESS_SESSION_KEY = "last_order_id"


def _customer(request):
    return request.user if request.user.is_authenticated and not request.user.is_staff else None


def _prefill(customer):
    """Logged-in customers start from their account data and default address."""
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
    address = customer.addresses.first()  # default address first (Address.Meta.ordering)
    if address:
        initial.update(
            billing_first_name=address.first_name or customer.first_name,
            billing_last_name=address.last_name or customer.last_name,
            billing_company=address.company or customer.company,
            billing_street=address.street,
            billing_postcode=address.postcode,
            billing_city=address.city,
            billing_country=address.country,
            phone=customer.phone or address.phone,
        )
    return initial


def _radio_choices(bound_field, describe):
    """Pair each radio of a ModelChoiceField with its model instance (for prices, texts)."""
    choices = []
    for radio in bound_field:
        instance = getattr(radio.data["value"], "instance", None)
        choices.append({"radio": radio, "obj": instance, **describe(instance)})
    return choices


def checkout(request):
    cart = Cart(request)
    lines = cart.lines()
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    customer = _customer(request)
    goods_total = cart.goods_total(lines)
    needs_shipping = any(line.product.needs_shipping for line in lines)
    methods = limits.allowed_payment_methods(customer, goods_total)
    form = CheckoutForm(
        request.POST or None,
        initial={
            **(_prefill(customer) if customer else {}),
            # the code applied on the cart page (vouchers.panels)
            "voucher_code": request.session.get("voucher_code", ""),
        },
        payment_methods=methods,
        customer=customer,
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = services.CheckoutData(
            email=cd["email"],
            phone=cd["phone"],
            billing=form.address("billing"),
            shipping=None if cd["ship_to_billing"] else form.address("shipping"),
            shipping_method_id=cd["shipping_method"].pk,
            payment_method_id=cd["payment_method"].pk,
            voucher_code=cd["voucher_code"],
            giftcard_number=cd["giftcard_number"],
            use_credit=cd.get("use_credit", False),
            partner_consent=cd["partner_consent"],
            review_request_consent=cd["review_request_consent"],
            customer_note=cd["customer_note"],
            language=(customer.language if customer else get_language() or "en")[:2],
            **form.business(),
        )
        try:
            order = services.place_order(cart.items, data, customer=customer)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            cart.clear()
            request.session.pop("voucher_code", None)
            request.session[SUCCESS_SESSION_KEY] = order.pk
            return redirect("orders:success")

    def shipping_info(method):
        cost = method.cost_for(goods_total) if needs_shipping else ZERO
        return {"cost": cost, "free_over": method.free_over}

    reverse_charge = _reverse_charge_preview(form, needs_shipping)
    if reverse_charge:
        # Placement prices the order net (orders.vat.apply_reverse_charge): so does the page.
        gross_goods = goods_total
        lines = [replace(li, product=copy(li.product), quantity=li.quantity) for li in lines]
        for li in lines:  # shown net, as the placement will price them
            li.product.price = vat.net_of(li.product.price, li.product.tax_rate)
        goods_total = sum((li.total for li in lines), ZERO)

        def shipping_info(method):
            cost = method.cost_for(gross_goods) if needs_shipping else ZERO
            return {"cost": vat.net_of(cost, method.tax_rate), "free_over": method.free_over}

    shipping_choices = _radio_choices(form["shipping_method"], shipping_info)
    selected = str(form["shipping_method"].value() or "")
    shipping_total = next(
        (c["cost"] for c in shipping_choices if str(c["obj"].pk) == selected),
        shipping_choices[0]["cost"] if shipping_choices else ZERO,
    )
    return render(
        request,
        "orders/checkout.html",
        {
            "form": form,
            "lines": lines,
            "goods_total": goods_total,
            "needs_shipping": needs_shipping,
            "shipping_choices": shipping_choices,
            "payment_choices": _radio_choices(form["payment_method"], lambda m: {}),
            "shipping_total": shipping_total,
            "estimated_total": goods_total + shipping_total,
            "customer": customer,
            "reverse_charge": reverse_charge,
        },
    )


def _reverse_charge_preview(form, needs_shipping):
    """Whether the placement will invoice this input without VAT (reverse charge), for the
    summary — the placement decides it again from the same rule."""
    value = (
        (lambda name: form.data.get(name, ""))
        if form.is_bound
        else (lambda name: form.initial.get(name, ""))
    )
    if not value("is_business"):
        return False
    billing_country = value("billing_country") or "DE"
    same = value("ship_to_billing") if form.is_bound else True
    shipping_country = billing_country if same else (value("shipping_country") or "DE")
    return vat.reverse_charge_applies(
        value("vat_id"),
        billing_country,
        shipping_country,
        ShopSettings.load().country,
        needs_shipping,
    )


def success(request):
    order_id = request.session.get(SUCCESS_SESSION_KEY)
    if not order_id:
        return redirect("shop:home")
    order = get_object_or_404(
        Order.objects.select_related("payment_method", "shipping_method").prefetch_related("lines"),
        pk=order_id,
    )
    lines = list(order.lines.all())
    return render(
        request,
        "orders/success.html",
        {"order": order, "lines": lines, "taxes": order.tax_breakdown(lines)},
    )


# --------------------------------------------------------------------------------------------
# Customer account: orders, invoices, packing slips, downloads (S3). A customer only ever
# reaches their own orders; anything else is a 404, never a 403.
# --------------------------------------------------------------------------------------------


def _own_order(request, number):
    queryset = Order.objects.select_related("payment_method", "shipping_method").prefetch_related(
        "lines",
        "invoices__credit_note",
        Prefetch(
            "shipments",
            queryset=Shipment.objects.prefetch_related("lines__order_line", "tracking"),
        ),
        Prefetch(
            "comments",
            queryset=OrderComment.objects.filter(visible_to_customer=True),
            to_attr="visible_comments",
        ),
        "download_links__order_line",
    )
    return get_object_or_404(queryset, number=number, customer_id=request.user.pk)


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
        {
            "order": order,
            "state": services.order_state(order),
            "shipments": list(order.shipments.all()),
            "downloads": list(order.download_links.all()),
            "tax_rows": order.tax_breakdown(),
        },
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


@login_required
def account_credit_note_pdf(request, number):
    order = _own_order(request, number)
    credit_note = order.credit_note
    if credit_note is None:
        raise Http404
    return pdf_response(pdf.render_credit_note(credit_note), credit_note.filename)


@login_required
def account_packing_slip(request, number, shipment):
    order = _own_order(request, number)
    found = next((s for s in order.shipments.all() if s.pk == shipment), None)
    if found is None:
        raise Http404
    return pdf_response(pdf.render_packing_slip(found), found.filename)


def download(request, token):
    """The e-mailed download link: the token is the credential (guests have no account)."""
    try:
        link = services.use_download_link(token)
    except services.DownloadError as exc:
        return render(
            request,
            "orders/download_unavailable.html",
            {"message": exc.message, "status": exc.status},
            status=exc.status,
        )
    file = link.order_line.product.download_file
    return FileResponse(file.open("rb"), as_attachment=True, filename=os.path.basename(file.name))
