from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.fields import LocalDateField, WholeNumberField
from shop.formtokens import OneTimeForm
from shop.models import ShopSettings
from shop.money import MAX_AMOUNT, MoneyField

from . import services

NUMBER_WIDGET = forms.TextInput(
    attrs={
        "autocomplete": "off",
        "inputmode": "numeric",
        "placeholder": "1234 5678 9012 3456",
        "spellcheck": "false",
    }
)


class CardNumberForm(forms.Form):
    number = forms.CharField(label=_("Gift card number"), max_length=40, widget=NUMBER_WIDGET)

    def clean_number(self):
        try:
            return services.check_number_format(self.cleaned_data["number"])
        except services.GiftCardError as exc:
            raise forms.ValidationError(exc.message) from exc


class BalanceCheckForm(CardNumberForm):
    pass


class RedeemForm(CardNumberForm):
    pass


class IssueCardsForm(OneTimeForm):
    amount = MoneyField(
        label=_("Value per card"), min_value=Decimal("0.01"), max_value=services.MAX_VALUE
    )
    count = WholeNumberField(
        label=_("Number of cards"),
        min_value=1,
        max_value=services.MAX_BULK,
        initial=1,
        help_text=_("One card opens its page; several cards download as a CSV file."),
    )
    valid_until = LocalDateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Last day the cards can be used. Empty = no expiry."),
    )
    reason = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("E.g. the campaign or the customer complaint. Shown in the ledger."),
    )


class AdjustForm(OneTimeForm):
    amount = MoneyField(
        label=_("Amount"),
        min_value=-MAX_AMOUNT,
        help_text=_("Positive adds to the balance, negative takes away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("The adjustment must not be zero."))
        return amount


class ModeSwitchForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Keep redeemed balances"),
        choices=ShopSettings.GiftCardMode.choices,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I have read what the switch means for issued cards and credit."),
        required=True,
    )
