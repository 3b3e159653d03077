"""Logging filters used by settings.LOGGING."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs every 4xx response of django.request / django.security with the exception
    that caused it (PermissionDenied, Http404, BadRequest …). For a client error that
    traceback is noise — one line with the status and path says it all; 5xx keep theirs."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
