"""One date format and one date-time format per language (Django's ``FORMAT_MODULE_PATH``):
the short and the long names give the same, so a list, a detail page, an e-mail and a PDF
show a date alike, whichever name their template uses (``date:"SHORT_DATE_FORMAT"``,
``DATE_FORMAT``, the admin's columns). Everything not set here comes from Django's locale."""
