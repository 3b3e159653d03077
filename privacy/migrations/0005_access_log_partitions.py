"""The access log that nobody can quietly shorten, partitioned by month (PostgreSQL only).

* ``privacy_accesslogentry`` becomes a table partitioned by month (UTC) of ``time``: the
  rows move over, ids, hashes, indexes (the GIN index on ``subjects`` included) and the
  foreign key stay. Retention drops whole months (``privacy_accesslog_purge``) after
  recording the anchor; no row is ever deleted, so the DELETE trigger no longer has an
  exception (the ``privacy.purge`` flag any client could set is gone).
* TRUNCATE is refused on every log table and every partition (row triggers do not fire on
  TRUNCATE); the head row moves only forward, to an entry that exists, and is never deleted.
* Entries are written by ``privacy_accesslog_append`` (SECURITY DEFINER, owned by the owner
  role): it locks the head, takes ``max(now, time of the newest entry)`` as the entry's time
  (so ids and months never disagree), hashes and inserts. The web and worker role needs no
  INSERT, UPDATE, DELETE or TRUNCATE on the log tables (shop.db.grant_app_role).
* ``privacy_accesslog_retention_days()`` is the shortest retention the purge accepts; the
  owner sets it from ACCESS_LOG_RETENTION_DAYS at every ``migrate``.

On SQLite (``make run``) only the model changes apply.
"""

from django.db import migrations, models

GENESIS = "0" * 64
PARTITION_PREFIX = "privacy_accesslogentry_p"
MONTHS_AHEAD = 2


def _names(apps, schema_editor):
    def table(model):
        return apps.get_model("privacy", model)._meta.db_table

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    return {
        "entry": table("AccessLogEntry"),
        "head": table("AccessLogHead"),
        "anchor": table("AccessLogAnchor"),
        "default": table("AccessLogEntry") + "_default",
        "schema": schema,
        "prefix": PARTITION_PREFIX,
        "genesis": GENESIS,
        "ahead": MONTHS_AHEAD,
    }


GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION privacy_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'privacy: % is append-only, % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""

OLD_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION privacy_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'privacy_accesslogentry'
       AND current_setting('privacy.purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'privacy: % is append-only, % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""

HEAD_GUARD = """
CREATE OR REPLACE FUNCTION privacy_accessloghead_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.id = 1 AND NEW.last_id = 0 AND NEW.last_time IS NULL
           AND NEW.prev_hash = '{genesis}' AND NEW.last_hash = '{genesis}' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'privacy: the access-log head starts at the genesis hash'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id AND NEW.last_id > OLD.last_id
           AND (OLD.last_time IS NULL OR NEW.last_time >= OLD.last_time)
           AND EXISTS (
               SELECT 1 FROM {entry} e
               WHERE e.id = NEW.last_id AND e.time = NEW.last_time
                 AND e.hash = NEW.last_hash AND e.prev_hash = NEW.prev_hash
           ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'privacy: the access-log head only moves forward, to an existing entry'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'privacy: % is append-only, % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""

APPEND = """
CREATE OR REPLACE FUNCTION privacy_accesslog_append(
    p_time timestamptz, p_user_id bigint, p_username text, p_action text, p_subjects jsonb,
    p_path text, p_ip text, p_note text, p_before text, p_after text
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    h record;
    t timestamptz;
    digest text;
    new_id bigint;
BEGIN
    SELECT * INTO h FROM {head} WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO {head} (id, prev_hash, last_hash, last_id, last_time)
        VALUES (1, '{genesis}', '{genesis}', 0, NULL) ON CONFLICT (id) DO NOTHING;
        SELECT * INTO h FROM {head} WHERE id = 1 FOR UPDATE;
    END IF;
    -- Never earlier than the newest entry: ids and months of the chain agree, so dropping a
    -- month never leaves a hole in the chain.
    t := GREATEST(p_time, COALESCE(h.last_time, p_time));
    digest := encode(sha256(convert_to(
        h.last_hash || p_before || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
        || '+00:00' || p_after, 'UTF8')), 'hex');
    INSERT INTO {entry} (time, user_id, username, action, subjects, path, ip, note, prev_hash, hash)
    VALUES (t, p_user_id, p_username, p_action, p_subjects, p_path, p_ip, p_note, h.last_hash, digest)
    RETURNING id INTO new_id;
    UPDATE {head} SET prev_hash = h.last_hash, last_hash = digest, last_id = new_id, last_time = t
    WHERE id = 1;
    RETURN new_id;
END
$$
"""

MONTH = """
CREATE OR REPLACE FUNCTION privacy_accesslog_month(p_month date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    first date := date_trunc('month', p_month)::date;
    name text := '{prefix}' || to_char(first, 'YYYY_MM');
    created integer := 0;
BEGIN
    IF to_regclass(quote_ident(name)) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF {entry} FOR VALUES FROM (%L) TO (%L)', name,
            first::timestamp AT TIME ZONE 'UTC',
            (first + interval '1 month')::timestamp AT TIME ZONE 'UTC'
        );
        created := 1;
    END IF;
    -- Also for a partition attached from a bulk load (shop.bulk.copy_into_new_partition).
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(quote_ident(name))
                   AND tgname = 'privacy_no_truncate') THEN
        EXECUTE format(
            'CREATE TRIGGER privacy_no_truncate BEFORE TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION privacy_append_only()', name
        );
    END IF;
    RETURN created;
END
$$
"""

PARTITIONS = """
CREATE OR REPLACE FUNCTION privacy_accesslog_partitions(p_ahead integer DEFAULT {ahead})
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    created integer := 0;
    m date;
BEGIN
    -- Entries written while their month had no partition wait in the default partition;
    -- give them their month (whole tables move, no row is deleted).
    IF EXISTS (SELECT 1 FROM {default}) THEN
        {immediate}
        LOCK TABLE {entry} IN ACCESS EXCLUSIVE MODE;
        ALTER TABLE {entry} DETACH PARTITION {default};
        ALTER TABLE {default} RENAME TO {default}_moving;
        CREATE TABLE {default} PARTITION OF {entry} DEFAULT;
        CREATE TRIGGER privacy_no_truncate BEFORE TRUNCATE ON {default}
            FOR EACH STATEMENT EXECUTE FUNCTION privacy_append_only();
        FOR m IN SELECT DISTINCT date_trunc('month', time AT TIME ZONE 'UTC')::date
                 FROM {default}_moving LOOP
            created := created + privacy_accesslog_month(m);
        END LOOP;
        INSERT INTO {entry} SELECT * FROM {default}_moving;
        {immediate}  -- again: the new partitions' foreign keys are new constraints
        DROP TABLE {default}_moving;
    END IF;
    FOR i IN 0..GREATEST(p_ahead, 0) LOOP
        created := created + privacy_accesslog_month(
            (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date
        );
    END LOOP;
    RETURN created;
END
$$
"""

RETENTION_DAYS = """
CREATE OR REPLACE FUNCTION privacy_accesslog_retention_days() RETURNS integer
LANGUAGE sql STABLE AS 'SELECT 730'
"""

PURGE = """
CREATE OR REPLACE FUNCTION privacy_accesslog_purge(p_cutoff timestamptz, p_dry_run boolean)
RETURNS TABLE (purged bigint, last_id bigint, last_hash text, months integer, upto timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    keep integer := privacy_accesslog_retention_days();
    part record;
    bound timestamptz;
    n bigint;
    top record;
    doomed text[] := '{{}}';
    name text;
BEGIN
    purged := 0; months := 0; last_id := NULL; last_hash := NULL; upto := NULL;
    IF NOT p_dry_run THEN
        {immediate}
        PERFORM privacy_accesslog_partitions(0);
        PERFORM 1 FROM {head} WHERE id = 1 FOR UPDATE;  -- no append slips in meanwhile
    END IF;
    FOR part IN
        SELECT c.relname AS name,
               to_date(substr(c.relname, length('{prefix}') + 1), 'YYYY_MM') AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = '{entry}'::regclass
          AND c.relname ~ '^{prefix}[0-9]{{4}}_[0-9]{{2}}$'
        ORDER BY 2
    LOOP
        bound := (part.month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        CONTINUE WHEN bound > p_cutoff;  -- whole months only
        IF bound > now() - make_interval(days => keep) THEN
            RAISE EXCEPTION 'privacy: access-log entries are kept for at least % days', keep
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('SELECT count(*) FROM %I', part.name) INTO n;
        EXECUTE format('SELECT id, hash FROM %I ORDER BY id DESC LIMIT 1', part.name) INTO top;
        IF n > 0 AND (last_id IS NULL OR top.id > last_id) THEN
            last_id := top.id;
            last_hash := top.hash;
        END IF;
        purged := purged + n;
        months := months + 1;
        upto := bound;
        doomed := doomed || part.name::text;
    END LOOP;
    IF p_dry_run THEN
        RETURN NEXT;
        RETURN;
    END IF;
    -- The anchor first: where the chain continues once these months are gone.
    IF last_id IS NOT NULL THEN
        INSERT INTO {anchor} (time, cutoff, last_purged_id, last_purged_hash, purged)
        VALUES (now(), upto, last_id, last_hash, purged);
    END IF;
    FOREACH name IN ARRAY doomed LOOP
        EXECUTE format('ALTER TABLE {entry} DETACH PARTITION %I', name);
        EXECUTE format('DROP TABLE %I', name);
    END LOOP;
    RETURN NEXT;
END
$$
"""

DEFINER_FUNCTIONS = [
    "privacy_accesslog_append(timestamptz, bigint, text, text, jsonb, text, text, text, text, text)",
    "privacy_accesslog_month(date)",
    "privacy_accesslog_partitions(integer)",
    "privacy_accesslog_purge(timestamptz, boolean)",
]

COLUMNS = "id, time, user_id, username, action, subjects, path, ip, note, prev_hash, hash"


def _fetch(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _indexes_and_keys(cursor, table):
    """CREATE INDEX statements (not the primary key) and foreign keys of ``table``."""
    indexes = _fetch(
        cursor,
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.schemaname = current_schema() AND i.tablename = %s "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
        [table, table],
    )
    keys = _fetch(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return indexes, keys


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    n = _names(apps, schema_editor)
    entry, old = n["entry"], n["entry"] + "_flat"
    with schema_editor.connection.cursor() as cursor:
        # The head learns the newest entry (its id and time), before it is guarded.
        cursor.execute(
            f"UPDATE {n['head']} h SET last_id = e.id, last_time = e.time "
            f"FROM (SELECT id, time FROM {entry} ORDER BY id DESC LIMIT 1) e WHERE h.id = 1"
        )
        cursor.execute(GUARD_FUNCTION)
        indexes, keys = _indexes_and_keys(cursor, entry)
        (last,) = _fetch(cursor, f"SELECT max(id) FROM {entry}")[0]
        months = [
            m
            for (m,) in _fetch(
                cursor,
                f"SELECT DISTINCT date_trunc('month', time AT TIME ZONE 'UTC')::date FROM {entry}",
            )
        ]
        # The old table steps aside with everything that has a name.
        cursor.execute(f"ALTER TABLE {entry} RENAME TO {old}")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for name, _sql in keys:
            cursor.execute(f"ALTER TABLE {old} DROP CONSTRAINT {name}")
        cursor.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {entry}_pkey TO {old}_pkey")
        (sequence,) = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [old])[0]
        if sequence:
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {old}_id_seq")

        cursor.execute(
            f"""
            CREATE TABLE {entry} (
                id bigint NOT NULL,
                time timestamp with time zone NOT NULL,
                user_id bigint NULL,
                username varchar(254) NOT NULL,
                action varchar(10) NOT NULL,
                subjects jsonb NOT NULL,
                path varchar(500) NOT NULL,
                ip varchar(45) NOT NULL,
                note varchar(500) NOT NULL,
                prev_hash varchar(64) NOT NULL,
                hash varchar(64) NOT NULL,
                CONSTRAINT {entry}_pkey PRIMARY KEY (id, time)
            ) PARTITION BY RANGE (time)
            """
        )
        cursor.execute(f"CREATE SEQUENCE {entry}_id_seq AS bigint OWNED BY {entry}.id")
        cursor.execute(
            f"ALTER TABLE {entry} ALTER COLUMN id SET DEFAULT nextval('{entry}_id_seq'::regclass)"
        )
        if last:
            cursor.execute(f"SELECT setval('{entry}_id_seq', %s, true)", [last])
        for _name, sql in indexes:
            cursor.execute(sql)
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {entry} ADD CONSTRAINT {name} {definition}")

        install(cursor, n)
        for month in months:
            cursor.execute("SELECT privacy_accesslog_month(%s)", [month])
        cursor.execute(f"INSERT INTO {entry} ({COLUMNS}) SELECT {COLUMNS} FROM {old}")
        cursor.execute(f"DROP TABLE {old}")


def install(cursor, n):
    """Triggers and functions on the partitioned log."""
    entry = n["entry"]
    # A table cannot be dropped while checks of its deferred foreign keys are pending (rows
    # written earlier in the same transaction): run them first.
    keys = [name for name, _sql in _indexes_and_keys(cursor, entry)[1]]
    n = {**n, "immediate": f"SET CONSTRAINTS {', '.join(keys)} IMMEDIATE;" if keys else ""}
    cursor.execute(f"CREATE TABLE {n['default']} PARTITION OF {entry} DEFAULT")
    for sql in (HEAD_GUARD, APPEND, MONTH, PARTITIONS, RETENTION_DAYS, PURGE):
        cursor.execute(sql.format(**n))
    cursor.execute(
        f"CREATE TRIGGER {entry}_append_only BEFORE UPDATE OR DELETE ON {entry} "
        "FOR EACH ROW EXECUTE FUNCTION privacy_append_only()"
    )
    for table in (entry, n["default"], n["head"], n["anchor"]):
        cursor.execute(
            f"CREATE TRIGGER privacy_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION privacy_append_only()"
        )
    cursor.execute(
        f"CREATE TRIGGER {n['head']}_guard BEFORE INSERT OR UPDATE OR DELETE ON {n['head']} "
        "FOR EACH ROW EXECUTE FUNCTION privacy_accessloghead_guard()"
    )
    for signature in DEFINER_FUNCTIONS:
        cursor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    cursor.execute("SELECT privacy_accesslog_partitions(%s)", [n["ahead"]])


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    n = _names(apps, schema_editor)
    entry, flat = n["entry"], n["entry"] + "_flat"
    with schema_editor.connection.cursor() as cursor:
        indexes, keys = _indexes_and_keys(cursor, entry)
        (last,) = _fetch(cursor, f"SELECT max(id) FROM {entry}")[0]
        cursor.execute(f"DROP TRIGGER IF EXISTS {n['head']}_guard ON {n['head']}")
        for table in (n["head"], n["anchor"]):
            cursor.execute(f"DROP TRIGGER IF EXISTS privacy_no_truncate ON {table}")
        cursor.execute(
            f"""
            CREATE TABLE {flat} (
                id bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY,
                time timestamp with time zone NOT NULL,
                user_id bigint NULL,
                username varchar(254) NOT NULL,
                action varchar(10) NOT NULL,
                subjects jsonb NOT NULL,
                path varchar(500) NOT NULL,
                ip varchar(45) NOT NULL,
                note varchar(500) NOT NULL,
                prev_hash varchar(64) NOT NULL,
                hash varchar(64) NOT NULL
            )
            """
        )
        cursor.execute(f"INSERT INTO {flat} ({COLUMNS}) SELECT {COLUMNS} FROM {entry}")
        cursor.execute(f"DROP TABLE {entry}")  # its partitions, indexes, triggers, sequence
        for function in DEFINER_FUNCTIONS + [
            "privacy_accesslog_retention_days()",
            "privacy_accessloghead_guard()",
        ]:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        cursor.execute(f"ALTER TABLE {flat} RENAME TO {entry}")
        cursor.execute(f"ALTER TABLE {entry} ADD CONSTRAINT {entry}_pkey PRIMARY KEY (id)")
        (sequence,) = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [entry])[0]
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {entry}_id_seq")
        if last:
            cursor.execute(f"SELECT setval('{entry}_id_seq', %s, true)", [last])
        for _name, sql in indexes:
            cursor.execute(sql.replace(" ON ONLY ", " ON "))
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {entry} ADD CONSTRAINT {name} {definition}")
        cursor.execute(OLD_GUARD_FUNCTION)
        cursor.execute(
            f"CREATE TRIGGER {entry}_append_only BEFORE UPDATE OR DELETE ON {entry} "
            "FOR EACH ROW EXECUTE FUNCTION privacy_append_only()"
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_name_search_indexes_moved")]

    operations = [
        migrations.AlterModelOptions(
            name="accesslogentry",
            options={
                "ordering": ["-id"],
                "permissions": [("export_accesslogentry", "Can export the access log (CSV)")],
                "verbose_name": "access log entry",
                "verbose_name_plural": "access log",
            },
        ),
        migrations.AddField(
            model_name="accessloghead",
            name="last_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="accessloghead",
            name="last_time",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(partition, unpartition),
    ]
