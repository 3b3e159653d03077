"""Backoffice: gift cards, credit accounts, the ledger, issuing, adjustments and the mode switch.

Cards, accounts and ledger entries are read-only screens: every balance change goes through
``giftcards.services`` from the custom views below (issue, adjust, block/unblock, switch mode).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from orders.models import Order
from shop import formtokens
from shop.admin import ReadOnlyAdminMixin, backoffice, money_column
from shop.exceptions import add_to_form
from shop.exports import csv_response
from shop.filenames import download_filename
from shop.models import ShopSettings
from shop.money import format_money

from . import services
from .forms import AdjustForm, IssueCardsForm, ModeSwitchForm
from .models import CardState, CreditAccount, GiftCard, GiftCardModeSetting, LedgerEntry

ADJUST_PERMISSION = "giftcards.adjust_balance"
# The last batch issued in this session: its token and card ids, for the download link.
ISSUED_SESSION_KEY = "giftcards.issued"


STATE_COLOURS = {
    CardState.AVAILABLE: "#1e7b45",
    CardState.USED: "#666",
    CardState.REDEEMED: "#1f4e79",
    CardState.EXPIRED: "#a15c00",
    CardState.BLOCKED: "#ba2121",
}


def state_badge(card):
    return format_html(
        '<strong class="gc-state gc-{}" style="color:{}">{}</strong>',
        card.state,
        STATE_COLOURS[card.state],
        card.state_label,
    )


class BlockActionForm(ActionForm):
    """The card list's action bar: blocking or unblocking the selected cards says why."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for blocking or unblocking"),
        required=False,
        max_length=services.BLOCK_REASON_MAX,
    )


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return CardState.choices

    def queryset(self, request, queryset):
        if self.value() in CardState.values:
            return queryset.in_state(self.value())
        return queryset


class IssuedByFilter(admin.SimpleListFilter):
    title = gettext_lazy("issued by")
    parameter_name = "issued"

    def lookups(self, request, model_admin):
        return [("order", _("Bought in the shop")), ("staff", _("Issued by the shop"))]

    def queryset(self, request, queryset):
        if self.value() == "order":
            return queryset.filter(issued_by_line__isnull=False)
        if self.value() == "staff":
            return queryset.filter(issued_by_line__isnull=True)
        return queryset


def _order_link(order_id, number):
    if not order_id:
        return "—"
    try:
        url = reverse("admin:orders_order_change", args=[order_id])
    except Exception:  # the order admin is not registered in this configuration
        return number
    return format_html('<a href="{}">{}</a>', url, number)


@admin.register(GiftCard, site=backoffice)
class GiftCardAdmin(admin.ModelAdmin):
    list_display = [
        "display_number",
        "initial_value_column",
        "balance_column",
        "state_column",
        "issued",
        "last_use_column",
    ]
    list_select_related = ["issued_by_order", "issued_by_staff", "redeemed_to"]
    initial_value_column = money_column("initial_value", gettext_lazy("initial value"), "currency")
    balance_column = money_column("balance", gettext_lazy("balance"), "currency")
    list_filter = [StateFilter, IssuedByFilter, "created"]
    search_fields = ["number", "issued_by_order__number"]
    search_help_text = gettext_lazy("Card number (spaces are ignored) or order number.")
    list_per_page = 50
    show_full_result_count = False
    actions = ["block_cards", "unblock_cards"]
    action_form = BlockActionForm
    fields = [
        "display_number",
        "state_column",
        "initial_value_column",
        "balance_column",
        "currency",
        "valid_until",
        "issued",
        "redeemed_to",
        "last_use_column",
    ]
    readonly_fields = fields

    # -- list -----------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_use()

    def get_search_results(self, request, queryset, search_term):
        stripped = services.normalise_number(search_term)
        if stripped.isdigit():
            search_term = stripped
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        extra = {"giftcard_mode_label": ShopSettings.load().get_giftcard_mode_display()}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.display(description=gettext_lazy("card number"), ordering="number")
    def display_number(self, obj):
        return obj.display_number

    @admin.display(description=gettext_lazy("state"))
    def state_column(self, obj):
        return state_badge(obj)

    @admin.display(description=gettext_lazy("issued"), ordering="created")
    def issued(self, obj):
        when = date_format(timezone.localtime(obj.created), "SHORT_DATE_FORMAT")
        if obj.issued_by_order_id:
            return format_html(
                "{} · {} {}",
                when,
                _("order"),
                _order_link(obj.issued_by_order_id, obj.issued_by_order.number),
            )
        if obj.issued_by_staff_id:
            return format_html("{} · {}", when, obj.issued_by_staff.email)
        return when

    @admin.display(description=gettext_lazy("last use"), ordering="last_use")
    def last_use_column(self, obj):
        last = getattr(obj, "last_use", None)
        return date_format(timezone.localtime(last), "SHORT_DATETIME_FORMAT") if last else "—"

    # -- permissions: a read-only screen, changes go through the workflow views ------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_block_permission(self, request):
        return request.user.has_perm("giftcards.change_giftcard")

    @admin.action(description=gettext_lazy("Block selected gift cards"), permissions=["block"])
    def block_cards(self, request, queryset):
        self._set_blocked(request, queryset, True)

    @admin.action(description=gettext_lazy("Unblock selected gift cards"), permissions=["block"])
    def unblock_cards(self, request, queryset):
        self._set_blocked(request, queryset, False)

    def _set_blocked(self, request, queryset, blocked):
        try:
            # The cards that changed: those in that state already are left alone, and not
            # counted.
            n = services.set_blocked_many(
                queryset, blocked, request.POST.get("reason", ""), user=request.user
            )
        except services.GiftCardError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        if blocked:
            text = ngettext("%(n)d gift card blocked.", "%(n)d gift cards blocked.", n)
        else:
            text = ngettext("%(n)d gift card unblocked.", "%(n)d gift cards unblocked.", n)
        self.message_user(request, text % {"n": n})

    # -- detail ---------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        card = self.get_object(request, object_id)
        extra = {}
        if card is not None:
            paid_orders = list(
                LedgerEntry.objects.filter(card=card, order__isnull=False)
                .filter(Q(kind=LedgerEntry.Kind.SPEND) | Q(kind=LedgerEntry.Kind.REFUND))
                .values("order_id", "order__number", "order__created", "order__status")
                .annotate(paid=-Sum("amount"))
                .order_by("-order__created")
            )
            labels = dict(Order.Status.choices)
            for row in paid_orders:
                row["status_label"] = labels.get(row["order__status"], row["order__status"])
            extra = {
                "ledger": card.ledger.select_related("order", "staff"),
                # Who blocked or unblocked the card, when and why.
                "card_events": card.events.select_related("staff"),
                # Net amount the card paid per order (spends minus refunds); plain dicts.
                "paid_orders": paid_orders,
                "can_adjust": request.user.has_perm(ADJUST_PERMISSION),
                "can_block": self.has_block_permission(request),
                "card": card,
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:giftcards_giftcard_issue")

    # -- workflow views ---------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("issue/", view(self.issue_view), name="giftcards_giftcard_issue"),
            path("issue/<uuid:token>/", view(self.issued_view), name="giftcards_giftcard_issued"),
            path(
                "issue/<uuid:token>/csv/",
                view(self.issued_csv_view),
                name="giftcards_giftcard_issued_csv",
            ),
            path("mode/", view(self.mode_view), name="giftcards_giftcard_mode"),
            path("<int:pk>/adjust/", view(self.adjust_view), name="giftcards_giftcard_adjust"),
            path("<int:pk>/block/", view(self.block_view), name="giftcards_giftcard_block"),
        ] + super().get_urls()

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def issue_view(self, request):
        if not request.user.has_perm("giftcards.add_giftcard"):
            raise PermissionDenied
        form = IssueCardsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            cd = form.cleaned_data
            try:
                with formtokens.sent_once(form.token, "giftcards.issue") as sent:
                    cards = services.issue_cards(
                        cd["amount"],
                        cd["count"],
                        staff=request.user,
                        valid_until=cd["valid_until"],
                        reason=cd["reason"],
                    )
                    # A second send of the page shows the card (the batch's page, for
                    # several).
                    sent.outcome_url = (
                        reverse("admin:giftcards_giftcard_change", args=[cards[0].pk])
                        if len(cards) == 1
                        else reverse("admin:giftcards_giftcard_issued", args=[form.token])
                    )
            except formtokens.FormAlreadySent as exc:
                messages.warning(request, exc.message)
                return HttpResponseRedirect(
                    exc.outcome_url or reverse("admin:giftcards_giftcard_changelist")
                )
            except services.GiftCardError as exc:
                add_to_form(form, exc)
            else:
                if len(cards) == 1:
                    messages.success(
                        request,
                        _("Gift card %(number)s issued.") % {"number": cards[0].display_number},
                    )
                    return redirect("admin:giftcards_giftcard_change", cards[0].pk)
                # The numbers download from the batch's page (a download alone would leave
                # the page as it was, with no sign the cards exist): the session remembers
                # the last batch for its link.
                request.session[ISSUED_SESSION_KEY] = {
                    "token": str(form.token),
                    "cards": [card.pk for card in cards],
                }
                messages.success(
                    request,
                    ngettext(
                        "%(count)s gift card issued.", "%(count)s gift cards issued.", len(cards)
                    )
                    % {"count": intcomma(len(cards))},
                )
                return redirect("admin:giftcards_giftcard_issued", form.token)
        return TemplateResponse(
            request,
            "admin/giftcards/issue.html",
            self._context(
                request,
                _("Issue gift cards"),
                form=form,
                allowance=services.issue_allowance(request.user),
            ),
        )

    def _issued_batch(self, request, token):
        if not request.user.has_perm("giftcards.add_giftcard"):
            raise PermissionDenied
        batch = request.session.get(ISSUED_SESSION_KEY) or {}
        if batch.get("token") != str(token):
            return None
        return GiftCard.objects.filter(pk__in=batch["cards"]).order_by("pk")

    def issued_view(self, request, token):
        """The result of a batch: how many cards, the link to their numbers and the form for
        the next batch."""
        cards = self._issued_batch(request, token)
        if cards is None:
            messages.info(
                request, _("The download of that batch is no longer available in this session.")
            )
            return redirect("admin:giftcards_giftcard_issue")
        return TemplateResponse(
            request,
            "admin/giftcards/issue.html",
            self._context(
                request,
                _("Issue gift cards"),
                form=IssueCardsForm(),
                batch={
                    "count": cards.count(),
                    "csv_url": reverse("admin:giftcards_giftcard_issued_csv", args=[token]),
                    "list_url": reverse("admin:giftcards_giftcard_changelist") + "?issued=staff",
                },
            ),
        )

    def issued_csv_view(self, request, token):
        """The numbers of the batch for the reader's Excel: translated header, the
        language's delimiter and decimal separator, the note the cards were issued with."""
        cards = self._issued_batch(request, token)
        if cards is None:
            raise Http404
        entries = {
            e.card_id: e.display_reason
            for e in LedgerEntry.objects.filter(card__in=cards, kind=LedgerEntry.Kind.ISSUE)
        }
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return csv_response(
            download_filename(_("gift cards"), stamp, extension="csv"),
            [_("Gift card number"), _("Value"), _("Currency"), _("Valid until"), _("Reason")],
            [
                [
                    c.display_number,
                    number_format(c.initial_value, 2, use_l10n=True),
                    c.currency,
                    date_format(c.valid_until, "SHORT_DATE_FORMAT") if c.valid_until else "",
                    entries.get(c.pk, ""),
                ]
                for c in cards
            ],
        )

    def mode_view(self, request):
        may_switch = request.user.has_perm("shop.change_shopsettings")
        if not (may_switch or request.user.has_perm("giftcards.view_giftcard")):
            raise PermissionDenied
        shop = ShopSettings.load()
        form = ModeSwitchForm(request.POST or None, initial={"mode": shop.giftcard_mode})
        if request.method == "POST":
            if not may_switch:
                raise PermissionDenied
            if form.is_valid():
                try:
                    previous, shop = services.switch_mode(form.cleaned_data["mode"], request.user)
                except services.GiftCardError as exc:
                    form.add_error(None, exc.message)
                else:
                    if previous == shop.giftcard_mode:
                        messages.info(request, _("The mode was already set; nothing changed."))
                    else:
                        LogEntry.objects.log_actions(
                            request.user.pk,
                            [shop],
                            CHANGE,
                            f"Gift-card mode {previous} → {shop.giftcard_mode}",
                            single_object=True,
                        )
                        messages.success(
                            request,
                            _(
                                "Gift-card mode is now “%(mode)s”. Issued cards and credit keep working."
                            )
                            % {"mode": shop.get_giftcard_mode_display()},
                        )
                    return redirect("admin:giftcards_giftcard_mode")
        return TemplateResponse(
            request,
            "admin/giftcards/mode.html",
            self._context(
                request,
                _("Gift-card mode"),
                form=form,
                shop=shop,
                may_switch=may_switch,
                summary=services.mode_summary(),
            ),
        )

    def adjust_view(self, request, pk):
        card = get_object_or_404(GiftCard, pk=pk)
        return _adjust_view(
            self,
            request,
            card,
            services.adjust_card,
            reverse("admin:giftcards_giftcard_change", args=[card.pk]),
            _("Adjust gift card %(number)s") % {"number": card.display_number},
        )

    def block_view(self, request, pk):
        if request.method != "POST" or not self.has_block_permission(request):
            raise PermissionDenied
        card = get_object_or_404(GiftCard, pk=pk)
        blocked = request.POST.get("blocked") == "1"
        try:
            services.set_blocked(card, blocked, request.POST.get("reason", ""), user=request.user)
        except services.GiftCardError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                (
                    _("Gift card %(number)s blocked.")
                    if blocked
                    else _("Gift card %(number)s unblocked.")
                )
                % {"number": card.display_number},
            )
        return redirect("admin:giftcards_giftcard_change", card.pk)


def _adjust_view(model_admin, request, holder, adjust, back_url, title):
    if not request.user.has_perm(ADJUST_PERMISSION):
        raise PermissionDenied
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purpose = f"giftcards.adjust {holder._meta.model_name} {holder.pk}"
        try:
            with formtokens.sent_once(form.token, purpose):
                adjust(
                    holder, form.cleaned_data["amount"], form.cleaned_data["reason"], request.user
                )
        except formtokens.FormAlreadySent as exc:
            messages.warning(request, exc.message)
            return HttpResponseRedirect(back_url)
        except services.GiftCardError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Balance adjusted."))
            return HttpResponseRedirect(back_url)
    return TemplateResponse(
        request,
        "admin/giftcards/adjust.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "holder": holder,
            "form": form,
            "back_url": back_url,
            "allowance": services.issue_allowance(request.user),
        },
    )


@admin.register(CreditAccount, site=backoffice)
class CreditAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["customer_number", "customer_column", "balance_column", "last_use", "created"]
    list_select_related = ["customer"]
    balance_column = money_column("balance", gettext_lazy("balance"), "currency")
    search_fields = ["customer_number", "customer__email", "customer__last_name"]
    list_filter = ["created"]
    fields = [
        "customer_number",
        "customer_column",
        "balance_column",
        "currency",
        "created",
        "last_use",
    ]
    readonly_fields = fields
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        from django.db.models import Max

        return super().get_queryset(request).annotate(last_use_at=Max("ledger__created"))

    @admin.display(description=gettext_lazy("customer"), ordering="customer__email")
    def customer_column(self, obj):
        if not obj.customer_id:
            return _("(customer erased)")
        url = reverse("admin:customers_user_change", args=[obj.customer_id])
        return format_html('<a href="{}">{}</a>', url, obj.customer)

    @admin.display(description=gettext_lazy("last use"), ordering="last_use_at")
    def last_use(self, obj):
        last = getattr(obj, "last_use_at", None)
        return date_format(timezone.localtime(last), "SHORT_DATETIME_FORMAT") if last else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, object_id)
        extra = {}
        if account is not None:
            extra = {
                "account": account,
                "ledger": account.ledger.select_related("order", "staff", "source_card"),
                "can_adjust": request.user.has_perm(ADJUST_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        return [
            path(
                "<int:pk>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="giftcards_creditaccount_adjust",
            ),
        ] + super().get_urls()

    def adjust_view(self, request, pk):
        account = get_object_or_404(CreditAccount, pk=pk)
        return _adjust_view(
            self,
            request,
            account,
            services.adjust_account,
            reverse("admin:giftcards_creditaccount_change", args=[account.pk]),
            _("Adjust credit of customer %(number)s") % {"number": account.customer_number},
        )


@admin.register(LedgerEntry, site=backoffice)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Seven columns, reasons in the reader's language: the filters above the list.
    filters_above = True
    list_display = [
        "created",
        "kind",
        "amount_column",
        "holder_column",
        "order_column",
        "staff",
        "reason_column",
    ]
    fields = [
        "created",
        "kind",
        "amount_column",
        "holder_column",
        "order_column",
        "source_card",
        "staff",
        "reason_column",
    ]
    readonly_fields = fields
    # The card's account and the source card: whose data the row is, for the access log.
    list_select_related = [
        "card__redeemed_to",
        "account",
        "order",
        "staff",
        "source_card__redeemed_to",
    ]
    list_filter = ["kind", "created"]
    search_fields = ["card__number", "account__customer_number", "order__number", "reason"]
    date_hierarchy = "created"
    list_per_page = 100
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        stripped = services.normalise_number(search_term)
        if stripped.isdigit():
            search_term = stripped
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_column(self, obj):
        return format_money(obj.amount, obj.holder.currency)

    @admin.display(description=gettext_lazy("card / account"))
    def holder_column(self, obj):
        if obj.card_id:
            url = reverse("admin:giftcards_giftcard_change", args=[obj.card_id])
            return format_html('<a href="{}">{}</a>', url, obj.card.display_number)
        url = reverse("admin:giftcards_creditaccount_change", args=[obj.account_id])
        return format_html('<a href="{}">{}</a>', url, obj.account)

    @admin.display(description=gettext_lazy("order"), ordering="order__number")
    def order_column(self, obj):
        return _order_link(obj.order_id, obj.order.number if obj.order_id else "")

    @admin.display(description=gettext_lazy("reason"))
    def reason_column(self, obj):
        return obj.display_reason


@admin.register(GiftCardModeSetting, site=backoffice)
class GiftCardModeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Puts "Gift-card mode" on the start page's app list; opens the explanation + switch."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("giftcards.view_giftcard") or request.user.has_perm(
            "shop.change_shopsettings"
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:giftcards_giftcard_mode")

    def get_urls(self):
        # Only the entry of the app list: the settings row has no page of its own here.
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="giftcards_giftcardmodesetting_changelist")]
