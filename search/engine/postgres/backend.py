"""PostgreSQL full-text search under haystack, implementing the archive's engine contract.

``SEARCH_URL=postgres:`` (the archive's database) or ``postgres://...`` (a database of its
own).  Haystack's ``SearchQuerySet`` reaches it through :class:`PostgresSearchQuery`, which
hands the ``SQ`` tree to :meth:`PostgresSearchBackend.search_tree`; the tree is compiled to
one SQL condition (``compiler.py``).  The rest of the contract: ``rows`` (a document as a
row, its weighted text vector), ``schema`` (the tables), ``store`` (the live build, locks,
connections), ``spelling`` (did-you-mean on a words table with trigrams), ``related``,
``rebuild`` (new tables, then a swap), ``analysis`` (``search.text``, as the Whoosh engine).

This package is the only code that speaks PostgreSQL's text search for the archive.
"""

from __future__ import annotations

import contextlib
import json
import time

from django.db import DatabaseError, connections, transaction
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery, SearchNode
from haystack.exceptions import SearchBackendError
from haystack.models import SearchResult
from psycopg2.extras import execute_values

from ...errors import SearchUnavailable
from ..contract import IndexState, SearchEngine
from ..lru import LRU
from ..spans import term_spans
from ..tree_query import QueueWritesOnly, TreeSearchQuery
from . import rebuild, related, spelling
from .analysis import ANALYSIS_VERSION, build_analyzer, make_analyzer
from .compiler import Compiler
from .rows import COLUMNS, build_shape, is_term, make_row, stored_fields, term_deltas
from .schema import DOCUMENTS, STATE, TERMS, WORDS
from .store import (
    WORKER_LOCK,
    WRITE_LOCK,
    advisory_lock,
    live_state,
    new_build_id,
    read_alias,
    write_alias,
)
from .ties import tie_ordered

WRITE_TIMEOUT = 60.0
# Cover density (proximity) ranking with the section weights {D, C, B, A}, normalised by the
# log of the document's length, so a long speech does not win on length alone.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
RANK_NORMALISATION = 1

# (build, version, condition) -> the match count and facet counts: every write changes the
# version, so nothing stale is ever served.
COUNTS = LRU(2048)
FACETS = LRU(2048)
# (build, version, condition, order, offsets) -> a page's rows: the same search asked again
# (the next reader of a popular query, the feed and export of a result set, paging back)
# reads no index; any write changes the version, so a page is never older than the index.
PAGES = LRU(1024)
_PROTECTED = LRU(8)  # build -> its protected words



# A facet filter that lets at least this share of the archive through is "broad" (Part.broad).
BROAD_SHARE = 0.1
BROAD_SECONDS = 600.0  # how long the planner's figures are trusted before being read again
_FACET_SHARES = LRU(8)  # build -> (read at, {facet key: share of documents})


def broad_facets(cursor, state):
    """From facet keys, whether documents holding any of them are BROAD_SHARE of the archive
    or more, by the planner's own statistics of the ``facets`` column (its most common
    elements and their frequencies, which ANALYZE keeps; a key not among them is rarer than
    all of them).  Read once per build and then every BROAD_SECONDS."""
    found = _FACET_SHARES.get(state.build)
    now = time.monotonic()
    if found is None or now - found[0] > BROAD_SECONDS:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'facets'",
            [DOCUMENTS])
        row = cursor.fetchone()
        shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        found = (now, shares)
        _FACET_SHARES.put(state.build, found)
    shares = found[1]
    return lambda keys: sum(shares.get(k, 0.0) for k in keys) >= BROAD_SHARE


class PostgresSearchBackend(QueueWritesOnly, BaseSearchBackend, SearchEngine):
    rebuild_hint = "which builds new tables beside the live ones and swaps them in"

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.index_method = connection_options.get("INDEX_METHOD", "rum")
        self.shape = None
        self.setup_complete = False
        self._last_analyzer = None

    # --- setup -------------------------------------------------------------------------

    def setup(self):
        from haystack import connections as haystack_connections

        fields = haystack_connections[self.connection_alias].get_unified_index().all_searchfields()
        self.shape = build_shape(fields)
        if not self.shape.content_field:
            raise SearchBackendError("No document=True field in the search indexes.")
        self.setup_complete = True

    def _ensure_setup(self):
        if not self.setup_complete:
            self.setup()

    def _analyzer(self, cursor, state):
        protected = _PROTECTED.get(state.build)
        if protected is None:
            cursor.execute(f"SELECT protected FROM {STATE} WHERE id = 1")
            row = cursor.fetchone()
            value = row[0] if row else []
            protected = frozenset(json.loads(value) if isinstance(value, str) else value)
            _PROTECTED.put(state.build, protected)
        return build_analyzer(state.build, protected)

    @contextlib.contextmanager
    def _reading(self):
        """(cursor, live state, analyzer) on the read connection, in one transaction (one
        snapshot for the count, the facets and the page) whose plans use the indexes.

        The planner does not count the cost of reading a text vector out of TOAST, so on a
        query matching half the archive it prefers a sequential scan that reads every vector
        (a second or more on the UN corpus) to a bitmap scan of the index that reads none
        (a few ms): sequential scans are switched off for the transaction.
        """
        self._ensure_setup()
        alias = read_alias()
        connection = connections[alias]
        # Inside a caller's transaction already (a test, a management command), its snapshot
        # serves; a transaction of our own there would turn any error into a broken one.
        outer = (contextlib.nullcontext() if connection.in_atomic_block
                 else transaction.atomic(using=alias))
        with outer, connection.cursor() as cursor:
            state = live_state(cursor, alias, plan_with_indexes=True)
            analyzer = self._last_analyzer = self._analyzer(cursor, state)
            yield cursor, state, analyzer

    # --- contract: reading -------------------------------------------------------------

    def generation(self):
        try:
            self._ensure_setup()
            alias = read_alias()
            with connections[alias].cursor() as cursor:
                return live_state(cursor, alias).key
        except SearchUnavailable:
            return None

    def search(self, query_string, **kwargs):
        """Haystack's string entry point (raw_search): words, or ``*`` for everything."""
        node = SearchNode()
        text = (query_string or "").strip()
        if text and text != "*":
            node.add(("content", text), SearchNode.AND)
        return self.search_tree(node, **kwargs)

    def search_tree(self, tree, *, sort_by=None, start_offset=0, end_offset=None, facets=None,
                    spelling_query=None, result_class=None, **_ignored):
        try:
            return self._search_tree(tree, sort_by=sort_by, start_offset=start_offset,
                                     end_offset=end_offset, facets=facets,
                                     spelling_query=spelling_query, result_class=result_class)
        except DatabaseError as exc:
            raise SearchUnavailable(f"The search query failed: {exc}") from exc

    def _search_tree(self, tree, *, sort_by, start_offset, end_offset, facets, spelling_query,
                     result_class):
        with self._reading() as (cursor, state, analyzer):
            compiled = Compiler(self.shape, analyzer,
                                broad=broad_facets(cursor, state)).compile(tree)
            start_offset = max(int(start_offset or 0), 0)
            if end_offset is None:
                end_offset = start_offset + 10
            end_offset = max(int(end_offset), start_offset)
            order = self._order(sort_by, compiled, state)
            key = (state.key, compiled.key)
            facet_names = tuple(sorted(set(facets or ())))
            hits, facet_counts = self._counts(cursor, key, compiled, facet_names)
            page = []
            if end_offset > start_offset and hits:
                # The tiers (phrases, exact spellings) order a page but not its matches:
                # "Marčić" and "Marcic" match the same documents in different orders.
                page_key = (key, order[0], tuple(order[1]), compiled.phrases, compiled.exact,
                            start_offset, end_offset)
                page = PAGES.get(page_key)
                if page is None:
                    page = self._page(cursor, compiled, order, start_offset, end_offset,
                                      ranked=not sort_by and compiled.rank is not None)
                    PAGES.put(page_key, page)
            suggestion = None
            if spelling_query:
                suggestion = spelling.suggested_text(
                    spelling_query, analyzer,
                    spelling.suggestions(cursor, spelling_query, analyzer))
        result_class = result_class or SearchResult
        out_facets = {}
        if facets:
            out_facets = {"fields": {n: facet_counts.get(n, []) for n in facets},
                          "dates": {}, "queries": {}}
        return {
            "results": [self._result(result_class, row) for row in page],
            "hits": hits,
            "facets": out_facets,
            "spelling_suggestion": suggestion,
        }

    def _order(self, sort_by, compiled, state) -> tuple[str, list]:
        if sort_by:
            names = [s.lstrip("-") for s in sort_by]
            directions = {s.startswith("-") for s in sort_by}
            if len(directions) != 1 or any(n not in self.shape.date_fields for n in names):
                raise SearchBackendError(f"Unsupported ordering {sort_by!r}.")
            direction = "DESC" if directions.pop() else "ASC"
            return f"date {direction}, django_id {direction}", []
        if compiled.rank is None:
            return "django_id", []
        if state.index_method == "rum":
            # RUM's distance alone: a second sort key would stop the index scan from giving
            # the rows in order (the whole match set would be read and sorted instead).
            return "tsv <=> %s::tsquery", [compiled.rank]
        return (f"ts_rank_cd('{RANK_WEIGHTS}', tsv, %s::tsquery, {RANK_NORMALISATION}) DESC, "
                "django_id", [compiled.rank])

    def _counts(self, cursor, key, compiled, facet_names) -> tuple[int, dict]:
        hits = COUNTS.get(key)
        counts = FACETS.get((key, facet_names)) if facet_names else {}
        if hits is not None and counts is not None:
            return hits, counts
        if not facet_names:
            cursor.execute(f"SELECT count(*) FROM {DOCUMENTS} WHERE {compiled.where}",
                           compiled.params)
            hits = cursor.fetchone()[0]
            COUNTS.put(key, hits)
            return hits, {}
        # One round trip: the match count and every facet's counts over the same matches.
        # unnest in the select list (one ProjectSet node) rather than a lateral function scan
        # per match, and no filter on the facet's name when every facet is asked for: on a
        # phrase matching most of the UN corpus, 26 ms instead of 41 (EXPLAIN ANALYZE).
        if set(facet_names) >= self.shape.facet_fields:
            wanted, wanted_params = "", []
        else:
            wanted, wanted_params = "WHERE split_part(k, ':', 1) = ANY(%s)", [list(facet_names)]
        cursor.execute(
            f"""WITH matched AS MATERIALIZED (
                    SELECT facets FROM {DOCUMENTS} WHERE {compiled.where})
                SELECT NULL, count(*) FROM matched
                UNION ALL
                SELECT k, count(*) FROM (SELECT unnest(facets) AS k FROM matched) AS keys
                 {wanted}
                 GROUP BY k""",
            [*compiled.params, *wanted_params],
        )
        counts: dict[str, list] = {name: [] for name in facet_names}
        hits = 0
        for facet_key, count in cursor.fetchall():
            if facet_key is None:
                hits = count
                continue
            name, _, value = facet_key.partition(":")
            counts[name].append((value, count))
        for name in counts:
            counts[name].sort(key=lambda item: (-item[1], item[0]))
        COUNTS.put(key, hits)
        FACETS.put((key, facet_names), counts)
        return hits, counts

    def _page(self, cursor, compiled, order, start, end, ranked):
        if not ranked or not (compiled.phrases or compiled.exact):
            return self._rows(cursor, compiled, order, None, [], start, end - start)
        # Tiers, each in rank order: the documents holding the whole query as typed, then
        # those holding its content words in place, then the others; within each, those
        # spelling an accented word exactly first.  One ordered index scan per tier, stopped
        # once the page is full, rather than one sort of every match.
        match, miss = "tsv @@ %s::tsquery", "NOT (tsv @@ %s::tsquery)"
        levels = []
        for i, phrase in enumerate(compiled.phrases):
            earlier = compiled.phrases[:i]
            levels.append(([match] + [miss] * len(earlier), [phrase, *earlier]))
        levels.append(([miss] * len(compiled.phrases), list(compiled.phrases)))
        tiers = []
        for conditions, params in levels:
            if compiled.exact:
                tiers.append((conditions + [match], params + [compiled.exact]))
                tiers.append((conditions + [miss], params + [compiled.exact]))
            else:
                tiers.append((conditions, params))
        rows = []
        for conditions, params in tiers:
            extra = " AND ".join(conditions) if conditions else None
            rows += self._rows(cursor, compiled, order, extra, params, 0, end - len(rows))
            if len(rows) >= end:
                break
        return rows[start:end]

    def _rows(self, cursor, compiled, order, extra, extra_params, offset, limit):
        order_sql, order_params = order
        score, score_params = "0", []
        if compiled.rank is not None:
            score = f"ts_rank_cd('{RANK_WEIGHTS}', tsv, %s::tsquery, {RANK_NORMALISATION})"
            score_params = [compiled.rank]
        where = compiled.where if extra is None else f"({compiled.where}) AND {extra}"
        if not order_sql.startswith("tsv <=>"):
            cursor.execute(
                f"SELECT identifier, django_ct, django_id, stored, {score} FROM {DOCUMENTS} "
                f"WHERE {where} ORDER BY {order_sql} LIMIT %s OFFSET %s",
                [*score_params, *compiled.params, *extra_params, *order_params, limit, offset],
            )
            return cursor.fetchall()
        rows = tie_ordered(
            cursor,
            f"SELECT identifier, django_ct, django_id, stored, {score}, {order_sql} "
            f"FROM {DOCUMENTS} WHERE {where} ORDER BY {order_sql} LIMIT %s",
            [*score_params, *order_params, *compiled.params, *extra_params, *order_params],
            offset + limit,
        )
        return rows[offset:]

    def _result(self, result_class, row):
        _identifier, django_ct, django_id, stored, score = row
        app_label, model_name = django_ct.split(".")
        stored = json.loads(stored) if isinstance(stored, str) else stored
        return result_class(app_label, model_name, str(django_id), float(score or 0),
                            **stored_fields(self.shape, stored))

    def count(self, tree) -> int:
        return self.search_tree(tree, start_offset=0, end_offset=0)["hits"]

    def highlight(self, text, words):
        # The analyzer of the build the last search read (a results page highlights its 20
        # rows right after the search); only a process that has not searched yet asks.
        analyzer = self._last_analyzer
        if analyzer is None:
            try:
                with self._reading() as (_cursor, _state, analyzer):
                    pass
            except Exception:
                # No index, or no database at hand: highlighting never fails a page; the
                # default analysis differs from a build's only on protected names.
                analyzer = make_analyzer()
        terms = frozenset(analyzer.query_terms(" ".join(words)))
        return term_spans(text or "", terms, analyzer)

    def spell(self, text):
        with self._reading() as (cursor, _state, analyzer):
            return spelling.suggestions(cursor, text, analyzer)

    def create_spelling_suggestion(self, query_string):
        with self._reading() as (cursor, _state, analyzer):
            pairs = spelling.suggestions(cursor, query_string, analyzer)
        return spelling.suggested_text(query_string, analyzer, pairs)

    def related(self, identifier, text, *, limit=10, result_class=None):
        with self._reading() as (cursor, state, analyzer):
            rows, hits = related.related_rows(cursor, state, analyzer, identifier, text,
                                              limit=limit)
        result_class = result_class or SearchResult
        return {"results": [self._result(result_class, row) for row in rows], "hits": hits}

    def more_like_this(self, model_instance, additional_query_string=None, start_offset=0,
                       end_offset=None, result_class=None, text=None, **kwargs):
        from ... import documents

        if text is None:
            text = documents.statement_index().text.prepare(model_instance)
        end_offset = end_offset or 10
        identifier = f"{model_instance._meta.label_lower}.{model_instance.pk}"
        found = self.related(identifier, text, limit=end_offset, result_class=result_class)
        return {"results": found["results"][start_offset:end_offset], "hits": found["hits"]}

    # --- contract: writing -------------------------------------------------------------

    def write_lock(self, *, timeout: float | None = None):
        return advisory_lock(write_alias(), WRITE_LOCK, timeout=timeout)

    def write(self, documents, *, delete=()):
        self._ensure_setup()
        alias = write_alias()
        delete = list(delete)
        with self.write_lock(timeout=WRITE_TIMEOUT), transaction.atomic(using=alias):
            cursor = connections[alias].cursor()
            state = live_state(cursor, alias)
            analyzer = self._analyzer(cursor, state)
            rows = [make_row(self.shape, doc, analyzer) for doc in documents]
            gone = sorted({*delete, *(row.identifier for row in rows)})
            if gone:
                cursor.execute(
                    f"DELETE FROM {DOCUMENTS} WHERE identifier = ANY(%s) "
                    "RETURNING tsvector_to_array(tsv), words",
                    [gone],
                )
                removed = cursor.fetchall()
            else:
                removed = []
            if rows:
                execute_values(
                    cursor.cursor if hasattr(cursor, "cursor") else cursor,
                    f"INSERT INTO {DOCUMENTS} ({', '.join(COLUMNS)}) VALUES %s",
                    [row.values() for row in rows],
                    template="(%s, %s, %s, %s, %s::jsonb, %s, %s::text[], %s::text[], "
                             "%s::tsvector)",
                    page_size=100,
                )
            _apply_deltas(
                cursor, TERMS, "term",
                term_deltas([r.terms for r in rows],
                            [[t for t in old if is_term(t)] for old, _w in removed]),
            )
            _apply_word_deltas(
                cursor, analyzer,
                term_deltas([r.words for r in rows], [w for _t, w in removed]),
            )
            cursor.execute(f"UPDATE {STATE} SET changes = changes + 1, version = %s WHERE id = 1",
                           [new_build_id()])

    def rebuild(self, *, processes=None, stdout=None):
        self._ensure_setup()
        report = rebuild.rebuild(self, processes=processes, stdout=stdout)
        _clear_caches()
        return report

    def reset(self):
        from ... import documents

        self._ensure_setup()
        alias = write_alias()
        protected = sorted(documents.protected_words())
        build = new_build_id()
        with self.write_lock(timeout=WRITE_TIMEOUT), transaction.atomic(using=alias):
            cursor = connections[alias].cursor()
            try:
                cursor.execute(f"TRUNCATE {DOCUMENTS}, {TERMS}, {WORDS}")
            except DatabaseError as exc:
                raise SearchUnavailable(
                    f"The search tables are missing ({exc}); run `manage.py migrate`."
                ) from exc
            cursor.execute(f"DELETE FROM {STATE}")
            cursor.execute(
                f"INSERT INTO {STATE} (id, build, changes, version, protected, "
                "analysis_version, index_method) VALUES (1, %s, 0, %s, %s::jsonb, %s, "
                "(SELECT CASE WHEN indexdef LIKE '%%USING rum%%' THEN 'rum' ELSE 'gin' END "
                "   FROM pg_indexes WHERE indexname = %s))",
                [build, build, json.dumps(protected, ensure_ascii=False), ANALYSIS_VERSION,
                 f"{DOCUMENTS}_tsv"],
            )
        _clear_caches()

    def status(self):
        self._ensure_setup()
        alias = read_alias()
        with connections[alias].cursor() as cursor:
            state = live_state(cursor, alias)
            cursor.execute(f"SELECT identifier, fingerprint FROM {DOCUMENTS}")
            stored = dict(cursor.fetchall())
            cursor.execute(f"SELECT protected FROM {STATE} WHERE id = 1")
            value = cursor.fetchone()[0]
        protected = frozenset(json.loads(value) if isinstance(value, str) else value)
        return IndexState(documents=stored, generation=state.key, protected_words=protected,
                          analysis_current=state.analysis_version == ANALYSIS_VERSION)

    def writer_lock(self, *, wait=False):
        return advisory_lock(write_alias(), WORKER_LOCK, timeout=None if wait else 0)


def _apply_deltas(cursor, table, column, deltas):
    if not deltas:
        return
    keys = sorted(deltas)
    cursor.execute(
        f"""INSERT INTO {table} ({column}, df)
            SELECT k, d FROM unnest(%s::text[], %s::int[]) AS u(k, d)
            ON CONFLICT ({column}) DO UPDATE SET df = {table}.df + EXCLUDED.df""",
        [keys, [deltas[k] for k in keys]],
    )
    cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s) AND df <= 0", [keys])


def _apply_word_deltas(cursor, analyzer, deltas):
    if not deltas:
        return
    words = sorted(deltas)
    folded = [spelling.folded(analyzer, w) for w in words]
    cursor.execute(
        f"""INSERT INTO {WORDS} (word, folded, initial, df)
            SELECT w, f, left(f, 1), d FROM unnest(%s::text[], %s::text[], %s::int[])
                AS u(w, f, d)
            ON CONFLICT (word) DO UPDATE SET df = {WORDS}.df + EXCLUDED.df""",
        [words, folded, [deltas[w] for w in words]],
    )
    cursor.execute(f"DELETE FROM {WORDS} WHERE word = ANY(%s) AND df <= 0", [words])


def _clear_caches():
    for cache in (COUNTS, FACETS, PAGES, _PROTECTED, _FACET_SHARES):
        cache.clear()


class PostgresSearchQuery(TreeSearchQuery, BaseSearchQuery):
    """Hands the SQ tree to the backend (no query string)."""

    def build_query_fragment(self, field, filter_type, value):
        # Never used to search (run() passes the tree); haystack's repr and debugging only.
        return f"{field}__{filter_type}={value!r}"


class PostgresEngine(BaseEngine):
    backend = PostgresSearchBackend
    query = PostgresSearchQuery
