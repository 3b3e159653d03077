"""Access-log notes in the reader's language (privacy.notes): the shop's own wordings are
translated on the entry's page, what a person typed stays as typed, the stored note (part of
the entry's hash) is never changed."""

import pytest
from django.urls import reverse
from django.utils import translation

from privacy.models import AccessLogEntry
from privacy.notes import display_note
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "note, polish",
    [
        ("rows not known to the log", "wiersze nieznane dziennikowi"),
        ("new-orders feed", "kanał nowych zamówień"),
        ("name search: Müller", "wyszukiwanie po nazwisku: Müller"),
        (
            "disclosure added: 2026-11-30 Tax office: invoices 2025",
            "dodano ujawnienie: 2026-11-30 Tax office: invoices 2025",
        ),
        (
            "disclosure changed from [a: b] to [c: d]",
            "zmieniono ujawnienie z [a: b] na [c: d]",
        ),
        ("disclosure deleted: x", "usunięto ujawnienie: x"),
        (
            "personal-data report (pdf, de) · withheld: note 3: third party · staff names: law",
            "raport danych osobowych (pdf, de) · wstrzymano: note 3: third party"
            " · nazwiska pracowników: law",
        ),
        (
            "purged 2 entries older than 2026-01-01T00:00:00+00:00",
            "usunięto 2 wpisy starsze niż 2026-01-01T00:00:00+00:00",
        ),
        ("something an older version wrote", "something an older version wrote"),
    ],
)
def test_each_note_the_shop_writes_reads_in_polish(note, polish):
    with translation.override("pl"):
        assert display_note(note) == polish
    with translation.override("en"):
        assert display_note(note) == note


def test_the_entry_page_shows_the_note_in_the_staff_members_language(client):
    dpo = StaffFactory(is_superuser=True, language="da")
    client.force_login(dpo)
    client.get(reverse("admin:privacy_subject_changelist"), {"q": "Jensen", "scope": "both"})
    entry = AccessLogEntry.objects.filter(note__startswith="name search").latest("id")
    assert entry.note == "name search: Jensen"  # stored as written
    page = client.get(reverse("admin:privacy_accesslogentry_change", args=[entry.pk]))
    html = page.content.decode()
    assert "navnesøgning: Jensen" in html
    assert f"#{entry.pk} {dpo.email} søgning /backoffice/" in html  # the title: the action too
