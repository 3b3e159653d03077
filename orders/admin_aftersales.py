"""Backoffice screens of the order's life after delivery (issue 20): credit notes (partial
refunds, where the money goes, "refunded via …"), returns (requested → received → refunded
or rejected) and withdrawal statements. Imported by ``orders.admin``."""

import hashlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop import formtokens
from shop.admin import backoffice, date_time_cell
from shop.exceptions import DomainError
from shop.forms import parse_id
from shop.formtokens import FormAlreadySent, OneTimeForm, sent_once
from shop.money import format_money
from shop.pdf import pdf_response

from . import services
from .admin import (
    DateRangeFilter,
    _detail_queryset,
    _DocumentAdmin,
    _int,
    can_create_returns,
    can_handle_goods,
    can_handle_payments,
    refuse_unless_goods,
    refuse_unless_payments,
)
from .aftersales import Return, ReturnLine, Withdrawal
from .models import ZERO, CreditNote, Order
from .pdf import render_credit_note
from .services.returns import withdrawal_shipping_due


def _quantities(request, prefix="qty_"):
    """{line id: the quantity as entered} of the ``qty_<line id>`` fields; a key that is no
    id (``qty_²``) is no line of the order and left out."""
    quantities = {}
    for key, value in request.POST.items():
        if key.startswith(prefix):
            line_id = parse_id(key[len(prefix) :])
            if line_id is not None:
                quantities[line_id] = value
    return quantities


def _fingerprint(lines, inputs, seen_notes=""):
    """What the operator saw in the preview: "Create" acts only on exactly that (and on the
    order as it was: ``seen_notes``, its credit notes then)."""
    parts = [f"{k}={v}" for k, v in sorted(lines.items())]
    parts += [f"{k}={inputs[k]}" for k in ("shipping", "adjustment", "adjustment_text")]
    if inputs.get("to_account"):
        parts.append("to_account=1")
    parts.append(f"notes={seen_notes}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _money_inputs(request):
    return {
        "shipping": (request.POST.get("shipping") or "").strip(),
        "adjustment": (request.POST.get("adjustment") or "").strip(),
        "adjustment_text": (request.POST.get("adjustment_text") or "").strip()[:200],
        "reason": (request.POST.get("reason") or "")[:2001],
        # to the customer's account credit instead of the payment method
        "to_account": bool(request.POST.get("to_account")),
    }


def _account_credit_offered(order, plan, inputs):
    """Whether the page offers to refund to the customer's account credit (kept while it is
    ticked, so "Create" acts on what the preview showed)."""
    offered = services.refunds.account_credit_offered
    return offered(order, plan) or bool(inputs.get("to_account") and offered(order))


class PayoutFilter(admin.SimpleListFilter):
    title = gettext_lazy("refund via payment method")
    parameter_name = "payout"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("to refund")),
            ("done", _("refunded")),
            ("none", _("nothing to refund")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(paid_total__gt=0, refunded_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(refunded_at__isnull=False)
        if self.value() == "none":
            return queryset.filter(paid_total=0)
        return queryset


@admin.register(CreditNote, site=backoffice)
class CreditNoteAdmin(_DocumentAdmin):
    # (the refunds to pay out show other columns: get_list_display)
    list_display = [
        "number",
        "created",
        "order_link",
        "invoice_number",
        "total_column",
        "payout_column",
    ]
    list_filter = [PayoutFilter, "is_final"]
    # everything a row shows comes with the note (the invoice keeps the payment method's
    # name as issued): the query count does not grow with the rows
    list_select_related = ["invoice__order"]
    search_fields = ["=number", "=invoice__number", "=invoice__order__number"]

    def _paying_out(self, request):
        return request.GET.get(PayoutFilter.parameter_name) == "pending"

    def get_list_display(self, request):
        """The refunds to pay out show what the payer needs — whom, by which method, how
        much, since when — and leave out the invoice and the note's total, so the amount to
        pay out fits beside the filters."""
        if self._paying_out(request):
            return [
                "note_column",
                "order_link",
                "customer_column",
                "payment_method_column",
                "payout_column",
            ]
        return super().get_list_display(request)

    def get_ordering(self, request):
        """The refunds to pay out (``?payout=pending``) oldest first: who waits longest is paid
        first. A sorted column still wins (the change list reads it before this)."""
        if self._paying_out(request):
            return ["created", "pk"]
        return super().get_ordering(request)

    @admin.display(description=gettext_lazy("order"), ordering="invoice__order__number")
    def order_link(self, obj):
        order = obj.invoice.order
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[order.pk]), order
        )

    @admin.display(description=gettext_lazy("credit note"), ordering="created")
    def note_column(self, obj):
        """The note's number and, quiet below it, since when the money is owed: one column,
        so the payer's columns fit beside the filters in every language."""
        return format_html("{}<br>{}", obj.number, date_time_cell(obj.created))

    @admin.display(description=gettext_lazy("customer"), ordering="invoice__buyer_name")
    def customer_column(self, obj):
        """Whom the money goes to: the buyer as invoiced and the order's e-mail address (to
        ask for bank details)."""
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.invoice.buyer_name, obj.invoice.order.email
        )

    @admin.display(description=gettext_lazy("invoice"), ordering="invoice__number")
    def invoice_number(self, obj):
        return obj.invoice.number

    @admin.display(
        description=gettext_lazy("payment method"), ordering="invoice__payment_method_name"
    )
    def payment_method_column(self, obj):
        return obj.invoice.payment_method_name or "—"

    @admin.display(description=gettext_lazy("total"), ordering="grand_total")
    def total_column(self, obj):
        return "−" + format_money(obj.grand_total, obj.invoice.currency)

    @admin.display(description=gettext_lazy("refund via payment method"))
    def payout_column(self, obj):
        if not obj.paid_total:
            return "—"
        amount = format_money(obj.paid_total, obj.invoice.currency)
        if obj.refunded_at:
            return format_html('{} <span class="quiet">✓ {}</span>', amount, _("refunded"))
        return format_html(
            '<strong class="payout-pending">{} · {}</strong>', amount, _("to refund")
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "new/<int:order_pk>/", wrap(self.partial_refund_view), name="orders_creditnote_new"
            ),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="orders_creditnote_pdf"),
            path("<int:pk>/send/", wrap(self.send_view), name="orders_creditnote_send"),
            path("<int:pk>/refunded/", wrap(self.refunded_view), name="orders_creditnote_refunded"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._guard(request)
        note = get_object_or_404(
            CreditNote.objects.select_related(
                "invoice__order__payment_method", "created_by", "refunded_by"
            ),
            pk=_int(object_id),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Credit note %(number)s") % {"number": note.number},
            "credit_note": note,
            "invoice": note.invoice,
            "order": note.invoice.order,
            "lines": note.typed_lines,
            "tax_rows": note.typed_tax_rows,
            "return_request": Return.objects.filter(credit_note=note).first(),
            "can_send": self._may_send(request),
            "can_pay": can_handle_payments(request.user),
        }
        return TemplateResponse(request, "admin/orders/creditnote/detail.html", context)

    def _may_send(self, request):
        """E-mailing a credit note again: the goods side (as an invoice) or the money side
        (who issues credit notes)."""
        return can_handle_goods(request.user) or can_handle_payments(request.user)

    def pdf_view(self, request, pk):
        self._guard(request)
        note = get_object_or_404(CreditNote.objects.select_related("invoice__order"), pk=pk)
        return pdf_response(render_credit_note(note), note.filename)

    def send_view(self, request, pk):
        self._guard(request)
        if not self._may_send(request):
            raise PermissionDenied
        note = get_object_or_404(CreditNote.objects.select_related("invoice__order"), pk=pk)
        if request.method == "POST":
            try:
                with formtokens.once(request, f"orders.send_credit_note {note.pk}"):
                    services.send_credit_note(note, user=request.user)
            except FormAlreadySent as exc:
                messages.warning(request, exc.message)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Credit note %(number)s is being e-mailed to %(email)s.")
                    % {"number": note.number, "email": note.invoice.order.email},
                )
        return redirect(reverse("admin:orders_creditnote_change", args=[note.pk]))

    def refunded_view(self, request, pk):
        self._guard(request)
        refuse_unless_payments(request)
        note = get_object_or_404(CreditNote.objects.select_related("invoice__order"), pk=pk)
        if request.method == "POST":
            try:
                services.mark_refunded(note, user=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(amount)s of credit note %(number)s marked as refunded.")
                    % {
                        "amount": format_money(note.paid_total, note.invoice.currency),
                        "currency": note.invoice.currency,
                        "number": note.number,
                    },
                )
        back = request.POST.get("next") or ""
        if back == "order":
            return redirect(reverse("admin:orders_order_change", args=[note.invoice.order_id]))
        return redirect(reverse("admin:orders_creditnote_change", args=[note.pk]))

    def partial_refund_view(self, request, order_pk):
        """Choose lines, quantities, shipping and an adjustment; "Show the refund" shows the
        credit note and where the money goes; "Create credit note" issues it."""
        self._guard(request)
        refuse_unless_payments(request)
        order = get_object_or_404(_detail_queryset(), pk=order_pk)
        state = services.order_state(order)
        # The service's rule (units open returns hold are theirs); it checks again on issuing.
        refundable = services.refunds.refundable_units(order, state)
        # Gift cards bought with the order among them: crediting one takes the card back.
        rows = [p for p in state.progress if refundable.get(p.line.pk)]
        values = {p.line.pk: "0" for p in rows}
        # The delivery costs a withdrawal from the whole order owes once everything left is
        # credited: filled in, and the service refuses less on the note that completes it.
        shipping_due = services.refunds.withdrawal_shipping_owed(order, refundable)
        inputs = {
            # as the other money inputs show it: "4,90" to a German reader
            "shipping": formats.localize_input(shipping_due) if shipping_due else "",
            "adjustment": "",
            "adjustment_text": "",
            "reason": "",
        }
        plan = None
        if request.method == "POST":
            values.update(_quantities(request))
            inputs = _money_inputs(request)
            lines = {str(k): v for k, v in values.items()}
            confirm = "confirm" in request.POST
            # The credit notes the preview was made against: a second "Create" (a double
            # click, the browser's back and resubmit) finds one more and issues nothing.
            seen = request.POST.get("seen_notes", "")
            if confirm and (
                parse_id(seen) is None
                or request.POST.get("previewed") != _fingerprint(lines, inputs, seen)
            ):
                confirm = False
                messages.warning(request, _("The values changed: please check the refund again."))
            try:
                if confirm:
                    note = services.create_credit_note(
                        order, lines, user=request.user, seen_notes=parse_id(seen), **inputs
                    )
                else:
                    plan = services.preview_credit_note(
                        order,
                        lines,
                        inputs["shipping"],
                        inputs["adjustment"],
                        inputs["adjustment_text"],
                        to_account=inputs["to_account"],
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if confirm:
                    messages.success(
                        request,
                        _(
                            "Credit note %(number)s of %(amount)s created and "
                            "e-mailed to the customer."
                        )
                        % {
                            "number": note.number,
                            "amount": format_money(note.grand_total, order.currency),
                            "currency": order.currency,
                        },
                    )
                    return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        shipping_left = (
            order.shipping_total
            - order.shipping_discount
            - sum((n.shipping_total for n in order.credit_notes), ZERO)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": Order._meta,
            "title": _("Partial refund of order %(number)s") % {"number": order.number},
            "order": order,
            "rows": [(p, values.get(p.line.pk, "0"), refundable[p.line.pk]) for p in rows],
            "inputs": inputs,
            "shipping_left": shipping_left,
            "shipping_due": shipping_due,
            "plan": plan,
            "account_credit_offered": _account_credit_offered(order, plan, inputs),
            "seen_notes": len(order.credit_notes),
            "previewed": _fingerprint(
                {str(k): v for k, v in values.items()}, inputs, len(order.credit_notes)
            ),
        }
        return TemplateResponse(request, "admin/orders/creditnote/partial_refund.html", context)


class CreatedRangeFilter(DateRangeFilter):
    title = gettext_lazy("date")


class ReturnStatusFilter(admin.SimpleListFilter):
    """The return's status as its rows say it: one settled by a credit note is "refund
    pending" until the note's payout via the payment method is recorded (``status_label``)."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Return.Status.REQUESTED, Return.Status.REQUESTED.label),
            (Return.Status.RECEIVED, Return.Status.RECEIVED.label),
            ("refund_pending", _("Credit note issued — refund pending")),
            ("settled", _("Credit note issued — refunded or credited")),
            (Return.Status.REJECTED, Return.Status.REJECTED.label),
        ]

    def queryset(self, request, queryset):
        pending = Q(credit_note__paid_total__gt=0, credit_note__refunded_at__isnull=True)
        refunded = queryset.filter(status=Return.Status.REFUNDED)
        if self.value() == "refund_pending":
            return refunded.filter(pending)
        if self.value() == "settled":
            return refunded.exclude(pending)
        if self.value() in (
            Return.Status.REQUESTED,
            Return.Status.RECEIVED,
            Return.Status.REJECTED,
        ):
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Return, site=backoffice)
class ReturnAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "created_column",
        "order_link",
        "items_column",
        "reason",
        "status_column",
    ]
    list_filter = [ReturnStatusFilter, "reason", CreatedRangeFilter]
    change_list_template = "admin/orders/return/change_list.html"  # the status colours
    search_fields = ["=number", "=order__number", "order__email"]
    list_select_related = ["order", "credit_note"]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines__order_line")

    def has_add_permission(self, request):
        return False  # returns are created from an order (``new/<order>/``)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("created"), ordering="created")
    def created_column(self, obj):
        return date_time_cell(obj.created)

    @admin.display(description=gettext_lazy("order"), ordering="order__number")
    def order_link(self, obj):
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet">{}</span>',
            reverse("admin:orders_order_change", args=[obj.order_id]),
            obj.order,
            obj.order.billing_name,
        )

    @admin.display(description=gettext_lazy("items"))
    def items_column(self, obj):
        return ", ".join(f"{line.quantity} × {line.order_line.name}" for line in obj.lines.all())

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, obj):
        return format_html(
            '<span class="order-status return-{}">{}</span>', obj.status_class, obj.status_label
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("new/<int:order_pk>/", wrap(self.create_view), name="orders_return_new"),
            *super().get_urls(),
        ]

    def _guard(self, request, change=False):
        allowed = (
            self.has_change_permission(request) if change else self.has_view_permission(request)
        )
        if not allowed:
            raise PermissionDenied

    def _refuse_unless_goods(self, request):
        """Creating, receiving and rejecting a return: the Order clerk's (``can_create_returns``)."""
        self._guard(request, change=True)
        refuse_unless_goods(request)

    def _refuse_unless_settling(self, request):
        """Settling a return with a credit note: a change of the return and money."""
        self._guard(request, change=True)
        refuse_unless_payments(request)

    def create_view(self, request, order_pk):
        self._refuse_unless_goods(request)
        order = get_object_or_404(_detail_queryset(), pk=order_pk)
        try:
            services.refuse_return_if_final(order)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        withdrawal = None
        if request.GET.get("withdrawal") or request.POST.get("withdrawal"):
            withdrawal = Withdrawal.objects.filter(
                pk=_int(request.GET.get("withdrawal") or request.POST.get("withdrawal")),
                order=order,
            ).first()
        returnable = services.returnable_units(order)
        defaults = services.withdrawal_lines(withdrawal) if withdrawal else {}
        values = {pk: str(defaults.get(pk, 0)) for pk in returnable}
        reason = Return.Reason.WITHDRAWAL if withdrawal else ""
        note = withdrawal.reason if withdrawal else ""
        # The page's one-time token: sent twice (a double click, "send again"), it created
        # two returns for one parcel, each of which could then be refunded.
        token = OneTimeForm(request.POST or None)
        if request.method == "POST":
            values.update(_quantities(request))
            reason = request.POST.get("reason", "")
            note = request.POST.get("note", "")[:2001]
            try:
                if not token.is_valid():
                    raise DomainError(OneTimeForm.TOKEN_MISSING)
                with sent_once(token.token, f"orders.return {order.pk}") as sent:
                    created = services.create_return(
                        order,
                        {str(k): v for k, v in values.items()},
                        reason,
                        note=note,
                        user=request.user,
                        withdrawal=withdrawal,
                    )
                    sent.outcome_url = reverse("admin:orders_return_change", args=[created.pk])
            except FormAlreadySent as exc:
                messages.warning(request, exc.message)
                return redirect(
                    exc.outcome_url or reverse("admin:orders_order_change", args=[order.pk])
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("Return %(number)s created.") % {"number": created.number}
                )
                return redirect(reverse("admin:orders_return_change", args=[created.pk]))
        lines = {line.pk: line for line in order.lines.all()}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New return for order %(number)s") % {"number": order.number},
            "order": order,
            "rows": [(lines[pk], units, values.get(pk, "0")) for pk, units in returnable.items()],
            "reasons": Return.Reason.choices,
            "reason": reason,
            "note": note,
            "withdrawal": withdrawal,
            "token": token,
        }
        return TemplateResponse(request, "admin/orders/return/create.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._guard(request)
        ret = get_object_or_404(
            Return.objects.select_related(
                "order__payment_method", "order__shipping_method", "credit_note", "withdrawal"
            ),
            pk=_int(object_id),
        )
        lines = list(ret.lines.select_related("order_line"))
        plan = None
        # The delivery costs a withdrawal from the whole order must refund: filled in, and
        # the service refuses less.
        shipping_due = withdrawal_shipping_due(ret) if ret.is_open else ZERO
        inputs = {
            # as the other money inputs show it: "4,90" to a German reader
            "shipping": formats.localize_input(shipping_due) if shipping_due else "",
            "adjustment": "",
            "adjustment_text": "",
            "reason": "",
        }
        if request.method == "POST":
            self._guard(request, change=True)
            action = request.POST.get("action")
            if action in ("receive", "reject"):
                self._refuse_unless_goods(request)
            elif action in ("preview", "refund"):
                self._refuse_unless_settling(request)
            try:
                if action == "receive":
                    services.receive_return(
                        ret,
                        {
                            line.pk: (
                                request.POST.get(f"condition_{line.pk}", ""),
                                bool(request.POST.get(f"stock_{line.pk}")),
                            )
                            for line in lines
                        },
                        user=request.user,
                    )
                    messages.success(
                        request, _("Return %(number)s received.") % {"number": ret.number}
                    )
                    return redirect(request.path)
                if action == "reject":
                    services.reject_return(
                        ret, request.POST.get("rejection_reason", ""), user=request.user
                    )
                    messages.success(
                        request,
                        _("Return %(number)s rejected; the customer has been e-mailed the reason.")
                        % {"number": ret.number},
                    )
                    return redirect(request.path)
                if action in ("preview", "refund"):
                    inputs = _money_inputs(request)
                    fingerprint = _fingerprint({}, inputs)
                    if action == "refund" and request.POST.get("previewed") != fingerprint:
                        action = "preview"
                        messages.warning(
                            request, _("The values changed: please check the refund again.")
                        )
                    if action == "refund":
                        services.refund_return(ret, user=request.user, **inputs)
                        messages.success(
                            request,
                            _("Return %(number)s refunded with a credit note.")
                            % {"number": ret.number},
                        )
                        return redirect(request.path)
                    plan = services.preview_return_refund(
                        ret,
                        inputs["shipping"],
                        inputs["adjustment"],
                        inputs["adjustment_text"],
                        to_account=inputs["to_account"],
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Return %(number)s") % {"number": ret.number},
            "return_request": ret,
            "order": ret.order,
            "lines": lines,
            "conditions": ReturnLine.Condition.choices,
            "plan": plan,
            "inputs": inputs,
            "shipping_due": shipping_due,
            "account_credit_offered": ret.is_open
            and _account_credit_offered(ret.order, plan, inputs),
            "previewed": _fingerprint({}, inputs),
            # receiving and rejecting (goods), settling with a credit note (money)
            "can_receive": can_create_returns(request.user),
            "can_settle": self.has_change_permission(request) and can_handle_payments(request.user),
        }
        return TemplateResponse(request, "admin/orders/return/detail.html", context)


class LateFilter(admin.SimpleListFilter):
    title = gettext_lazy("late")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: after the withdrawal period")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_late=self.value() == "yes")
        return queryset


class MatchedFilter(admin.SimpleListFilter):
    title = gettext_lazy("order found")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No: check the details"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(order__isnull=False)
        if self.value() == "no":
            return queryset.filter(order__isnull=True)
        return queryset


@admin.register(Withdrawal, site=backoffice)
class WithdrawalAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "order_column",
        "sender_column",
        "items_column",
        "late_column",
        "status",
    ]
    list_filter = ["status", LateFilter, MatchedFilter]
    search_fields = ["=order_number", "email", "name"]
    list_select_related = ["order"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["mark_processed"]

    def has_add_permission(self, request):
        return False  # statements come only from the storefront's withdrawal function

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("order"), ordering="order_number")
    def order_column(self, obj):
        if obj.order_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:orders_order_change", args=[obj.order_id]),
                obj.order_number,
            )
        return format_html(
            '{}<br><span class="payout-pending">{}</span>', obj.order_number, _("not found")
        )

    @admin.display(description=gettext_lazy("sent by"), ordering="name")
    def sender_column(self, obj):
        return format_html('{}<br><span class="quiet">{}</span>', obj.name, obj.email)

    @admin.display(description=gettext_lazy("items"))
    def items_column(self, obj):
        if obj.items:
            return ", ".join(f"{i['quantity']} × {i['name']}" for i in obj.items)
        return obj.items_text or _("the whole order")

    @admin.display(description=gettext_lazy("late"), boolean=True, ordering="is_late")
    def late_column(self, obj):
        return obj.is_late

    @admin.action(
        description=gettext_lazy("Mark selected withdrawals as processed"), permissions=["change"]
    )
    def mark_processed(self, request, queryset):
        count = 0
        for withdrawal in queryset.filter(status=Withdrawal.Status.NEW):
            services.mark_processed(withdrawal, user=request.user)
            count += 1
        messages.success(
            request, _("%(count)d withdrawals marked as processed.") % {"count": count}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        withdrawal = get_object_or_404(
            Withdrawal.objects.select_related("order", "processed_by"), pk=_int(object_id)
        )
        link_error = ""
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            if "link_order" in request.POST:
                try:
                    linked = services.link_to_order(
                        withdrawal, request.POST.get("order_number"), user=request.user
                    )
                except DomainError as exc:
                    link_error = exc.message
                else:
                    messages.success(
                        request,
                        _(
                            "The statement now belongs to order %(number)s; the acknowledgement "
                            "has been e-mailed to %(email)s."
                        )
                        % {"number": linked.order.number, "email": linked.order.email},
                    )
                    return redirect(request.path)
            else:
                services.mark_processed(withdrawal, user=request.user)
                messages.success(request, _("Withdrawal marked as processed."))
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Withdrawal from order %(number)s") % {"number": withdrawal.order_number},
            "withdrawal": withdrawal,
            "return_request": Return.objects.filter(withdrawal=withdrawal).first(),
            "can_change": self.has_change_permission(request),
            "can_create_return": can_create_returns(request.user)
            and bool(withdrawal.order_id and services.returnable_units(withdrawal.order)),
            "link_error": link_error,
            "order_number_typed": request.POST.get("order_number", withdrawal.order_number),
        }
        return TemplateResponse(request, "admin/orders/withdrawal/detail.html", context)
