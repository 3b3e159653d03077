"""The cells of the backoffice lists keep per-language work (formats, labels, names) once per
process: what they write must stay what Django writes, in every language, and follow the
active language."""

from datetime import UTC, datetime

import pytest
from django.utils import formats, timezone, translation
from django.utils.html import format_html

from orders.models import Order
from shop.admin import choice_label, date_time_cell, strftime_pattern
from shop.locales import country_name, language_name

MOMENTS = [
    datetime(2026, 3, 1, 0, 5, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2001, 7, 9, 7, 3, tzinfo=UTC),
]


def test_strftime_patterns_of_django_formats():
    assert strftime_pattern("d.m.Y") == "%d.%m.%Y"
    assert strftime_pattern("H:i") == "%H:%M"
    assert strftime_pattern("Y-m-d 100%") == "%Y-%m-%d 100%%"
    assert strftime_pattern(r"d \d\e m") == "%d de %m"  # escaped letters are literal
    assert strftime_pattern("j M Y") is None  # names and unpadded numbers: Django's own
    assert strftime_pattern("P") is None


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_a_date_cell_is_what_djangos_formats_write(language):
    with translation.override(language):
        for moment in MOMENTS:
            local = timezone.localtime(moment)
            expected = format_html(
                '<span class="nowrap">{}</span><br><span class="quiet">{}</span>',
                formats.date_format(local, "SHORT_DATE_FORMAT"),
                formats.time_format(local, "TIME_FORMAT"),
            )
            assert date_time_cell(moment) == expected


def test_labels_and_names_follow_the_active_language():
    seen = {}
    for language in ["de", "pl", "de", "da"]:
        with translation.override(language):
            seen.setdefault(language, set()).add(
                (
                    str(choice_label(Order.Status, "complete")),
                    language_name("pl"),
                    country_name("DK"),
                )
            )
    assert seen["de"] == {("Abgeschlossen", "Polnisch", "Dänemark")}
    assert seen["pl"] == {("Zrealizowane", "polski", "Dania")}
    assert seen["da"] == {("Gennemført", "polsk", "Danmark")}
    assert choice_label(Order.Status, "gone") == "gone"
