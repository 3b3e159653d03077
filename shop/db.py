"""The one place that knows which database it runs on.

PostgreSQL in production and tests; the embedded SQLite file only for ``make run``. Code
that needs a PostgreSQL feature asks :func:`is_postgresql` or uses a helper from here that
has a portable fallback, so ``connection.vendor`` is read nowhere else (migrations aside,
which must not import the apps' code).

Raw SQL names tables through :func:`table`, never by a literal name.
"""

import json
import weakref
from contextlib import contextmanager, nullcontext

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import CharField, Func, Lookup, Q
from django.db.models.lookups import IContains


def is_postgresql(using=DEFAULT_DB_ALIAS):
    return connections[using].vendor == "postgresql"


def changed_columns(model, names):
    """The columns to write for the changed fields ``names`` (a form's ``changed_data``, an
    import row's changed attributes): only those, so a save never writes back a value read
    before a concurrent change — the stock orders took (``F("stock") - n``), a campaign's
    uses and spent budget counted at placement. A translation (``name_de``) brings its base
    column along, as a full save would write it."""
    concrete = {field.name for field in model._meta.concrete_fields}
    fields = {name for name in names if name in concrete}
    for name in list(fields):
        base = getattr(model._meta.get_field(name), "translated_field", None)
        if base is not None:
            fields.add(base.name)
    return fields


def table(model, using=DEFAULT_DB_ALIAS):
    """``model``'s table name, quoted for raw SQL."""
    return connections[using].ops.quote_name(model._meta.db_table)


# --- JSON arrays of strings ----------------------------------------------------------------


def json_array_contains(field, value):
    """``Q`` for rows whose JSON array ``field`` holds the string ``value``."""
    if is_postgresql():
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})  # SQLite: no JSON containment


def json_array_contains_any(field, values):
    """``Q`` for rows whose JSON array ``field`` holds at least one of ``values``."""
    if is_postgresql():
        return Q(**{f"{field}__has_any_keys": list(values)})
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(**{f"{field}__icontains": json.dumps(value)})
    return condition


# --- transactions and statistics -------------------------------------------------------------


def in_transaction(using=DEFAULT_DB_ALIAS):
    """Inside a transaction the code opened. The one a test case wraps each test in does not
    count: within it a test's requests stand for requests in autocommit mode."""
    return any(
        not getattr(block, "_from_testcase", False) for block in connections[using].atomic_blocks
    )


# The statement_timeout each open driver connection was last given outside a transaction
# (a session-level SET there lasts as long as the connection; one inside a transaction is
# undone by its rollback, so it is not remembered).
_timeouts = weakref.WeakKeyDictionary()


def set_statement_timeout(seconds, using=DEFAULT_DB_ALIAS):
    """Limit every following statement of this thread's connection to ``seconds`` (0 = no
    limit), PostgreSQL only. Sent straight on the driver connection: one round trip that is
    not one of the page's queries (the query-count tests count what the page asks) — and
    none when the connection (a persistent one, ``CONN_MAX_AGE``) has that limit already."""
    if not is_postgresql(using):
        return
    conn = connections[using]
    # Before the request's first query: a persistent connection the server has ended since
    # the last request (a restart) is replaced first, not used for the SET (CONN_HEALTH_CHECKS).
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    milliseconds = max(0, int(float(seconds) * 1000))
    driver = conn.connection
    if conn.in_atomic_block:
        _timeouts.pop(driver, None)
    elif _timeouts.get(driver) == milliseconds:
        return
    driver.execute(f"SET statement_timeout = {milliseconds}")
    if not conn.in_atomic_block:
        _timeouts[driver] = milliseconds


def advisory_lock(key, using=DEFAULT_DB_ALIAS):
    """Serialise the transactions that take this lock on ``key`` (a string) until the current
    one ends, for what has no row to lock yet (PostgreSQL's transaction-level advisory lock;
    elsewhere nothing: SQLite serialises writers anyway). Call it inside ``atomic``."""
    if not is_postgresql(using):
        return
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def snapshot(using=DEFAULT_DB_ALIAS):
    """Context manager: everything read inside sees one consistent snapshot of the database.

    On PostgreSQL outside a transaction this opens one at REPEATABLE READ; elsewhere (SQLite
    serialises writers anyway, or an outer transaction decides) it does nothing.
    """
    conn = connections[using]
    if not is_postgresql(using) or conn.in_atomic_block:
        return nullcontext()
    return _repeatable_read(using)


def without_jit(using=DEFAULT_DB_ALIAS):
    """Context manager: PostgreSQL plans the queries inside without JIT compilation.

    JIT pays off for long analytical queries; for a lookup the planner overestimates (e.g.
    JSON containment, estimated at 1 % of a 20-million-row table) it only adds ~50 ms of
    compiling to a 10 ms query. A no-op elsewhere."""
    if not is_postgresql(using):
        return nullcontext()
    return _setting("jit", "off", using)


def without_parallel_workers(using=DEFAULT_DB_ALIAS):
    """Context manager: PostgreSQL runs the queries inside in this backend alone.

    A name search that re-checks a few thousand candidate rows for its first 50 (the
    personal-data browser's "Kowalski": 6,860 customers) takes 20 ms alone and 27 ms with two
    parallel workers: starting them costs more than they save, and on a small machine they
    take the cores the other requests need. A no-op elsewhere."""
    if not is_postgresql(using):
        return nullcontext()
    return _setting("max_parallel_workers_per_gather", "0", using)


@contextmanager
def _setting(name, value, using):
    """``name`` = ``value`` for the block (in a transaction; the old value is restored
    afterwards even inside an outer transaction, where SET LOCAL would outlive the block)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
        old = cursor.fetchone()[0]
        yield  # on an error the rollback of this (sub)transaction restores it
        cursor.execute("SELECT set_config(%s, %s, true)", [name, old])


@contextmanager
def _repeatable_read(using):
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def estimated_count(queryset):
    """The planner's row estimate for ``queryset`` (PostgreSQL), or None where there is
    none (another database, or a query the planner output can't be read for)."""
    if not hasattr(queryset, "query") or not is_postgresql(queryset.db):
        return None
    try:
        sql, params = _rows_only(queryset).query.get_compiler(queryset.db).as_sql()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # an unusual query: no estimate, the caller counts exactly
        return None


def _rows_only(queryset):
    """``queryset`` without what does not change its number of rows (the order, the joined
    rows of ``select_related``, the columns): the same estimate, and planning it costs a
    tenth of a millisecond instead of two for the orders list's sorted, joined query.
    DISTINCT, GROUP BY, UNION and slices decide the count, so such querysets stay whole."""
    query = queryset.query
    if query.distinct or query.combinator or query.group_by is not None or query.is_sliced:
        return queryset
    return queryset.order_by().select_related(None).values("pk")


def analyze(*models, using=DEFAULT_DB_ALIAS):
    """Refresh the planner statistics of the models' tables (all tables if none are given)."""
    if not is_postgresql(using):
        return
    tables = ", ".join(table(model, using) for model in models)
    with connections[using].cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}".strip())


def vacuum(*models, using=DEFAULT_DB_ALIAS):
    """VACUUM (ANALYZE) the models' tables; needs to run outside a transaction."""
    conn = connections[using]
    if not is_postgresql(using) or conn.in_atomic_block:
        return
    tables = ", ".join(table(model, using) for model in models)
    with conn.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


# --- name search -----------------------------------------------------------------------------


class PersonName(Func):
    """``first || ' ' || last``: the exact expression the trigram name indexes of customers
    (``customers_user_name_fold_trgm``), orders (``orders_order_name_fold_trgm``) and
    invoices (``orders_invoice_buyer_name_fold_trgm``) fold and are built on, so
    ``FoldedContains(PersonName(...), term)`` is answered from the index."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, **extra)


# Upper case without accents, an IMMUTABLE wrapper of unaccent() (shop/0032).
FOLD_FUNCTION = "shop_fold"


class FoldedContains(Lookup):
    """``lhs`` contains the text ``rhs``, ignoring case and accents on both sides.

    Customers type names without their diacritics: "lukasz wrobel" finds "Łukasz Wróbel",
    "brzeczyszczykiewicz" "Brzęczyszczykiewicz", "soren" "Søren", "muller" "Müller" — and
    typed with them they are found too. PostgreSQL compares ``shop_fold(lhs) LIKE
    shop_fold('%rhs%')``: the pattern is folded by the same function as the column, so both
    follow unaccent's rules (ł → l, ø → o, ß → ss, which Python's Unicode decomposition
    does not know), and the planner folds the constant pattern once, which lets the trigram
    index on ``shop_fold(lhs)`` answer it. Elsewhere (the SQLite file of ``make run``) it
    is Django's ``icontains``. A filter expression, not a registered lookup::

        queryset.filter(FoldedContains(PersonName("first_name", "last_name"), term))
    """

    lookup_name = "folded_contains"
    prepare_rhs = False  # the term stays a string (with an F() on the left it became a Value)

    def as_sql(self, compiler, connection):
        return IContains(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        pattern = f"%{connection.ops.prep_for_like_query(self.rhs)}%"
        return (
            f"{FOLD_FUNCTION}({lhs}) LIKE {FOLD_FUNCTION}(%s)",
            (*params, pattern),
        )


# --- database roles (least privilege) -------------------------------------------------------

# Tables the web and worker role may only read, e.g. the access log: {db_table: privileges}.
_read_only_tables = {}


def read_only_for_app_role(model, privileges=("SELECT",)):
    """Declare that the web and worker role gets only ``privileges`` on ``model``'s table
    (and on its partitions); called from an app's ``ready()``."""
    _read_only_tables[model._meta.db_table] = tuple(privileges)


def app_role_limits():
    return dict(_read_only_tables)


def grant_app_role(role, using=DEFAULT_DB_ALIAS):
    """Run as the owner after ``migrate``: ``role`` (the web and worker processes) may read
    and write every table, use every sequence and call every function — except the tables
    declared with :func:`read_only_for_app_role`, where it keeps only the declared
    privileges (no INSERT/UPDATE/DELETE/TRUNCATE). No-op off PostgreSQL."""
    if not is_postgresql(using):
        return
    conn = connections[using]
    quote = conn.ops.quote_name
    role = quote(role)
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        cursor.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role}")
        for name, privileges in _read_only_tables.items():
            cursor.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
                [name],
            )
            for table_name in [quote(name)] + [row[0] for row in cursor.fetchall()]:
                cursor.execute(f"REVOKE ALL ON {table_name} FROM {role}")
                if privileges:
                    cursor.execute(f"GRANT {', '.join(privileges)} ON {table_name} TO {role}")


def role_name(using=DEFAULT_DB_ALIAS):
    """The role the connection ``using`` logs in as (PostgreSQL), or None."""
    if not is_postgresql(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT session_user")
        return cursor.fetchone()[0]


@contextmanager
def owner_connection(owner_settings, using=DEFAULT_DB_ALIAS):
    """Within: the connection ``using`` logs in with ``owner_settings`` (a database URL
    parsed by django-environ, e.g. MIGRATE_DATABASE_URL); the app's own settings after.
    Yields the role of the app's settings, or None without ``owner_settings``."""
    if not owner_settings:
        yield None
        return
    conn = connections[using]
    app_role = role_name(using)
    original = dict(conn.settings_dict)
    conn.close()
    conn.settings_dict.update({k: v for k, v in owner_settings.items() if k != "ENGINE"})
    try:
        yield app_role
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(original)


# --- product search ---------------------------------------------------------------------------

# The text-search configuration per storefront language. PostgreSQL has no Polish stemmer:
# Polish uses the ``simple`` parser with accents folded (``shop_simple_unaccent``, made by
# shop/0008), and the trigram match carries the typo and inflection tolerance.
SEARCH_CONFIGS = {
    "de": "german",
    "da": "danish",
    "en": "english",
    "pl": "shop_simple_unaccent",
}


def search_fields(language):
    """The columns of the searched document for ``language``: its own name and description
    (django-modeltranslation's columns), the SKU, and the default language's name and
    description, so an untranslated product is found too. The GIN index per configuration
    (shop/0011) is on exactly this document."""
    from django.conf import settings

    language = (language or settings.LANGUAGE_CODE)[:2]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    fields = [f"name_{language}", "sku", f"description_{language}"]
    if language != settings.LANGUAGE_CODE:
        fields += [f"name_{settings.LANGUAGE_CODE}", f"description_{settings.LANGUAGE_CODE}"]
    return fields


def name_fields(language):
    """The name columns a search compares with: the language's, then the default's."""
    fields = search_fields(language)
    return [f for f in fields if f.startswith("name_")]


# A word of a mistyped query matches a name from this word similarity on (the ``%>``
# operator with ``pg_trgm.word_similarity_threshold`` set for the query). "Did you mean"
# looks further.
TYPO_THRESHOLD = 0.45
SUGGEST_THRESHOLD = 0.3
TYPO_MATCH_LIMIT = 500  # typo matches considered (best-ranked first among them)
SLIP_PASS_BELOW = 5  # fewer typo matches than this: one_slip_pattern looks inside names too
# The longest word given a slip pattern. The pattern has about 4 × n variants of n letters,
# and PostgreSQL's time to compile and run it grows with the cube of n: 24 letters take
# 0.08 s over 10,000 names, 60 letters 2 s, 100 letters 14 s over 60 (a storefront search
# then ran into its statement timeout). Longer words keep the trigram match.
SLIP_WORD_MAX = 24


def one_slip_pattern(word):
    """A regular expression finding ``word`` with one slip undone anywhere inside a name —
    one letter missing, extra, wrong, or two neighbours swapped — or None for a word of
    fewer than 4 letters or with other characters than letters.

    Trigrams compare whole words: a word typed inside a compound name lacks the trigrams of
    a word's start, so "Kafee" stays below the threshold for "Bio-Filterkaffee" (0.38) and
    Danish "kafe" for "filterkaffe" (0.29). The pattern finds them ("kaf\\wee" matches
    "kaffee"); the names' trigram indexes serve it. A word longer than ``SLIP_WORD_MAX``
    gets none either: its pattern would cost more than any search may."""
    word = word.lower()
    if not 4 <= len(word) <= SLIP_WORD_MAX or not word.isalpha():
        return None
    variants = {word}
    letter = r"\w"  # any letter, not a space or a hyphen
    for i in range(1, len(word)):  # (at either end: the word itself is found inside)
        variants.add(word[:i] + letter + word[i:])  # a letter missing here
    for i in range(len(word)):
        variants.add(word[:i] + letter + word[i + 1 :])  # this letter wrong
        if len(word) > 4:
            variants.add(word[:i] + word[i + 1 :])  # this letter extra
        if i < len(word) - 1:
            variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])  # swapped
    return "(" + "|".join(sorted(variants)) + ")"  # letters only: nothing to escape


def search_config(language):
    from django.conf import settings

    return SEARCH_CONFIGS.get((language or settings.LANGUAGE_CODE)[:2], "english")


def search_products(products, text, language):
    """``products`` matching ``text`` in name, SKU, description or category, best first.

    PostgreSQL: full-text search with the language's configuration over name, SKU and
    description (GIN indexes of shop/0008) and the categories whose name matches, ranked by
    text rank, name similarity and category match (annotation ``search_rank``). Only when
    that finds nothing, the typo-tolerant trigram match on the name takes over ("cofee"
    finds "coffee"): it cannot use the full-text index, so it is not paid for on every
    search. Elsewhere (the SQLite file of ``make run``): a plain substring match.
    """
    text = text.strip()
    names = name_fields(language)
    descriptions = [f for f in search_fields(language) if f.startswith("description_")]
    category_names = [f"category__{f}" for f in names]
    if not is_postgresql(products.db):
        found = Q(sku__icontains=text)
        for field in (*names, *descriptions, *category_names):
            found |= Q(**{f"{field}__icontains": text})
        return products.filter(found)
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramWordSimilarity,
    )
    from django.db.models import Case, FloatField, Value, When

    from .models import Category

    config = search_config(language)
    query = SearchQuery(text, config=config, search_type="websearch")
    vector = SearchVector(*search_fields(language), config=config)
    same_name = Q()
    for field in names:
        same_name |= Q(**{f"{field}__iexact": text})
    categories = list(
        Category.objects.annotate(document=SearchVector(*names, config=config))
        .filter(Q(document=query) | same_name)
        .values_list("pk", flat=True)
    )
    matches = products.annotate(document=vector).filter(
        Q(document=query) | Q(category_id__in=categories)
    )
    if matches.exists():
        rank = (
            SearchRank(vector, query)
            + TrigramWordSimilarity(text, names[0])
            + Case(
                When(category_id__in=categories, then=Value(0.2)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
    else:
        # One pass of the trigram match; the count and the page then read these rows by key.
        # Each word of the query must be close to a word of the name (in the language or
        # the default language: "rosted cofee" finds "Roasted coffee").
        words = text.split()[:5]

        def close(with_slips):
            found = Q()
            for field in names:
                in_name = Q()
                for word in words:
                    near = Q(**{f"{field}__trigram_word_similar": word})
                    slips = one_slip_pattern(word) if with_slips else None
                    if slips:
                        # Its own query: in one OR with the trigram operator the planner
                        # drops the index and computes the similarity of every name.
                        inside = products.filter(**{f"{field}__iregex": slips})
                        near |= Q(pk__in=list(inside.values_list("pk", flat=True)[:500]))
                    in_name &= near
                found |= in_name
            return found

        with transaction.atomic(using=products.db), connections[products.db].cursor() as cursor:
            # pg_trgm's default (0.6) misses "rosted" for "roasted" (0.5): a lower threshold
            # for this transaction only.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(TYPO_THRESHOLD)],
            )
            typo_ids = list(
                products.filter(close(False)).values_list("pk", flat=True)[:TYPO_MATCH_LIMIT]
            )
            if len(typo_ids) < SLIP_PASS_BELOW:
                # Few or no names close: look inside compound names as well (a pattern
                # reads every name, ~20 ms per 10,000, so only where it can help).
                typo_ids = list(
                    products.filter(close(True)).values_list("pk", flat=True)[:TYPO_MATCH_LIMIT]
                )
        matches = products.filter(pk__in=typo_ids)
        rank = sum(
            (TrigramWordSimilarity(word, names[0]) for word in words[1:]),
            TrigramWordSimilarity(words[0], names[0]),
        )
    return matches.annotate(search_rank=rank).order_by("-search_rank", "name", "pk")


def suggest_product_word(products, text, language=None):
    """A word from the closest product names (in ``language``, default: the active one) for
    "did you mean", or None."""
    import difflib

    from django.utils.translation import get_language

    text = text.strip()
    if not text or not is_postgresql(products.db):
        return None
    from django.contrib.postgres.search import TrigramWordSimilarity

    name = name_fields(language or get_language())[0]
    names = list(
        products.annotate(similarity=TrigramWordSimilarity(text, name))
        .filter(similarity__gte=SUGGEST_THRESHOLD)
        .order_by("-similarity", name)
        .values_list(name, flat=True)[:5]
    )
    words = {word.strip(".,;:()").lower() for name in names for word in name.split()}
    words = [word for word in words if len(word) > 2]
    close = difflib.get_close_matches(text.lower(), words, n=1, cutoff=0.5)
    if close and close[0] != text.lower():
        return close[0]
    return names[0] if names and names[0].lower() != text.lower() else None
