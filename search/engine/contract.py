"""The one contract between the archive and a search engine.

Every engine is a haystack backend (so haystack's own ``SearchQuerySet`` works on it) that
also implements :class:`SearchEngine`.  The rest of the project reaches an engine only
through ``search.engine.get_engine()`` and this contract, or through ``SearchQuerySet``;
nothing outside ``search/engine/`` imports an engine library.

Documents are plain dicts prepared by ``search.documents.prepare`` from a published
statement: ``id`` (haystack's identifier, ``archive.statement.<pk>``), ``django_ct``,
``django_id``, the fields of ``search.search_indexes.StatementIndex`` and a
``fingerprint`` of all of them.  An engine stores the fingerprint beside the document, so
``status()`` can tell a stale document from a current one.

Search trees are haystack ``SQ``/``SearchNode`` trees whose leaves are:

* ``content`` with a string (every word must match, word forms folded) or with
  ``haystack.inputs.Exact`` (a phrase), both analysed with ``search.text`` as documents are
  (Latin accents folded, Arabic normalised and light-stemmed, the index's protected words
  kept whole); an exact spelling ranks above a folded one;
* a facet field (``speaker``, ``topic``, ``country``, ``event``, ``series``, ``kind``,
  ``language``, ``year``) with ``exact`` or ``in`` and stable keys;
* ``date`` with ``gte``/``lte``/``gt``/``lt``/``range``;

joined by AND and OR, any of them negated.
"""

from __future__ import annotations

import abc
from collections.abc import Hashable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]
_ID_PAGE = 500  # documents per page when a default below walks every match


class LockBusy(Exception):
    """Another process holds the engine's writer lock (and we were told not to wait)."""


@dataclass(frozen=True)
class IndexState:
    """What the live index holds: each document's identifier and stored fingerprint, and
    the text analysis it was built with.

    ``protected_words``: the Arabic words (``search.documents.protected_words()`` when the
    index was built) that its analysis never stems, or None when the engine does not say;
    ``analysis_current``: False when the index was built by an older version of the text
    analysis than the running code's (its terms may differ: rebuild it).
    """

    documents: dict[str, str | None]
    generation: Hashable = None
    protected_words: frozenset[str] | None = None
    analysis_current: bool = True


@dataclass
class RebuildReport:
    documents: int
    seconds: float
    failed: dict[int, str] = field(default_factory=dict)  # statement pk -> error text
    where: str = ""  # a folder, a table: for the command's report
    details: dict[str, Any] = field(default_factory=dict)


class SearchEngine(abc.ABC):
    """What the archive asks of a search engine.  Reads raise ``SearchUnavailable`` when the
    index is missing or unreadable; no method creates an index that was not built from the
    database (``rebuild``), except ``reset`` for tests."""

    # --- reading ------------------------------------------------------------------------

    @abc.abstractmethod
    def search_tree(
        self,
        tree,
        *,
        sort_by: Sequence[str] | None = None,
        start_offset: int = 0,
        end_offset: int | None = None,
        facets: Iterable[str] | None = None,
        spelling_query: str | None = None,
        result_class=None,
    ) -> dict:
        """One page of the documents matching ``tree``, with counts.

        Ordered by relevance, or by ``sort_by`` (date fields, one direction, ``-`` for
        descending).  Returns haystack's result dict: ``results`` (``SearchResult`` objects
        holding the stored fields of the page ``[start_offset, end_offset)``), ``hits`` (every
        match), ``facets`` (``{"fields": {name: [(key, count), ...]}}`` over every match, most
        frequent first) and ``spelling_suggestion`` (for ``spelling_query``, else None).
        """

    @abc.abstractmethod
    def count(self, tree) -> int:
        """How many documents match ``tree`` (no scoring, no rows)."""

    @abc.abstractmethod
    def highlight(self, text: str, words: Sequence[str]) -> list[tuple[int, int]]:
        """Character spans of ``text`` whose words match one of the query ``words`` the way
        search matches them (same word forms), in order, for the project's escaping
        highlighter."""

    @abc.abstractmethod
    def spell(self, text: str) -> list[tuple[str, str]]:
        """(word as typed, real word to suggest) for each word of ``text`` that no document
        holds and that is close to a word some published document holds."""

    @abc.abstractmethod
    def related(self, identifier: str, text: str, *, limit: int = 10, result_class=None
                ) -> dict:
        """Documents most like the one ``identifier`` whose indexed text is ``text`` (never
        itself), best first: ``{"results": [...], "hits": n}`` as ``search_tree`` gives."""

    # --- reading for the research tools (trends, who says it, keyword in context) ----------
    # Generic defaults, correct on any engine (they use only the methods above, the database
    # and ``search.text``); an engine may answer them faster from its own postings.

    def statement_ids(self, tree) -> set[int]:
        """The statement pks of every document matching ``tree`` (unordered)."""
        hits = self.count(tree)
        ids: set[int] = set()
        for start in range(0, hits, _ID_PAGE):
            page = self.search_tree(tree, sort_by=["date"], start_offset=start,
                                    end_offset=start + _ID_PAGE)
            ids.update(int(result.pk) for result in page["results"])
        return ids

    def phrase_positions(self, tree, phrases: Sequence[str]) -> dict[int, Sequence[int]]:
        """Where ``phrases`` occur in the documents matching ``tree``.

        For each matching statement whose indexed text holds one of them: the positions
        (words of the document's indexed text counted from 0, as ``search.text.tokenize``
        numbers them) where an occurrence starts, sorted, each once.  A phrase of one word
        is that word (its word forms, as search matches them); of several, their forms at
        consecutive positions.  The positions are any sorted sequence of ints (a list, an
        array).
        """
        from .. import documents

        ids = sorted(self.statement_ids(tree))
        index = documents.statement_index()
        out: dict[int, list[int]] = {}
        for start in range(0, len(ids), _ID_PAGE):
            chunk = ids[start : start + _ID_PAGE]
            for obj in documents.statements_for_index().filter(pk__in=chunk):
                text = index.text.prepare(obj)
                found = sorted({position for _s, _e, position in
                                self.text_matches(text, phrases)})
                if found:
                    out[obj.pk] = found
        return out

    def text_matches(self, text: str, phrases: Sequence[str]) -> list[tuple[int, int, int]]:
        """Every occurrence in ``text`` of one of ``phrases``, matched as search matches
        them: ``(start, end, position)``, the characters of the whole occurrence and the
        position of its first word (``search.text.tokenize``'s numbering), in text order.
        Occurrences of different phrases may overlap; each is given."""
        from search.text import tokenize

        tokens = list(tokenize(text))
        known: dict[tuple[str, str], bool] = {}

        def matches(surface: str, word: str) -> bool:
            key = (surface, word)
            found = known.get(key)
            if found is None:
                found = known[key] = bool(self.highlight(surface, [word]))
            return found

        out = []
        for phrase in phrases:
            words = [token.surface for token in tokenize(phrase)]
            size = len(words)
            if not size:
                continue
            for i in range(len(tokens) - size + 1):
                if all(matches(tokens[i + k].surface, words[k]) for k in range(size)):
                    out.append((tokens[i].start, tokens[i + size - 1].end, i))
        out.sort()
        return out

    @abc.abstractmethod
    def generation(self) -> Hashable | None:
        """A key that changes whenever the live index changes (for callers' caches), or
        None when the engine cannot say."""

    # --- writing (the index worker and rebuild_index only) --------------------------------

    @abc.abstractmethod
    def write(self, documents: Sequence[Document], *, delete: Iterable[str] = ()) -> None:
        """Add or replace ``documents`` and remove the ``delete`` identifiers, in one commit.

        Raises ``SearchUnavailable`` when there is no live index: a missing index is rebuilt
        whole from the database, never recreated empty here.
        """

    def delete(self, identifiers: Iterable[str]) -> None:
        """Remove these documents (absent ones are ignored)."""
        self.write((), delete=identifiers)

    @abc.abstractmethod
    def rebuild(self, *, processes: int | None = None, stdout=None) -> RebuildReport:
        """Build every published statement into a new index and make it the live one only
        when it is complete; search keeps answering from the old one meanwhile."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Make an empty index live (tests, and a database known to be empty)."""

    @abc.abstractmethod
    def status(self) -> IndexState:
        """The identifiers and fingerprints the live index holds."""

    @abc.abstractmethod
    def writer_lock(self, *, wait: bool = False) -> AbstractContextManager:
        """Held by the one process that writes (the index worker); ``LockBusy`` when another
        process holds it and ``wait`` is false."""
