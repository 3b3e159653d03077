from dataclasses import asdict
from decimal import Decimal

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.exceptions import add_to_form
from shop.fields import WholeNumberField
from shop.models import Category, Product
from shop.money import MoneyField

from . import masks, services
from .errors import VoucherError
from .models import Campaign

MAX_COUNT = 5_000_000


class GenerateCodesForm(forms.Form):
    """A new campaign: "Basic data" and "Generator" (the mask)."""

    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of codes"), choices=Campaign.Kind.choices, initial=Campaign.Kind.SINGLE
    )
    count = WholeNumberField(
        label=_("Number of codes"), min_value=1, max_value=MAX_COUNT, initial=100
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=admin_widgets.AdminDateWidget
    )
    valid_to = forms.DateField(
        label=_("Valid to"), required=False, widget=admin_widgets.AdminDateWidget
    )
    discount_type = forms.ChoiceField(
        label=_("Discount"),
        choices=Campaign.DiscountType.choices,
        widget=forms.RadioSelect,
        initial=Campaign.DiscountType.PERCENT,
    )
    discount_value = MoneyField(
        label=_("Discount value"),
        required=False,
        help_text=_(
            "Percent (more than 0, at most 100) or amount in the shop currency; not used for "
            "free shipping."
        ),
    )
    min_order_value = MoneyField(label=_("Minimum order value"), required=False)
    points_price = WholeNumberField(
        label=_("Price in loyalty points"),
        required=False,
        min_value=1,
        max_value=services.MAX_POINTS_PRICE,
        help_text=_("Optional: customers can buy a code with this many points."),
    )
    per_customer_limit = WholeNumberField(
        label=_("Uses per customer"),
        required=False,
        min_value=1,
        max_value=services.MAX_PER_CUSTOMER_LIMIT,
        help_text=Campaign._meta.get_field("per_customer_limit").help_text,
    )
    budget = MoneyField(
        label=_("Total budget"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("The most all orders together may be discounted. Empty = no limit."),
    )
    max_uses = WholeNumberField(
        label=_("Total uses"),
        required=False,
        min_value=1,
        max_value=services.MAX_TOTAL_USES,
        help_text=_("Orders that may use a code of the campaign, all codes together."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Only for categories"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Empty (with no products either) = all goods except gift cards."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Only for products"),
        queryset=Product.objects.filter(is_giftcard=False),
        required=False,
        widget=admin_widgets.FilteredSelectMultiple(_("products"), is_stacked=False),
    )
    excluded_categories = forms.ModelMultipleChoiceField(
        label=_("Not for categories"), queryset=Category.objects.all(), required=False
    )
    excluded_products = forms.ModelMultipleChoiceField(
        label=_("Not for products"),
        queryset=Product.objects.filter(is_giftcard=False),
        required=False,
        widget=admin_widgets.FilteredSelectMultiple(_("products"), is_stacked=False),
    )
    exclude_sale_items = forms.BooleanField(label=_("Not for products on sale"), required=False)
    mask = forms.CharField(
        label=_("Mask"),
        required=False,
        max_length=200,
        help_text=_(
            "Literal text plus <NUM:start> (running number) and <RAND:min:max> (random "
            "number); leading zeros keep the width: <NUM:0001> gives 0001, 0002 …, "
            "<RAND:000:999> gives 000 … 999. Example: PROMO<NUM:1000><RAND:10000:99999>. "
            "Empty = random 12-character codes without 0/O/1/I."
        ),
        widget=forms.TextInput(attrs={"size": 50, "autocomplete": "off"}),
    )

    fieldsets = [
        (
            _("Basic data"),
            [
                "name",
                "kind",
                "count",
                "valid_from",
                "valid_to",
                "discount_type",
                "discount_value",
                "min_order_value",
                "points_price",
                "per_customer_limit",
                "budget",
                "max_uses",
            ],
        ),
        (
            _("Scope"),
            [
                "categories",
                "products",
                "excluded_categories",
                "excluded_products",
                "exclude_sale_items",
            ],
        ),
        (_("Generator"), ["mask"]),
    ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.validate_campaign_data(
                name=data["name"],
                kind=data["kind"],
                discount_type=data["discount_type"],
                discount_value=data.get("discount_value"),
                min_order_value=data.get("min_order_value"),
                points_price=data.get("points_price"),
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                per_customer_limit=data.get("per_customer_limit"),
                budget=data.get("budget"),
                max_uses=data.get("max_uses"),
            )
            masks.plan(data.get("mask") or "", data["count"])
        except VoucherError as exc:
            add_to_form(self, exc)
        return data

    def service_kwargs(self):
        d = self.cleaned_data
        return {
            "name": d["name"].strip(),
            "count": d["count"],
            "kind": d["kind"],
            "discount_type": d["discount_type"],
            "discount_value": d.get("discount_value"),
            "mask": d.get("mask") or "",
            "min_order_value": d.get("min_order_value"),
            "points_price": d.get("points_price"),
            "valid_from": d.get("valid_from"),
            "valid_to": d.get("valid_to"),
            "per_customer_limit": d.get("per_customer_limit"),
            "budget": d.get("budget"),
            "max_uses": d.get("max_uses"),
            "scope": services.ScopeInput(
                categories=[c.pk for c in d.get("categories") or []],
                products=[p.pk for p in d.get("products") or []],
                excluded_categories=[c.pk for c in d.get("excluded_categories") or []],
                excluded_products=[p.pk for p in d.get("excluded_products") or []],
                exclude_sale_items=bool(d.get("exclude_sale_items")),
            ),
        }

    def job_params(self):
        """The same as JSON for a Celery job."""
        params = self.service_kwargs()
        params["scope"] = asdict(params["scope"])
        for key in ("discount_value", "min_order_value", "budget"):
            if params[key] is not None:
                params[key] = str(params[key])
        for key in ("valid_from", "valid_to"):
            if params[key] is not None:
                params[key] = params[key].isoformat()
        return params


class AssignCodesForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.order_by("name")
    )
    min_order_value = MoneyField(
        label=_("Total order value from"),
        required=False,
        help_text=_("Sum of the customer's orders (gross, canceled ones not counted)."),
    )
    min_orders = WholeNumberField(label=_("Number of orders from"), required=False, min_value=1)
    ordered_from = forms.DateField(
        label=_("Orders placed from"), required=False, widget=admin_widgets.AdminDateWidget
    )
    ordered_to = forms.DateField(
        label=_("Orders placed to"), required=False, widget=admin_widgets.AdminDateWidget
    )
    notify = forms.BooleanField(label=_("Notify each customer by e-mail"), required=False)

    def clean_campaign(self):
        campaign = self.cleaned_data["campaign"]
        try:
            services.check_assignable(campaign)
        except VoucherError as exc:
            raise forms.ValidationError(exc.message) from None
        return campaign

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["criteria"] = self.criteria().validate()
        except VoucherError as exc:
            add_to_form(self, exc)
        return data

    def criteria(self):
        d = self.cleaned_data
        return services.Criteria(
            min_order_value=d.get("min_order_value"),
            min_orders=d.get("min_orders"),
            ordered_from=d.get("ordered_from"),
            ordered_to=d.get("ordered_to"),
        )


class CampaignChangeForm(forms.ModelForm):
    """Editing a campaign: its name, scope and limits (the codes and the discount stay as
    generated). The limits as the generate form takes them, and never below what the codes
    have used already. Uses per customer may be lowered below a person's uses: it refuses
    their next one."""

    budget = GenerateCodesForm.base_fields["budget"]
    max_uses = GenerateCodesForm.base_fields["max_uses"]
    per_customer_limit = GenerateCodesForm.base_fields["per_customer_limit"]

    class Meta:
        model = Campaign
        fields = [
            "name",
            "budget",
            "max_uses",
            "per_customer_limit",
            "categories",
            "products",
            "excluded_categories",
            "excluded_products",
            "exclude_sale_items",
        ]

    # The scope as the generate form offers it (CampaignAdmin.formfield_for_manytomany):
    # no gift cards (never discounted), the pickers titled "products", its help texts.
    SCOPE_FIELDS = ["categories", "products", "excluded_categories", "excluded_products"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.takes_per_customer_limit:
            # Personal codes (assigned, bought with points): no such limit (CampaignAdmin
            # leaves the field out of the page too).
            self.fields.pop("per_customer_limit", None)

    @staticmethod
    def scope_field_kwargs(name):
        field = GenerateCodesForm.base_fields[name]
        kwargs = {"queryset": field.queryset, "help_text": field.help_text}
        if isinstance(field.widget, admin_widgets.FilteredSelectMultiple):
            kwargs["widget"] = admin_widgets.FilteredSelectMultiple(
                field.widget.verbose_name, is_stacked=False
            )
        return kwargs

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data
        errors = services.limits_below_use(
            self.instance, budget=data.get("budget"), max_uses=data.get("max_uses")
        )
        for error in errors:
            add_to_form(self, error)
        if "per_customer_limit" in self.fields and not self.has_error("per_customer_limit"):
            try:
                services.check_per_customer_limit(
                    data.get("per_customer_limit"),
                    kind=self.instance.kind,
                    points_price=self.instance.points_price,
                )
            except VoucherError as exc:
                add_to_form(self, exc)
        return data
