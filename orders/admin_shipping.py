"""Shipments in the backoffice: the shipment page (packing slip, tracking numbers added and
e-mailed, delivery date), "Send tracking information" for many shipments, and the import of
the carrier's tracking list (``orders.services.tracking``)."""

import codecs

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shop import formtokens
from shop.admin import backoffice
from shop.exceptions import DomainError
from shop.fields import date_format_hint, parse_typed_date
from shop.formtokens import FormAlreadySent
from shop.middleware import unstorable
from shop.pdf import pdf_response

from . import services
from .admin import _DocumentAdmin, _int
from .models import Shipment, TrackingNumber
from .pdf import render_packing_slip
from .services import tracking as tracking_import

MAX_UPLOAD = 1_000_000  # bytes: a carrier's list of 2,000 parcels is far smaller


class TrackingImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Tracking list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One parcel per line: order or shipment number; carrier; tracking number — as "
            "the carrier's software exports it (separated by semicolons, commas or tabs)."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("or a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    send = forms.BooleanField(
        label=gettext_lazy("E-mail the tracking information to the customers"),
        required=False,
        initial=True,
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
            data["text"] = _decoded(upload.read())
            if data["text"] is None or unstorable(data["text"]):
                # A NUL (or bytes that are no text: a spreadsheet's own format) cannot be
                # stored, and read as a list it was a 500 at the first query. (The text box
                # is a CharField: Django refuses a NUL typed or pasted there.)
                raise forms.ValidationError(
                    _(
                        "The file cannot be read as a text list (it holds a NUL character or "
                        "bytes that are not text): save the list as CSV and choose that file."
                    )
                )
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the tracking list or choose a file."))
        return data


def _decoded(raw):
    """An uploaded list as text: UTF-16 with its byte-order mark (a spreadsheet's "Unicode
    text"), UTF-8, or Windows' cp1252; None for bytes that are none of them."""
    encodings = ("utf-16",) if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else ()
    for encoding in (*encodings, "utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@admin.register(Shipment, site=backoffice)
class ShipmentAdmin(_DocumentAdmin):
    list_display = ["number", "created", "order_link", "tracking_sent_at"]
    list_select_related = ["order"]
    search_fields = ["=number", "=order__number", "tracking__number"]
    actions = ["bulk_send_tracking"]
    change_list_template = "admin/orders/shipment/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "import-tracking/",
                wrap(self.import_tracking_view),
                name="orders_shipment_import_tracking",
            ),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="orders_shipment_pdf"),
            path(
                "<int:pk>/add-tracking/",
                wrap(self.add_tracking_view),
                name="orders_shipment_add_tracking",
            ),
            path(
                "<int:pk>/send-tracking/",
                wrap(self.send_tracking_view),
                name="orders_shipment_send_tracking",
            ),
            path(
                "<int:pk>/delivered/", wrap(self.delivered_view), name="orders_shipment_delivered"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._guard(request)
        shipment = get_object_or_404(
            Shipment.objects.select_related("order", "order__shipping_method").prefetch_related(
                "lines__order_line", "tracking"
            ),
            pk=_int(object_id),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Shipment %(number)s") % {"number": shipment.number},
            "shipment": shipment,
            "order": shipment.order,
            "can_change": self.has_change_permission(request),
            "carriers": TrackingNumber.Carrier.choices,
        }
        return TemplateResponse(request, "admin/orders/shipment/detail.html", context)

    def pdf_view(self, request, pk):
        self._guard(request)
        shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
        return pdf_response(render_packing_slip(shipment), shipment.filename)

    def _back(self, shipment):
        return redirect(reverse("admin:orders_shipment_change", args=[shipment.pk]))

    def add_tracking_view(self, request, pk):
        self._guard(request, change=True)
        shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
        if request.method == "POST":
            try:
                added = services.add_tracking(
                    shipment,
                    [(request.POST.get("carrier", ""), request.POST.get("tracking_number", ""))],
                    user=request.user,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Tracking number %(tracking)s added. It has not been e-mailed yet.")
                    % {"tracking": ", ".join(str(t) for t in added)},
                )
        return self._back(shipment)

    def send_tracking_view(self, request, pk):
        self._guard(request, change=True)
        shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
        if request.method == "POST":
            try:
                with formtokens.once(request, f"orders.send_tracking {shipment.pk}"):
                    services.send_tracking(shipment, user=request.user)
            except FormAlreadySent as exc:
                messages.warning(request, exc.message)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Tracking information is being e-mailed to %(email)s.")
                    % {"email": shipment.order.email},
                )
        return self._back(shipment)

    def delivered_view(self, request, pk):
        """Enter (or clear) the date the carrier delivered the shipment: the withdrawal period
        of the order runs from the delivery of its last shipment."""
        self._guard(request, change=True)
        shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
        if request.method == "POST":
            raw = (request.POST.get("delivered_on") or "").strip()
            try:
                delivered_on = parse_typed_date(raw)
            except ValueError:
                messages.error(
                    request,
                    _("Enter the delivery date as %(format)s.") % {"format": date_format_hint()},
                )
            else:
                try:
                    saved = services.set_delivered(shipment, delivered_on, user=request.user)
                except DomainError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _(
                            "Delivery date saved; the delivery notice is being e-mailed to %(email)s."
                        )
                        % {"email": shipment.order.email}
                        if saved.customer_emailed
                        else _("Delivery date saved."),
                    )
        return self._back(shipment)

    def import_tracking_view(self, request):
        self._guard(request, change=True)
        form = TrackingImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = tracking_import.import_tracking(
                    form.cleaned_data["text"], send=form.cleaned_data["send"], user=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self._report_import(request, result)
                return redirect("admin:orders_shipment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import tracking numbers"),
            "form": form,
            "carriers": [label for _value, label in TrackingNumber.Carrier.choices],
        }
        return TemplateResponse(request, "admin/orders/shipment/import_tracking.html", context)

    def _report_import(self, request, result):
        text = ngettext(
            "%(n)d tracking number added.", "%(n)d tracking numbers added.", result.added
        ) % {"n": result.added}
        if result.already:
            text += " " + ngettext(
                "%(n)d was there already.", "%(n)d were there already.", result.already
            ) % {"n": result.already}
        if result.emailed:
            text += " " + ngettext(
                "%(n)d shipment's tracking information is being e-mailed.",
                "%(n)d shipments' tracking information is being e-mailed.",
                len(result.emailed),
            ) % {"n": len(result.emailed)}
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Send tracking information"), permissions=["change"])
    def bulk_send_tracking(self, request, queryset):
        shipments = queryset.select_related("order").order_by("number")[:1000]
        sent, skipped = tracking_import.send_tracking_of(shipments, user=request.user)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Tracking information of %(n)d shipment is being e-mailed.",
                    "Tracking information of %(n)d shipments is being e-mailed.",
                    len(sent),
                )
                % {"n": len(sent)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d shipment skipped: %(list)s",
                    "%(n)d shipments skipped: %(list)s",
                    len(skipped),
                )
                % {"n": len(skipped), "list": "; ".join(f"{n} ({why})" for n, why in skipped)},
                messages.ERROR if not sent else messages.WARNING,
            )
