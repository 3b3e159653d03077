"""PostgreSQL COPY for bulk loads (scale data, code generation). Falls back to bulk_create
elsewhere. Fields not given in a row get the model field's default, so a column added
later with a default never breaks a loader."""

import io
import json

from django.db import connection
from psycopg.types.json import Json, Jsonb

from . import pagecache
from .db import is_postgresql, table

BATCH = 50_000


def _column_defaults(model, given):
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.attname in given or field.primary_key and field.attname not in given:
            continue
        if field.has_default():
            defaults[field.attname] = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            defaults[field.attname] = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            from django.utils import timezone

            defaults[field.attname] = timezone.now()
        elif field.blank and field.get_internal_type() in (
            "CharField",
            "TextField",
            "SlugField",
            "EmailField",
        ):
            defaults[field.attname] = ""
    return defaults


def _escape(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Json | Jsonb):  # a JSONField's prepared value (its default)
        value = json.dumps(value.obj)
    elif isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(model, columns, rows):
    """Insert ``rows`` (tuples in ``columns`` order, attnames) into ``model``'s table.

    Returns the number of rows written. On PostgreSQL this streams COPY in batches; the
    caller's transaction covers all of it.
    """
    defaults = _column_defaults(model, set(columns))
    all_columns = list(columns) + list(defaults)
    tail = tuple(defaults.values())
    count = 0
    if not is_postgresql():
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(all_columns, tuple(row) + tail, strict=True))))
            if len(batch) >= 5000:
                model.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        model.objects.bulk_create(batch)
        return count + len(batch)
    count = _copy(table(model), all_columns, rows, tail)
    if count and model in pagecache.WATCHED:
        pagecache.changed()  # COPY sends no signal: the storefront's pages show the new rows
    return count


def _copy(table_name, columns, rows, tail=()):
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    tail_text = "".join("\t" + _escape(v) for v in tail)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor
        buf = io.StringIO()
        pending = 0
        with raw.copy(f"COPY {table_name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                buf.write("\t".join(_escape(v) for v in row))
                buf.write(tail_text)
                buf.write("\n")
                pending += 1
                if pending >= BATCH:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
                    count += pending
                    pending = 0
            if pending:
                copy.write(buf.getvalue())
                count += pending
    return count


def copy_into_new_partition(model, name, lower, upper, columns, rows):
    """PostgreSQL: ``rows`` (tuples in ``columns`` order) into a new partition ``name`` of
    ``model``'s partitioned table, for the range [``lower``, ``upper``). The rows go into a
    bare table first and it is attached afterwards, so its indexes are built once instead
    of row by row. Returns the number of rows written."""
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {quoted} (LIKE {table(model)} INCLUDING DEFAULTS)")
    count = _copy(quoted, columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {table(model)} ATTACH PARTITION {quoted} FOR VALUES FROM (%s) TO (%s)",
            [lower, upper],
        )
    return count


def reset_sequence(model):
    """After inserting explicit ids, move the id sequence past them (PostgreSQL only)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table(model)}), 1))",
            [model._meta.db_table],
        )


def next_ids(model, count):
    """Reserve ``count`` consecutive ids (max id + 1 …) for explicit-id bulk loads."""
    from django.db.models import Max

    start = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return range(start, start + count)
