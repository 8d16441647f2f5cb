"""The project's own Whoosh backend for haystack.

Views never talk to Whoosh: they build an ordinary ``SearchQuerySet`` (``search/query.py``)
with ``filter``/``facet``/``order_by``/``spelling_suggestion``/``more_like_this``, which is
what haystack's Elasticsearch and Solr backends also understand.  For Whoosh, the query class
below hands the ``SQ`` tree to the backend instead of a query string, and the backend turns it
into Whoosh query objects directly:

* user words are analysed with the index's own analyzer (no query parser, nothing to escape);
* facet fields become exact ``Term`` queries and go into Whoosh's ``filter=`` (no scoring,
  cached as document sets per searcher);
* match-all is ``Every()`` (no field: a list of document numbers, not a walk of the body);
* facet counts come from per-searcher document->values columns, cached by query, filter and
  index generation;
* one searcher per thread is kept open until the index generation changes.

On disk, ``PATH`` holds generations (``ix-*`` folders) and a ``current`` file naming the live
one.  ``rebuild_index`` builds a new generation and swaps the pointer, so search keeps
answering during a rebuild.  Writes happen only in the index worker, under ``write.lock``.
"""

from __future__ import annotations

import datetime
import hashlib
import heapq
import itertools
import json
import logging
import math
import os
import re
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from haystack.backends import SearchNode
from haystack.backends.whoosh_backend import (
    WhooshEngine,
    WhooshSearchBackend,
    WhooshSearchQuery,
)
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError
from haystack.models import SearchResult
from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, SortingCollector, TopCollector
from whoosh.fields import DATETIME, KEYWORD, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.reading import TermNotFound

from .analysis import (
    BodyText,
    WordSet,
    fold_text,
    query_terms,
    text_analyzer,
    word_analyzer,
)
from .phrase import FastPhrase
from .scoring import ArchiveBM25F

log = logging.getLogger(__name__)

POINTER_NAME = "current"
WRITE_LOCK_NAME = "write.lock"
GENERATION_PREFIX = "ix-"
FINGERPRINT = "fingerprint"
SPELLING_FIELD = "spelling"
_SPELL_WORD = re.compile(r"[^\W\d_]{4,}")


class SearchUnavailable(Exception):
    """The index is missing, unreadable or locked beyond patience: the page answers 503."""


# --- the folder layout --------------------------------------------------------------------


def read_pointer(root: Path) -> Path | None:
    try:
        name = (root / POINTER_NAME).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = root / name
    return path if path.is_dir() else None


def write_pointer(root: Path, generation: Path) -> None:
    """Point ``current`` at ``generation`` atomically (rename over the old pointer)."""
    tmp = root / f".{POINTER_NAME}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(generation.name + "\n", encoding="utf-8")
    os.replace(tmp, root / POINTER_NAME)


def new_generation_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    path = root / f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


# --- caches shared by the threads of one process -------------------------------------------


class _LRU:
    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self):
        with self.lock:
            self.data.clear()


# Keyed by (generation folder, index generation, ...): document numbers are stable within
# one generation, so threads (runserver starts one per request) share what was computed.
FACET_CACHE = _LRU(2048)
FILTER_CACHE = _LRU(512)
COLUMN_CACHE = _LRU(64)
# Keyed by segment: a segment's documents never change once it is written (deletions are
# recorded beside it), so what was computed for it stays true across the worker's small
# commits, which only add segments and deletions.  Only the composition into index-wide
# document numbers is redone for a new searcher.
SEGMENT_CACHE = _LRU(4096)
# Term -> document frequency, per searcher (related statements' key terms).
DF_CACHE = _LRU(8)


def clear_caches() -> None:
    """Forget everything the search code remembers in this process (a reset index, or a
    benchmark's first request)."""
    from .scoring import clear_lengths

    for cache in (FACET_CACHE, FILTER_CACHE, COLUMN_CACHE, SEGMENT_CACHE, DF_CACHE):
        cache.clear()
    clear_lengths()


_STATE_TOKENS = itertools.count(1)
# One open searcher per index folder per process, used by one thread at a time: Whoosh
# searchers are not thread-safe, and under the GIL parallel searches would not run faster.
SEARCH_LOCK = threading.RLock()
_STATES: dict[str, _SearcherState] = {}


class _SearcherState:
    """An open searcher; ``key`` names it in the caches (new searcher, new key)."""

    def __init__(self, directory: Path, ix, searcher):
        self.directory = directory
        self.ix = ix
        self.searcher = searcher
        self.key = (str(directory), next(_STATE_TOKENS))


# --- the backend ---------------------------------------------------------------------------


class ArchiveWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = Path(self.path)
        self.include_spelling = True
        self.store_body = bool(connection_options.get("STORE_BODY", False))

    # schema ---------------------------------------------------------------------------------

    def setup(self):
        from haystack import connections

        fields = connections[self.connection_alias].get_unified_index().all_searchfields()
        self.content_field_name, self.schema = self.build_schema(fields)
        self.facet_fields = {
            f.index_fieldname for f in fields.values() if hasattr(f, "facet_for")
        }
        self.multi_fields = {f.index_fieldname for f in fields.values() if f.is_multivalued}
        self.date_fields = {
            f.index_fieldname for f in fields.values() if f.field_type in ("date", "datetime")
        }
        self.setup_complete = True

    def build_schema(self, fields):
        schema = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            DJANGO_ID: WHOOSH_ID(stored=True),
            # A hash of the prepared document: search_status compares it to spot stale ones.
            FINGERPRINT: STORED(),
            # Whole (unstemmed) words for "Did you mean": Whoosh's own spelling=True field
            # made indexing several times slower (a file stat per posting on commit).
            SPELLING_FIELD: WordSet(),
        }
        content = ""
        for field in fields.values():
            name = field.index_fieldname
            if field.document:
                content = name
                schema[name] = BodyText(stored=self.store_body)
            elif hasattr(field, "facet_for"):
                if field.is_multivalued:
                    schema[name] = KEYWORD(
                        commas=True, lowercase=False, scorable=False, stored=field.stored
                    )
                else:
                    schema[name] = WHOOSH_ID(stored=field.stored)
            elif field.field_type in ("date", "datetime"):
                schema[name] = DATETIME(stored=field.stored, sortable=True)
            elif not field.indexed:
                if field.stored:
                    schema[name] = STORED()
            else:
                schema[name] = TEXT(analyzer=text_analyzer(), stored=field.stored)
        if not content:
            raise SearchBackendError("No document=True field in the search indexes.")
        return content, Schema(**schema)

    def _ensure_setup(self):
        if not self.setup_complete:
            self.setup()

    # opening --------------------------------------------------------------------------------

    def live_directory(self) -> Path | None:
        return read_pointer(self.root)

    def open_live_index(self, *, create: bool = False):
        """The live generation's index; ``create`` makes an empty one when there is none."""
        self._ensure_setup()
        directory = self.live_directory()
        if directory is None:
            if not create:
                raise SearchUnavailable("The search index has not been built yet.")
            directory = self.create_generation()
            write_pointer(self.root, directory)
        try:
            return directory, whoosh_index.open_dir(str(directory), schema=self.schema)
        except whoosh_index.EmptyIndexError as exc:
            if create:
                return directory, whoosh_index.create_in(str(directory), self.schema)
            raise SearchUnavailable("The search index is empty or incomplete.") from exc
        except Exception as exc:
            raise SearchUnavailable(f"The search index cannot be opened: {exc}") from exc

    def create_generation(self) -> Path:
        self._ensure_setup()
        directory = new_generation_dir(self.root)
        whoosh_index.create_in(str(directory), self.schema)
        return directory

    def state(self) -> _SearcherState:
        """The process's searcher, reopened when the pointer or the index generation moved."""
        self._ensure_setup()
        with SEARCH_LOCK:
            root = str(self.root)
            st = _STATES.get(root)
            directory = self.live_directory()
            if directory is None:
                raise SearchUnavailable("The search index has not been built yet.")
            try:
                if st is not None and st.directory == directory:
                    if st.searcher.up_to_date():
                        return st
                    st = _SearcherState(directory, st.ix, st.searcher.refresh())
                else:
                    if st is not None:
                        st.searcher.close()
                    directory, ix = self.open_live_index()
                    st = _SearcherState(directory, ix, ix.searcher(weighting=ArchiveBM25F()))
            except SearchUnavailable:
                _STATES.pop(root, None)
                raise
            except Exception as exc:
                _STATES.pop(root, None)
                raise SearchUnavailable(f"The search index cannot be read: {exc}") from exc
            _STATES[root] = st
            return st

    def forget_searcher(self) -> None:
        """Drop the open searcher (the next search reopens the index)."""
        with SEARCH_LOCK:
            st = _STATES.pop(str(self.root), None)
            if st is not None:
                try:
                    st.searcher.close()
                except Exception:
                    log.debug("Closing an old searcher failed", exc_info=True)

    def generation_key(self):
        return self.state().key

    def doc_count(self) -> int:
        return self.state().searcher.doc_count()

    # compiling SQ trees ---------------------------------------------------------------------

    def compile(self, node) -> tuple[wq.Query, wq.Query | None]:
        """Split the tree into a scoring query and a filter (facet/date-only parts)."""
        self._ensure_setup()
        scoring, filters = [], []
        if node and node.connector == SearchNode.AND and not node.negated:
            for child in node.children:
                target = filters if self._filter_only(child) else scoring
                compiled = self._compile_child(node, child)
                if compiled is not None:
                    target.append(compiled)
        elif node:
            compiled = self._compile_node(node)
            if compiled is not None:
                scoring.append(compiled)
        q = _and(scoring)
        if q is None or all(isinstance(p, wq.Not) for p in scoring):
            q = _and([wq.Every(), *scoring]) if scoring else wq.Every()
        f = _and(filters)
        return q, f

    def _filter_only(self, child) -> bool:
        if isinstance(child, SearchNode):
            return bool(child.children) and all(self._filter_only(c) for c in child.children)
        expression, _value = child
        field = expression.split("__")[0]
        return field in self.facet_fields or field in self.date_fields

    def _compile_child(self, parent, child):
        if isinstance(child, SearchNode):
            return self._compile_node(child)
        expression, value = child
        field, filter_type = parent.split_expression(expression)
        return self._leaf(field, filter_type, value)

    def _compile_node(self, node):
        parts = [self._compile_child(node, child) for child in node.children]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        combined = _and(parts) if node.connector == SearchNode.AND else wq.Or(parts)
        return wq.Not(combined) if node.negated else combined

    def _leaf(self, field, filter_type, value):
        if field in ("content", self.content_field_name):
            return self._text_query(value)
        if field in self.facet_fields:
            if filter_type == "in":
                terms = [wq.Term(field, str(v)) for v in value]
                return wq.Or(terms) if terms else wq.NullQuery
            if filter_type in ("exact", "content"):
                return wq.Term(field, str(getattr(value, "query_string", value)))
        if field in self.date_fields and filter_type in ("gte", "lte", "gt", "lt", "range"):
            start = end = None
            if filter_type == "range":
                start, end = (_as_datetime(v) for v in value)
            elif filter_type in ("gte", "gt"):
                start = _as_datetime(value)
            else:
                end = _as_datetime(value)
            return wq.DateRange(
                field,
                start,
                end,
                startexcl=filter_type == "gt",
                endexcl=filter_type == "lt",
            )
        raise SearchBackendError(f"Unsupported search condition {field}__{filter_type}.")

    def _text_query(self, value):
        exact = getattr(value, "input_type_name", "") == "exact"
        text = str(getattr(value, "query_string", value))
        if exact:
            return _words_query(self.content_field_name, query_terms(text))
        parts = [_words_query(self.content_field_name, query_terms(w)) for w in text.split()]
        return _and([p for p in parts if p is not None])

    # searching ------------------------------------------------------------------------------

    def search(self, query_string, **kwargs):
        """Haystack's string entry point (raw_search): words, or ``*`` for everything."""
        node = SearchNode()
        text = (query_string or "").strip()
        if text and text != "*":
            node.add(("content", text), SearchNode.AND)
        return self.search_tree(node, **kwargs)

    def search_tree(self, node, **kwargs):
        with SEARCH_LOCK:
            return self._search_tree(node, **kwargs)

    def _search_tree(
        self,
        node,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        facets=None,
        spelling_query=None,
        result_class=None,
        **kwargs,
    ):
        st = self.state()
        searcher = st.searcher
        q, f = self.compile(node)
        start_offset = max(int(start_offset or 0), 0)
        if end_offset is None:
            end_offset = start_offset + 10
        end_offset = max(int(end_offset), start_offset)
        sortedby, reverse = self._sorting(sort_by)
        filter_docs = self._filter_docs(st, f)

        if q is wq.NullQuery or (filter_docs is not None and not filter_docs):
            hits, page, results = 0, [], None
        elif end_offset <= start_offset:
            # Only the count and facets (the sidebar's counts without one selection): no
            # scoring, and the query's documents come from the per-segment cache.
            docs = _query_docs(searcher, q)
            if filter_docs is not None:
                docs &= filter_docs
            hits, page, results = len(docs), [], _DocsOnly(docs)
        else:
            results = _run_collector(
                searcher, q, filter_docs, limit=max(end_offset, 1), sortedby=sortedby,
                reverse=reverse,
            )
            hits = len(results.docs())
            page = list(results[start_offset:end_offset]) if end_offset > start_offset else []

        facet_counts = {}
        if facets:
            facet_counts = {"fields": {}, "dates": {}, "queries": {}}
            docs = results.docs() if results is not None else set()
            for name in facets:
                facet_counts["fields"][name] = self._facet_counts(st, q, f, name, docs)

        result_class = result_class or SearchResult
        rows = [self._result(result_class, hit.fields(), hit.score) for hit in page]
        suggestion = None
        if spelling_query:
            suggestion = self.create_spelling_suggestion(spelling_query)
        return {
            "results": rows,
            "hits": hits,
            "facets": facet_counts,
            "spelling_suggestion": suggestion,
        }

    def _sorting(self, sort_by):
        if not sort_by:
            return None, False
        names = [s.lstrip("-") for s in sort_by]
        directions = {s.startswith("-") for s in sort_by}
        if len(directions) != 1 or any(n not in self.date_fields for n in names):
            raise SearchBackendError(f"Unsupported ordering {sort_by!r}.")
        return names, directions.pop()

    def _filter_docs(self, st: _SearcherState, f):
        if f is None:
            return None
        key = (st.key, repr(f))
        docs = FILTER_CACHE.get(key)
        if docs is None:
            # A plain set: Whoosh accepts set or DocIdSet (not frozenset); never mutated.
            docs = _query_docs(st.searcher, f)
            FILTER_CACHE.put(key, docs)
        return docs

    def _facet_counts(self, st: _SearcherState, q, f, name, docs):
        key = (st.key, repr(q), repr(f), name)
        cached = FACET_CACHE.get(key)
        if cached is not None:
            return cached
        column = self._column(st, name)
        counts: dict[str, int] = {}
        for docnum in docs:
            for value in column[docnum]:
                counts[value] = counts.get(value, 0) + 1
        result = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        FACET_CACHE.put(key, result)
        return result

    def _column(self, st: _SearcherState, name):
        """Per document, the values of one facet field (composed once per searcher)."""
        key = (st.key, name)
        column = COLUMN_CACHE.get(key)
        if column is None:
            column = []
            for sub, _offset in _leaves(st.searcher):
                column.extend(_segment_column(sub.reader(), name))
            COLUMN_CACHE.put(key, column)
        return column

    def _result(self, result_class, stored, score):
        app_label, model_name = stored[DJANGO_CT].split(".")
        extra = {
            key: (value.date() if isinstance(value, datetime.datetime) else value)
            for key, value in stored.items()
            if key not in (DJANGO_CT, DJANGO_ID, ID, FINGERPRINT)
        }
        return result_class(app_label, model_name, stored[DJANGO_ID], score or 0, **extra)

    def create_spelling_suggestion(self, query_string):
        """Each word replaced by its closest real (unstemmed) word in the index, if any."""
        with SEARCH_LOCK:
            return self._spelling(query_string)

    def _spelling(self, query_string):
        st = self.state()
        reader = st.searcher.reader()
        spell_field = SPELLING_FIELD
        words = [t.text for t in word_analyzer()(query_string or "")][:20]
        out, changed = [], False
        for word in words:
            if len(word) < 4 or not word.isalpha() or reader.doc_frequency(spell_field, word):
                out.append(word)
                continue
            found = self._closest_word(st.searcher, spell_field, word)
            if found and found != word:
                out.append(found)
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def _closest_word(self, searcher, spell_field, word):
        """Fewest edits first; among equals, the word in most documents."""
        reader = searcher.reader()
        found: dict[str, int] = {}
        for sub, _offset in _leaves(searcher):
            for candidate, distance in _segment_near_words(sub.reader(), spell_field, word):
                found[candidate] = min(distance, found.get(candidate, distance))
        # A segment's word list keeps the words of its deleted documents (an unpublished or
        # deleted statement) until a merge: only words some live document holds are offered.
        found = {w: d for w, d in found.items() if _has_live_doc(reader, spell_field, w)}
        if not found:
            return None
        return max(
            found,
            key=lambda w: (
                -found[w],
                reader.doc_frequency(spell_field, w),
                -abs(len(w) - len(word)),
                w,
            ),
        )

    def more_like_this(self, model_instance, *args, **kwargs):
        with SEARCH_LOCK:
            return self._more_like_this(model_instance, *args, **kwargs)

    def _more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        result_class=None,
        text=None,
        **kwargs,
    ):
        st = self.state()
        searcher = st.searcher
        identifier = f"{model_instance._meta.label_lower}.{model_instance.pk}"
        docnum = searcher.document_number(**{ID: identifier})
        if text is None:
            from haystack import connections

            ui = connections[self.connection_alias].get_unified_index()
            text = ui.get_index(type(model_instance)).text.prepare(model_instance)
        end_offset = end_offset or 10
        key_terms = self._key_terms(st, text, numterms=15)
        if not key_terms:
            return {"results": [], "hits": 0}
        q = wq.Or([wq.Term(self.content_field_name, w, boost=wt) for w, wt in key_terms])
        mask = {docnum} if docnum is not None else None
        results = searcher.search(q, limit=end_offset, mask=mask)
        hits = list(results[start_offset:end_offset])
        result_class = result_class or SearchResult
        return {
            "results": [self._result(result_class, h.fields(), h.score) for h in hits],
            # Not len(results): with block skipping that runs the query a second time.
            "hits": results.scored_length(),
        }

    def _key_terms(self, st: _SearcherState, text: str, numterms: int = 15):
        """The statement's most characteristic terms, by tf x idf, with relative weights.

        What Lucene's MoreLikeThis does: terms in only this document or in more than a fifth
        of the archive say little about what is similar, and leaving out the common ones keeps
        the "any of these terms" query to short posting lists.  Whoosh's own
        ``key_terms_from_text`` (Bo1) asked every segment for every term's collection
        frequency, twice the cost of the search that follows.
        """
        positions = self.schema[self.content_field_name].positions  # a BodyText
        reader = st.searcher.reader()
        total = reader.doc_count()
        if not total:
            return []
        frequencies = _document_frequencies(st, reader, self.content_field_name)
        # On a small archive every shared word is informative; on a large one the common ones
        # only make the query slow.
        ceiling = total if total < 100 else total // 5
        scored, common_scored = [], []
        for term, where in positions(text).items():
            if len(term) < 3 or not term.isalpha():
                continue
            df = frequencies(term)
            if df >= 2:
                # BM25's idf: positive even for a term in every document.
                entry = (len(where) * math.log(1 + (total - df + 0.5) / (df + 0.5)), term)
                (scored if df <= ceiling else common_scored).append(entry)
        top = heapq.nlargest(numterms, scored) or heapq.nlargest(numterms, common_scored)
        if not top:
            return []
        best = top[0][0]
        return [(term, score / best) for score, term in top]

    # writing (the index worker only) --------------------------------------------------------

    def prepare_document(self, index, obj) -> dict:
        """The Whoosh document of one object; raises whatever its preparation raises."""
        self._ensure_setup()
        prepared = index.full_prepare(obj)
        doc = {}
        for key, value in prepared.items():
            if value is None or key not in self.schema.names():
                continue
            if key in self.multi_fields:
                values = [str(v) for v in value if v not in (None, "")]
                if any("," in v for v in values):
                    raise ValueError(f"{key} value contains a comma: {values!r}")
                value = ",".join(values)
            elif key in self.date_fields:
                value = _as_datetime(value)
            elif not isinstance(value, str):
                value = str(value)
            if value == "" and key in self.facet_fields:
                continue
            doc[key] = value
        text = doc.get(self.content_field_name, "")
        doc[SPELLING_FIELD] = " ".join(
            sorted({fold_text(w) for w in _SPELL_WORD.findall(text.lower())})
        )
        doc[FINGERPRINT] = hashlib.sha1(
            json.dumps(doc, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()
        return doc

    def write_documents(self, ix, docs: list[dict], remove: list[str], *, timeout=60.0):
        """Apply one batch in one commit: delete ``remove`` ids, add/replace ``docs``."""
        writer = ix.writer(timeout=timeout, limitmb=256)
        try:
            for identifier in remove:
                writer.delete_by_term(ID, identifier)
            for doc in docs:
                writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def indexed_ids(self, ix) -> set[str]:
        with ix.searcher() as searcher:
            return {fields[ID] for fields in searcher.all_stored_fields()}

    # haystack's own write entry points go through the queue instead ------------------------

    def update(self, index, iterable, commit=True):
        from .indexer import enqueue_objects

        enqueue_objects(iterable)

    def remove(self, obj_or_string, commit=True):
        from .indexer import enqueue_identifier

        enqueue_identifier(obj_or_string)

    def clear(self, models=None, commit=True):
        raise SearchBackendError(
            "Clearing the live index is not supported: run `manage.py rebuild_index`, which "
            "builds a new index beside it and swaps it in."
        )


def _leaves(searcher):
    return searcher.leaf_searchers() if not searcher.is_atomic() else [(searcher, 0)]


def _segment_key(reader):
    """What names a segment's cached entries; None for a reader of no segment (empty index)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return None
    return (segment.segment_id(), reader.doc_count_all())


def _segment_cached(reader, kind, name, compute):
    segment_key = _segment_key(reader)
    if segment_key is None:
        return compute()
    key = (segment_key, kind, name)
    value = SEGMENT_CACHE.get(key)
    if value is None:
        value = compute()
        SEGMENT_CACHE.put(key, value)
    return value


def _segment_column(reader, name) -> list[tuple[str, ...]]:
    """One segment's document -> values of a facet field (deleted documents included)."""

    def compute():
        column = [()] * reader.doc_count_all()
        if name in reader.indexed_field_names():
            for btext in reader.lexicon(name):
                value = btext.decode("utf-8")
                # The raw postings, deleted documents included: a deletion must not change
                # what is cached for the segment.
                for docnum in reader.postings(name, btext).all_ids():
                    column[docnum] = (*column[docnum], value)
        return column

    return _segment_cached(reader, "column", name, compute)


def _segment_near_words(reader, field, word, max_distance=2):
    """Words of one segment's ``field`` within ``max_distance`` edits of ``word`` (same first
    letter, as Whoosh's ``terms_within(prefix=1)``), with their distances."""

    def compute():
        by_initial: dict[str, list[str]] = {}
        if field in reader.indexed_field_names():
            for btext in reader.lexicon(field):
                text = btext.decode("utf-8")
                by_initial.setdefault(text[:1], []).append(text)
        return by_initial

    by_initial = _segment_cached(reader, "words", field, compute)
    choices = by_initial.get(word[:1])
    if not choices:
        return []
    matches = rf_process.extract(
        word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=max_distance,
        limit=None,
    )
    return [(choice, distance) for choice, distance, _index in matches]


def _document_frequencies(st: _SearcherState, reader, field):
    """A term -> document frequency lookup, remembered for the searcher's generation."""
    key = (st.key, field)
    known = DF_CACHE.get(key)
    if known is None:
        known = {}
        DF_CACHE.put(key, known)

    def frequency(term):
        df = known.get(term)
        if df is None:
            df = known[term] = reader.doc_frequency(field, term)
        return df

    return frequency


def _has_live_doc(reader, field, word) -> bool:
    """Whether a document not deleted holds ``word`` (postings skip deleted documents)."""
    try:
        return reader.postings(field, word).is_active()
    except TermNotFound:
        return False


def _query_docs(searcher, q) -> set[int]:
    """Index-wide numbers of the live documents matching ``q`` (unscored).

    Each segment's matches are cached by segment; the current deletions are taken out when
    they are composed.
    """
    out: set[int] = set()
    text = repr(q)
    for sub, offset in _leaves(searcher):
        reader = sub.reader()
        # Matchers skip deleted documents, so the cached list holds those deleted when it was
        # made; later deletions are checked below.
        local = _segment_cached(reader, "docs", text, lambda sub=sub: list(q.docs(sub)))
        if reader.has_deletions():
            is_deleted = reader.is_deleted
            out.update(d + offset for d in local if not is_deleted(d))
        elif offset:
            out.update(d + offset for d in local)
        else:
            out.update(local)
    return out


class _TopAndAllCollector(TopCollector):
    """The top ``limit`` documents by score, and the set of every match, in one pass.

    Whoosh's ``TopCollector`` skips low-scoring blocks, so asking its results for the hit
    count or the matching documents (which the facet counts need) runs the query again, once
    for each: three passes over the postings for one results page.  This one scores every
    match once, in a plain loop (no generator, no per-document method layers), keeping only
    the documents in ``allow`` when it is given.  Ties order as in ``TopCollector``.
    """

    def __init__(self, limit, allow=None):
        super().__init__(limit=limit, usequality=False)
        self.allow = allow

    def collect_matches(self):
        matcher = self.matcher
        if self.final_fn is not None:  # a weighting with a final() step: Whoosh's own way
            for sub_docnum in self.matches():
                if self.allow is None or self.offset + sub_docnum in self.allow:
                    self.collect(sub_docnum)
            return
        offset, allow, limit = self.offset, self.allow, self.limit
        items, docset = self.items, self.docset
        is_active, next_, id_, score_ = matcher.is_active, matcher.next, matcher.id, matcher.score
        while is_active():
            docnum = offset + id_()
            if allow is None or docnum in allow:
                score = score_()
                docset.add(docnum)
                if len(items) < limit:
                    heapq.heappush(items, (score, -docnum))
                elif score > items[0][0]:
                    heapq.heapreplace(items, (score, -docnum))
            next_()
        self.total = len(docset)

    def all_ids(self):
        return self.docset

    def count(self):
        return len(self.docset)

    def results(self):
        results = super().results()
        results.docset = self.docset
        return results


class _DocsOnly:
    def __init__(self, docs):
        self._docs = docs

    def docs(self):
        return self._docs


def _run_collector(searcher, q, filter_docs, *, limit, sortedby, reverse):
    """``searcher.search`` with a collector that also keeps every matching document."""
    if sortedby:
        collector = SortingCollector(sortedby, limit=limit, reverse=reverse)
        if filter_docs is not None:
            collector = FilterCollector(collector, allow=filter_docs)
    else:
        collector = _TopAndAllCollector(limit, allow=filter_docs)
    searcher.search_with_collector(q, collector)
    return collector.results()


def _and(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return wq.And(parts)


def _words_query(field, terms):
    if not terms:
        return None
    if len(terms) == 1:
        return wq.Term(field, terms[0])
    return FastPhrase(field, terms)


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return _as_datetime(datetime.date.fromisoformat(value[:10]))
    raise SearchBackendError(f"Not a date: {value!r}")


class ArchiveWhooshSearchQuery(WhooshSearchQuery):
    """Hands the SQ tree to the backend (no query string, no parser)."""

    def run(self, spelling_query=None, **kwargs):
        search_kwargs = self.build_params(spelling_query=spelling_query)
        search_kwargs.update(kwargs)
        results = self.backend.search_tree(self.query_filter, **search_kwargs)
        self._results = results.get("results", [])
        self._hit_count = results.get("hits", 0)
        self._facet_counts = self.post_process_facets(results)
        self._spelling_suggestion = results.get("spelling_suggestion", None)

    def get_count(self):
        """The hit count without scoring or rows (``_search_tree`` with an empty page)."""
        if self._hit_count is None and not self._more_like_this and self._results is None:
            search_kwargs = self.build_params()
            search_kwargs.pop("facets", None)
            search_kwargs.update(start_offset=0, end_offset=0)
            self._hit_count = self.backend.search_tree(self.query_filter, **search_kwargs)[
                "hits"
            ]
        return super().get_count()

    def run_mlt(self, **kwargs):
        search_kwargs = {"result_class": self.result_class}
        search_kwargs.update(kwargs)
        if self.end_offset is not None:
            search_kwargs.setdefault("end_offset", self.end_offset)
            search_kwargs.setdefault("start_offset", self.start_offset)
        results = self.backend.more_like_this(self._mlt_instance, **search_kwargs)
        self._results = results.get("results", [])
        self._hit_count = results.get("hits", 0)


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
    query = ArchiveWhooshSearchQuery
