"""Attachments in both directions (issue 24 item 6): limits, private storage, permission
checked downloads, the access log, erasure with the data subject."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers import services as customer_services
from helpdesk import inbound, links, services
from helpdesk.attachments import Incoming
from helpdesk.errors import HelpdeskError
from helpdesk.models import Attachment, Thread
from privacy.models import AccessLogEntry
from tests.factories import RoleUserFactory, StaffFactory, UserFactory
from tests.formtokens import fresh
from tests.helpdesk.factories import ThreadFactory
from tests.helpdesk.test_inbound import multipart_mail

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def order(make_order, customer):
    return make_order(customer=customer, email=customer.email)


def staff_file_url(thread, attachment):
    return reverse("admin:helpdesk_thread_attachment", args=[thread.pk, attachment.pk])


def test_customer_attaches_photo_in_the_account_and_staff_download_it(
    client, order, customer, settings
):
    client.force_login(customer)
    response = client.post(
        reverse("helpdesk:order_thread_start", args=[order.number]),
        {"subject": "Broken", "text": "See the photo", "attachments": [upload("lid.png", PNG)]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.filename == "lid.png" and attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    # stored privately: below PRIVATE_MEDIA_ROOT, never below MEDIA_ROOT, no URL
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)) and path.read_bytes() == PNG
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
    with pytest.raises(ValueError):
        _ = attachment.file.url
    # the customer's own download
    own = client.get(
        reverse("helpdesk:account_attachment", args=[attachment.message.thread_id, attachment.pk])
    )
    assert own.status_code == 200 and b"".join(own.streaming_content) == PNG
    assert own["Content-Disposition"].startswith('attachment; filename="lid.png"')
    assert own["X-Content-Type-Options"] == "nosniff"


def test_attachment_only_answer_without_text_is_accepted(client, order, customer):
    thread = services.start_order_thread(order, customer, subject="Q", text="Hi")
    client.force_login(customer)
    url = reverse("helpdesk:account_thread", args=[thread.pk])
    assert client.post(url, {"text": "", "attachments": [upload("r.pdf", PDF)]}).status_code == 302
    message = thread.messages.last()
    assert message.text == "" and message.attachments.get().filename == "r.pdf"
    # without text and without a file: a clear error, nothing stored
    response = client.post(url, {"text": "  "})
    assert response.status_code == 200 and response.context["form"].errors["text"]
    assert thread.messages.count() == 2


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("virus.exe", b"MZ\x90\x00", "this file type is not accepted"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "does not contain what its name says"),
        ("big.pdf", PDF + b"x" * 2048, "is too large"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_limits_refuse_the_file_and_change_nothing(
    client, order, customer, settings, name, data, error
):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1024
    thread = services.start_order_thread(order, customer, subject="Q", text="Hi")
    client.force_login(customer)
    response = client.post(
        reverse("helpdesk:account_thread", args=[thread.pk]),
        {"text": "File", "attachments": [upload(name, data)]},
    )
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["attachments"])
    assert thread.messages.count() == 1 and not Attachment.objects.exists()
    assert not any(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_too_many_files_are_refused(settings):
    settings.HELPDESK_ATTACHMENT_MAX_FILES = 2
    thread = ThreadFactory()
    files = [Incoming.from_bytes(f"n{i}.txt", b"note") for i in range(3)]
    with pytest.raises(HelpdeskError, match="at most 2 files"):
        services.customer_reply(thread, "x", files=files)
    assert not thread.messages.exists()


def test_guest_link_answers_with_a_file_and_downloads_it(client):
    thread = ThreadFactory(email="guest@example.com")
    path = links.signed_thread_path(thread)
    response = client.post(path, {"text": "Receipt", "attachments": [upload("r.pdf", PDF)]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    got = client.get(f"{path}files/{attachment.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # a file of another thread is not reachable through this thread's link
    other = services.add_note(
        ThreadFactory(), None, "x", files=[Incoming.from_bytes("o.txt", b"o")]
    )
    assert client.get(f"{path}files/{other.attachments.get().pk}/").status_code == 404


def test_staff_attach_files_to_answers_and_notes_notes_stay_internal(admin_client, client):
    thread = ThreadFactory()
    url = reverse("admin:helpdesk_thread_change", args=[thread.pk])
    admin_client.post(
        url, fresh({"text": "Your invoice", "_send": "1", "attachments": [upload("i.pdf", PDF)]})
    )
    admin_client.post(
        url, fresh({"text": "Internal scan", "_note": "1", "attachments": [upload("s.png", PNG)]})
    )
    answer, note = thread.messages.order_by("id")
    sent, internal = answer.attachments.get(), note.attachments.get()
    html = admin_client.get(url).content.decode()
    assert staff_file_url(thread, sent) in html and staff_file_url(thread, internal) in html
    guest = links.signed_thread_path(thread)
    page = client.get(guest).content.decode()
    assert f"files/{sent.pk}/" in page and f"files/{internal.pk}/" not in page
    assert client.get(f"{guest}files/{internal.pk}/").status_code == 404
    assert client.get(f"{guest}files/{sent.pk}/").status_code == 200


def test_staff_download_needs_thread_access_and_is_access_logged(client, admin_client):
    thread = ThreadFactory(email="erika@example.com")
    message = services.customer_reply(thread, "Photo", files=[Incoming.from_bytes("a.png", PNG)])
    attachment = message.attachments.get()
    url = staff_file_url(thread, attachment)
    before = AccessLogEntry.objects.count()
    response = admin_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    entry = AccessLogEntry.objects.order_by("-pk").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry.action == "export" and entry.path == url
    assert f"helpdesk.thread:{thread.pk}" in entry.subjects
    assert "email:erika@example.com" in entry.subjects
    # a department without the thread gets nothing; after forwarding it does
    seller = RoleUserFactory(role="Sales")
    client.force_login(seller)
    assert client.get(url).status_code in (302, 403, 404)
    services.set_status(thread, Thread.Status.FORWARDED_SALES)
    assert client.get(url).status_code == 200
    # a customer (not staff) never reaches the backoffice download
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302


def test_inbound_mail_attachments_are_kept():
    thread = ThreadFactory(email="erika@example.com")
    result = inbound.receive_email(
        multipart_mail(
            thread,
            files=[
                ("photo.png", "image/png", PNG),
                ("tool.exe", "application/octet-stream", b"MZ"),
            ],
        )
    )
    assert result.status == "stored"
    message = result.message
    assert [a.filename for a in message.attachments.all()] == ["photo.png"]
    assert Path(message.attachments.get().file.path).read_bytes() == PNG
    assert "tool.exe" in message.text and "not kept" in message.text


def test_erasing_the_customer_deletes_their_files(
    order, customer, django_capture_on_commit_callbacks
):
    thread = services.start_order_thread(
        order, customer, subject="Q", text="x", files=[Incoming.from_bytes("id.pdf", PDF)]
    )
    services.operator_reply(
        thread, StaffFactory(), "Label", files=[Incoming.from_bytes("l.pdf", PDF)]
    )
    paths = [Path(a.file.path) for a in Attachment.objects.all()]
    assert all(p.exists() for p in paths)
    bystander = services.customer_reply(
        ThreadFactory(email="other@example.com"), "Mine", files=[Incoming.from_bytes("k.txt", b"k")]
    ).attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.delete_customer(customer)
    assert list(Attachment.objects.all()) == [bystander]
    assert Thread.objects.filter(pk=thread.pk).exists()  # the thread stays, anonymised
    assert not any(p.exists() for p in paths)
    assert Path(bystander.file.path).exists()


def test_a_file_just_over_the_limit_says_by_how_much(settings):
    """Rounded, 10 MB + 10 bytes and the 10 MB limit both read "10.0 MB": the message then
    gives both in bytes, so it does not contradict itself."""
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    big = Incoming.from_bytes("big.pdf", PDF + b"x" * (10 * 1024 * 1024 + 10 - len(PDF)))
    with pytest.raises(HelpdeskError) as refused:
        services.customer_reply(ThreadFactory(), "x", files=[big])
    assert "(10485770 bytes; at most 10485760 bytes)" in refused.value.message
