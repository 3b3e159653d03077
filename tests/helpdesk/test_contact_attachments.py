"""The contact form takes files with the first message — a guest with a broken item sends
the photo at once, not only after following the confirmation link (same limits as every
helpdesk message)."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.models import Attachment, Thread
from shop.models import OutboxEmail
from tests.helpdesk.factories import ContactTopicFactory
from tests.helpdesk.test_contact import URL, form_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def test_a_guest_sends_a_photo_with_the_first_message(client):
    topic = ContactTopicFactory()
    page = client.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page
    photo = SimpleUploadedFile("broken.png", PNG, content_type="image/png")
    response = client.post(URL, {**form_data(topic), "attachments": [photo]})
    assert response.status_code == 302
    thread = Thread.objects.get()
    attachment = Attachment.objects.get(message__thread=thread)
    assert attachment.filename == "broken.png"
    to_team = OutboxEmail.objects.get(template="helpdesk_contact_request")
    assert "1 attachment (in the backoffice)" in to_team.body_text


def test_a_file_of_a_refused_type_stores_nothing(client):
    topic = ContactTopicFactory()
    script = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdos")
    response = client.post(URL, {**form_data(topic), "attachments": [script]})
    assert response.status_code == 200
    assert "this file type is not accepted" in response.content.decode()
    assert not Thread.objects.exists() and not Attachment.objects.exists()
    assert not OutboxEmail.objects.exists()
