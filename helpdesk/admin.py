"""Backoffice screens of the helpdesk: thread search and thread view (custom views on the
ThreadAdmin), contact topics and canned replies.

Access to threads: staff with the global ``helpdesk.view_thread`` permission see all threads;
department staff (Marketing, Sales, Payments, Shop manager) see the threads forwarded to their
group through django-guardian object permissions.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_groups_with_perms

from shop.admin import backoffice
from shop.exceptions import DomainError

from . import services
from .forms import OperatorForm, StatusForm, ThreadSearchForm
from .models import CannedReply, ContactTopic, Thread
from .panels import visible_threads

PAGE_SIZE = 50


@admin.register(ContactTopic, site=backoffice)
class ContactTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "recipient_email", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "recipient_email"]


@admin.register(CannedReply, site=backoffice)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["title", "text"]


def has_any_thread_permission(request):
    """True if the user holds an object permission on at least one thread (cached per request)."""
    cached = getattr(request, "_helpdesk_object_perms", None)
    if cached is None:
        user = request.user
        if not user.is_authenticated:  # the login page builds the app list for anonymous users
            return False
        ct = ContentType.objects.get_for_model(Thread)
        cached = (
            GroupObjectPermission.objects.filter(content_type=ct, group__user=user).exists()
            or UserObjectPermission.objects.filter(content_type=ct, user=user).exists()
        )
        request._helpdesk_object_perms = cached
    return cached


@admin.register(Thread, site=backoffice)
class ThreadAdmin(admin.ModelAdmin):
    """The change list and change view are replaced by the helpdesk's own screens."""

    search_template = "admin/helpdesk/thread/search.html"
    thread_template = "admin/helpdesk/thread/thread.html"

    # --- permissions: global permission or a guardian object permission -------------------

    def get_queryset(self, request):
        return visible_threads(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or has_any_thread_permission(request)

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if obj is None:
            return has_any_thread_permission(request)
        return request.user.has_perm("helpdesk.view_thread", obj) or request.user.has_perm(
            "helpdesk.change_thread", obj
        )

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        if obj is None:
            return has_any_thread_permission(request)
        return request.user.has_perm("helpdesk.change_thread", obj)

    def has_add_permission(self, request):
        return False  # threads are started by customers

    # --- search (change list) -------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        form = ThreadSearchForm(request.GET or None)
        threads = self.get_queryset(request)
        if form.is_bound:
            threads = form.filter(threads) if form.is_valid() else threads.none()
        threads = threads.annotate(order_number=F("order__number")).order_by("-created", "-id")
        page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Helpdesk threads"),
            "opts": self.opts,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.search_template, context)

    # --- thread view (change view) --------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        thread = self.get_object(request, unquote(object_id))
        if thread is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, thread):
            raise PermissionDenied
        can_change = self.has_change_permission(request, thread)
        reply_form = OperatorForm()
        status_form = StatusForm(initial={"status": thread.status})
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            result = self._handle_post(request, thread)
            if isinstance(result, HttpResponseRedirect):
                return result
            reply_form = result
        thread = (
            Thread.objects.select_related("order", "topic", "customer")
            .annotate(order_number=F("order__number"))
            .get(pk=thread.pk)
        )
        canned = list(CannedReply.objects.filter(is_active=True))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Thread #%(id)s: %(subject)s")
            % {"id": thread.pk, "subject": thread.subject},
            "opts": self.opts,
            "original": thread,
            "thread": thread,
            "thread_messages": thread.messages.select_related("author"),
            "reply_form": reply_form,
            "status_form": status_form,
            "can_change": can_change,
            "canned_texts": {str(c.pk): c.text for c in canned},
            "departments": get_groups_with_perms(thread),
            "customer_url": thread.get_absolute_url(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.thread_template, context)

    def _handle_post(self, request, thread):
        """Returns a redirect after a change, or the reply form to show again."""
        form = OperatorForm(request.POST)
        if not form.is_valid():
            return form
        text = form.cleaned_data["text"]
        if "_insert" in request.POST:
            canned = form.cleaned_data["canned"]
            if canned is None:
                form.add_error("canned", _("Choose a canned reply to insert."))
                return form
            combined = f"{text.rstrip()}\n\n{canned.text}" if text.strip() else canned.text
            return OperatorForm(initial={"text": combined})
        try:
            if "_send" in request.POST:
                services.operator_reply(thread, request.user, text)
                self.message_user(request, _("The reply was sent to the customer."))
            elif "_note" in request.POST:
                services.add_note(thread, request.user, text)
                self.message_user(request, _("The note was saved (internal only)."))
            elif "_status" in request.POST:
                status_form = StatusForm(request.POST)
                if not status_form.is_valid():
                    raise services.HelpdeskError(_("Unknown status."))
                services.set_status(thread, status_form.cleaned_data["status"], request.user)
                thread.refresh_from_db()
                self.message_user(
                    request,
                    _("Status set to “%(status)s”.") % {"status": thread.get_status_display()},
                )
            else:
                return form
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return form
        return HttpResponseRedirect(request.path)
