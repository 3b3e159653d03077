"""Storefront forms of the catalog."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import EmailFormField
from .models import Category
from .money import MoneyField

# PostgreSQL's bigint: the widest integer column (ids, counts).
BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1


def parse_id(value, maximum=BIGINT_MAX):
    """A whole number (an id, a quantity) read by hand from request data — a key like
    ``qty_<line id>``, a query parameter, a session value — or None if it is not one.

    ASCII digits only, no sign, no spaces: ``"²".isdigit()`` is true but ``int("²")`` fails,
    and ``int("٣")`` reads Arabic-Indic digits. At most ``maximum`` (a bigint by default;
    ``INTEGER_MAX`` for an integer column), so the number fits the column it is compared
    with. Use it instead of ``str.isdigit()`` + ``int()`` wherever a view parses a number
    itself rather than through a form field."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= maximum else None
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


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


class StockNoticeForm(forms.Form):
    """ "E-mail me when it is back in stock" on a sold-out product's page (shop.stock_notices).
    A signed-in customer finds the account's address filled in and may change it."""

    email = EmailFormField(label=_("E-mail"))

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("auto_id", "id_notice_%s")  # the reviews' form has an "email" too
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        if user is not None and user.is_authenticated and not self.is_bound:
            self.initial.setdefault("email", user.email)
