"""The engine's tables and indexes, as SQL (PostgreSQL only).

``search_document``
    one row per published statement: the stored fields a result row shows (``stored``,
    jsonb), the facet keys as one array of ``name:key`` strings (``facets``, GIN: one index
    filters and counts every facet), the date, the real words of the text (``words``, for the
    spelling table's counts) and ``tsv``, the text vector built from ``search.text``'s own
    analysis: every stemmed term at its positions, weighted by section (title A; speakers,
    roles and event B; delegation and topics C; summary and body D), plus each distinctive
    exact form (a Latin accent, Arabic) as the lexeme ``=form`` at its positions, so exact
    spellings can rank first without a second vector.
``search_term``
    each stemmed term with the number of documents holding it (related statements' idf, and
    "is this word in the index" for did-you-mean).
``search_word``
    each real word (never a stem) with its accent-folded form and document count, with a
    trigram index on the folded form (did-you-mean).
``search_state``
    one row: the live build (a fresh id per rebuild or reset), a counter of writes since, a
    random ``version`` every write changes (what callers' caches are keyed on: a counter could
    come back to a value it had, after a rolled-back write), and the protected Arabic words
    the build was analysed with.  No row: no index yet.

A rebuild makes ``*_build`` tables, fills them, indexes them and then swaps them in (see
``rebuild.py``); so the DDL is written for any table name.
"""

from __future__ import annotations

DOCUMENTS = "search_document"
TERMS = "search_term"
WORDS = "search_word"
STATE = "search_state"
TABLES = (DOCUMENTS, TERMS, WORDS)


def table_sql(suffix: str = "", *, lz4: bool = False) -> list[str]:
    """The tables; ``lz4``: the large columns (vector, words, stored fields) compressed with
    LZ4 rather than PostgreSQL's own pglz when they go to TOAST.  A speech's vector is some
    16 KB compressed: with pglz, compressing it was most of the server's work in a rebuild's
    COPY, and decompressing it part of every ranked page (each row's score reads it)."""
    d, t, w = (name + suffix for name in TABLES)
    packed = " COMPRESSION lz4" if lz4 else ""
    return [
        f"""CREATE TABLE {d} (
            identifier text PRIMARY KEY,
            django_ct text NOT NULL,
            django_id bigint NOT NULL,
            fingerprint text NOT NULL DEFAULT '',
            stored jsonb{packed} NOT NULL DEFAULT '{{}}',
            date date,
            facets text[] NOT NULL DEFAULT '{{}}',
            words text[]{packed} NOT NULL DEFAULT '{{}}',
            tsv tsvector{packed} NOT NULL
        )""",
        f"CREATE TABLE {t} (term text PRIMARY KEY, df integer NOT NULL)",
        f"""CREATE TABLE {w} (
            word text PRIMARY KEY,
            folded text NOT NULL,
            initial text NOT NULL,
            df integer NOT NULL
        )""",
    ]


def index_sql(method: str, suffix: str = "") -> list[str]:
    """The secondary indexes (made after a rebuild's bulk load: faster than maintaining them).

    ``method``: ``rum`` (ranks inside the index: a ranked top 20 reads no vectors from the
    table) or ``gin`` (built in; ranking reads every match's vector).
    """
    d, _t, w = (name + suffix for name in TABLES)
    opclass = "rum_tsvector_ops" if method == "rum" else "tsvector_ops"
    return [
        f"CREATE INDEX {d}_tsv ON {d} USING {method} (tsv {opclass})",
        f"CREATE INDEX {d}_facets ON {d} USING gin (facets)",
        f"CREATE INDEX {d}_date ON {d} (date)",
        f"CREATE UNIQUE INDEX {d}_django_id ON {d} (django_ct, django_id)",
        f"CREATE INDEX {w}_folded ON {w} USING gist (folded gist_trgm_ops)",
    ]


INDEX_NAMES = ("tsv", "facets", "date", "django_id")
WORD_INDEX_NAMES = ("folded",)

STATE_SQL = f"""CREATE TABLE IF NOT EXISTS {STATE} (
    id integer PRIMARY KEY CHECK (id = 1),
    build text NOT NULL,
    changes bigint NOT NULL DEFAULT 0,
    version text NOT NULL DEFAULT '',
    protected jsonb NOT NULL DEFAULT '[]',
    analysis_version integer NOT NULL,
    index_method text NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now()
)"""


# The live state in one statement that never fails: no state table (dropped, never made) is
# no row, not an error that would spoil the caller's transaction.
STATE_FUNCTION_SQL = f"""CREATE OR REPLACE FUNCTION search_live_state()
RETURNS TABLE (build text, version text, index_method text, analysis_version integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY SELECT s.build, s.version, s.index_method, s.analysis_version
                   FROM {STATE} s WHERE s.id = 1;
EXCEPTION WHEN undefined_table THEN
    RETURN;
END $$"""


def extensions_sql(method: str) -> list[str]:
    out = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    if method == "rum":
        out.append("CREATE EXTENSION IF NOT EXISTS rum")
    return out


def rum_available(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    return cursor.fetchone() is not None


def lz4_available(cursor) -> bool:
    """Whether the server was built with LZ4 (Debian's and most packages are)."""
    cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                   "WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return bool(row and row[0])


def create_all(cursor, method: str | None = None) -> str:
    """Every table and index, with ``rum`` when the server has it (else GIN); returns the
    method used."""
    if method is None:
        method = "rum" if rum_available(cursor) else "gin"
    for sql in (extensions_sql(method) + table_sql(lz4=lz4_available(cursor))
                + index_sql(method)
                + [STATE_SQL, STATE_FUNCTION_SQL]):
        cursor.execute(sql)
    return method


def drop_all(cursor) -> None:
    for name in (*TABLES, STATE):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute("DROP FUNCTION IF EXISTS search_live_state()")
