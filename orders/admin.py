"""Backoffice order screens: list with a real date range, a detail page with the lifecycle
buttons, invoice and shipment pages, and the operator's new-orders feed token."""

import functools
from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from customers.models import VatIdCheck
from shop import formtokens
from shop.admin import (
    LargeListAdminMixin,
    backoffice,
    choice_label,
    date_time_cell,
    typed_date_limit,
)
from shop.exceptions import DomainError, add_to_form
from shop.forms import parse_id
from shop.formtokens import FormAlreadySent, OneTimeForm, sent_once
from shop.keptlists import KeptChangeListMixin
from shop.locales import country_name, language_name
from shop.money import MoneyField, format_money
from shop.pdf import pdf_response

from . import einvoice, services
from .admin_list import (
    LIST_VERSION_SQL,
    BulkActionsMixin,
    BuyerFilter,
    PaymentAwaitedFilter,
    ProductFilter,
    ReceivableAgeFilter,
    ShippingFilter,
    list_version,
)
from .admin_reports import SalesReportAdmin  # noqa: F401  (registers the reports page)
from .aftersales import Return
from .models import (
    FeedToken,
    Invoice,
    Order,
    OrderComment,
    OrderLine,
    Shipment,
    TrackingNumber,
)
from .pdf import render_invoice
from .services.lifecycle import CANCEL_REASON_MAX, CANCEL_REASONS

# Goods and money are separate duties (shop.roles): ``orders.change_order`` is the goods side
# of an order (invoice, ship, returns, cancel, comments), this permission its money side.
PAYMENTS_PERMISSION = "orders.handle_payments"
# The order page's money actions (``OrderAdmin.action_view``). Cancelling is goods
# (``OrderAdmin.cancel_view``): it moves no money itself — a paid order's payout is then
# Payments' "Mark as paid back", and the credit note that cancels an invoiced order is
# offered only while nothing has been paid.
MONEY_ACTIONS = frozenset(
    {"mark-paid", "record-payment", "capture", "void", "paid-back", "overpaid-back", "refund"}
)


def can_handle_payments(user):
    return user.has_perm(PAYMENTS_PERMISSION)


def can_handle_goods(user):
    return user.has_perm("orders.change_order")


def refuse_unless_payments(request):
    """403 for a user whose role does not record payments and refunds. One who works on the
    goods side is told why (the other side's work); a role that only reads orders gets the
    backoffice's "you can view, but not carry out this action"."""
    if not can_handle_payments(request.user):
        if not can_handle_goods(request.user):
            raise PermissionDenied
        raise PermissionDenied(
            _(
                "Payments and refunds (marking paid, card captures, paying back, refunds and "
                "credit notes) are recorded by the Payments role; your role does not include "
                "them."
            )
        )


def refuse_unless_goods(request):
    """403 for a user whose role does not handle an order's goods; one who works on the
    money side is told why (as ``refuse_unless_payments``)."""
    if not can_handle_goods(request.user):
        if not can_handle_payments(request.user):
            raise PermissionDenied
        raise PermissionDenied(
            _(
                "Invoices, shipments, returns and cancellations are the Order clerk's work; "
                "your role does not include them."
            )
        )


class DateRangeFilter(admin.ListFilter):
    """From / to on the order date (inclusive), as two date inputs in the sidebar, typed in
    the operator's language (``{% date_input %}``)."""

    title = gettext_lazy("order date")
    template = "admin/orders/date_range_filter.html"
    params = ("created_from", "created_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.dates = {}
        for name in self.params:
            if name in params:
                raw = params.pop(name)[-1].strip()
                value = typed_date_limit(request, raw)
                if value is not None:
                    self.dates[name] = value
                    self.used_parameters[name] = raw

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.params)

    def queryset(self, request, queryset):
        tz = timezone.get_current_timezone()
        if "created_from" in self.dates:
            start = datetime.combine(self.dates["created_from"], time.min, tzinfo=tz)
            queryset = queryset.filter(created__gte=start)
        if "created_to" in self.dates:
            end = datetime.combine(
                self.dates["created_to"] + timedelta(days=1), time.min, tzinfo=tz
            )
            queryset = queryset.filter(created__lt=end)
        return queryset

    def choices(self, changelist):
        keep = [
            (key, value)
            for key, value in changelist.params.items()
            if key not in self.params and key != "e"
        ]
        yield {
            "hidden": keep,
            "from": self.used_parameters.get("created_from", ""),
            "to": self.used_parameters.get("created_to", ""),
            "clear": changelist.get_query_string(remove=list(self.params)),
            "active": bool(self.used_parameters),
        }


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    visible_to_customer = forms.BooleanField(
        label=gettext_lazy("Visible to customer"), required=False
    )
    notify_customer = forms.BooleanField(
        label=gettext_lazy("Notify customer by e-mail"), required=False
    )


class InvoiceForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment on the invoice (optional)"),
        required=False,
        max_length=services.INVOICE_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class MarkPaidForm(OneTimeForm):
    """The order page's "Mark as paid": what arrived (empty: what is due). Less is a part
    payment, more an overpayment (``services.mark_paid``). Once per page (a one-time
    token): a double click or a page sent again records one payment, not two."""

    HELP = gettext_lazy(
        "What arrived: less than is due is recorded as a part payment (the order stays "
        "partly paid until the rest arrives), more as an overpayment to pay back."
    )

    amount = MoneyField(
        label=gettext_lazy("Amount received"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=HELP,
        widget=forms.TextInput(attrs={"size": 9, "title": HELP}),
    )


class RecordPaymentForm(MarkPaidForm):
    """Money that arrived when nothing was due (the order canceled, closed or paid already):
    recorded as an overpayment to pay back (``services.record_payment_owed_back``)."""

    HELP = gettext_lazy(
        "Money that arrived although nothing is due (the order is canceled, closed or paid "
        "already): it is recorded as an overpayment to pay back."
    )

    amount = MoneyField(
        label=gettext_lazy("Amount received"),
        min_value=Decimal("0.01"),
        help_text=HELP,
        widget=forms.TextInput(attrs={"size": 9, "title": HELP}),
    )


class CancelForm(forms.Form):
    """The cancel confirmation's reason, all of it optional: a quick reason, the operator's
    words, and whether the cancellation e-mail tells the customer (``services.cancel_order``
    checks them again)."""

    quick_reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        required=False,
        choices=[
            *((key, reason.label) for key, reason in CANCEL_REASONS.items()),
            ("", gettext_lazy("Other or none")),
        ],
        initial="",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("In your words (optional)"),
        required=False,
        max_length=CANCEL_REASON_MAX,
        # (its help, with the maximum, is the template's: _cancel_reason.html)
        widget=forms.Textarea(
            attrs={"rows": 3, "cols": 60, "aria-describedby": "id_reason_helptext"}
        ),
    )
    tell_customer = forms.BooleanField(
        label=gettext_lazy("Tell the customer the reason"),
        required=False,
        help_text=gettext_lazy(
            "The cancellation e-mail then gives it: a quick reason in the customer's "
            "language, your words as you typed them."
        ),
    )


def _detail_queryset():
    return Order.objects.select_related(
        "payment_method", "shipping_method", "customer"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.with_pictures()),
        "invoices__credit_notes",
        Prefetch("returns", queryset=Return.objects.prefetch_related("lines__order_line")),
        "withdrawals",
        Prefetch(
            "shipments",
            queryset=Shipment.objects.prefetch_related("lines__order_line", "tracking"),
        ),
        Prefetch("comments", queryset=OrderComment.objects.select_related("author")),
        "download_links__order_line",
    )


@functools.lru_cache(maxsize=16)
def _row_labels(language):
    """The labels of an orders-list row, escaped and translated once per language (not 5 × 50
    times a page)."""
    with translation.override(language):
        return (
            escape(_("More")),
            escape(_("Payment")),
            escape(_("Shipping")),
            escape(_("Country")),
            escape(_("payment status")),
        )


@admin.register(Order, site=backoffice)
class OrderAdmin(BulkActionsMixin, KeptChangeListMixin, LargeListAdminMixin, admin.ModelAdmin):
    # Five columns fit beside the navigation and the filters at 1280 px; the rest of a row
    # (payment and shipping method, country, language) is behind its "More" disclosure.
    list_display = [
        "number_column",
        "date_column",
        "customer_column",
        "total_column",
        "status_column",
    ]
    list_display_links = ["number_column"]
    list_select_related = ["payment_method", "shipping_method"]
    list_filter = [
        "status",
        "payment_status",
        "payment_method",
        DateRangeFilter,
        ShippingFilter,
        PaymentAwaitedFilter,
        ReceivableAgeFilter,
        BuyerFilter,
        ProductFilter,
    ]
    date_hierarchy = "created"
    search_fields = ["number", "email", "billing_last_name", "billing_first_name"]
    name_search_fields = ("billing_first_name", "billing_last_name")
    exact_search_fields = ("number",)
    list_per_page = 50
    change_list_template = "admin/orders/order/change_list.html"
    # The list is kept rendered per process while no order changed (shop.keptlists), with
    # the filters that read the orders table alone; the others (shipping, open invoices,
    # payment awaited, product, the counts) read lines, invoices or payments.
    kept_list_params = KeptChangeListMixin.kept_list_params | {
        "status__exact",
        "payment_status__exact",
        "payment_method__id__exact",
        "created__year",
        "created__month",
        "created__day",
        *DateRangeFilter.params,
        BuyerFilter.parameter_name,
    }

    kept_list_sql = LIST_VERSION_SQL  # (read with a backoffice request's session)

    def kept_list_version(self):
        return list_version()

    # -- list ---------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("order"), ordering="number")
    def number_column(self, obj):
        return obj.number

    @admin.display(description=gettext_lazy("date"), ordering="created")
    def date_column(self, obj):
        return date_time_cell(obj.created)

    @admin.display(description=gettext_lazy("customer"), ordering="billing_last_name")
    def customer_column(self, obj):
        more, payment, shipping, country, _status = _row_labels(get_language())
        # An f-string of escaped values: format_html() of ten arguments is half of the row.
        return mark_safe(
            f"{escape(obj.billing_name or '—')}<br>"
            f'<span class="quiet email">{escape(obj.email)}</span>'
            f'<details class="row-detail"><summary>{more}</summary>'
            f"{payment}: {escape(obj.payment_method.name)}<br>"
            f"{shipping}: {escape(obj.shipping_method.name)}<br>"
            f"{country}: {escape(country_name(obj.billing_country))} · "
            f"{escape(language_name(obj.language))}</details>"
        )

    @admin.display(description=gettext_lazy("total"), ordering="grand_total")
    def total_column(self, obj):
        return format_html(
            '<span style="white-space:nowrap">{}</span>',
            format_money(obj.grand_total, obj.currency),
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, obj):
        status, payment = escape(obj.status), escape(obj.payment_status)
        return mark_safe(
            f'<span class="order-status {status}">'
            f"{escape(choice_label(Order.Status, obj.status))}</span><br>"
            f'<span class="order-status pay-{payment}" title="{_row_labels(get_language())[4]}">'
            f"{escape(choice_label(Order.PaymentStatus, obj.payment_status))}</span>"
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # orders are removed only with a test customer (customers.services)

    # -- detail and workflow views ------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("feed-token/", wrap(self.feed_token_view), name="orders_order_feed_token"),
            path("<int:pk>/invoice/", wrap(self.invoice_view), name="orders_order_invoice"),
            path("<int:pk>/ship/", wrap(self.ship_view), name="orders_order_ship"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="orders_order_cancel"),
            *(
                path(
                    f"<int:pk>/{action}/",
                    wrap(self.action_view),
                    {"action": action},
                    name=f"orders_order_{action.replace('-', '_')}",
                )
                for action in (
                    "mark-paid",
                    "record-payment",
                    "refund",
                    "capture",
                    "void",
                    "paid-back",
                    "overpaid-back",
                    "resend-downloads",
                )
            ),
            *super().get_urls(),
        ]

    def _order(self, request, pk, change=False, money=False):
        """The order for a page of the role: ``change`` its goods side (change_order),
        ``money`` its money side (PAYMENTS_PERMISSION); a refusal says why."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if money:
            refuse_unless_payments(request)
        elif change:
            refuse_unless_goods(request)
        return get_object_or_404(_detail_queryset(), pk=pk)

    def _detail_url(self, order):
        return reverse("admin:orders_order_change", args=[order.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            pk = int(object_id)
        except ValueError:
            raise Http404 from None
        order = self._order(request, pk)
        comment_form = CommentForm()
        if request.method == "POST":
            refuse_unless_goods(request)
            comment_form = CommentForm(request.POST)
            if comment_form.is_valid():
                cd = comment_form.cleaned_data
                try:
                    services.add_comment(
                        order,
                        cd["text"],
                        visible_to_customer=cd["visible_to_customer"],
                        notify_customer=cd["notify_customer"],
                        user=request.user,
                    )
                except DomainError as exc:
                    comment_form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        _("Comment added and e-mailed to the customer.")
                        if cd["notify_customer"]
                        else _("Comment added."),
                    )
                    return redirect(self._detail_url(order))
        state = services.order_state(order)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Order %(number)s") % {"number": order.number},
            "original": order,
            "order": order,
            "state": state,
            "shipments": list(order.shipments.all()),
            "comments": list(order.comments.all()),
            "downloads": list(order.download_links.all()),
            "tax_rows": order.tax_breakdown(),
            "credit_notes": order.credit_notes,
            "returns": list(order.returns.all()),
            # Shipped units neither returned nor credited yet (none once closed or canceled),
            # for whoever may create the return (ReturnAdmin.create_view).
            "can_return": can_create_returns(request.user)
            and bool(services.returnable_units(order, state)),
            "withdrawals": list(order.withdrawals.all()),
            "comment_form": comment_form,
            "mark_paid_form": MarkPaidForm(initial={"amount": order.balance_due})
            if state.can_mark_paid
            else RecordPaymentForm()
            if state.can_record_payment
            else None,
            # the VIES answer the order's VAT treatment rests on (customers.vies): the proof
            "vat_check": order.billing_vat_id
            and VatIdCheck.objects.filter(
                vat_id=order.billing_vat_id, checked_at__lte=order.created
            )
            .order_by("-checked_at")
            .first(),
            # the goods side (invoice, ship, cancel, comments) and the money side
            "can_change": self.has_change_permission(request),
            "can_pay": can_handle_payments(request.user),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/orders/order/detail.html", context)

    def action_view(self, request, pk, action):
        actions = {
            # with an amount and a one-time token: _mark_paid
            "mark-paid": (None, None),
            "record-payment": (None, None),
            "refund": (services.refund_order, _("Order %(number)s refunded and closed.")),
            "capture": (
                services.capture_payment,
                _("Card payment of order %(number)s captured."),
            ),
            "void": (
                services.void_authorization,
                _("Card authorization of order %(number)s voided."),
            ),
            "paid-back": (
                services.mark_cancellation_refunded,
                _("The payment of order %(number)s is marked as paid back."),
            ),
            "overpaid-back": (
                services.mark_overpayment_paid_back,
                _("The overpayment of order %(number)s is marked as paid back."),
            ),
            "resend-downloads": (
                services.renew_download_links,
                _("The download links of order %(number)s were renewed and e-mailed again."),
            ),
        }
        if action not in actions:
            raise Http404
        money = action in MONEY_ACTIONS
        order = self._order(request, pk, change=not money, money=money)
        if request.method != "POST":
            if action in (
                "mark-paid",
                "record-payment",
                "capture",
                "void",
                "paid-back",
                "overpaid-back",
                "resend-downloads",
            ):
                return redirect(self._detail_url(order))
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Refund order %(number)s?") % {"number": order.number},
                "order": order,
                "action": action,
            }
            try:
                context["plan"] = services.preview_full_refund(order)
                context["account_credit_offered"] = services.refunds.account_credit_offered(
                    order, context["plan"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(self._detail_url(order))
            return TemplateResponse(request, "admin/orders/order/confirm.html", context)
        function, success = actions[action]
        extra = {}
        if action == "refund":
            extra["reason"] = request.POST.get("reason") or ""
            # to the customer's account credit instead of the payment method
            extra["to_account"] = bool(request.POST.get("to_account"))
        if action in ("mark-paid", "record-payment"):
            return self._mark_paid(request, order, owed_back=action == "record-payment")
        try:
            function(order, user=request.user, **extra)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success % {"number": order.number})
        return redirect(self._detail_url(order))

    def _mark_paid(self, request, order, owed_back):
        """ "Mark as paid" with the amount that arrived — or, where nothing is due any more,
        "Record payment received" (``owed_back``: all of it goes back) —, applied once per
        page (its one-time token). Each does only what its page said: a "Mark as paid" page
        sent after the order was paid is refused, not booked as money owed back."""
        form = (RecordPaymentForm if owed_back else MarkPaidForm)(request.POST)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields["amount"].label if field == "amount" else ""
            messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
            return redirect(self._detail_url(order))
        record = services.record_payment_owed_back if owed_back else services.mark_paid
        owed_before = order.overpayment_owed
        try:
            with sent_once(form.token, f"orders.mark_paid {order.pk}"):
                record(order, user=request.user, amount=form.cleaned_data["amount"])
        except FormAlreadySent as exc:
            messages.warning(request, exc.message)
            return redirect(self._detail_url(order))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(self._detail_url(order))
        order.refresh_from_db()
        values = {
            "number": order.number,
            "due": format_money(order.balance_due, order.currency),
            "amount": format_money(order.overpayment_owed - owed_before, order.currency),
            "owed": format_money(order.overpayment_owed, order.currency),
            "method": order.overpayment_method,  # an overpayment goes back by transfer
        }
        if owed_back:
            messages.success(
                request,
                _(
                    "%(amount)s received for order %(number)s, which owes nothing: recorded as "
                    "an overpayment. Pay back %(owed)s by bank transfer."
                )
                % values,
            )
            return redirect(self._detail_url(order))
        if order.partly_paid:
            # less than was due arrived: not "marked as paid"
            messages.success(
                request,
                _("Part payment recorded for order %(number)s: %(due)s still due.") % values,
            )
        else:
            messages.success(request, _("Order %(number)s marked as paid.") % values)
        if order.overpayment_pending:
            messages.warning(
                request,
                _("%(amount)s more than was due arrived: pay it back via %(method)s.") % values,
            )
        return redirect(self._detail_url(order))

    def _refused(self, request, form, order, exc):
        """A refusal of an order page's form: at its field (None: the form is shown again
        with it), or about the order as a whole — a message on the order's page."""
        if exc.field in form.fields:
            add_to_form(form, exc)
            return None
        messages.error(request, exc.message)
        return redirect(self._detail_url(order))

    def cancel_view(self, request, pk):
        """The cancel confirmation with the reason, and the cancellation. An invoiced order
        nothing has been paid for or shipped of is canceled with a credit note for the whole
        invoice (``state.can_cancel_with_credit_note``) — goods work like any cancellation: no
        money goes back through the payment method. The POST does what the page showed (its
        ``credit_note`` field): the services refuse what has changed since."""
        order = self._order(request, pk, change=True)
        lifecycle = services.lifecycle
        if request.method == "POST":
            with_credit_note = request.POST.get("credit_note") == "1"
            form = CancelForm(request.POST)
        else:
            with_credit_note = services.order_state(order).can_cancel_with_credit_note
            form = CancelForm()
        if form.is_valid():
            cd = form.cleaned_data
            reasons = {
                "reason": cd["reason"],
                "quick_reason": cd["quick_reason"],
                "tell_customer": cd["tell_customer"],
            }
            try:
                if with_credit_note:
                    note = lifecycle.cancel_with_credit_note(order, user=request.user, **reasons)
                else:
                    services.cancel_order(order, user=request.user, **reasons)
            except DomainError as exc:
                if (back := self._refused(request, form, order, exc)) is not None:
                    return back
            else:
                messages.success(
                    request,
                    _("Order %(number)s canceled with credit note %(credit)s.")
                    % {"number": order.number, "credit": note.number}
                    if with_credit_note
                    else _("Order %(number)s canceled.") % {"number": order.number},
                )
                return redirect(self._detail_url(order))
        # The confirmation (or the form again, with its errors): only for a cancellation that
        # would not fail.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": (
                _("Cancel order %(number)s with a credit note?")
                if with_credit_note
                else _("Cancel order %(number)s?")
            )
            % {"number": order.number},
            "order": order,
            "action": "cancel",
            "form": form,
            "with_credit_note": with_credit_note,
            "reason_max": CANCEL_REASON_MAX,
        }
        try:
            if with_credit_note:
                refusal = lifecycle.credit_note_cancel_blocker(order)
                if refusal is None:
                    context["plan"] = services.preview_full_refund(order)
                    context["invoice"] = order.invoice
            else:
                refusal = services.cancel_blocker(order) or services.cancel_refusal(order)
        except DomainError as exc:
            refusal = exc
        if refusal is not None:
            messages.error(request, refusal.message)  # the cancellation would fail
            return redirect(self._detail_url(order))
        return TemplateResponse(request, "admin/orders/order/confirm.html", context)

    def invoice_view(self, request, pk):
        order = self._order(request, pk, change=True)
        form = InvoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invoice = services.create_invoice(
                    order, comment=form.cleaned_data["comment"], user=request.user
                )
            except DomainError as exc:
                if (back := self._refused(request, form, order, exc)) is not None:
                    return back
            else:
                messages.success(
                    request,
                    _("Invoice %(number)s created. It has not been e-mailed; use “Send by e-mail”.")
                    % {"number": invoice.number},
                )
                return redirect(reverse("admin:orders_invoice_change", args=[invoice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invoice order %(number)s") % {"number": order.number},
            "order": order,
            "state": services.order_state(order),
            "tax_rows": order.tax_breakdown(),
            "form": form,
        }
        return TemplateResponse(request, "admin/orders/order/invoice_form.html", context)

    def ship_view(self, request, pk):
        order = self._order(request, pk, change=True)
        state = services.order_state(order)
        rows = [p for p in state.progress if p.line.needs_shipping]
        values = {p.line.pk: p.remaining for p in rows}
        tracking = [("dhl", "")] + [("", "")] * 2
        # The page's one-time token: sent twice (a double click, "send again") it shipped
        # the units twice — units that never left became returnable, and the order could
        # turn Complete, its withdrawal period starting, before its goods were sent.
        token = OneTimeForm(request.POST or None)
        if request.method == "POST":
            values = {p.line.pk: request.POST.get(f"qty_{p.line.pk}", "0") for p in rows}
            tracking = list(
                zip(
                    request.POST.getlist("carrier"),
                    request.POST.getlist("tracking_number"),
                    strict=False,
                )
            )
            try:
                if not token.is_valid():
                    raise DomainError(OneTimeForm.TOKEN_MISSING)
                with sent_once(token.token, f"orders.ship {order.pk}") as sent:
                    shipment = services.create_shipment(
                        order, lines=values, tracking=tracking, user=request.user
                    )
                    sent.outcome_url = reverse("admin:orders_shipment_change", args=[shipment.pk])
            except FormAlreadySent as exc:
                messages.warning(request, exc.message)
                return redirect(
                    exc.outcome_url or reverse("admin:orders_order_change", args=[order.pk])
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Shipment %(number)s created. Tracking has not been e-mailed yet.")
                    % {"number": shipment.number},
                )
                return redirect(reverse("admin:orders_shipment_change", args=[shipment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Ship order %(number)s") % {"number": order.number},
            "order": order,
            "state": state,
            "rows": [(p, values.get(p.line.pk, 0)) for p in rows],
            "tracking": tracking,
            "carriers": TrackingNumber.Carrier.choices,
            "token": token,
        }
        return TemplateResponse(request, "admin/orders/order/ship_form.html", context)

    def feed_token_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if request.POST.get("action") == "revoke":
                services.revoke_feed_token(request.user)
                messages.success(request, _("Your feed address has been revoked."))
            else:
                services.regenerate_feed_token(request.user)
                messages.success(
                    request,
                    _("A new feed address has been created; the old one no longer works."),
                )
            return redirect("admin:orders_order_feed_token")
        token = FeedToken.objects.filter(user=request.user).first()
        feed_url = (
            request.build_absolute_uri(reverse("orders:feed", args=[token.token])) if token else ""
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New-orders feed"),
            "token": token,
            "feed_url": feed_url,
        }
        return TemplateResponse(request, "admin/orders/order/feed_token.html", context)


class _DocumentAdmin(admin.ModelAdmin):
    """Invoices and shipments are created by the lifecycle only; their pages are read-only
    with the document's own actions."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("orders.change_order")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_order") or super().has_view_permission(
            request, obj
        )

    def _guard(self, request, change=False):
        allowed = (
            self.has_change_permission(request) if change else self.has_view_permission(request)
        )
        if not allowed:
            raise PermissionDenied

    @admin.display(description=gettext_lazy("order"), ordering="order__number")
    def order_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:orders_order_change", args=[obj.order_id]),
            obj.order.number,
        )


@admin.register(Invoice, site=backoffice)
class InvoiceAdmin(_DocumentAdmin):
    list_display = ["number", "created", "order_link", "buyer_name", "total_column", "sent_at"]
    list_select_related = ["order"]
    search_fields = ["=number", "=order_number", "buyer_name", "buyer_email"]
    date_hierarchy = "created"
    change_list_template = "admin/orders/invoice/change_list.html"

    @admin.display(description=gettext_lazy("total"), ordering="grand_total")
    def total_column(self, obj):
        return format_money(obj.grand_total, obj.currency)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="orders_invoice_pdf"),
            path("<int:pk>/xml/", wrap(self.xml_view), name="orders_invoice_xml"),
            path("<int:pk>/xrechnung/", wrap(self.xrechnung_view), name="orders_invoice_xrechnung"),
            path("<int:pk>/send/", wrap(self.send_view), name="orders_invoice_send"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._guard(request)
        invoice = get_object_or_404(
            Invoice.objects.select_related("order", "created_by"), pk=_int(object_id)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invoice %(number)s") % {"number": invoice.number},
            "invoice": invoice,
            "credit_notes": list(invoice.credit_notes.order_by("year", "sequence")),
            "order": invoice.order,
            "lines": invoice.typed_lines,
            "tax_rows": invoice.typed_tax_rows,
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/orders/invoice/detail.html", context)

    def pdf_view(self, request, pk):
        self._guard(request)
        invoice = get_object_or_404(Invoice.objects.select_related("order"), pk=pk)
        return pdf_response(render_invoice(invoice), invoice.filename)

    def xml_view(self, request, pk):
        """The e-invoice XML alone (the same that is embedded in the PDF)."""
        self._guard(request)
        invoice = get_object_or_404(Invoice.objects.select_related("order"), pk=pk)
        return einvoice.xml_response(einvoice.invoice_xml(invoice), invoice.xml_filename)

    def xrechnung_view(self, request, pk):
        self._guard(request)
        invoice = get_object_or_404(Invoice.objects.select_related("order"), pk=pk)
        if not invoice.buyer_reference:
            raise Http404
        return einvoice.xml_response(
            einvoice.invoice_xml(invoice, xrechnung=True), invoice.xrechnung_filename
        )

    def send_view(self, request, pk):
        self._guard(request, change=True)
        invoice = get_object_or_404(Invoice.objects.select_related("order"), pk=pk)
        if request.method == "POST":
            try:
                # once per page: a double click e-mailed the invoice and its PDF twice
                with formtokens.once(request, f"orders.send_invoice {invoice.pk}"):
                    services.send_invoice(invoice, user=request.user)
            except FormAlreadySent as exc:
                messages.warning(request, exc.message)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Invoice %(number)s is being e-mailed to %(email)s.")
                    % {"number": invoice.number, "email": invoice.order.email},
                )
        return redirect(reverse("admin:orders_invoice_change", args=[invoice.pk]))


def can_create_returns(user):
    """Creating, receiving and rejecting a return is goods work: the return's permission and
    the order's goods side (Payments may change a return only to settle it)."""
    return user.has_perm("orders.change_return") and can_handle_goods(user)


def _int(value):
    """An id from the URL or the request data; 404 for anything else (``shop.forms.parse_id``)."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


# Credit notes, returns and withdrawals (issue 20), and shipments, have their own modules.

from . import admin_aftersales, admin_shipping  # noqa: E402, F401
