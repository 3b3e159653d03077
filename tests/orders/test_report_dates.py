"""The sales report's dates are typed in the operator's language, not the browser's.

A ``type="date"`` input is written in the browser's locale whatever the page's ``lang``:
mm/dd/yyyy for a German operator in an English Chromium. The report's From/To are text
inputs in the operator's ``DATE_INPUT_FORMATS`` ("01.12.2026"), their format shown beside
them ("Format: …"), ISO 8601 accepted too (links, bookmarks); anything else is a form error."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from shop.fields import LocalDateField, date_format_hint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:orders_salesreport_changelist")


def _operator(client, language):
    client.force_login(StaffFactory(is_superuser=True, language=language))


@pytest.mark.parametrize("language", ["de", "pl", "da"])
@pytest.mark.parametrize(
    "first, last", [("01.11.2026", "02.12.2026"), ("2026-11-01", "2026-12-02")]
)
def test_the_report_takes_the_operators_format_and_iso(client, language, first, last):
    _operator(client, language)
    response = client.get(REPORT, {"first": first, "last": last, "group": "day"})
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    report = response.context["report"]
    assert (report.first, report.last) == (date(2026, 11, 1), date(2026, 12, 2))


def test_the_english_report_takes_iso_and_the_written_date_never_slashes(client):
    _operator(client, "en")
    for first in ("2026-11-01", "1 Nov 2026", "1 November 2026"):
        response = client.get(REPORT, {"first": first, "last": "2026-12-02", "group": "day"})
        assert response.context["report"].first == date(2026, 11, 1), first
    # 01/11/2026: the 1st of November in Europe, the 11th of January in the US — refused.
    response = client.get(REPORT, {"first": "01/11/2026", "last": "2026-12-02", "group": "day"})
    assert response.context["report"] is None
    assert response.context["form"].errors["first"] == ["Enter a valid date."]


@pytest.mark.parametrize(
    "wrong", ["31.02.2026", "2026-13-01", "morgen", "01.01.0001", "31.12.9999", "1_0.12.2026"]
)
def test_a_wrong_date_is_a_form_error_not_a_500(client, wrong):
    _operator(client, "de")
    response = client.get(REPORT, {"first": wrong, "last": "31.12.9999", "group": "month"})
    assert response.status_code == 200
    assert response.context["report"] is None
    page = response.content.decode()
    assert "Gib ein gültiges Datum ein." in page or "Bitte ein gültiges Datum eingeben." in page


@pytest.mark.parametrize(
    "language, shown, hint",
    [("de", "01.12.2026", "TT.MM.JJJJ"), ("da", "01.12.2026", None), ("en", "2026-12-01", None)],
)
def test_the_inputs_are_text_in_the_operators_format_with_the_format_beside(
    client, language, shown, hint
):
    _operator(client, language)
    response = client.get(REPORT, {"first": "2026-12-01", "last": "2026-12-02", "group": "day"})
    page = response.content.decode()
    assert 'type="date"' not in page
    assert f'name="first" value="{shown}"' in page
    with translation.override(language):
        expected = date_format_hint()
    assert f'placeholder="{expected}"' in page
    assert 'aria-describedby="id_first_helptext"' in page and 'id="id_first_helptext"' in page
    if hint:  # the translation's letters, once the integrator has translated them
        assert expected in (hint, "DD.MM.YYYY")


def test_the_format_hint_follows_the_language():
    with translation.override("en"):
        assert date_format_hint() == "YYYY-MM-DD"
        assert str(LocalDateField().help_text) == "Format: YYYY-MM-DD"
    with translation.override("de"):
        assert date_format_hint() in ("TT.MM.JJJJ", "DD.MM.YYYY")
        field = LocalDateField(help_text="Last day.")
        assert str(field.help_text).startswith("Last day. ")
        assert field.clean("24.12.2026") == field.clean("2026-12-24") == date(2026, 12, 24)
