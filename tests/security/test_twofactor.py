"""Staff two-factor authentication for the backoffice (SPEC S16, issue 13 point 1)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
INDEX = "/backoffice/"
SETUP = "/backoffice/2fa/setup/"
VERIFY = "/backoffice/2fa/verify/"


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.BACKOFFICE_REQUIRE_2FA = True


@pytest.fixture
def manager(db):
    return StaffFactory(is_superuser=True)


def code_for(device):
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def password_login(client, user, next_url=None):
    """Post the backoffice login form as the browser does (with its hidden ``next``)."""
    url = reverse("admin:login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.email, "password": PASSWORD, "next": next_url or INDEX}
    return client.post(url, data)


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery")
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.create(device=static, token="wxyz6789")
    return device


def test_staff_without_device_is_sent_to_enrolment_after_password(client, manager):
    response = password_login(client, manager)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # The session is logged in, but the backoffice itself stays closed.
    response = client.get(INDEX)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(SETUP)


def test_enrolment_shows_qr_and_secret_and_refuses_wrong_code(client, manager):
    password_login(client, manager)
    page = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=manager)
    assert not device.confirmed
    assert "<svg" in page and "<path" in page
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert secret[:4] in page and secret[-4:] in page
    # A reload keeps the same secret.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=manager).count() == 1

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=manager).exists()
    assert client.get(INDEX).status_code == 302


def test_enrolment_with_right_code_gives_ten_recovery_codes_and_access(client, manager):
    password_login(client, manager, next_url="/backoffice/reviews/review/")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(
        SETUP, {"token": code_for(device), "next": "/backoffice/reviews/review/"}
    )
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert 'href="/backoffice/reviews/review/"' in page
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=manager).count() == 10
    assert client.get(INDEX).status_code == 200
    # Shown once: the enrolment page is closed now.
    assert client.get(SETUP).status_code == 302


def test_staff_with_device_must_enter_code_wrong_code_refused(client, manager):
    enrolled(manager)
    response = password_login(client, manager)
    assert response["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"token": "000000"})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert client.get(INDEX).status_code == 302
    # An enrolled user cannot enrol a second device by visiting the setup page.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_right_totp_code_lets_in_and_follows_next(client, manager):
    device = enrolled(manager)
    response = password_login(client, manager, next_url="/backoffice/shop/product/")
    assert response["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"token": code_for(device), "next": "/backoffice/shop/product/"})
    assert response.status_code == 302 and response["Location"] == "/backoffice/shop/product/"
    assert client.get(INDEX).status_code == 200


def test_totp_code_cannot_be_replayed(client, manager):
    device = enrolled(manager)
    password_login(client, manager)
    code = code_for(device)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.logout()
    password_login(client, manager)
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200
    assert client.get(INDEX).status_code == 302


def test_recovery_code_works_exactly_once(client, manager):
    enrolled(manager)
    password_login(client, manager)
    response = client.post(VERIFY, {"token": "ABCD 2345"})  # case and spaces don't matter
    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200
    assert not StaticToken.objects.filter(token="abcd2345").exists()

    client.logout()
    password_login(client, manager)
    response = client.post(VERIFY, {"token": "abcd2345"})
    assert response.status_code == 200 and "already used" in response.content.decode()
    assert client.get(INDEX).status_code == 302
    # A wrong code throttles the next attempts for a moment (django-otp's back-off) ...
    response = client.post(VERIFY, {"token": "wxyz6789"})
    assert "Too many wrong codes" in response.content.decode()
    # ... after which the other, unused recovery code works.
    StaticDevice.objects.filter(user=manager).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )
    assert client.post(VERIFY, {"token": "wxyz6789"}).status_code == 302
    assert client.get(INDEX).status_code == 200


def test_non_staff_never_reach_the_backoffice(client):
    customer = UserFactory()
    response = password_login(client, customer)
    assert response.status_code == 200  # the login form refuses non-staff
    assert client.get(INDEX).status_code == 302
    client.force_login(customer)
    for url in (INDEX, SETUP, VERIFY):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(SETUP, {"token": "123456"})["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.filter(user=customer).exists()


def test_anonymous_cannot_open_second_factor_pages(client):
    for url in (SETUP, VERIFY):
        assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_cancel_logs_out(client, manager):
    enrolled(manager)
    password_login(client, manager)
    response = client.post(VERIFY, {"cancel": "1"})
    assert response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session


def test_next_must_stay_on_this_site(client, manager):
    device = enrolled(manager)
    password_login(client, manager)
    response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == INDEX


def test_switching_2fa_off_admits_password_only_staff(client, manager, settings):
    settings.BACKOFFICE_REQUIRE_2FA = False
    response = password_login(client, manager)
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200


def test_manager_can_reset_a_staff_members_devices(client, manager):
    device = enrolled(manager)
    member = StaffFactory()
    enrolled(member)
    password_login(client, manager)
    client.post(VERIFY, {"token": code_for(device)})
    url = reverse("admin:otp_totp_totpdevice_changelist")
    assert str(member) in client.get(url).content.decode()
    member_device = TOTPDevice.objects.get(user=member)
    client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[member_device.pk]), {"post": "yes"}
    )
    assert not TOTPDevice.objects.filter(user=member).exists()


def _first_submit(page):
    """The submit control a browser presses on Enter: the form's first one (HTML's implicit
    submission)."""
    import re

    form = page[page.index('id="login-form"') :]
    return re.search(r'<(input|button)[^>]*type="submit"[^>]*>', form).group(0)


def test_enter_in_the_code_field_verifies_and_does_not_log_out(client, manager):
    """An audit typed the code and pressed Enter: the first submit button was "Cancel and log
    out", so it landed back on the login page, at enrolment and at every login."""
    enrolled(manager)
    password_login(client, manager)
    first = _first_submit(client.get(VERIFY).content.decode())
    assert 'name="cancel"' not in first


def test_enter_in_the_enrolment_code_field_confirms(client, manager):
    password_login(client, manager)
    page = client.get(SETUP).content.decode()
    assert 'name="cancel"' not in _first_submit(page)
