"""Backoffice screens of the helpdesk: thread search and thread view (custom views on the
ThreadAdmin), attachment downloads, contact topics (with their service level) and canned
replies (every language on one page, django-modeltranslation).

Access to threads: staff with the global ``helpdesk.view_thread`` permission see all threads;
department staff (Marketing, Sales, Payments, Shop manager) see the threads currently
forwarded to their group through django-guardian object permissions.
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from guardian.models import GroupObjectPermission, UserObjectPermission
from modeltranslation.admin import TranslationAdmin

from shop import datehierarchy, formtokens
from shop.admin import backoffice
from shop.exceptions import DomainError
from shop.forms import parse_id
from shop.formtokens import FormAlreadySent

from . import attachments, services
from .forms import SORTS, AssignForm, OperatorForm, StatusForm, ThreadSearchForm
from .models import Attachment, CannedReply, ContactTopic, Thread
from .panels import visible_threads

PAGE_SIZE = 50


@admin.register(ContactTopic, site=backoffice)
class ContactTopicAdmin(TranslationAdmin):
    list_display = ["name", "recipient_email", "sla_hours", "is_active", "system", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "recipient_email"]
    fields = ["name", "recipient_email", "sla_hours", "is_active", "position"]

    @admin.display(description=gettext_lazy("system topic"), boolean=True)
    def system(self, obj):
        return bool(obj.code)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "sla_hours" in form.changed_data:
            n = services.apply_topic_sla(obj)
            if n:
                self.message_user(
                    request,
                    ngettext(
                        "The new service level applies to %(n)d thread still waiting for its "
                        "first answer.",
                        "The new service level applies to %(n)d threads still waiting for "
                        "their first answer.",
                        n,
                    )
                    % {"n": n},
                )


@admin.register(CannedReply, site=backoffice)
class CannedReplyAdmin(TranslationAdmin):
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

    def get_object(self, request, object_id, from_field=None):
        """The thread, if the user may open it. A thread that exists outside the user's
        threads (another department's) is refused with the backoffice's no-access page
        (403) — Django's "doesn't exist" message and redirect would be untrue; an id that
        names no thread keeps that answer (None)."""
        thread = super().get_object(request, object_id, from_field)
        if thread is None and self._exists(object_id, from_field):
            raise PermissionDenied(
                _(
                    "This request is with another department: only the department it was "
                    "forwarded to and customer service can open it."
                )
            )
        return thread

    def _exists(self, object_id, from_field=None):
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            value = field.to_python(object_id)
            return Thread.objects.filter(**{field.attname: value}).exists()
        except (ValidationError, ValueError, TypeError):
            return False

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

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                wrap(self.attachment_view),
                name="helpdesk_thread_attachment",
            ),
            *super().get_urls(),
        ]

    # --- search (change list) -------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        staff = list(services.assignable_staff())
        if request.method == "POST":
            return self._bulk_assign(request, staff)
        form = ThreadSearchForm(request.GET or None, staff=staff)
        threads = self.get_queryset(request)
        if form.is_bound:
            threads = form.filter(threads, user=request.user) if form.is_valid() else threads.none()
        threads = datehierarchy.filter_by(threads, "created", request.GET)
        date_hierarchy = datehierarchy.drilldown(
            threads, "created", True, request.GET, partial(_date_link, request.GET)
        )
        sort = request.GET.get("o") if request.GET.get("o") in SORTS else "-created"
        threads = (
            threads.select_related("assignee", "topic")
            .annotate(order_number=F("order__number"))
            .order_by(*SORTS[sort])
        )
        page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        unsorted = query.copy()
        unsorted.pop("o", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Helpdesk threads"),
            "opts": self.opts,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "unsorted_query": unsorted.urlencode(),
            "sort": sort,
            "now": timezone.now(),
            "can_assign": self.has_change_permission(request),
            "date_hierarchy": date_hierarchy,
            "assign_form": AssignForm(staff=staff),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.search_template, context)

    def _bulk_assign(self, request, staff):
        back = request.get_full_path()
        ids = [pk for pk in map(parse_id, request.POST.getlist("_selected")) if pk is not None]
        threads = list(self.get_queryset(request).filter(pk__in=ids))
        if not threads:
            self.message_user(request, _("Select at least one thread."), messages.WARNING)
            return HttpResponseRedirect(back)
        if any(not self.has_change_permission(request, t) for t in threads):
            raise PermissionDenied
        form = AssignForm(request.POST, staff=staff)
        if not form.is_valid():
            self.message_user(request, _("Choose a staff member."), messages.ERROR)
            return HttpResponseRedirect(back)
        assignee = form.cleaned_data["assignee"]
        try:
            n = services.assign(threads, assignee, request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(back)
        who = (assignee.get_full_name() or assignee.email) if assignee else _("nobody")
        self.message_user(
            request,
            ngettext("%(n)d thread assigned to %(who)s.", "%(n)d threads assigned to %(who)s.", n)
            % {"n": n, "who": who},
        )
        return HttpResponseRedirect(back)

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
            Thread.objects.select_related(
                "order", "topic", "customer", "assignee", "related_thread"
            )
            .annotate(order_number=F("order__number"))
            .get(pk=thread.pk)
        )
        canned = list(CannedReply.objects.filter(is_active=True))
        staff = list(services.assignable_staff(thread))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Thread #%(id)s: %(subject)s")
            % {"id": thread.pk, "subject": thread.subject},
            "opts": self.opts,
            "original": thread,
            "thread": thread,
            "thread_messages": thread.messages.select_related("author").prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
            ),
            "linked_threads": list(thread.linked_threads.order_by("-created")),
            "reply_form": reply_form,
            "status_form": status_form,
            "assign_form": AssignForm(
                initial={"assignee": str(thread.assignee_id or "")}, staff=staff
            ),
            "can_change": can_change,
            "canned_texts": services.canned_reply_texts(thread, canned),
            "now": timezone.now(),
            "customer_url": thread.get_absolute_url(),
            "attachment_limits": attachments.limits_text(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.thread_template, context)

    def _handle_post(self, request, thread):
        """Returns a redirect after a change, or the reply form to show again."""
        if "_assign_me" in request.POST or "_assign" in request.POST:
            return self._assign_one(request, thread)
        form = OperatorForm(request.POST, request.FILES)
        if not form.is_valid():
            return form
        text = form.cleaned_data["text"]
        files = form.cleaned_data["attachments"]
        if "_insert" in request.POST:
            canned = form.cleaned_data["canned"]
            if canned is None:
                form.add_error("canned", _("Choose a canned reply to insert."))
                return form
            inserted = services.canned_reply_text(canned, thread)
            combined = f"{text.rstrip()}\n\n{inserted}" if text.strip() else inserted
            return OperatorForm(initial={"text": combined})
        try:
            if "_send" in request.POST:
                # once per page: a double click sent the customer two replies and e-mails
                with formtokens.once(request, f"helpdesk.reply {thread.pk}"):
                    services.operator_reply(thread, request.user, text, files=files)
                self.message_user(request, _("The reply was sent to the customer."))
            elif "_note" in request.POST:
                with formtokens.once(request, f"helpdesk.note {thread.pk}"):
                    services.add_note(thread, request.user, text, files=files)
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
        except FormAlreadySent as exc:
            self.message_user(request, exc.message, level=messages.WARNING)
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            self.message_user(request, exc.message, level=messages.ERROR)
            return form
        return HttpResponseRedirect(request.path)

    def _assign_one(self, request, thread):
        if "_assign_me" in request.POST:
            assignee = request.user
        else:
            form = AssignForm(request.POST, staff=list(services.assignable_staff(thread)))
            if not form.is_valid():
                self.message_user(request, _("Choose a staff member."), messages.ERROR)
                return HttpResponseRedirect(request.path)
            assignee = form.cleaned_data["assignee"]
        try:
            services.assign([thread], assignee, request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if assignee is None:
                self.message_user(request, _("The thread is no longer assigned."))
            else:
                self.message_user(
                    request,
                    _("The thread is assigned to %(who)s.")
                    % {"who": assignee.get_full_name() or assignee.email},
                )
        return HttpResponseRedirect(request.path)

    # --- attachments ----------------------------------------------------------------------

    def attachment_view(self, request, object_id, attachment_id):
        """A file of the thread, for anyone who may open the thread. A download: the access
        log (privacy middleware) records it with the thread's data subjects."""
        thread = self.get_object(request, unquote(object_id))
        if thread is None or not self.has_view_or_change_permission(request, thread):
            raise Http404
        attachment = Attachment.objects.filter(pk=attachment_id, message__thread=thread).first()
        if attachment is None:
            raise Http404
        return attachments.download_response(attachment)


def _date_link(params, filters):
    """The thread list's URL with another year / month / day of the date drill-down."""
    query = params.copy()
    for key in list(query):
        if key.startswith("created__") or key == "p":
            query.pop(key)
    for key, value in filters.items():
        query[key] = value
    return "?" + query.urlencode()
