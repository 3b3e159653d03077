"""The order list's filters behind the start page's figures and its bulk actions.

Bulk actions ("Create invoices", "Print invoices", "Print pick list", "Ship orders",
"Print packing slips", "Mark paid", "Export CSV") call ``orders.services.bulk``, which goes through the single-order services.
Up to ``ASYNC_THRESHOLD`` orders run in the request; more run as a background job with the
shared progress page (``shop.jobs``). What was left out, and why, is reported either way.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shop import jobs
from shop.forms import parse_id
from shop.models import PaymentMethod, Product
from shop.personal_data import order_ref

from .models import Invoice, Order, OrderLine
from .services import bulk

SKIPPED_SHOWN = 15
CONFIRM_SHOWN = 20  # orders listed on a confirmation page; the rest as a count


LIST_VERSION_SQL = "(SELECT sum(value) FROM orders_listversion)"


def list_version():
    """The orders' list version (orders/0033): a count that every committed change of an
    order moves on, or None (no count: not PostgreSQL). The kept orders list
    (``shop.keptlists``) is keyed by it; a backoffice request reads it with its session."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {LIST_VERSION_SQL}")
        return cursor.fetchone()[0]


# --- filters ------------------------------------------------------------------------------


class ReceivableAgeFilter(admin.SimpleListFilter):
    """Invoiced, unpaid (or partly paid) pay-on-invoice orders by the age of their invoice
    (S5 open amounts)."""

    title = gettext_lazy("open invoices (pay on invoice)")
    parameter_name = "receivable"
    BUCKETS = {"0-14": (0, 14), "15-30": (15, 30), "31+": (31, None)}

    def lookups(self, request, model_admin):
        return [
            ("0-14", gettext_lazy("0–14 days")),
            ("15-30", gettext_lazy("15–30 days")),
            ("31+", gettext_lazy("over 30 days")),
            ("all", gettext_lazy("all")),
        ]

    @classmethod
    def receivables(cls, queryset):
        return queryset.filter(
            payment_method__kind=PaymentMethod.Kind.INVOICE,
            payment_status__in=[*Order.AWAITING_PAYMENT, Order.PaymentStatus.AUTHORIZED],
        ).exclude(status__in=[Order.Status.CANCELED, Order.Status.CLOSED])

    @classmethod
    def invoiced_between(cls, younger_days, older_days, now=None):
        """Invoices created ``younger_days``..``older_days`` days ago (None = no limit)."""
        today = timezone.localdate(now)
        invoices = Invoice.objects.filter(order=OuterRef("pk"))
        tz = timezone.get_current_timezone()
        if younger_days is not None:
            newest = today - timedelta(days=younger_days)
            invoices = invoices.filter(
                created__lt=datetime.combine(newest + timedelta(days=1), time.min, tzinfo=tz)
            )
        if older_days is not None:
            oldest = today - timedelta(days=older_days)
            invoices = invoices.filter(created__gte=datetime.combine(oldest, time.min, tzinfo=tz))
        return Exists(invoices)

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        queryset = self.receivables(queryset)
        if value == "all":
            return queryset.filter(Exists(Invoice.objects.filter(order=OuterRef("pk"))))
        if value not in self.BUCKETS:
            return queryset.none()
        return queryset.filter(self.invoiced_between(*self.BUCKETS[value]))


class ShippingFilter(admin.SimpleListFilter):
    """Open orders with goods left to ship: ready (the payment allows it) or waiting for
    the bank transfer (``OrderQuerySet.ready_to_ship``). The start page's "Orders to ship"
    links here; "Ship orders" and "Print pick list" work on what it lists."""

    title = gettext_lazy("shipping")
    parameter_name = "to_ship"

    def lookups(self, request, model_admin):
        return [
            ("ready", gettext_lazy("Ready to ship")),
            ("awaiting_payment", gettext_lazy("Waiting for payment")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "ready":
            return queryset.ready_to_ship()
        if self.value() == "awaiting_payment":
            return queryset.awaiting_payment_to_ship()
        return queryset


class PaymentAwaitedFilter(admin.SimpleListFilter):
    """Open prepayment orders whose bank transfer has not (fully) arrived
    (``OrderQuerySet.transfers_awaited``): the start page's "Bank transfers awaited" links
    here."""

    title = gettext_lazy("payment awaited")
    parameter_name = "awaited"

    def lookups(self, request, model_admin):
        return [("transfer", gettext_lazy("Bank transfers awaited"))]

    def queryset(self, request, queryset):
        if self.value() == "transfer":
            return queryset.transfers_awaited()
        if self.value() is not None:
            return queryset.none()
        return queryset


class BuyerFilter(admin.SimpleListFilter):
    """First order of its buyer (by e-mail address, guests included) or a repeat order."""

    title = gettext_lazy("buyer")
    parameter_name = "buyer"

    def lookups(self, request, model_admin):
        return [
            ("new", gettext_lazy("First order (new customer)")),
            ("returning", gettext_lazy("Repeat order (returning customer)")),
        ]

    @staticmethod
    def earlier_order():
        return Exists(
            Order.objects.filter(email=OuterRef("email"), created__lt=OuterRef("created"))
        )

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(~self.earlier_order())
        if self.value() == "returning":
            return queryset.filter(self.earlier_order())
        return queryset


class ProductFilter(admin.SimpleListFilter):
    """Orders with a line of one product (the start page's top products link here). Shown
    in the sidebar only while it is in use: the catalog is too long for a list of links."""

    title = gettext_lazy("product")
    parameter_name = "product"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        product_id = parse_id(value)
        # A value that is no id is listed too: a filter without choices is not applied, and
        # the list would show every order as if filtered (queryset() shows none).
        product = Product.objects.filter(pk=product_id).first() if product_id is not None else None
        return [(value, product.name if product else value)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        product_id = parse_id(value)
        if product_id is None:
            return queryset.none()
        return queryset.filter(
            Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_id=product_id))
        )


# --- bulk actions -------------------------------------------------------------------------


class BulkActionsMixin:
    """The order list's bulk actions (for OrderAdmin)."""

    actions = [
        "bulk_create_invoices",
        "bulk_print_invoices",
        "bulk_print_pick_list",
        "bulk_ship",
        "bulk_print_packing_slips",
        "bulk_mark_paid",
        "bulk_export_csv",
    ]

    def has_payments_permission(self, request):
        """The money side of orders (``orders.handle_payments``: Payments, Shop manager),
        for ``@admin.action(permissions=["payments"])``; the goods side is "change"."""
        return request.user.has_perm("orders.handle_payments")

    def _run_bulk(self, request, queryset, kind, title, permission, confirm=None):
        """``confirm``: (what will happen, the button) — for actions that issue documents,
        take money or send goods, a page listing the orders asks first."""
        ids = list(queryset.order_by().values_list("pk", flat=True)[: bulk.MAX_ORDERS + 1])
        if len(ids) > bulk.MAX_ORDERS:
            self.message_user(
                request,
                _("Select at most %(max)s orders at once; filter the list first.")
                % {"max": formats.number_format(bulk.MAX_ORDERS, force_grouping=True)},
                messages.ERROR,
            )
            return None
        if confirm and request.POST.get("confirm") != "yes":
            return self._confirm_page(request, queryset, len(ids), title, *confirm)
        params = {
            "ids": ids,
            "subjects": [order_ref(pk) for pk in ids],
            "back": request.get_full_path(),
        }
        options = {"title": title, "permission": permission, "user": request.user}
        if len(ids) > bulk.ASYNC_THRESHOLD:
            job = jobs.start(kind, params, **options)
            return HttpResponseRedirect(job.get_absolute_url())
        job = jobs.run_inline(kind, params, **options)
        return self._report(request, job)

    def _confirm_page(self, request, queryset, count, title, question, button):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "question": question(count),
            "button": button(count),
            "count": count,
            "preview": list(
                queryset.select_related("payment_method").order_by("number")[:CONFIRM_SHOWN]
            ),
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/orders/order/bulk_confirm.html", context)

    def _report(self, request, job):
        """A file without anything skipped is the answer itself; otherwise the result page
        (file and skipped orders), or a message on the list for state changes."""
        if job.status != job.Status.DONE:
            self.message_user(request, job.error, messages.ERROR)
            return None
        skipped = job.result.get("skipped", [])
        if job.file and not skipped:
            response = HttpResponse(job.file.read(), content_type=_content_type(job.filename))
            response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
            job.file.close()
            return response
        if job.file or len(skipped) > SKIPPED_SHOWN:
            return HttpResponseRedirect(job.get_absolute_url())
        job.delete()  # nothing to keep: the message says it all
        self.message_user(request, job.result["summary"], messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d order skipped: %(list)s",
                    "%(n)d orders skipped: %(list)s",
                    len(skipped),
                )
                % {"n": len(skipped), "list": "; ".join(f"{n} ({why})" for n, why in skipped)},
                messages.WARNING,
            )
        return None

    @admin.action(description=gettext_lazy("Create invoices"), permissions=["change"])
    def bulk_create_invoices(self, request, queryset):
        return self._run_bulk(
            request,
            queryset,
            "orders.create_invoices",
            _("Create invoices"),
            "orders.change_order",
            confirm=(
                lambda n: (
                    ngettext(
                        "Create the invoice of %(n)d order? It gets the next invoice number and is "
                        "final (only a credit note corrects it); an authorized card payment is "
                        "captured. Orders already invoiced or canceled are left out.",
                        "Create the invoices of %(n)d orders? Each gets the next invoice number "
                        "and is final (only a credit note corrects it); authorized card payments "
                        "are captured. Orders already invoiced or canceled are left out.",
                        n,
                    )
                    % {"n": n}
                ),
                lambda n: (
                    ngettext("Yes, create %(n)d invoice", "Yes, create %(n)d invoices", n)
                    % {"n": n}
                ),
            ),
        )

    @admin.action(description=gettext_lazy("Print invoices (one PDF)"), permissions=["view"])
    def bulk_print_invoices(self, request, queryset):
        return self._run_bulk(
            request, queryset, "orders.print_invoices", _("Print invoices"), "orders.view_order"
        )

    # The warehouse's papers are goods work (the Order clerk's): "change".
    @admin.action(description=gettext_lazy("Print pick list (one PDF)"), permissions=["change"])
    def bulk_print_pick_list(self, request, queryset):
        return self._run_bulk(
            request, queryset, "orders.print_pick_list", _("Print pick list"), "orders.change_order"
        )

    @admin.action(
        description=gettext_lazy("Ship orders and print packing slips"), permissions=["change"]
    )
    def bulk_ship(self, request, queryset):
        return self._run_bulk(
            request,
            queryset,
            "orders.ship",
            _("Ship orders"),
            "orders.change_order",
            confirm=(
                lambda n: (
                    ngettext(
                        "Ship everything left to ship of %(n)d order? A shipment is recorded "
                        "and its packing slip printed. Orders waiting for a bank transfer, "
                        "shipped or canceled are left out.",
                        "Ship everything left to ship of %(n)d orders? A shipment is recorded "
                        "for each and their packing slips printed. Orders waiting for a bank "
                        "transfer, shipped or canceled are left out.",
                        n,
                    )
                    % {"n": n}
                ),
                lambda n: ngettext("Yes, ship %(n)d order", "Yes, ship %(n)d orders", n) % {"n": n},
            ),
        )

    @admin.action(description=gettext_lazy("Print packing slips (one PDF)"), permissions=["change"])
    def bulk_print_packing_slips(self, request, queryset):
        return self._run_bulk(
            request,
            queryset,
            "orders.print_packing_slips",
            _("Print packing slips"),
            "orders.change_order",
        )

    @admin.action(
        description=gettext_lazy("Mark paid (prepayment orders)"), permissions=["payments"]
    )
    def bulk_mark_paid(self, request, queryset):
        return self._run_bulk(
            request,
            queryset,
            "orders.mark_paid",
            _("Mark prepayment orders paid"),
            "orders.handle_payments",
            confirm=(
                lambda n: (
                    ngettext(
                        "Mark %(n)d order as paid? Do this only once its bank transfer has "
                        "arrived: gift cards and download links are sent and loyalty points "
                        "booked. Orders that are not prepayment orders or already paid are left "
                        "out.",
                        "Mark %(n)d orders as paid? Do this only once their bank transfers have "
                        "arrived: gift cards and download links are sent and loyalty points "
                        "booked. Orders that are not prepayment orders or already paid are left "
                        "out.",
                        n,
                    )
                    % {"n": n}
                ),
                lambda n: (
                    ngettext("Yes, mark %(n)d order as paid", "Yes, mark %(n)d orders as paid", n)
                    % {"n": n}
                ),
            ),
        )

    @admin.action(description=gettext_lazy("Export CSV"), permissions=["view"])
    def bulk_export_csv(self, request, queryset):
        return self._run_bulk(
            request, queryset, "orders.export_csv", _("Export orders"), "orders.view_order"
        )


def _content_type(filename):
    return "text/csv; charset=utf-8" if filename.endswith(".csv") else "application/pdf"


def register_jobs():
    for kind, handler in bulk.JOBS.items():
        jobs.register(kind, handler)
