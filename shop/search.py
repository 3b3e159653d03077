"""Database expressions of the backoffice's name search, shared by every app that searches
people (customers, orders, the personal-data browser)."""

from django.db import models
from django.db.models import Func


class PersonName(Func):
    """``first || ' ' || last`` — the exact expression the trigram indexes on customers and
    orders are built on, so that ``icontains`` on it uses them."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra)
