"""The embedded engine: Whoosh under haystack, implementing the archive's engine contract.

Haystack's ``SearchQuerySet`` reaches it through :class:`ArchiveWhooshSearchQuery`, which
hands the ``SQ`` tree to :meth:`ArchiveWhooshBackend.search_tree` instead of a query string;
the tree is compiled to Whoosh queries directly (``compiler.py``).  Everything else the
archive needs (writes, rebuilds, status, highlighting, spelling, related statements) is the
contract's (``search/engine/contract.py``).

The pieces: ``storage`` (generations on disk, the pointer, locks), ``searcher`` (one open
searcher per process), ``schema``, ``compiler``, ``collectors`` (one scoring pass), ``facets``,
``spelling``, ``related``, ``spans`` (highlighting), ``rebuild`` with ``bulk`` (the segment
writer), ``phrase`` (the phrase matcher), ``scoring`` (BM25F with cached lengths),
``analysis`` (the text fields, on ``search.text``), ``textquery`` (words and phrases) and
``caches``.

Each index generation keeps the analysis it was built with (its protected words, see
``analysis.py``); searching, highlighting, suggestions and the worker's writes all use the
live generation's, so documents and queries are always analysed alike.
"""

from __future__ import annotations

import datetime
import weakref
from pathlib import Path

from haystack.backends import SearchNode
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError
from haystack.models import SearchResult
from whoosh import index as whoosh_index
from whoosh import query as wq

from ...documents import FINGERPRINT
from ...errors import SearchUnavailable
from ..contract import IndexState, SearchEngine
from ..spans import term_spans
from ..tree_query import QueueWritesOnly, TreeSearchQuery
from . import facets, proximity, rebuild, related, research, spelling
from .analysis import generation_analysis, write_generation_analysis
from .caches import FILTERS, clear_caches
from .collectors import DocsOnly, query_docs, run_collector
from .compiler import Compiler
from .schema import build_shape, whoosh_document
from .searcher import SEARCH_LOCK, current_state, forget, open_live, peek_state
from .storage import (
    WORKER_LOCK_NAME,
    WRITE_LOCK_NAME,
    file_lock,
    new_generation_dir,
    read_pointer,
    remove_old_generations,
    write_pointer,
)

WRITE_TIMEOUT = 60.0


class ArchiveWhooshBackend(QueueWritesOnly, WhooshSearchBackend, SearchEngine):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = Path(self.path)
        self.include_spelling = True
        self.store_body = bool(connection_options.get("STORE_BODY", False))
        self.shape = None

    # --- setup ----------------------------------------------------------------------------

    def setup(self):
        from haystack import connections

        fields = connections[self.connection_alias].get_unified_index().all_searchfields()
        self.shape = build_shape(fields, store_body=self.store_body)
        self.content_field_name = self.shape.content_field
        self.schema = self.shape.schema
        self.setup_complete = True

    def _ensure_setup(self):
        if not self.setup_complete:
            self.setup()

    def _state(self):
        self._ensure_setup()
        return current_state(self.root, self.generation_schema)

    def generation_schema(self, directory):
        """The schema of one generation: its text fields analyse as it was built."""
        self._ensure_setup()
        return self.shape.schema_for(generation_analysis(directory).analyzer)

    def _analyzer(self, st=None):
        """The analyzer of the searched generation (``st``), else of the live one."""
        st = st or peek_state(self.root)
        if st is not None:
            # The searcher's schema: ``ix.schema`` reads the table of contents from disk.
            return st.searcher.schema[self.shape.content_field].analysis
        return generation_analysis(self.live_directory()).analyzer

    def forget_searcher(self) -> None:
        """Drop the open searcher (the next search reopens the index)."""
        forget(self.root)

    # --- the folder -----------------------------------------------------------------------

    def live_directory(self) -> Path | None:
        return read_pointer(self.root)

    def create_generation(self, *, protected=None) -> Path:
        """A new, empty generation folder (not yet live), analysed with ``protected`` (by
        default the archive's names as they are now: ``documents.protected_words``)."""
        from ... import documents

        self._ensure_setup()
        directory = new_generation_dir(self.root)
        if protected is None:
            protected = documents.protected_words()
        write_generation_analysis(directory, protected)
        whoosh_index.create_in(str(directory), self.generation_schema(directory))
        return directory

    def write_lock(self, *, timeout: float | None = None):
        return file_lock(self.root / WRITE_LOCK_NAME, timeout=timeout)

    # --- contract: reading ----------------------------------------------------------------

    def generation(self):
        try:
            return self._state().key
        except SearchUnavailable:
            return None

    def doc_count(self) -> int:
        return self._state().searcher.doc_count()

    def search(self, query_string, **kwargs):
        """Haystack's string entry point (raw_search): words, or ``*`` for everything."""
        node = SearchNode()
        text = (query_string or "").strip()
        if text and text != "*":
            node.add(("content", text), SearchNode.AND)
        return self.search_tree(node, **kwargs)

    def search_tree(self, tree, *, sort_by=None, start_offset=0, end_offset=None, facets=None,
                    spelling_query=None, result_class=None, **_ignored):
        with SEARCH_LOCK:
            return self._search_tree(
                tree, sort_by=sort_by, start_offset=start_offset, end_offset=end_offset,
                facets=facets, spelling_query=spelling_query, result_class=result_class,
            )

    def _search_tree(self, tree, *, sort_by, start_offset, end_offset, facets, spelling_query,
                     result_class):
        st = self._state()
        start_offset = max(int(start_offset or 0), 0)
        if end_offset is None:
            end_offset = start_offset + 10
        end_offset = max(int(end_offset), start_offset)
        sortedby, reverse = self._sorting(sort_by)
        compiled = Compiler(self.shape, self._analyzer(st)).compile_all(
            tree, ranked=not sortedby and end_offset > start_offset
        )
        q, f = compiled.q, compiled.f
        filter_docs = self._filter_docs(st, f)
        deny = _document_numbers(st.searcher, compiled.excluded)

        if q is wq.NullQuery or (filter_docs is not None and not filter_docs):
            hits, page, results = 0, [], None
        elif end_offset <= start_offset:
            # Only the count and facets (the sidebar's counts without one selection): no
            # scoring, and the query's documents come from the per-segment cache.
            docs = query_docs(st.searcher, q)
            if filter_docs is not None:
                docs &= filter_docs
            docs -= deny
            hits, page, results = len(docs), [], DocsOnly(docs)
        else:
            near = (compiled.near if not sortedby and len(compiled.near) > 1
                    and proximity.PROXIMITY_WEIGHT > 0 else ())
            limit = max(end_offset, proximity.RERANK_DEPTH if near else 1)
            results = run_collector(
                st.searcher, q, filter_docs, limit=limit, sortedby=sortedby,
                reverse=reverse, deny=deny,
            )
            if near:
                results.top_n = proximity.rerank(
                    st.searcher, results.top_n, self.shape.content_field, near
                )
            hits = len(results.docs())
            page = list(results[start_offset:end_offset])

        facet_counts = {}
        if facets:
            facet_counts = {"fields": {}, "dates": {}, "queries": {}}
            docs = results.docs() if results is not None else set()
            for name in facets:
                facet_counts["fields"][name] = facets_of(
                    st, (q, f, compiled.excluded), name, docs
                )

        result_class = result_class or SearchResult
        suggestion = None
        if spelling_query:
            analyzer = self._analyzer(st)
            suggestion = _suggested_text(spelling_query, analyzer, spelling.suggestions(
                st.searcher, spelling_query, analyzer, self.shape.content_field))
        return {
            "results": [_result(result_class, hit.fields(), hit.score) for hit in page],
            "hits": hits,
            "facets": facet_counts,
            "spelling_suggestion": suggestion,
        }

    def count(self, tree) -> int:
        return self.search_tree(tree, start_offset=0, end_offset=0)["hits"]

    def _sorting(self, sort_by):
        if not sort_by:
            return None, False
        names = [s.lstrip("-") for s in sort_by]
        directions = {s.startswith("-") for s in sort_by}
        if len(directions) != 1 or any(n not in self.shape.date_fields for n in names):
            raise SearchBackendError(f"Unsupported ordering {sort_by!r}.")
        return names, directions.pop()

    def _filter_docs(self, st, f):
        if f is None:
            return None
        # A plain set: Whoosh accepts set or DocIdSet (not frozenset); never mutated.
        return FILTERS.get_or_compute((st.key, repr(f)), lambda: query_docs(st.searcher, f))

    # --- contract: the research tools' reads, from the postings --------------------------

    def _matching_docs(self, st, tree) -> set[int]:
        """Index-wide numbers of every document matching ``tree`` (unscored)."""
        compiled = Compiler(self.shape, self._analyzer(st)).compile_all(tree)
        if compiled.q is wq.NullQuery:
            return set()
        filter_docs = self._filter_docs(st, compiled.f)
        if filter_docs is not None and not filter_docs:
            return set()
        docs = query_docs(st.searcher, compiled.q)
        if filter_docs is not None:
            docs &= filter_docs
        return docs - _document_numbers(st.searcher, compiled.excluded)

    def statement_ids(self, tree):
        with SEARCH_LOCK:
            st = self._state()
            pks = research.statement_pks(st.searcher, st.key)
            return {pks[d] for d in self._matching_docs(st, tree) if d in pks}

    def phrase_positions(self, tree, phrases):
        with SEARCH_LOCK:
            st = self._state()
            docs = self._matching_docs(st, tree)
            if not docs:
                return {}
            return research.phrase_positions(
                st.searcher, self.shape.content_field, self._analyzer(st), docs, phrases,
                key=st.key,
            )

    def text_matches(self, text, phrases):
        return research.text_matches(text or "", phrases, self._analyzer())

    def highlight(self, text, words):
        analyzer = self._analyzer()
        return term_spans(text or "", _terms_of(analyzer, tuple(words)), analyzer)

    def spell(self, text):
        with SEARCH_LOCK:
            st = self._state()
            return spelling.suggestions(st.searcher, text, self._analyzer(st),
                                        self.shape.content_field)

    def create_spelling_suggestion(self, query_string):
        """Haystack's entry point: the query with each unknown word replaced, or None."""
        pairs = self.spell(query_string)
        return _suggested_text(query_string, self._analyzer(), pairs)

    def related(self, identifier, text, *, limit=10, result_class=None):
        with SEARCH_LOCK:
            st = self._state()
            field = self.shape.content_field
            terms = related.key_terms(st, field, st.searcher.schema[field].positions, text)
            if not terms:
                return {"results": [], "hits": 0}
            docnum = st.searcher.document_number(**{ID: identifier})
            mask = {docnum} if docnum is not None else None
            results = st.searcher.search(related.related_query(field, terms), limit=limit,
                                         mask=mask)
            hits = list(results[0:limit])
            result_class = result_class or SearchResult
            return {
                "results": [_result(result_class, h.fields(), h.score) for h in hits],
                # Not len(results): with block skipping that runs the query a second time.
                "hits": results.scored_length(),
            }

    def more_like_this(self, model_instance, additional_query_string=None, start_offset=0,
                       end_offset=None, result_class=None, text=None, **kwargs):
        """Haystack's entry point for ``SearchQuerySet().more_like_this(obj)``."""
        from ... import documents

        if text is None:
            text = documents.statement_index().text.prepare(model_instance)
        end_offset = end_offset or 10
        identifier = f"{model_instance._meta.label_lower}.{model_instance.pk}"
        found = self.related(identifier, text, limit=end_offset, result_class=result_class)
        return {"results": found["results"][start_offset:end_offset], "hits": found["hits"]}

    # --- contract: writing ----------------------------------------------------------------

    def write(self, documents, *, delete=()):
        """One commit: delete ``delete``, add or replace ``documents``, under ``write.lock``."""
        self._ensure_setup()
        docs = [whoosh_document(self.shape, doc) for doc in documents]
        with self.write_lock():
            # Never ``create=True``: a lost index is rebuilt from the database, not restarted
            # empty (search would then answer with a handful of documents and no error).
            # The live generation's schema analyses the documents as the rest of it was.
            _directory, ix = open_live(self.root, self.generation_schema)
            writer = ix.writer(timeout=WRITE_TIMEOUT, limitmb=256)
            try:
                for identifier in delete:
                    writer.delete_by_term(ID, identifier)
                for doc in docs:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def rebuild(self, *, processes=None, stdout=None):
        self._ensure_setup()
        report = rebuild.rebuild(self, processes=processes, stdout=stdout)
        clear_caches()
        return report

    def reset(self):
        self._ensure_setup()
        with self.write_lock():
            directory = self.create_generation()
            write_pointer(self.root, directory)
            remove_old_generations(self.root, keep={directory})
        forget(self.root)
        clear_caches()

    def status(self):
        self._ensure_setup()
        directory, ix = open_live(self.root, self.generation_schema)
        analysis = generation_analysis(directory)
        with ix.searcher() as searcher:
            stored = {f[ID]: f.get(FINGERPRINT) for f in searcher.all_stored_fields()}
            return IndexState(documents=stored, generation=(str(directory),
                                                             ix.latest_generation()),
                              protected_words=analysis.protected,
                              analysis_current=analysis.current)

    def writer_lock(self, *, wait=False):
        return file_lock(self.root / WORKER_LOCK_NAME, timeout=None if wait else 0)


_TERMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _terms_of(analyzer, words: tuple[str, ...]) -> frozenset[str]:
    """The index terms of a query's words (a results page highlights 20 rows with them),
    remembered per analyzer (and forgotten with it, when a rebuild replaces it)."""
    known = _TERMS.get(analyzer)
    if known is None:
        known = _TERMS[analyzer] = {}
    terms = known.get(words)
    if terms is None:
        if len(known) >= 256:
            known.clear()
        terms = known[words] = frozenset(analyzer.query_terms(" ".join(words)))
    return terms


def facets_of(st, query_key, name, docs):
    return facets.facet_counts(st, query_key, name, docs)


def _document_numbers(searcher, pks) -> set[int]:
    """The index's document numbers of these statement pks (absent ones are skipped)."""
    found = set()
    for pk in pks:
        docnum = searcher.document_number(**{DJANGO_ID: pk})
        if docnum is not None:
            found.add(docnum)
    return found


def _suggested_text(text: str, analyzer, pairs) -> str | None:
    """Haystack's form of a suggestion: the query's words, each unknown one replaced."""
    if not pairs:
        return None
    replacements = dict(pairs)
    words = [
        replacements.get(text[start:end], word)
        for word, start, end in spelling.words_of(text, analyzer)[: spelling.MAX_WORDS]
    ]
    return " ".join(words)


def _result(result_class, stored, score):
    app_label, model_name = stored[DJANGO_CT].split(".")
    extra = {
        key: (value.date() if isinstance(value, datetime.datetime) else value)
        for key, value in stored.items()
        if key not in (DJANGO_CT, DJANGO_ID, ID, FINGERPRINT)
    }
    return result_class(app_label, model_name, stored[DJANGO_ID], score or 0, **extra)


class ArchiveWhooshSearchQuery(TreeSearchQuery, WhooshSearchQuery):
    """Hands the SQ tree to the backend (no query string, no parser)."""


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
    query = ArchiveWhooshSearchQuery
