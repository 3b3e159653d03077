from django.http import Http404
from django.utils.translation import gettext as _


class DomainError(Exception):
    """An illegal operation on the shop's data. Views show ``message`` as a form error or
    backoffice message, commands print it on stderr; nothing has been changed.

    ``field`` names the form field the error belongs to, if any.
    """

    field = None

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = str(message)
        if field is not None:
            self.field = field


def add_to_form(form, exc):
    """Show the domain error ``exc`` on ``form``: at its field if the form has that field,
    otherwise as an error of the whole form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class LinkNotValid(Http404):
    """A link the shop e-mailed (review confirmation, review request, helpdesk thread,
    unsubscribe …) that is tampered with, expired or used up: a 404 whose page says so in the
    visitor's language (``shop.views.page_not_found``) instead of "Page not found"."""

    def __init__(self, message=None):
        super().__init__(message or _("This link is not valid any more."))
        self.message = str(message or _("This link is not valid any more."))
