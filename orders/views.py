from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from customers import services as customer_services
from shop.cart import Cart
from shop.exceptions import DomainError

from . import services
from .forms import CheckoutForm
from .models import Order

SUCCESS_SESSION_KEY = "last_order_id"


def _customer(request):
    return request.user if request.user.is_authenticated and not request.user.is_staff else None


def checkout(request):
    cart = Cart(request)
    lines = cart.lines()
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    customer = _customer(request)
    goods_total = cart.goods_total(lines)
    methods = customer_services.allowed_payment_methods(customer, goods_total)
    initial = {}
    if customer:
        initial = {
            "email": customer.email,
            "phone": customer.phone,
            "billing_first_name": customer.first_name,
            "billing_last_name": customer.last_name,
            "billing_company": customer.company,
        }
        address = customer.addresses.first()
        if address:
            initial.update(
                billing_street=address.street,
                billing_postcode=address.postcode,
                billing_city=address.city,
                billing_country=address.country,
            )
    form = CheckoutForm(request.POST or None, initial=initial, payment_methods=methods)
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
            use_credit=cd["use_credit"],
            partner_consent=cd["partner_consent"],
            customer_note=cd["customer_note"],
            language=(customer.language if customer else get_language() or "en")[:2],
        )
        try:
            order = services.place_order(cart.items, data, customer=customer)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            cart.clear()
            request.session[SUCCESS_SESSION_KEY] = order.pk
            return redirect("orders:success")
    return render(
        request,
        "orders/checkout.html",
        {"form": form, "lines": lines, "goods_total": goods_total, "customer": customer},
    )


def success(request):
    order_id = request.session.get(SUCCESS_SESSION_KEY)
    if not order_id:
        return redirect("shop:home")
    order = get_object_or_404(Order.objects.select_related("payment_method"), pk=order_id)
    return render(request, "orders/success.html", {"order": order})
