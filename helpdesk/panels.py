"""Panels the helpdesk contributes to other apps' pages (see shop/panels.py)."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers import panels as customer_panels
from customers.erasure import own_addresses
from shop import admin
from shop import panels as shop_panels

from . import erasure
from .forms import AnswerForm, ThreadStartForm
from .models import Message, Thread


def account_order(request, order):
    """Storefront order page: the order's threads (without notes) and the forms to write."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or order.customer_id != user.pk:
        return None
    threads = order.helpdesk_threads.filter(customer=user).prefetch_related(
        Prefetch(
            "messages",
            queryset=Message.objects.exclude(kind=Message.Kind.NOTE).prefetch_related(
                "attachments"
            ),
        )
    )
    return {"threads": threads, "start_form": ThreadStartForm(), "answer_form": AnswerForm()}


def account_home(request, user):
    if not user.is_authenticated:
        return None
    threads = list(user.helpdesk_threads.select_related("order")[:10])
    if not threads:
        return None
    return {"threads": threads}


def account_nav(request, user):
    """ "My questions" in the storefront account's navigation; not for staff."""
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    match = getattr(request, "resolver_match", None)
    return {"active": bool(match and match.namespace == "helpdesk")}


def visible_threads(user):
    """Threads a staff user may open: all with the global permission, else those forwarded
    to one of their groups (django-guardian object permissions)."""
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(
        user, "helpdesk.view_thread", klass=Thread, accept_global_perms=True
    )


def _backoffice(request, queryset, wide=True):
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return None
    threads = list(
        queryset.filter(pk__in=visible_threads(user).values("pk"))
        .select_related("order")
        .order_by("-created", "-id")[:50]
    )
    if not threads and not user.has_perm("helpdesk.view_thread"):
        return None
    return {"threads": threads, "wide": wide}


def backoffice_order(request, order):
    # On the order's own page the panel sits in the narrow right-hand column: no order column
    # (every thread is about this order) and no ID column (the subject links to the thread).
    return _backoffice(request, Thread.objects.filter(order=order), wide=False)


def backoffice_customer(request, customer):
    return _backoffice(
        request, Thread.objects.filter(Q(customer=customer) | Q(order__customer=customer))
    )


def deletion_note(user):
    """On "Delete my account": what ``helpdesk.erasure`` does to the customer's threads."""
    if not erasure.customer_threads(user, own_addresses(user)).exists():
        return None
    if user.is_test:
        return {
            "text": gettext(
                "Your messages to our customer service are deleted, with their attachments."
            )
        }
    return {
        "text": gettext(
            "Your messages to our customer service stay as a record of the conversation, "
            "without your name, e-mail address, phone number and street; the files attached "
            "to them are deleted."
        )
    }


def _staff(user):
    return user.is_staff


def register():
    customer_panels.register_deletion_note(deletion_note, order=40)
    shop_panels.ACCOUNT_ORDER.register("helpdesk/_order_threads.html", account_order, order=50)
    shop_panels.ACCOUNT_HOME.register("helpdesk/_account_threads.html", account_home, order=60)
    shop_panels.registry("account_nav").register(
        "helpdesk/_account_nav.html", account_nav, order=60
    )
    # Staff see the threads they may open (visible_threads: the global permission, or a
    # thread forwarded to their group), checked per thread by _backoffice().
    shop_panels.BACKOFFICE_ORDER.register(
        "admin/helpdesk/_threads_panel.html", backoffice_order, order=50, permission=_staff
    )
    shop_panels.BACKOFFICE_CUSTOMER.register(
        "admin/helpdesk/_threads_panel.html", backoffice_customer, order=50, permission=_staff
    )
    admin.backoffice.attention(
        _("Open helpdesk threads"),
        "admin:helpdesk_thread_changelist",
        lambda: Thread.objects.needing_attention().count(),
        permission="helpdesk.view_thread",
        query="?status=open",
    )
    admin.backoffice.attention(
        _("Overdue helpdesk threads (first answer late)"),
        "admin:helpdesk_thread_changelist",
        lambda: Thread.objects.overdue().count(),
        permission="helpdesk.view_thread",
        query="?status=overdue",
        urgent=True,
    )
