"""The campaign's code CSV speaks one language: the values ("yes"/"no") in the language of
its header, the staff member's; and its file name keeps the campaign's letters."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from shop.exports import excel_delimiter
from tests.factories import StaffFactory, UserFactory
from vouchers.exports import campaign_filename, export_rows

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def download(client, campaign):
    return client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))


@pytest.mark.parametrize(
    "language, header, yes, no",
    [
        ("da", ["kode", "aktiv"], "ja", "nej"),
        ("de", ["Code", "aktiv"], "ja", "nein"),
        ("pl", ["kod"], "tak", "nie"),
        ("en", ["code", "active"], "yes", "no"),
    ],
)
def test_active_column_is_in_the_language_of_the_header(client, language, header, yes, no):
    campaign = CampaignFactory(name="Vinter")
    CodeFactory(campaign=campaign, text="ON1", assigned_to=UserFactory())
    CodeFactory(campaign=campaign, text="OFF1", is_active=False)
    client.force_login(StaffFactory(is_superuser=True, language=language))
    content = download(client, campaign).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=excel_delimiter(language)))
    assert rows[0][: len(header)] == header
    assert {row[0]: row[1] for row in rows[1:]} == {"ON1": yes, "OFF1": no}


def test_rows_keep_the_language_they_were_asked_in():
    """The rows are read while the file is written, maybe after the language was switched
    back: the words are chosen when the export is asked for, with the header."""
    campaign = CampaignFactory()
    CodeFactory(campaign=campaign, text="ON1")
    with translation.override("da"):
        rows = export_rows(campaign)
    assert [row[:2] for row in rows] == [["ON1", "ja"]]


@pytest.mark.parametrize(
    "name, filename",
    [
        ("Łódź żółć", "codes-lodz-zolc.csv"),
        ("Vinter ÆØÅ 1", "codes-vinter-aeoeaa-1.csv"),
        ("Große Grüße", "codes-grosse-gruesse.csv"),
        ("Sommer-Aktion 2026 (Newsletter)", "codes-sommer-aktion-2026-newsletter.csv"),
        ("Été à Paris", "codes-ete-a-paris.csv"),
    ],
)
def test_file_name_keeps_the_letters_of_the_campaign(name, filename):
    assert campaign_filename(CampaignFactory(name=name)) == filename


def test_file_name_of_a_campaign_without_letters_is_its_number():
    campaign = CampaignFactory(name="!!! ???")
    assert campaign_filename(campaign) == f"codes-{campaign.pk}.csv"


def test_download_is_named_with_the_campaigns_letters_in_ascii(admin_client):
    """The name is in a plain ``filename="…"``, which browsers read as ASCII (Latin-1 at
    best): "Łódź żółć" came as ``codes-odz-zoc.csv``."""
    campaign = CampaignFactory(name="Łódź żółć")
    CodeFactory(campaign=campaign)
    response = download(admin_client, campaign)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="codes-lodz-zolc.csv"'
    assert response["Content-Disposition"].isascii()
