import threading
import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.paginator import InvalidPage, Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import listing, stock_notices
from .cart import MAX_QUANTITY, Cart, available, limited_by_stock
from .clientip import client_ip
from .db import search_products, suggest_product_word
from .exceptions import LinkNotValid, add_to_form
from .forms import ProductSearchForm, StockNoticeForm, parse_id
from .middleware import storefront_path
from .models import (
    Category,
    PaymentMethod,
    Product,
    ShippingMethod,
    ShopSettings,
    country_list,
)
from .pagecache import cached_page, cart_variant

PAGE_SIZE = 24


def _page(request, queryset):
    """The page of ``?page=`` (the first without it). A page the list does not have — 0, -1,
    9999, "abc" — is not found, as in Django's ``ListView``: ``get_page`` answered each with
    the first or the last page under the asked address (a crawler's endless duplicates)."""
    number = request.GET.get("page") or 1
    try:
        return Paginator(queryset, PAGE_SIZE).page(number)
    except InvalidPage:
        raise Http404 from None


@cached_page()
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
        {
            "products": products,
            "categories": categories,
            "free_shipping": _free_shipping(),
            # the ways to pay the shop really offers (templates/shop/home.html)
            "payment_methods": PaymentMethod.active_rows(),
        },
    )


def _free_shipping():
    """The active shipping method with the cheapest free-shipping threshold (or None): the
    start page and the cart name its threshold, and its countries when it is limited to
    some ("free shipping to Germany"), so that nobody elsewhere is promised it."""
    methods = [m for m in ShippingMethod.active_rows() if m.free_over is not None]
    return min(methods, key=lambda m: (m.free_over, m.position, m.pk), default=None)


@cached_page()
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


@cached_page()
def product_list(request):
    """All products, or the search: full text in the customer's language with typo
    tolerance (``shop.db.search_products``), filters by category and price, a result count
    and "did you mean" when nothing matches."""
    params = request.GET.copy()
    params["q"] = params.get("q", "")[:100]
    form = ProductSearchForm(params)
    form.is_valid()
    data = form.cleaned_data
    q = (data.get("q") or "").strip()
    products = Product.objects.active().with_current_price()
    if q:
        products = search_products(products, q, get_language())
    if data.get("category"):
        products = products.filter(category=data["category"])
    if data.get("min_price") is not None:
        products = products.filter(effective_price__gte=data["min_price"])
    if data.get("max_price") is not None:
        products = products.filter(effective_price__lte=data["max_price"])
    page = _page(request, listing.annotate(products.select_related("category")))
    suggestion = None
    if q and not page.paginator.count:
        suggestion = suggest_product_word(Product.objects.active(), q)
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "shop/product_list.html",
        {
            "products": page,
            "q": q,
            "form": form,
            "suggestion": suggestion,
            "query_string": query.urlencode(),
            "searching": bool(q) or form.filtered,
        },
    )


@cached_page()
def shipping_costs(request):
    """The shipping costs page, generated from the active shipping methods (linked from
    every "plus shipping")."""
    methods = ShippingMethod.active_rows()
    return render(
        request,
        "shop/shipping_costs.html",
        {
            "methods": methods,
            # where the shop delivers, and a column of where each method goes once one is
            # limited to some countries (ShippingMethod.countries)
            "countries": country_list(ShippingMethod.served_countries()) if methods else "",
            "limited": any(method.countries for method in methods),
        },
    )


# The legal pages: (ShopSettings field, title). Each is edited per language in the
# backoffice (shop settings); the imprint is built from the company details while empty.
LEGAL_PAGES = {
    "terms": ("terms", gettext_lazy("Terms and conditions")),
    "privacy": ("privacy_notice", gettext_lazy("Privacy notice")),
    "imprint": ("imprint", gettext_lazy("Imprint")),
}


@cached_page()
def legal_page(request, page):
    """Terms, privacy notice or imprint in the active language (the default language's text
    where that translation is empty). A page without any text is not found — the footer
    links only the pages there are."""
    field, title = LEGAL_PAGES[page]
    shop = ShopSettings.load()
    text = getattr(shop, field)
    if not text and page != "imprint":
        raise Http404(title)
    return render(
        request, "shop/legal.html", {"page": page, "title": title, "text": text, "shop": shop}
    )


@cached_page()
def accessibility(request):
    """The accessibility statement the European Accessibility Act requires, generated from
    the shop settings (status, known limitations, feedback contact, enforcement body, date of
    the last review); linked in every page's footer."""
    return render(request, "shop/accessibility.html")


@cached_page()
def product_detail(request, slug):
    product = get_object_or_404(
        listing.annotate(
            Product.objects.active().select_related("category").prefetch_related("images")
        ),
        slug=slug,
    )
    related = listing.annotate(
        Product.objects.active()
        .filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .select_related("category")[:4]
    )
    # The back-in-stock form of a sold-out product: shown again with its errors after a POST
    # (stock_notice_request), else empty — for a guest (the cached page) without an address.
    notice_form = getattr(request, "stock_notice_form", None)
    if notice_form is None and stock_notices.wanted(product):
        notice_form = StockNoticeForm(user=request.user)
    return render(
        request,
        "shop/product_detail.html",
        {
            "product": product,
            "related": related,
            "images": list(product.images.all()),
            "notice_form": notice_form,
        },
    )


def _to_notice_form(product):
    """Back to the product page, scrolled to the message that says what happened (it stands
    above the page; at the form it was out of sight, as the reviews found)."""
    return redirect(product.get_absolute_url() + "#messages")


@require_POST
def stock_notice_request(request, slug):
    """The back-in-stock form. Whatever the address asked before, the answer is the same
    (``stock_notices.REQUESTED``); a wrong address shows the page again with the error."""
    product = get_object_or_404(Product.objects.active(), slug=slug)
    ip = client_ip(request)
    if not stock_notices.wanted(product):
        messages.info(request, _("This product is available: you can order it now."))
        return redirect(product)
    if stock_notices.REQUESTS.exceeded(ip):
        messages.error(request, stock_notices.THROTTLED)
        return _to_notice_form(product)
    form = StockNoticeForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            stock_notices.request_notice(
                product, form.cleaned_data["email"], language=get_language()
            )
        except stock_notices.StockNoticeError as exc:
            add_to_form(form, exc)
        else:
            stock_notices.REQUESTS.hit(ip)
            messages.success(request, stock_notices.REQUESTED)
            return _to_notice_form(product)
    request.stock_notice_form = form
    return product_detail(request, slug)


@require_http_methods(["GET", "POST"])
def stock_notice_confirm(request, signed):
    """The link of the confirmation e-mail: shows the product, and confirms the notice with
    a button (a GET changes nothing: mail scanners open links)."""
    notice = stock_notices.notice_from_confirm_link(signed)
    if notice is None:
        raise LinkNotValid()
    if request.method == "POST":
        try:
            notice = stock_notices.confirm_notice(notice)
        except stock_notices.StockNoticeError as exc:
            raise LinkNotValid(exc.message) from None
        return redirect(request.path)
    return render(request, "shop/stock_notice_confirm.html", {"notice": notice})


@require_http_methods(["GET", "POST"])
def stock_notice_cancel(request, signed):
    """The "no longer interested" link of both e-mails: a button deletes the notice."""
    notice = stock_notices.notice_from_cancel_link(signed)
    if notice is None:
        raise LinkNotValid()
    done = False
    if request.method == "POST":
        stock_notices.cancel_notice(notice)
        done = True
    return render(request, "shop/stock_notice_cancel.html", {"notice": notice, "done": done})


@cached_page(variant=cart_variant)
def cart_view(request):
    cart = Cart(request)
    lines = cart.lines()
    goods_total = cart.goods_total(lines)
    needs_shipping = any(line.product.needs_shipping for line in lines)
    # The cheapest free-shipping threshold tells the customer how far away free delivery is;
    # gift cards do not count towards it (a means of payment, not goods).
    free_shipping = _free_shipping()
    free_over = free_shipping.free_over if free_shipping else None
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
            "above_stock": any(line.above_stock for line in lines),
            "goods_total": goods_total,
            "free_over": free_over if needs_shipping else None,
            "missing_for_free": missing_for_free,
            # the countries of a method limited to some (ShippingMethod.countries)
            "free_to": free_shipping.country_names if free_shipping else "",
        },
    )


def _back(request):
    """Where a refused add-to-cart goes: the page it came from, never another site."""
    referer = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        referer = "shop:home"
    return redirect(referer)


def _capped(product, before, now):
    """What to tell a customer whose line holds fewer than they asked for: ``before`` and
    ``now`` are the line's quantities before and after."""
    values = {"name": product.name, "quantity": now, "max": MAX_QUANTITY}
    if not limited_by_stock(product):
        if now == before:
            message = _(
                "You can order at most %(max)s × %(name)s, and your cart already holds "
                "%(quantity)s."
            )
        else:
            message = _(
                "You can order at most %(max)s × %(name)s; your cart now holds %(quantity)s."
            )
        return message % values
    values["stock"] = available(product)
    if now == before:
        message = ngettext(
            "Only %(stock)s × %(name)s is available and it is already in your cart.",
            "Only %(stock)s × %(name)s are available and all of them are already in your cart.",
            values["stock"],
        )
    else:
        message = ngettext(
            "Only %(stock)s × %(name)s is available; your cart now holds %(quantity)s.",
            "Only %(stock)s × %(name)s are available; your cart now holds %(quantity)s.",
            values["stock"],
        )
    return message % values


@require_POST
def cart_add(request):
    product_id = request.POST.get("product", "")
    product = (
        Product.objects.active().filter(pk=parse_id(product_id)).first()
        if parse_id(product_id) is not None
        else None
    )
    if product is None:
        messages.error(request, _("This product cannot be added to the cart."))
        return _back(request)
    if not product.orderable:
        messages.error(request, _("%(name)s is sold out.") % {"name": product.name})
        return redirect(product)
    quantity = parse_id(request.POST.get("quantity", "1").strip()) or 0
    if not 1 <= quantity <= MAX_QUANTITY:
        messages.error(
            request, _("Please enter a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY}
        )
        return _back(request)
    cart = Cart(request)
    before = cart.quantity(product.pk)
    now = cart.add(product, quantity)
    if now == before + quantity:
        messages.success(request, _("%(name)s was added to your cart.") % {"name": product.name})
    else:
        messages.warning(request, _capped(product, before, now))
    return redirect("shop:cart")


@require_POST
def cart_update(request):
    """Set quantities (``qty-<product id>``; 0 removes) or remove one line (``remove``). A
    quantity above the stock is capped at it, and a line whose product sold out meanwhile
    is removed, each with a warning (``shop.cart.available``)."""
    cart = Cart(request)
    remove = request.POST.get("remove")
    if remove:
        if parse_id(remove) is not None:
            cart.set(parse_id(remove), 0)
            messages.success(request, _("The product was removed from your cart."))
        return redirect("shop:cart")
    updates = {}
    for key, value in request.POST.items():
        if not key.startswith("qty-"):
            continue
        product_id, quantity = parse_id(key[4:]), parse_id(value.strip())
        if product_id is None or quantity is None:
            messages.error(request, _("Please enter a whole number as quantity."))
            return redirect("shop:cart")
        if not 0 <= quantity <= MAX_QUANTITY:
            messages.error(
                request,
                _("Please enter a quantity between 0 and %(max)d.") % {"max": MAX_QUANTITY},
            )
            return redirect("shop:cart")
        if str(product_id) in cart.items:  # the update form cannot add products
            updates[product_id] = quantity
    products = Product.objects.active().in_bulk(list(updates)) if updates else {}
    warnings = []
    for product_id, quantity in updates.items():
        product = products.get(product_id)
        if product is None or quantity <= available(product):
            cart.set(product_id, quantity)
        elif available(product) == 0:
            cart.set(product_id, 0)
            warnings.append(
                _("%(name)s is sold out and was removed from your cart.") % {"name": product.name}
            )
        else:
            before = cart.quantity(product_id)
            warnings.append(_capped(product, before, cart.set(product_id, available(product))))
    messages.success(request, _("Your cart was updated."))
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("shop:cart")


# ---------------------------------------------------------------------------------------
# Error pages (handler400 / handler403 / handler404 in shop/urls.py; the 500 page is
# Django's own view with templates/500.html, which needs neither context nor database)
# ---------------------------------------------------------------------------------------


def page_not_found(request, exception=None):
    """404. A staff member in the backoffice gets the backoffice layout; everyone else the
    storefront's page with the way back (home, search), in the language of the address
    (``/pl/…`` Polish, unprefixed the default language). An unprefixed address that names
    no page at all (a mistyped ``/nie-ma/``) speaks the language the visitor chose (the
    language cookie): the middleware sends such visitors to a page in their language, but
    has no page to send them to."""
    if request.path.startswith("/backoffice/") and _is_staff(getattr(request, "user", None)):
        from .admin import backoffice

        return render(request, "admin/404.html", backoffice.each_context(request), status=404)
    chosen = _chosen_language(request)
    if chosen is not None:
        translation.activate(chosen)  # also the response's Content-Language (middleware)
        request.LANGUAGE_CODE = chosen
    if isinstance(exception, LinkNotValid):
        return render(request, "link_not_valid.html", {"message": exception.message}, status=404)
    return render(request, "404.html", status=404)


def _is_staff(user):
    return user is not None and user.is_active and user.is_staff


def _chosen_language(request):
    """The language cookie's language for an unprefixed storefront address that matched no
    URL pattern, if it is one of the shop's and not the default; else None."""
    path = request.path_info
    if (
        getattr(request, "resolver_match", None) is not None
        or not storefront_path(path)
        or translation.get_language_from_path(path)
    ):
        return None
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen == settings.LANGUAGE_CODE or chosen not in dict(settings.LANGUAGES):
        return None
    return chosen


def bad_request(request, exception=None):
    """400, e.g. a NUL byte in the form data (shop.middleware): the storefront layout."""
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    """403. In the backoffice a staff member sees the backoffice layout, what their role
    refuses — a section outside it, or an action in a section they may only look at — and
    the way back; elsewhere the storefront's page."""
    user = getattr(request, "user", None)
    if request.path.startswith("/backoffice/") and _is_staff(user):
        from .admin import backoffice
        from .roles import role_label

        section, model_admin = _backoffice_section(request)
        # A role that may look at the section was refused what the page does (a refund, a
        # cancellation, an edit): name that, not the whole section the role can open.
        view_only = model_admin is not None and model_admin.has_view_permission(request)
        reason = str(exception) if exception is not None and exception.args else ""
        if reason:  # the view said why: this record, not the section or the action
            title = _("You don't have access to this page")
        elif view_only:
            title = _("You can view %(section)s, but not carry out this action") % {
                "section": section
            }
        elif section:
            title = _("You don't have access to %(section)s") % {"section": section}
        else:
            title = _("You don't have access to this page")
        referer = request.META.get("HTTP_REFERER", "")
        back_url = (
            referer
            if referer
            and url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            and not referer.endswith(request.path)
            else ""
        )
        # The roles as the backoffice names them elsewhere (the reader's language), not the
        # groups' stored English names.
        roles = sorted(
            (str(role_label(name)) for name in user.groups.values_list("name", flat=True)),
            key=str.casefold,
        )
        context = {
            **backoffice.each_context(request),
            "reason": reason,
            "title": title,
            "section": section,
            "view_only": view_only,
            "roles": ", ".join(roles),
            "back_url": back_url,
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", status=403)


def _backoffice_section(request):
    """(The name of the backoffice section a path belongs to, e.g. "invoices", or None;
    the ModelAdmin whose view the path is, or None)."""
    from django.contrib.admin import ModelAdmin

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None, None
    func = match.func
    for candidate in (func, getattr(func, "__wrapped__", None)):
        owner = getattr(candidate, "model_admin", None) or getattr(candidate, "__self__", None)
        if isinstance(owner, ModelAdmin):
            return str(owner.model._meta.verbose_name_plural), owner
    app_label = match.kwargs.get("app_label")
    if app_label:
        try:
            return str(apps.get_app_config(app_label).verbose_name), None
        except LookupError:
            return None, None
    return None, None


def bench_bare(request):
    """The bare view of ``manage.py bench``: every middleware of the shop and nothing else,
    the limit of the stack the pages are measured against. A 404 unless ``BENCH_BARE_VIEW``
    is on (the bench's own gunicorn, or the in-process bench while it measures)."""
    if not settings.BENCH_BARE_VIEW:
        raise Http404
    return HttpResponse(b"ok", content_type="text/plain")


def healthz(request):
    """Database, broker and cache, each checked in its own thread; the answer comes within
    HEALTHZ_TIMEOUT seconds even when a dependency hangs (a check still running then counts
    as failing). 200 when all are ok, 503 naming the failing part otherwise."""
    checks = {"database": _check_database}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    results = {name: "error: timeout" for name in checks}

    def run(name, check):
        try:
            check()
        except Exception as exc:
            results[name] = f"error: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
        finally:
            if name == "database":
                connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=item, daemon=True, name=f"healthz-{item[0]}")
        for item in checks.items()
    ]
    deadline = time.monotonic() + settings.HEALTHZ_TIMEOUT
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    status = dict(results)  # threads still running must not change the answer
    if not settings.CELERY_BROKER_URL:
        status["broker"] = "in-process (no broker configured)"
    failing = any(value.startswith("error") for value in status.values())
    return JsonResponse(status, status=503 if failing else 200)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker():
    from .celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT)
        conn.default_channel  # noqa: B018 (opens a channel: Redis must answer)


def _check_cache():
    cache = caches["default"]
    if hasattr(cache, "ping"):
        cache.ping()
    else:
        cache.get("healthz")
