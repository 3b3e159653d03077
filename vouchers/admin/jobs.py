"""Code jobs (generation ≥ 10,000 codes, assignment) with their progress."""

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shop.admin import ReadOnlyAdminMixin, backoffice

from .. import jobs
from ..models import CodeJob


class JobStateFilter(admin.SimpleListFilter):
    # Not "state": in German both this and the status filter would read "Status".
    title = _("progress")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("running", _("Queued or running")), ("finished", _("Finished"))]

    def queryset(self, request, queryset):
        running = [CodeJob.Status.QUEUED, CodeJob.Status.RUNNING]
        if self.value() == "running":
            return queryset.filter(status__in=running)
        if self.value() == "finished":
            return queryset.exclude(status__in=running)
        return queryset


def result_text(job):
    """ "12,000 codes generated." — the count as the language writes numbers, singular or
    plural as the language needs."""
    if job.result is None:
        return ""
    number = intcomma(job.result)
    if job.kind == CodeJob.Kind.GENERATE:
        text = ngettext("%(number)s code generated.", "%(number)s codes generated.", job.result)
    else:
        text = ngettext("%(number)s code assigned.", "%(number)s codes assigned.", job.result)
    text = text % {"number": number}
    if job.not_emailed:
        text += " " + not_emailed_text(job.not_emailed)
    return text


def not_emailed_text(count):
    """The customers of an assignment with e-mails who got no e-mail: they objected."""
    return ngettext(
        "%(number)s customer was not e-mailed: they objected to e-mails about discount codes "
        "(the code is in their account).",
        "%(number)s customers were not e-mailed: they objected to e-mails about discount "
        "codes (the codes are in their accounts).",
        count,
    ) % {"number": intcomma(count)}


@admin.register(CodeJob, site=backoffice)
class CodeJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    deletable = True  # jobs can be deleted (with the delete permission)
    list_display = [
        "__str__",
        "state",
        "campaign",
        "progress_link",
        "result",
        "created",
        "finished",
    ]
    list_filter = [JobStateFilter, "kind", "status"]
    list_select_related = ["campaign"]

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        return obj.state_label()

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        return format_html('<a href="{}">{} %</a>', obj.get_absolute_url(), jobs.job_progress(obj))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", wrap(self.progress_view), name="vouchers_codejob_progress"),
            path("<int:pk>/status.json", wrap(self.status_view), name="vouchers_codejob_status"),
            *super().get_urls(),
        ]

    def _job(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(CodeJob.objects.select_related("campaign"), pk=pk)

    @staticmethod
    def status_data(job):
        # Staleness read once: the label, "running" and "interrupted" of one answer agree
        # even when the job's silence crosses JOB_STALE_AFTER while the answer is written.
        stale = job.is_stale
        data = {
            "status": job.status,
            "status_label": str(job.state_label(stale=stale)),
            "progress": jobs.job_progress(job),
            "result": job.result,
            "result_text": result_text(job),
            "error": job.error,
            # Alive: queued or running, with a worker heard of recently.
            "running": job.status in (job.Status.QUEUED, job.Status.RUNNING) and not stale,
            "interrupted": stale,
            "attempts": job.attempts,
            # The page keeps asking until the job is done or failed (an interrupted job is
            # restarted by beat, so it may still finish).
            "poll": not job.is_finished,
        }
        if job.campaign_id:
            data["campaign_url"] = reverse(
                "admin:vouchers_campaign_details", args=[job.campaign_id]
            )
        return data

    def status_view(self, request, pk):
        return JsonResponse(self.status_data(self._job(request, pk)))

    def progress_view(self, request, pk):
        job = self._job(request, pk)
        return TemplateResponse(
            request,
            "admin/vouchers/codejob/progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": str(job),
                "job": job,
                "state": self.status_data(job),
            },
        )
