"""Storefront forms of the catalog."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category
from .money import MoneyField


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    min_price = MoneyField(label=_("Price from"), required=False)
    max_price = MoneyField(label=_("Price to"), required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and high < low:
            self.add_error("max_price", _("The highest price is below the lowest."))
        return data

    @property
    def price_values(self):
        """The price boxes' values for their ``type=number`` inputs, which take a decimal
        point only: a valid "5,5" from a typed URL shows as "5.50" (not an empty box);
        anything else shows as typed, next to its error."""
        data = getattr(self, "cleaned_data", {})
        values = {}
        for name in ("min_price", "max_price"):
            value = data.get(name)
            values[name] = f"{value:.2f}" if value is not None else (self[name].value() or "")
        return values

    @property
    def filtered(self):
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) not in (None, "") for k in ("category", "min_price", "max_price"))
