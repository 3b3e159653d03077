from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .cart import Cart
from .models import Category, Product


def home(request):
    products = Product.objects.active().select_related("category").order_by("-created")[:8]
    return render(request, "shop/home.html", {"products": products})


def category(request, slug):
    cat = get_object_or_404(Category, slug=slug)
    products = Product.objects.active().filter(category=cat).select_related("category")
    return render(request, "shop/product_list.html", {"category": cat, "products": products})


def product_list(request):
    products = Product.objects.active().select_related("category")
    q = request.GET.get("q", "").strip()
    if q:
        products = products.filter(name__icontains=q)
    return render(request, "shop/product_list.html", {"products": products, "q": q})


def product_detail(request, slug):
    product = get_object_or_404(Product.objects.active().select_related("category"), slug=slug)
    return render(request, "shop/product_detail.html", {"product": product})


def cart_view(request):
    cart = Cart(request)
    lines = cart.lines()
    return render(
        request, "shop/cart.html", {"lines": lines, "goods_total": cart.goods_total(lines)}
    )


@require_POST
def cart_add(request):
    product = Product.objects.active().filter(pk=request.POST.get("product")).first()
    try:
        quantity = int(request.POST.get("quantity", 1))
    except ValueError:
        quantity = 0
    if product is None or not 1 <= quantity <= 99:
        messages.error(request, _("This product cannot be added to the cart."))
        return redirect(request.META.get("HTTP_REFERER") or "shop:home")
    if not product.in_stock:
        messages.error(request, _("%(name)s is sold out.") % {"name": product.name})
        return redirect(product)
    Cart(request).add(product, quantity)
    messages.success(request, _("%(name)s was added to your cart.") % {"name": product.name})
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    cart = Cart(request)
    for key, value in request.POST.items():
        if key.startswith("qty-"):
            try:
                cart.set(int(key[4:]), int(value))
            except ValueError:
                messages.error(request, _("Please enter a whole number as quantity."))
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
