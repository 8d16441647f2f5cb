"""A whole new build from the database: new tables, filled by COPY, indexed, then swapped in.

``search_document_build`` (and the term and word tables beside it) are filled while the live
tables keep answering; the text-search indexes are made after the load (faster than keeping
them up to date row by row); one short transaction then drops the old tables and renames the
new ones, and the state row names the new build.  The build is analysed with the archive's
protected words as they are when it starts, recorded in the state row.

The write lock is held throughout: the index worker's next batch waits and then applies
whatever was queued meanwhile (idempotently), as with the Whoosh engine.  Statements are
prepared in one process per core (each with its own connection), outside a transaction.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import time
import traceback
from collections import Counter

from django.conf import settings
from django.db import connections, transaction

from ... import documents
from ..contract import RebuildReport
from .analysis import ANALYSIS_VERSION, build_analyzer
from .rows import COLUMNS, make_row
from .schema import (
    DOCUMENTS,
    INDEX_NAMES,
    STATE,
    STATE_FUNCTION_SQL,
    STATE_SQL,
    TABLES,
    TERMS,
    WORD_INDEX_NAMES,
    WORDS,
    index_sql,
    lz4_available,
    rum_available,
    table_sql,
)
from .spelling import folded
from .store import new_build_id, write_alias

log = logging.getLogger("search.engine.postgres")

BATCH_SIZE = 200
SUFFIX = "_build"


def rebuild(engine, *, processes: int | None = None, stdout=None) -> RebuildReport:
    started = time.monotonic()
    alias = write_alias()
    connection = connections[alias]
    build = new_build_id()
    protected = sorted(documents.protected_words())
    method = engine.index_method
    with engine.write_lock(timeout=None):
        with connection.cursor() as cursor:
            if method == "rum" and not rum_available(cursor):
                log.warning("The RUM extension is not installed; the build uses GIN.")
                method = "gin"
            _set_no_timeout(cursor, connection)
            for name in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {name}{SUFFIX}")
            for sql in table_sql(SUFFIX, lz4=lz4_available(cursor)):
                cursor.execute(sql)
        pks = list(documents.statements_for_index().order_by("pk").values_list("pk", flat=True))
        processes = _processes(processes, len(pks), connection)
        # Every process takes every n-th statement, not a run of consecutive ones: the
        # archive's older statements cost more to analyse (on the UN corpus the first half
        # took 1.7 times the CPU of the second), and halves by age left one process idle
        # for a third of the load.
        runs = [pks[i::processes] for i in range(processes)]
        if processes == 1:
            parts = [_load_run(engine, alias, build, protected, runs[0], stdout)]
        else:
            connections.close_all()
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(processes) as pool:
                parts = pool.starmap(_load_run_in_child,
                                     [(alias, build, protected, run) for run in runs])
        terms, words = Counter(), Counter()
        for part in parts:
            terms.update(part["terms"])
            words.update(part["words"])
        analyzer = build_analyzer(build, protected)
        loaded = time.monotonic()
        with connection.cursor() as cursor:
            _set_no_timeout(cursor, connection)
            _copy(cursor, f"{TERMS}{SUFFIX}", ("term", "df"), sorted(terms.items()))
            _copy(cursor, f"{WORDS}{SUFFIX}", ("word", "folded", "initial", "df"),
                  [(w, f, f[:1], n) for w, n in sorted(words.items())
                   for f in [folded(analyzer, w)]])
            _make_indexes(cursor, connection, alias, index_sql(method, SUFFIX))
            # VACUUM as well where it can run (outside a transaction): the new tables' rows
            # marked visible once, here, rather than by the first searches after the swap,
            # which would otherwise write every page they read and compete with autovacuum.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for name in TABLES:
                cursor.execute(f"{verb} {name}{SUFFIX}")
        indexed = time.monotonic()
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            _swap(cursor, build, protected, method)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_total_relation_size('{DOCUMENTS}'), "
                           f"pg_total_relation_size('{TERMS}'), "
                           f"pg_total_relation_size('{WORDS}')")
            sizes = cursor.fetchone()
            if not connection.in_atomic_block:
                cursor.execute("RESET statement_timeout")
    return RebuildReport(
        documents=sum(part["documents"] for part in parts),
        seconds=round(time.monotonic() - started, 2),
        failed={pk: error for part in parts for pk, error in part["failures"].items()},
        where=f"PostgreSQL tables {DOCUMENTS}, {TERMS}, {WORDS} (build {build})",
        details={"processes": processes, "index": method,
                 "load seconds": round(loaded - started, 2),
                 "index seconds": round(indexed - loaded, 2),
                 "size MB": round(sum(sizes) / 2**20, 1),
                 "protected words": len(protected)},
    )


def _make_indexes(cursor, connection, alias, statements) -> None:
    """The text index (most of the time: RUM's build is one process) on a second connection
    while this one makes the others; one after another inside a caller's transaction, where
    a second connection would not see the new tables."""
    text_index, others = statements[0], statements[1:]
    if connection.in_atomic_block:
        for sql in statements:
            cursor.execute(sql)
        return
    from concurrent.futures import ThreadPoolExecutor

    def on_its_own_connection():
        try:  # a thread gets a connection of its own from Django
            with connections[alias].cursor() as own:
                _set_no_timeout(own, connections[alias])
                own.execute(text_index)
        finally:
            connections[alias].close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        text_done = pool.submit(on_its_own_connection)
        for sql in others:
            cursor.execute(sql)
        text_done.result()


def _set_no_timeout(cursor, connection) -> None:
    # Building indexes on a large archive takes longer than a web request may.
    if connection.in_atomic_block:
        cursor.execute("SET LOCAL statement_timeout = 0")
    else:
        cursor.execute("SET statement_timeout = 0")


def _processes(wanted, count, connection) -> int:
    if wanted is None:
        wanted = int(getattr(settings, "SEARCH_REBUILD_PROCESSES", 0) or os.cpu_count() or 1)
    if connection.in_atomic_block:
        wanted = 1  # forked children would not see this transaction's rows
    return max(1, min(wanted, count // 200 or 1))


def _load_run_in_child(alias, build, protected, pks):
    from .. import get_engine

    connections.close_all()
    try:
        return _load_run(get_engine(), alias, build, protected, pks, None)
    finally:
        connections.close_all()


def _load_run(engine, alias, build, protected, pks, stdout) -> dict:
    engine._ensure_setup()
    analyzer = build_analyzer(build, protected)
    index = documents.statement_index()
    terms, words = Counter(), Counter()
    failures, count = {}, 0
    with connections[alias].cursor() as cursor:
        for start in range(0, len(pks), BATCH_SIZE):
            chunk = documents.statements_for_index().filter(pk__in=pks[start:start + BATCH_SIZE])
            rows = []
            for obj in chunk.order_by("pk"):
                try:
                    row = make_row(engine.shape, documents.prepare(obj, index), analyzer)
                except Exception:
                    log.exception("Preparing statement %s for the index failed", obj.pk)
                    failures[obj.pk] = traceback.format_exc(limit=5)
                    continue
                rows.append(row.values())
                terms.update(row.terms)
                words.update(row.words)
            _copy(cursor, f"{DOCUMENTS}{SUFFIX}", COLUMNS, rows)
            count += len(rows)
            if stdout is not None:
                stdout.write(f"  {count} documents...")
    return {"documents": count, "failures": failures, "terms": terms, "words": words}


def _copy(cursor, table, columns, rows) -> None:
    if not rows:
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_value(value) -> str:
    # Most values (a vector, a list of plain words) hold nothing to escape: one scan finds
    # that, and the value goes out as it is.
    if value is None:
        return "\\N"
    if isinstance(value, list):
        items = [v if isinstance(v, str) else str(v) for v in value]
        joined = '","'.join(items)
        # A backslash, or a quote besides the separators' own.
        if "\\" in joined or joined.count('"') != 2 * (len(items) - 1):
            joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in items)
        value = '{"' + joined + '"}' if items else "{}"
    elif not isinstance(value, str):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


def _swap(cursor, build, protected, method) -> None:
    # The live tables may be gone (dropped by hand, a database restored without them): the
    # rebuild is what brings them back.
    cursor.execute(f"SELECT to_regclass('{DOCUMENTS}') IS NOT NULL")
    if cursor.fetchone()[0]:
        cursor.execute(f"LOCK TABLE {DOCUMENTS} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(STATE_SQL)
    cursor.execute(STATE_FUNCTION_SQL)
    for name in TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"ALTER TABLE {name}{SUFFIX} RENAME TO {name}")
        cursor.execute(f"ALTER INDEX {name}{SUFFIX}_pkey RENAME TO {name}_pkey")
    for index in INDEX_NAMES:
        cursor.execute(f"ALTER INDEX {DOCUMENTS}{SUFFIX}_{index} RENAME TO {DOCUMENTS}_{index}")
    for index in WORD_INDEX_NAMES:
        cursor.execute(f"ALTER INDEX {WORDS}{SUFFIX}_{index} RENAME TO {WORDS}_{index}")
    cursor.execute(f"DELETE FROM {STATE}")
    cursor.execute(
        f"INSERT INTO {STATE} (id, build, changes, version, protected, analysis_version, "
        "index_method) VALUES (1, %s, 0, %s, %s::jsonb, %s, %s)",
        [build, build, json.dumps(protected, ensure_ascii=False), ANALYSIS_VERSION, method],
    )
