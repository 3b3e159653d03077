"""Retention of helpdesk threads (registered in personal_data.declare, run by shop.retention)."""

from . import attachments
from .erasure import scrub_each_thread_history
from .models import Attachment, Thread


def delete_closed_threads(cutoff, dry_run=False):
    """Threads closed before ``cutoff`` are deleted with their messages and attached files. A
    closed thread is not changed any more, so its last change is the closing. Their
    backoffice change history stays — who changed what and when — without the person, as
    on erasure (``helpdesk.erasure.scrub_history``)."""
    threads = Thread.objects.filter(status=Thread.Status.CLOSED, updated__lt=cutoff)
    if dry_run:
        return threads.count()
    scrub_each_thread_history(threads)  # while the threads still say who wrote them
    ids = list(threads.values_list("pk", flat=True))
    files = Attachment.objects.filter(message__thread_id__in=ids)
    names = list(files.values_list("file", flat=True))
    Thread.objects.filter(pk__in=ids).delete()
    attachments.delete_files_on_commit(names)
    return len(ids)
