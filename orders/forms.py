import uuid

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from customers.postcodes import normalise_postcode
from customers.services import address_key
from customers.vat import normalize_vat_id, validate_vat_id
from shop.fields import EmailFormField, WholeNumberField, validate_phone
from shop.locales import country_name
from shop.models import (
    PaymentMethod,
    ShippingMethod,
    ShopSettings,
    country_list,
    delivery_country_choices,
    delivery_country_codes,
)

from .services import CheckoutData, ShownFigures, withdrawable_units, withdrawn_units
from .services.checkout import DIGITAL_CONSENT_LABEL, delivery_refusal
from .services.withdrawals import expired_lines


def checkout_countries():
    """The billing address's country select: every delivery country. A callable choices,
    so that each form sorts in the language of its request."""
    return delivery_country_choices()


def shipping_countries():
    """The delivery address's country select: the countries some active shipping method
    delivers to (``ShippingMethod.countries``)."""
    return delivery_country_choices(ShippingMethod.served_countries())


def delivery_countries():
    """The countries the checkout delivers to, as a list in the active language ("Germany,
    Poland, Denmark and Austria")."""
    return country_list(ShippingMethod.served_countries())


def delivers_to(country):
    """Does some active shipping method deliver to ``country``?"""
    return country in ShippingMethod.served_countries()


class DeliveryCountryField(forms.ChoiceField):
    """The delivery address's country: lists the countries some method delivers to, and
    takes any delivery country — one no method serves (a page from before it stopped being
    served) is refused with what the shop does deliver to (``CheckoutForm.clean``), not as
    "not one of the available choices"."""

    def valid_value(self, value):
        return value in delivery_country_codes()


SHOWN_SALT = "orders.checkout.shown"
SHOWN_MAX_LENGTH = 100_000


def sign_shown(shown):
    """The checkout page's figures (``ShownFigures``) as the value of its hidden field."""
    return signing.dumps(shown.to_dict(), salt=SHOWN_SALT, compress=True)


def unsign_shown(value):
    """The ``ShownFigures`` of a hidden field :func:`sign_shown` wrote, or None."""
    if not value or len(value) > SHOWN_MAX_LENGTH:
        return None
    try:
        values = signing.loads(value, salt=SHOWN_SALT)
    except signing.BadSignature:
        return None
    return ShownFigures.from_dict(values) if isinstance(values, dict) else None


class _KeptRowsIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.rows():
            yield self.choice(row)

    def __len__(self):
        return len(self.field.rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows())


class KeptRowChoiceField(forms.ModelChoiceField):
    """A choice of one of the few active rows every checkout shows (shipping and payment
    methods: ``shop.models.KeptRows``), listed and checked without a query of its own."""

    iterator = _KeptRowsIterator

    def __init__(self, model, **kwargs):
        self.rows = model.active_rows
        self.row = model.active_row
        super().__init__(queryset=model.objects.filter(**model.KEPT_FILTER), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = self.row(value.pk if isinstance(value, self.queryset.model) else value)
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


ADDRESS_KEYS = ("first_name", "last_name", "company", "street", "postcode", "city", "country")


def saved_address_values(address, prefix, customer=None):
    """The checkout fields a saved ``address`` fills in as the ``prefix`` ("billing",
    "shipping") address. An invoice names the customer's own name and company where the
    address has none."""
    values = {f"{prefix}_{k}": getattr(address, k) for k in ADDRESS_KEYS}
    if prefix == "billing":
        for key in ("first_name", "last_name", "company"):
            values[f"{prefix}_{key}"] = values[f"{prefix}_{key}"] or getattr(customer, key, "")
    return values


class CheckoutForm(forms.Form):
    """The checkout. It has no price fields on purpose: prices always come from the catalog,
    so anything a client adds to the POST (price, unit_price, total …) is ignored."""

    email = EmailFormField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=50,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    is_business = forms.BooleanField(label=_("I am buying for a company"), required=False)
    vat_id = forms.CharField(
        label=_("VAT ID"),
        max_length=20,
        required=False,
        validators=[validate_vat_id],
        # (its text names the seller's country: __init__)
    )
    buyer_reference = forms.CharField(
        label=_("Buyer reference (e.g. Leitweg-ID)"), max_length=100, required=False
    )
    purchase_order_reference = forms.CharField(
        label=_("Your order reference"), max_length=100, required=False
    )
    billing_first_name = forms.CharField(label=_("First name"), max_length=150)
    billing_last_name = forms.CharField(label=_("Last name"), max_length=150)
    billing_company = forms.CharField(label=_("Company"), max_length=200, required=False)
    billing_street = forms.CharField(label=_("Street and number"), max_length=200)
    billing_postcode = forms.CharField(label=_("Postcode"), max_length=20)
    billing_city = forms.CharField(label=_("City"), max_length=100)
    billing_country = forms.ChoiceField(
        label=_("Country"), choices=checkout_countries, initial="DE"
    )
    # Customers only: the order keeps a new address in their address book (ordering again
    # with it adds nothing: customers.services.remember_address).
    save_billing_address = forms.BooleanField(
        label=_("Save this address in my address book"), required=False, initial=True
    )
    ship_to_billing = forms.BooleanField(
        label=_("Ship to the billing address"), required=False, initial=True
    )
    shipping_first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    shipping_last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    shipping_company = forms.CharField(label=_("Company"), max_length=200, required=False)
    shipping_street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    shipping_postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    shipping_city = forms.CharField(label=_("City"), max_length=100, required=False)
    shipping_country = DeliveryCountryField(
        label=_("Country"), choices=shipping_countries, initial="DE", required=False
    )
    save_shipping_address = forms.BooleanField(
        label=_("Save this address in my address book"), required=False, initial=True
    )
    shipping_method = KeptRowChoiceField(
        ShippingMethod,
        label=_("Shipping method"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Please choose one of the offered shipping methods.")},
    )
    payment_method = KeptRowChoiceField(
        PaymentMethod,
        label=_("Payment method"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Please choose one of the offered payment methods.")},
    )
    voucher_code = forms.CharField(label=_("Discount code"), max_length=64, required=False)
    giftcard_number = forms.CharField(label=_("Gift card number"), max_length=40, required=False)
    use_credit = forms.BooleanField(label=_("Pay with my account credit"), required=False)
    customer_note = forms.CharField(
        label=_("Note to the shop"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    partner_consent = forms.BooleanField(
        label=_("Show me offers from partner shops and share my order data for them"),
        help_text=_(
            "Only with this box ticked do we show partner offers after the order and pass the "
            "order number, the net order value, the currency and a one-way hash of your e-mail "
            "address to our partner network — never your name or address."
        ),
        required=False,
    )
    review_request_consent = forms.BooleanField(
        label=_("Ask me by e-mail to review the products after delivery"),
        help_text=_("One e-mail per order; you can unsubscribe at any time."),
        required=False,
    )
    # Asked only for a cart with downloads (``has_downloads``), and then required: its own
    # box, apart from the terms (§ 356 Abs. 5 BGB; orders.services.checkout
    # ``_check_digital_consent``). Its text is kept with the order as the proof.
    digital_consent = forms.BooleanField(
        label=DIGITAL_CONSENT_LABEL,
        required=False,
        error_messages={
            "required": _(
                "Please agree that the delivery of the downloads begins at once, and confirm "
                "that you know you then lose your right of withdrawal for them."
            )
        },
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the terms and conditions"),
        required=True,
        # the links to the privacy notice and the withdrawal instructions below it
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_accept_terms_helptext"}),
        error_messages={"required": _("Please accept the terms and conditions to order.")},
    )
    # The one-time token of the page the input comes from (a new random one each time the
    # checkout view shows the page; never in a kept fragment). The order keeps it in a
    # unique column, so a second submit of the same page — a double click, a reload —
    # cannot place a second order (``orders.errors.OrderAlreadyPlaced``).
    checkout_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # What that page showed, signed (``sign_shown``): the placement refuses the order when
    # it would charge other figures (``orders.services.ShownFigures``). A POST without it (a
    # script, not a page) is placed at the catalog's figures.
    checkout_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    SHIPPING_REQUIRED = ("first_name", "last_name", "street", "postcode", "city")
    AUTOCOMPLETE = {
        "first_name": "given-name",
        "last_name": "family-name",
        "company": "organization",
        "street": "address-line1",
        "postcode": "postal-code",
        "city": "address-level2",
        "country": "country",
    }

    # What a cart that ships nothing (gift cards and downloads: orders.services.needs_shipping)
    # does not ask for: the placement records the default shipping method and no delivery
    # address of its own.
    SHIPPING_FIELDS = (
        "ship_to_billing",
        *(f"shipping_{key}" for key in ADDRESS_KEYS),
        "save_shipping_address",
        "shipping_method",
    )

    def __init__(
        self,
        *args,
        customer=None,
        address_book=(),
        needs_shipping=True,
        has_downloads=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.offered = None  # the payment methods offered for this input (offer_payment_methods)
        self.customer = customer
        self.needs_shipping = needs_shipping
        self.has_downloads = has_downloads
        shop = ShopSettings.load()
        # The summary shows the catalog's gross prices until the page is sent with the VAT
        # ID; the order is then placed net once VIES confirms it (orders.vat) — said here.
        # (a seller without a VAT ID of its own invoices every order with VAT: orders.vat)
        if shop.vat_id:
            self.fields["vat_id"].help_text = _(
                "With a confirmed EU VAT ID outside %(country)s, the order is invoiced without "
                "VAT (reverse charge)."
            ) % {"country": country_name(shop.country or "DE")}
        # No consent is asked for what the shop does not do: no review requests (a consent
        # given for nothing would mislead). The partner consent stays: it also lets the
        # vouchers app show partner offers, with or without the external network.
        if not shop.review_request_days:
            del self.fields["review_request_consent"]
        if has_downloads:
            self.fields["digital_consent"].required = True
        else:
            del self.fields["digital_consent"]
        # The customer's saved addresses (``customer.addresses.all()``, read once by the view):
        # the only ones the page offers and fills in.
        self.address_book = list(address_book) if customer is not None else []
        for prefix in ("billing", "shipping"):
            for key, token in self.AUTOCOMPLETE.items():
                self.fields[f"{prefix}_{key}"].widget.attrs["autocomplete"] = f"{prefix} {token}"
        if customer is None:
            # Account credit and the address book need an account: guests never see or
            # submit them.
            del self.fields["use_credit"]
            del self.fields["save_billing_address"]
            del self.fields["save_shipping_address"]
        if not needs_shipping:
            # Whatever a POST holds for them (a page from before the cart changed) is ignored.
            for name in self.SHIPPING_FIELDS:
                self.fields.pop(name, None)
            return
        # Preselect the first shipping method so the summary can show a shipping cost (the
        # first payment method offered is preselected by offer_payment_methods).
        # — the first that delivers to where the goods go (ShippingMethod.countries); also
        # instead of a kept one that does not (a saved address in another country filled in)
        separate = self.initial.get("ship_to_billing") is False
        country = self.initial.get("shipping_country" if separate else "billing_country")
        rows = list(self.fields["shipping_method"].rows())
        chosen = next((m for m in rows if m.pk == self.initial.get("shipping_method")), None)
        if chosen is None or not chosen.delivers_to(country):
            first = next((m for m in rows if m.delivers_to(country)), rows[0] if rows else None)
            if first is not None:
                self.initial["shipping_method"] = first.pk

    def clean_vat_id(self):
        return normalize_vat_id(self.cleaned_data.get("vat_id"))

    def clean(self):
        data = super().clean()
        if data.get("is_business"):
            if not (data.get("billing_company") or "").strip():
                self.add_error("billing_company", _("Enter the name of the company."))
        else:
            # A consumer's order carries no business data, whatever the hidden fields hold.
            for name in ("vat_id", "buyer_reference", "purchase_order_reference"):
                data[name] = ""
        separate = self.needs_shipping and not data.get("ship_to_billing")
        if separate:
            for key in self.SHIPPING_REQUIRED:
                if not (data.get(f"shipping_{key}") or "").strip():
                    self.add_error(
                        f"shipping_{key}", _("Required for a separate shipping address.")
                    )
        elif "shipping_country" in self.errors:
            # the hidden delivery address's select (a value that is no delivery country):
            # not what the order ships to
            del self.errors["shipping_country"]
            data["shipping_country"] = ""
        if self.needs_shipping:
            self._clean_delivery(data, "shipping" if separate else "billing")
        self._clean_postcode(data, "billing")
        if separate:
            self._clean_postcode(data, "shipping")
        self._clean_checkout_token(data)
        self._clean_checkout_shown(data)
        return data

    def _clean_delivery(self, data, prefix):
        """Where the goods go (the ``prefix`` address) and how: the placement's rule
        (``orders.services.checkout.delivery_refusal``) at its field — a country no method
        serves at the country, not as "choose a shipping method" (none can be chosen there)."""
        country = data.get(f"{prefix}_country")
        if not country:
            return  # the field's own error
        refusal = delivery_refusal(country, data.get("shipping_method"), prefix)
        if refusal is None:
            return
        if refusal.field != "shipping_method":
            self.errors.pop("shipping_method", None)
        self.add_error(refusal.field, refusal.message)
        if refusal.field == "shipping_method":
            # The page shown again offers a method that does go there, checked and priced in
            # its summary (without one the summary showed no shipping at all); nothing is
            # placed until the customer sends it.
            offered = self.fields["shipping_method"].rows()
            replacement = next((m for m in offered if m.delivers_to(country)), None)
            if replacement is not None:
                self.data = self.data.copy()
                self.data["shipping_method"] = str(replacement.pk)
                data["shipping_method"] = replacement

    def _clean_postcode(self, data, prefix):
        """The postcode in the form of the country it goes to (``customers.postcodes``)."""
        postcode, country = data.get(f"{prefix}_postcode"), data.get(f"{prefix}_country")
        if not postcode or not country:
            return
        try:
            data[f"{prefix}_postcode"] = normalise_postcode(postcode, country)
        except ValidationError as exc:
            self.add_error(f"{prefix}_postcode", exc)

    def _clean_checkout_token(self, data):
        """A submit without the page's token (a page from before the token, a script) places
        nothing: the page is shown again with a new token and the customer orders again."""
        try:
            data["checkout_token"] = uuid.UUID(data.get("checkout_token") or "")
        except ValueError:
            data["checkout_token"] = None
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Your order has not been placed yet. Please check your details and "
                        "place the order again."
                    ),
                    code="checkout_token",
                ),
            )

    def _clean_checkout_shown(self, data):
        raw = data.get("checkout_shown") or ""
        data["checkout_shown"] = unsign_shown(raw)
        if (
            raw
            and data["checkout_shown"] is None
            and not self.has_error(NON_FIELD_ERRORS, "checkout_token")
        ):
            # Not what a page of ours wrote: nothing to compare with, so nothing is placed.
            self.add_error(
                None,
                ValidationError(
                    _(
                        "Your order has not been placed yet. Please check your details and "
                        "place the order again."
                    ),
                    code="checkout_shown",
                ),
            )

    ADDRESS_KEYS = ADDRESS_KEYS

    def address(self, prefix):
        return {k: self.cleaned_data.get(f"{prefix}_{k}") or "" for k in self.ADDRESS_KEYS}

    # --- the customer's address book -------------------------------------------------------

    def saved_address(self, pk):
        """The customer's own saved address with the id ``pk`` (as posted), or None: another
        customer's id, or any other value, finds nothing."""
        return next((a for a in self.address_book if str(a.pk) == str(pk or "").strip()), None)

    def can_use(self, address, prefix):
        """May the saved ``address`` be the ``prefix`` address? A billing address in any
        delivery country (an order that ships nothing, or whose goods go elsewhere); the
        address the goods go to — the delivery address, or the billing address while it is
        one — where some shipping method delivers."""
        if prefix == "shipping":
            return delivers_to(address.country)
        return address.country in delivery_country_codes()

    def address_values(self, address, prefix):
        return saved_address_values(address, prefix, self.customer)

    def entered_values(self):
        """What the fields hold (a bound form: as entered), as initial values — for the page
        shown again, without error messages, once a saved address has been filled in."""
        values = {}
        for name, field in self.fields.items():
            value = self[name].value()
            if isinstance(field, forms.ModelChoiceField) and str(value or "").isdigit():
                value = int(value)  # as the methods' initial values are (offer_payment_methods)
            values[name] = value
        for name in ("checkout_token", "checkout_shown"):  # each page view has its own
            values.pop(name, None)
        return values

    def fill_saved_address(self, address, prefix):
        """The initial values of this page with ``address`` filled in as the ``prefix``
        address: a delivery address is then a separate one; a billing address brings its
        phone number along when none has been entered, and one with a company is a company's
        (static/js/shop.js does the same)."""
        values = {**self.entered_values(), **self.address_values(address, prefix)}
        if prefix == "shipping":
            values["ship_to_billing"] = False
            return values
        if not (values.get("phone") or "").strip():
            values["phone"] = address.phone
        if values["billing_company"]:
            # the invoice names the company: the customer sees it (and its VAT ID field)
            values["is_business"] = True
        return values

    def address_book_choices(self):
        """{prefix: [the choice of each saved address]} for the page's address pickers: its
        label and whether it is what the fields hold now. An address in a country the
        checkout does not deliver to is not offered (``hidden``: how many were left out)."""
        prefixes = ("billing", "shipping") if self.needs_shipping else ("billing",)
        entered = {
            prefix: address_key({k: self[f"{prefix}_{k}"].value() or "" for k in self.ADDRESS_KEYS})
            for prefix in prefixes
        }
        choices = {prefix: [] for prefix in prefixes}
        offered = [a for a in self.address_book if self.can_use(a, "billing")]
        for address in offered:
            name = f"{address.first_name} {address.last_name}".strip()
            parts = [
                # (the customer's own name says nothing: the street comes first)
                "" if name == self.customer.get_full_name() else name,
                address.company,
                address.street,
                f"{address.postcode} {address.city}".strip(),
                country_name(address.country),
            ]
            label = ", ".join(part for part in parts if part)
            for prefix, choice_list in choices.items():
                if not self.can_use(address, prefix):
                    continue
                values = self.address_values(address, prefix)
                own = {k: values[f"{prefix}_{k}"] for k in self.ADDRESS_KEYS}
                choice_list.append(
                    {
                        "pk": address.pk,
                        "label": label,
                        "selected": address_key(own) == entered[prefix],
                    }
                )
        # (left out of the list the goods go by: the delivery address's, else the billing's)
        listed = choices["shipping" if self.needs_shipping else "billing"]
        choices["hidden"] = len(self.address_book) - len(listed)
        return choices

    def address_book_data(self):
        """What the page's script fills in for each saved address the checkout delivers to
        (static/js/shop.js): {id: {"billing": {field: value}, "shipping": …, "phone": …}}."""
        return {
            str(a.pk): {
                "billing": self.address_values(a, "billing"),
                "shipping": self.address_values(a, "shipping"),
                "phone": a.phone,
            }
            for a in self.address_book
            if self.can_use(a, "billing")
        }

    def checkout_data(self, language="en"):
        """The input of the placement — and of the page's quote, also while other fields are
        still invalid: a bound form's valid fields (call ``is_valid()`` first), else the
        initial values."""
        if self.is_bound:
            values = self.cleaned_data
        else:
            # initial values without creating (and caching) the bound fields yet: the payment
            # method's initial is only set by offer_payment_methods
            values = {
                name: self.get_initial_for_field(field, name) for name, field in self.fields.items()
            }
        shipping = values.get("shipping_method")
        payment = values.get("payment_method")
        return CheckoutData(
            email=values.get("email") or "",
            phone=values.get("phone") or "",
            # (unbound: the preset country, so the page's quote is for it — e.g. reverse charge)
            billing=(
                self.address("billing")
                if self.is_bound
                else {"country": values.get("billing_country") or ""}
            ),
            # (unbound with a separate delivery address: the page shown again after a saved
            # address was filled in — its country may make it an export delivery)
            shipping=(
                None
                if values.get("ship_to_billing") or not self.needs_shipping
                else (
                    self.address("shipping")
                    if self.is_bound
                    else {"country": values.get("shipping_country") or ""}
                )
            ),
            shipping_method_id=getattr(shipping, "pk", shipping),
            payment_method_id=getattr(payment, "pk", payment),
            voucher_code=values.get("voucher_code") or "",
            giftcard_number=values.get("giftcard_number") or "",
            use_credit=bool(values.get("use_credit")),
            partner_consent=bool(values.get("partner_consent")),
            review_request_consent=bool(values.get("review_request_consent")),
            partner_consent_text=self.consent_text("partner_consent"),
            review_request_consent_text=self.consent_text("review_request_consent"),
            digital_consent=bool(values.get("digital_consent")),
            digital_consent_text=(
                self.consent_text("digital_consent") if self.has_downloads else ""
            ),
            customer_note=values.get("customer_note") or "",
            save_billing_address=bool(values.get("save_billing_address")),
            save_shipping_address=bool(values.get("save_shipping_address")),
            checkout_token=values.get("checkout_token") if self.is_bound else None,
            shown=values.get("checkout_shown") if self.is_bound else None,
            language=language,
            **{
                name: values.get(name) or ""
                for name in ("vat_id", "buyer_reference", "purchase_order_reference")
            },
        )

    def consent_text(self, name):
        """The text of the consent checkbox ``name`` as the page shows it — its label and its
        explanation, in the page's language (the active one, which may differ from the
        account's) — kept with the order as the proof of the consent."""
        field = self.fields.get(name)
        if field is None:  # not asked on this page
            return ""
        parts = [str(field.label or ""), str(field.help_text or "")]
        return "\n".join(part for part in parts if part)

    def offer_payment_methods(self, methods):
        """Offer ``methods`` (``orders.limits.allowed_payment_methods`` for this input's
        amount due); a bound form that chose another method gets the field's error."""
        self.offered = {m.pk for m in methods}
        if not self.is_bound:
            if self.initial.get("payment_method") not in self.offered:
                self.initial["payment_method"] = methods[0].pk if methods else None
            return
        # (A method the placement refused already carries its error, and is not in
        # cleaned_data any more.)
        chosen = self.cleaned_data.get("payment_method")
        if chosen is not None and chosen.pk not in self.offered:
            self.add_error(
                "payment_method", self.fields["payment_method"].error_messages["invalid_choice"]
            )


class WithdrawalForm(forms.Form):
    """Step 1 of the withdrawal function: only what identifies the contract. With the order
    known (the customer's own order, or a guest's signed link) the items are chosen per line
    (all by default); otherwise the customer may name them in a text."""

    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = EmailFormField(
        label=_("E-mail address used for the order"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    order_number = forms.CharField(label=_("Order number"), max_length=40)
    items_text = forms.CharField(
        label=_("Which items? (optional, empty: the whole order)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason (optional, you do not need to give one)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.line_fields = []
        # Units a credit note has paid back already cannot be withdrawn from (the service's
        # rule, ``withdrawable_units``): the lines offer the rest. Units an earlier statement
        # named are not preselected again (``withdrawn_units``); naming them once more is
        # allowed (a declaration is never refused), so the maximum stays what is withdrawable.
        self.withdrawable = withdrawable_units(order) if order is not None else {}
        self.declared = withdrawn_units(order) if order is not None else {}
        # Downloads delivered with the consent to lose the right: not offered, named on the
        # page with the reason.
        expired = expired_lines(order) if order is not None else set()
        self.expired = (
            [line.name for line in order.lines.all() if line.pk in expired] if expired else []
        )
        if order is not None:
            self.fields["order_number"].disabled = True
            self.fields["order_number"].initial = order.number
            for line in order.lines.all():
                units = self.withdrawable.get(line.pk, 0)
                if not units:
                    continue
                name = f"qty_{line.pk}"
                self.fields[name] = WholeNumberField(
                    label=line.name,
                    min_value=0,
                    max_value=units,
                    initial=self.default_units(line),
                    required=False,
                    widget=forms.NumberInput(attrs={"class": "qty"}),
                )
                self.line_fields.append((line, name))
            if self.line_fields:
                del self.fields["items_text"]

    def default_units(self, line):
        """The units preselected for ``line``: those neither refunded nor named in an earlier
        statement (all of them when no statement names any)."""
        left = line.quantity - self.declared.get(line.pk, 0)
        return max(0, min(self.withdrawable.get(line.pk, 0), left))

    @property
    def all_declared(self):
        """Every unit offered has been named in an earlier statement already."""
        return bool(self.line_fields) and not any(
            self.default_units(line) for line, _name in self.line_fields
        )

    def items(self):
        """{order line id: units} chosen (the service treats every unit as the whole order)."""
        chosen = {}
        for line, name in self.line_fields:
            units = self.cleaned_data.get(name)
            chosen[line.pk] = self.default_units(line) if units is None else units
        return chosen

    def clean(self):
        data = super().clean()
        if self.line_fields and not self.errors and not any(self.items().values()):
            if self.all_declared:
                raise forms.ValidationError(
                    _(
                        "Your earlier statement names every item already. To name items once "
                        "more, enter their quantities."
                    )
                )
            raise forms.ValidationError(_("Choose at least one item, or leave all as they are."))
        return data

    def line_rows(self):
        """[(line, bound quantity field, units refunded already, units named in earlier
        statements)] for the page."""
        return [
            (
                line,
                self[name],
                line.quantity - self.withdrawable[line.pk],
                min(self.declared.get(line.pk, 0), self.withdrawable[line.pk]),
            )
            for line, name in self.line_fields
        ]

    def chosen_lines(self):
        """[(line, units)] for the confirmation page."""
        items = self.items()
        return [(line, items[line.pk]) for line, _name in self.line_fields if items[line.pk]]
