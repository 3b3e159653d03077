from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import listing
from .cart import MAX_QUANTITY, Cart
from .models import Category, Product, ShippingMethod

PAGE_SIZE = 24


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request):
    products = listing.annotate(Product.objects.active().select_related("category")).order_by(
        "-created"
    )[:8]
    categories = Category.objects.annotate(
        product_count=Count("products", filter=Q(products__is_active=True))
    )
    return render(
        request,
        "shop/home.html",
        {"products": products, "categories": categories, "free_over": _free_shipping_from()},
    )


def _free_shipping_from():
    """The cheapest free-shipping threshold of the active shipping methods (or None)."""
    return (
        ShippingMethod.objects.filter(is_active=True, free_over__isnull=False)
        .order_by("free_over")
        .values_list("free_over", flat=True)
        .first()
    )


def category(request, slug):
    cat = get_object_or_404(Category, slug=slug)
    products = listing.annotate(
        Product.objects.active().filter(category=cat).select_related("category")
    )
    return render(
        request,
        "shop/product_list.html",
        {"category": cat, "products": _page(request, products)},
    )


def product_list(request):
    products = listing.annotate(Product.objects.active().select_related("category"))
    q = request.GET.get("q", "").strip()[:100]
    if q:
        products = products.filter(Q(name__icontains=q) | Q(sku__iexact=q))
    return render(request, "shop/product_list.html", {"products": _page(request, products), "q": q})


def product_detail(request, slug):
    product = get_object_or_404(
        listing.annotate(Product.objects.active().select_related("category")), slug=slug
    )
    related = listing.annotate(
        Product.objects.active()
        .filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .select_related("category")[:4]
    )
    return render(request, "shop/product_detail.html", {"product": product, "related": related})


def cart_view(request):
    cart = Cart(request)
    lines = cart.lines()
    goods_total = cart.goods_total(lines)
    needs_shipping = any(line.product.needs_shipping for line in lines)
    # The cheapest free-shipping threshold tells the customer how far away free delivery is;
    # gift cards do not count towards it (a means of payment, not goods).
    free_over = _free_shipping_from()
    counted = cart.discountable_total(lines)
    missing_for_free = (
        free_over - counted
        if needs_shipping and free_over is not None and counted < free_over
        else None
    )
    return render(
        request,
        "shop/cart.html",
        {
            "cart": cart,
            "lines": lines,
            "goods_total": goods_total,
            "free_over": free_over if needs_shipping else None,
            "missing_for_free": missing_for_free,
        },
    )


@require_POST
def cart_add(request):
    product_id = request.POST.get("product", "")
    product = (
        Product.objects.active().filter(pk=int(product_id)).first()
        # ASCII digits only ("²".isdigit() is true but int() fails) and within bigint range.
        if product_id.isascii() and product_id.isdigit() and len(product_id) < 19
        else None
    )
    try:
        quantity = int(request.POST.get("quantity", 1))
    except ValueError:
        quantity = 0
    if product is None or not 1 <= quantity <= MAX_QUANTITY:
        messages.error(request, _("This product cannot be added to the cart."))
        referer = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            referer = "shop:home"
        return redirect(referer)
    if not product.in_stock:
        messages.error(request, _("%(name)s is sold out.") % {"name": product.name})
        return redirect(product)
    Cart(request).add(product, quantity)
    messages.success(request, _("%(name)s was added to your cart.") % {"name": product.name})
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    """Set quantities (``qty-<product id>``; 0 removes) or remove one line (``remove``)."""
    cart = Cart(request)
    remove = request.POST.get("remove")
    if remove:
        if remove.isascii() and remove.isdigit() and len(remove) < 19:
            cart.set(int(remove), 0)
            messages.success(request, _("The product was removed from your cart."))
        return redirect("shop:cart")
    updates = {}
    for key, value in request.POST.items():
        if not key.startswith("qty-"):
            continue
        try:
            product_id, quantity = int(key[4:]), int(value)
        except ValueError:
            messages.error(request, _("Please enter a whole number as quantity."))
            return redirect("shop:cart")
        if not 0 <= quantity <= MAX_QUANTITY:
            messages.error(
                request,
                _("Please enter a quantity between 0 and %(max)d.") % {"max": MAX_QUANTITY},
            )
            return redirect("shop:cart")
        updates[product_id] = quantity
    for product_id, quantity in updates.items():
        if str(product_id) in cart.items:
            cart.set(product_id, quantity)
    messages.success(request, _("Your cart was updated."))
    return redirect("shop:cart")


def healthz(request):
    status = {"database": "ok", "broker": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    if settings.CELERY_BROKER_URL:
        from .celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            status["broker"] = f"error: {exc.__class__.__name__}"
            code = 503
    else:
        status["broker"] = "in-process (no broker configured)"
    return JsonResponse(status, status=code)
