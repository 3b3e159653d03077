"""The DPO's CSV export of the access log is written for the reader: named in their language
("zugriffsprotokoll-….csv"), with the column headers and the actions in their language and
the delimiter of their Excel, times as an ISO date in local time — as the other backoffice
exports (shop.exports)."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from privacy import services
from privacy.models import AccessLogEntry
from tests.factories import RoleUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

STAMP = r"\d{8}-\d{4}"


def export(client, language, query=""):
    dpo = RoleUserFactory(role="Data protection officer", language=language)
    client.force_login(dpo)
    response = client.get(reverse("admin:privacy_accesslogentry_export") + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    delimiter = "," if language == "en" else ";"
    return response, list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.mark.parametrize(
    ("language", "stem", "header", "actions"),
    [
        (
            "de",
            "zugriffsprotokoll",
            ["Zeit", "Mitarbeiter", "Aktion", "betroffene Personen", "Pfad", "IP-Adresse"],
            ["Detailansicht", "Löschung nach Aufbewahrungsfrist"],
        ),
        (
            "pl",
            "dziennik-dostepu",
            ["czas", "pracownik", "akcja", "osoby, których dane dotyczą", "ścieżka", "adres IP"],
            ["szczegóły", "usunięcie po okresie przechowywania"],
        ),
        (
            "da",
            "adgangslog",
            ["tidspunkt", "medarbejder", "handling", "registrerede personer", "sti", "IP-adresse"],
            ["detaljevisning", "sletning efter opbevaringsfrist"],
        ),
        (
            "en",
            "access-log",
            ["time", "staff user", "action", "data subjects", "path", "IP address"],
            ["detail", "retention purge"],
        ),
    ],
)
def test_the_export_is_named_and_written_in_the_readers_language(
    client, language, stem, header, actions
):
    staff = StaffFactory(email="looker@example.com")
    services.write_entry(user=staff, action="detail", subjects=["customer:7"], ip="10.0.0.1")
    services.write_entry(user=None, action="purge", subjects=[], note="12 entries")
    response, rows = export(client, language)

    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="{stem}-{STAMP}\.csv"', disposition), disposition
    assert rows[0][1:7] == header
    assert [row[3] for row in rows[1:]] == actions
    assert rows[1][2] == "looker@example.com" and rows[1][4] == "customer:7"
    assert rows[1][6] == "10.0.0.1"


def test_times_are_local_iso_dates_with_their_seconds(client):
    services.write_entry(user=StaffFactory(), action="list", subjects=["customer:1"])
    entry = AccessLogEntry.objects.order_by("-id").first()
    _response, rows = export(client, "pl")
    (row,) = rows[1:]
    # Excel reads "2026-12-03 16:19:07" as a time in every language; seconds keep the
    # entries of one minute apart.
    assert row[1] == timezone.localtime(entry.time).strftime("%Y-%m-%d %H:%M:%S")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row[1])


def test_the_streamed_rows_keep_the_language_the_export_was_asked_in(client):
    """The rows are written while the response is sent, after the view (and the request's
    language) is gone: the headers and the actions are translated before."""
    services.write_entry(user=StaffFactory(), action="export", subjects=[])
    dpo = RoleUserFactory(role="Data protection officer", language="da")
    client.force_login(dpo)
    response = client.get(reverse("admin:privacy_accesslogentry_export"))
    with translation.override("en"):  # whatever is active when the body is written
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][1] == "tidspunkt"
    assert rows[1][3] == "eksport"
