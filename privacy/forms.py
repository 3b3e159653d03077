from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shop.fields import LocalDateField

from .models import Disclosure


class BrowserForm(forms.Form):
    SCOPES = [
        ("both", _("Everywhere")),
        ("customers", _("Customers")),
        ("orders", _("Orders")),
        ("other", _("Other records (contact form, reviews …)")),
    ]

    q = forms.CharField(label=_("Name or e-mail"), min_length=2, max_length=100)
    scope = forms.ChoiceField(label=_("Search in"), choices=SCOPES, initial="both", required=False)


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ["date", "recipient", "scope"]
        field_classes = {"date": LocalDateField}  # typed in the operator's language
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }


class ReportForm(forms.Form):
    """Options of one report: format and language for everybody; withholding categories
    (GDPR Art. 15(4)) and naming staff in the access history only for those who may decide
    (``privacy.add_accessreport``), each with its reason."""

    format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", _("PDF report")), ("json", _("JSON export"))]
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    staff_names = forms.BooleanField(
        label=_("Name the staff members in the access history"), required=False
    )
    staff_names_reason = forms.CharField(
        label=_("Reason for naming them"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, places=(), can_decide=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {p["key"]: p["place"] for p in places}
        if not can_decide:
            del self.fields["staff_names"], self.fields["staff_names_reason"]
            self.places = {}
        for key, name in self.places.items():
            self.fields[f"withhold:{key}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"reason:{key}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=300
            )

    def category_fields(self):
        return [(self[f"withhold:{k}"], self[f"reason:{k}"]) for k in self.places]

    def clean(self):
        data = super().clean()
        for key in self.places:
            if data.get(f"withhold:{key}") and not (data.get(f"reason:{key}") or "").strip():
                self.add_error(
                    f"reason:{key}",
                    _("Give the reason for withholding this category (GDPR Art. 15(4))."),
                )
        if data.get("staff_names") and not (data.get("staff_names_reason") or "").strip():
            self.add_error("staff_names_reason", _("Give the reason for naming staff members."))
        return data

    def withheld(self):
        return {
            key: self.cleaned_data[f"reason:{key}"].strip()
            for key in self.places
            if self.cleaned_data.get(f"withhold:{key}")
        }

    def staff_names_reason_value(self):
        if not self.cleaned_data.get("staff_names"):
            return ""
        return self.cleaned_data["staff_names_reason"].strip()


class OwnDataForm(forms.Form):
    """The customer's own download of their data: the current password again."""

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
