"""Backoffice → Orders → Sales reports: sales by day or month (net, VAT per rate, gross,
credit notes subtracted, by payment method) as a page, CSV and XLSX, and the DATEV booking
export of a month. Only for the ``orders.accounting_reports`` permission (Payments, Shop
manager)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shop import charts, personal_data
from shop.admin import backoffice
from shop.exceptions import DomainError
from shop.fields import LocalDateField
from shop.filenames import content_disposition, download_filename
from shop.locales import country_name, date_in_words
from shop.money import ZERO, format_money, format_percent

from . import accounting, datev
from .dashboard import day_label, month_label
from .models import SalesReport

MAX_DAYS = 370
MAX_MONTHS_DAYS = 3700
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportForm(forms.Form):
    # Typed in the operator's language ("01.12.2026") or ISO, not type="date": the browser
    # writes that in its own locale (mm/dd/yyyy in an English Chromium) whatever the page's
    # language (shop.fields.LocalDateField).
    first = LocalDateField(label=gettext_lazy("From"))
    last = LocalDateField(label=gettext_lazy("To"))
    group = forms.ChoiceField(
        label=gettext_lazy("Per"),
        choices=[("day", gettext_lazy("day")), ("month", gettext_lazy("month"))],
        initial="day",
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The start date is after the end date."))
            limit = MAX_DAYS if data.get("group") == "day" else MAX_MONTHS_DAYS
            if (last - first).days > limit:
                raise forms.ValidationError(
                    _("Choose at most %(n)s days, or report per month.") % {"n": MAX_DAYS}
                    if data.get("group") == "day"
                    else _("Choose at most ten years.")
                )
        return data


class BookingsForm(forms.Form):
    # "2026-11" as typed, not type="month": the browser writes that in its own language
    # ("November 2026" on a Danish page in an English browser).
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        widget=forms.TextInput(
            attrs={
                "size": 8,
                "autocomplete": "off",
                "placeholder": format_lazy(
                    "{}-{}",
                    pgettext_lazy("date format hint: year", "YYYY"),
                    pgettext_lazy("date format hint: month", "MM"),
                ),
            }
        ),
    )


def default_period():
    today = timezone.localdate()
    return today.replace(day=1), today


def previous_month():
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@admin.register(SalesReport, site=backoffice)
class SalesReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm("orders.accounting_reports")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.accounting_reports")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.report_view), name="orders_salesreport_changelist"),
            path("bookings/", wrap(self.bookings_view), name="orders_salesreport_bookings"),
        ]

    def _guard(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def report_view(self, request):
        self._guard(request)
        first, last = default_period()
        form = ReportForm(request.GET or None, initial={"first": first, "last": last})
        report = None
        if not request.GET:
            report = accounting.sales_report(first, last, "day")
        elif form.is_valid():
            report = accounting.sales_report(
                form.cleaned_data["first"], form.cleaned_data["last"], form.cleaned_data["group"]
            )
            file_format = request.GET.get("format")
            if file_format in ("csv", "xlsx"):
                return self._download(report, file_format)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Sales reports"),
            "form": form,
            "report": report,
            # The page's period column in the reader's date format (the CSV and XLSX keep the
            # ISO labels, for sorting and for machines).
            "period_rows": _shown_periods(report) if report else [],
            "chart": self._chart(report) if report else None,
            "query": request.GET.urlencode() if request.GET else "",
            "bookings_form": BookingsForm(initial={"month": previous_month()}),
            "currency": _currency(),
            "distance_sales": distance_sales_box(),
        }
        return TemplateResponse(request, "admin/orders/salesreport/report.html", context)

    @staticmethod
    def _chart(report):
        labels = [_short_label(label, report.group) for label, _totals in report.periods]
        return charts.bar_chart(
            labels,
            [
                charts.Series(_("net"), [t.net for _label, t in report.periods], "s1"),
                charts.Series(_("VAT"), [t.tax for _label, t in report.periods], "s2"),
            ],
            title=_("Net revenue and VAT per %(period)s")
            % {"period": _("day") if report.group == "day" else _("month")},
            description=_("From %(first)s to %(last)s: net %(net)s, VAT %(tax)s.")
            % {
                "first": formats.date_format(report.first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(report.last, "SHORT_DATE_FORMAT"),
                "net": format_money(report.total.net, _currency()),
                "tax": format_money(report.total.tax, _currency()),
            },
            decimals=2,
            label_every=max(1, round(len(labels) / 6)),
        )

    @staticmethod
    def _download(report, file_format):
        # Named in the reader's language: "umsatzbericht-20261201-20261231-tag.csv",
        # "raport-sprzedazy-…-miesiac.xlsx".
        name = download_filename(
            _("sales report"),
            f"{report.first:%Y%m%d}-{report.last:%Y%m%d}",
            _("day") if report.group == "day" else _("month"),
            extension=file_format,
        )
        if file_format == "csv":
            response = HttpResponse(
                accounting.report_csv(report), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(accounting.report_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = content_disposition(name)
        return response

    def bookings_view(self, request):
        self._guard(request)
        form = BookingsForm(request.GET or None)
        if form.is_valid():
            try:
                filename, content, _count = datev.export(form.cleaned_data["month"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                response = HttpResponse(content, content_type="text/csv; charset=windows-1252")
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                # The file names the month's invoices and orders (and business buyers' VAT
                # IDs): the access log records whose (shop.personal_data.shown).
                personal_data.shown(
                    request,
                    datev.order_refs(form.cleaned_data["month"]),
                    viewer=request.user,
                    action="export",
                )
                return response
        else:
            messages.error(request, _("Give the month as YYYY-MM, e.g. 2026-03."))
        return redirect("admin:orders_salesreport_changelist")


def distance_sales_box():
    """The box "EU distance sales to consumers": the current and the previous year per
    destination country against ``DISTANCE_SALES_THRESHOLD`` (``accounting.distance_sales``),
    with a warning for each year from 80 % of it."""
    years = accounting.distance_sales_years()
    this_year, last_year = years
    nets = [dict(year.by_country) for year in years]
    countries = sorted(
        set(nets[0]) | set(nets[1]),
        key=lambda code: (-nets[0].get(code, ZERO), -nets[1].get(code, ZERO), code),
    )
    seller = country_name(this_year.seller_country)
    warnings = []
    for year in years:
        values = {
            "year": year.year,
            "total": format_money(year.total, _currency()),
            "threshold": format_money(year.threshold, _currency()),
            "share": format_percent(year.share),
            "country": seller,
        }
        if year.level == "above" and year is this_year:
            text = _(
                "Above the threshold in %(year)s: %(total)s, %(share)s of %(threshold)s. From "
                "the sale that crossed it, VAT of the customer's country is due — register for "
                "OSS and talk to your tax adviser; this shop charges only the VAT of its own "
                "country (%(country)s)."
            )
        elif year.level == "above":
            text = _(
                "Above the threshold in %(year)s: %(total)s, %(share)s of %(threshold)s. This "
                "year, VAT of the customer's country is due on every sale to a consumer in "
                "another EU country — register for OSS and talk to your tax adviser; this shop "
                "charges only the VAT of its own country (%(country)s)."
            )
        elif year.level == "close":
            text = _(
                "Close to the threshold in %(year)s: %(total)s, %(share)s of %(threshold)s. "
                "Above it, VAT of the customer's country is due from the sale that crosses it; "
                "this shop charges only the VAT of its own country (%(country)s)."
            )
        else:
            continue
        warnings.append({"level": year.level, "text": text % values})
    return {
        "years": years,
        "rows": [
            (country_name(code), nets[0].get(code, ZERO), nets[1].get(code, ZERO))
            for code in countries
        ],
        "warnings": warnings,
        "threshold": this_year.threshold,
        "seller_country": seller,
    }


def _currency():
    from django.conf import settings

    return settings.SHOP_CURRENCY


def _shown_periods(report):
    """The report's period rows with each period written as the reader writes a date
    ("01.12.2026", "1.12.2026", "lis 2026"); the total row keeps its label."""
    from datetime import date

    from django.utils.formats import date_format

    rows = []
    count = len(report.periods)
    for i, row in enumerate(report.period_rows()):
        label = row[0]
        if i < count:
            if report.group == "day":
                label = date_format(date.fromisoformat(label), "SHORT_DATE_FORMAT")
            else:
                label = date_in_words(date.fromisoformat(label + "-01"), "yMMMM")
        rows.append([label, *row[1:]])
    return rows


def _short_label(label, group):
    """The chart's label of a report period ("2026-11-03", "2026-11"): "3 Nov", "lis 2026" …
    in the reader's language."""
    from datetime import date

    if group == "day":
        return day_label(date.fromisoformat(label))
    return month_label(date.fromisoformat(label + "-01"))
