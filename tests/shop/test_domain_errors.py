from django import forms

from shop.exceptions import DomainError, add_to_form


class AmountForm(forms.Form):
    amount = forms.DecimalField()


def _form():
    form = AmountForm({"amount": "5"})
    assert form.is_valid()
    return form


def test_error_for_a_field_of_the_form_is_shown_at_the_field():
    form = _form()
    add_to_form(form, DomainError("Too much", field="amount"))
    assert form.errors == {"amount": ["Too much"]}


def test_error_for_another_field_or_none_is_an_error_of_the_whole_form():
    form = _form()
    add_to_form(form, DomainError("Unknown code", field="voucher_code"))
    add_to_form(form, DomainError("Blocked"))
    assert form.non_field_errors() == ["Unknown code", "Blocked"]
    assert "amount" not in form.errors
