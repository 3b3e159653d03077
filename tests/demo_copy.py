"""The demo shop of ``seed_demo`` for tests, seeded once per test process and then restored
from a copy: seeding runs 111 orders of history through the real services and resizes every
product picture (about 20 s), restoring the copy takes about a second.

The copy is every table Django knows, as the first seeding left them, in PostgreSQL's binary
COPY format in memory (``COPY (SELECT …)``: the access log is a partitioned table), plus the
media files the seeding wrote. It is taken right after seeding, also inside a test's
transaction (pytest-django runs the tests in a transaction first, the transactional ones
after them). Restoring empties those tables as the flush of a transactional test does
(``session_replication_role = replica``: the access log's guards refuse TRUNCATE), copies
the rows back and moves each primary-key sequence past them."""

import os
import shutil
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

AUTO_FIELDS = {"AutoField", "BigAutoField", "SmallAutoField"}


class DemoCopy:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.tables = None  # {table: (quoted column list, COPY data)}; None: not taken yet

    def load(self, settings):
        """The demo shop in the test database and in this test's media folders."""
        if self.tables is None:
            with open(os.devnull, "w") as devnull:
                call_command("seed_demo", "--no-mail", stdout=devnull)
            self._take(settings)
        else:
            self._restore(settings)

    def _take(self, settings):
        qn = connection.ops.quote_name
        tables = {}
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            ):
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "ORDER BY ordinal_position",
                    [table],
                )
                columns = ", ".join(qn(name) for (name,) in cursor.fetchall())
                sql = f"COPY (SELECT {columns} FROM {qn(table)}) TO STDOUT (FORMAT binary)"
                with cursor.cursor.copy(sql) as copy:
                    data = b"".join(bytes(block) for block in copy)
                tables[table] = (columns, data)
        for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            target = self.directory / name
            shutil.rmtree(target, ignore_errors=True)
            if Path(getattr(settings, name)).exists():
                shutil.copytree(getattr(settings, name), target)
        self.tables = tables

    def _restore(self, settings):
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in self.tables)}")
            for table, (columns, data) in self.tables.items():
                with cursor.cursor.copy(
                    f"COPY {qn(table)} ({columns}) FROM STDIN (FORMAT binary)"
                ) as copy:
                    copy.write(data)
            cursor.execute("SET LOCAL session_replication_role = origin")
            for model in apps.get_models(include_auto_created=True):
                if model._meta.db_table not in self.tables or (
                    model._meta.pk.get_internal_type() not in AUTO_FIELDS
                ):
                    continue
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(seq::regclass, top) FROM (SELECT pg_get_serial_sequence(%s, %s)"
                    f" AS seq, (SELECT max({qn(pk)}) FROM {qn(table)}) AS top) AS s "
                    "WHERE seq IS NOT NULL AND top > COALESCE(pg_sequence_last_value(seq::regclass), 0)",
                    [qn(table), pk],
                )
        ContentType.objects.clear_cache()  # ids of the copy, not of the flushed tables
        for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            if (self.directory / name).exists():
                shutil.copytree(self.directory / name, getattr(settings, name), dirs_exist_ok=True)
