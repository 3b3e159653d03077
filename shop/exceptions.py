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
