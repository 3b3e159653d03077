"""The read-only backoffice screens: nobody adds or edits their rows, whatever the role."""

import pytest
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from giftcards.models import CreditAccount, GiftCardModeSetting, LedgerEntry
from privacy.models import AccessLogEntry, Disclosure, Subject
from shop.admin import backoffice
from shop.models import OutboxEmail
from tests.factories import StaffFactory
from vouchers.models import CodeJob

pytestmark = pytest.mark.django_db


def _request(user, method="get"):
    request = getattr(RequestFactory(), method)("/backoffice/")
    request.user = user
    return request


@pytest.mark.parametrize(
    "model",
    [CreditAccount, LedgerEntry, GiftCardModeSetting, AccessLogEntry, Disclosure, Subject],
)
def test_read_only_screens_refuse_add_change_and_delete_even_to_a_superuser(model):
    model_admin = backoffice._registry[model]
    request = _request(StaffFactory(is_superuser=True))
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("model", [TOTPDevice, CodeJob])
def test_read_only_screens_that_keep_the_delete_permission(model):
    model_admin = backoffice._registry[model]
    superuser = _request(StaffFactory(is_superuser=True))
    assert not model_admin.has_add_permission(superuser)
    assert not model_admin.has_change_permission(superuser)
    assert model_admin.has_delete_permission(superuser)
    assert not model_admin.has_delete_permission(_request(StaffFactory()))


def test_outbox_is_viewed_with_the_view_permission_and_acted_on_with_the_change_permission():
    from django.contrib.auth.models import Permission

    model_admin = backoffice._registry[OutboxEmail]
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxemail"))
    changer = StaffFactory()
    changer.user_permissions.add(Permission.objects.get(codename="change_outboxemail"))
    assert model_admin.has_change_permission(_request(viewer, "get"))
    assert not model_admin.has_change_permission(_request(viewer, "post"))
    assert model_admin.has_change_permission(_request(changer, "post"))
    for user in (viewer, changer, StaffFactory(is_superuser=True)):
        assert not model_admin.has_add_permission(_request(user))
        assert not model_admin.has_delete_permission(_request(user))
