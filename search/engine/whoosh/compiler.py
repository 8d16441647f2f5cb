"""haystack SQ trees -> Whoosh query objects, without Whoosh's query parser.

User words are analysed with the index's own analyzer (nothing to escape); facet fields
become exact ``Term`` queries; date ranges ``DateRange``.  The top-level AND is split into a
scoring query and a filter of the facet and date parts, which Whoosh applies as a document
set (no scoring, cached per searcher).  Match-all is ``Every()`` with no field: a list of
document numbers, not a walk of the body's postings.
"""

from __future__ import annotations

from haystack.backends import SearchNode
from haystack.constants import DJANGO_ID
from haystack.exceptions import SearchBackendError
from whoosh import query as wq

from search.text import Analyzer
from search.text.stopwords import is_stopword

from ..autoquery import auto_query_parts
from ..tree_query import and_children, excluded_ids
from .analysis import make_analyzer
from .phrase import PhraseBonus
from .schema import IndexShape, as_datetime
from .textquery import TextQueries

# How much a query word found in the title or a speaker's name adds, beside its score in the
# body (where the title and names also stand).  Tuned on the development corpus
# (bench/relevance.py, figures in bench/README.md): its titles name the delegation ("Kuwait
# in the general debate ..."), so a heavy title weight put a country's own speeches first
# for any query naming it (topical nDCG@10 0.730 at 2.0, 0.839 at 0.3).
FIELD_BOOSTS = {"heading": 0.3, "speaker_names": 2.0}
# What the query's words standing as one phrase, in order, add: a multiple of the most BM25
# gives them (``phrase.PhraseBonus``); only for queries of at least this many words (a
# half-remembered sentence: shorter queries are re-ranked by proximity alone).
PHRASE_BOOST = 1.0
PHRASE_MIN_WORDS = 4


class Compiled:
    """A tree as Whoosh queries: what scores, what filters, and which documents to leave
    out (``excluded``: statement pks whose documents the index may still hold although the
    database no longer publishes them)."""

    def __init__(self, q, f, excluded: frozenset[str], near: tuple = ()):
        self.q, self.f, self.excluded = q, f, excluded
        # The query's content words in order, each as (index terms, position in the query):
        # what the proximity re-ranking (``proximity.py``) looks for close together.
        self.near = near


class Compiler:
    def __init__(self, shape: IndexShape, analyzer: Analyzer | None = None):
        """``analyzer``: the one the searched generation was built with."""
        self.shape = shape
        self.analyzer = analyzer or make_analyzer()
        self.text = TextQueries(self.analyzer, shape.content_field, shape.exact_field,
                                boosted={f: b for f, b in FIELD_BOOSTS.items()
                                         if f in shape.text_fields})

    def compile(self, node) -> tuple[wq.Query, wq.Query | None]:
        """(scoring query, filter or None) for the tree ``node``."""
        compiled = self.compile_all(node)
        return compiled.q, compiled.f

    def compile_all(self, node, *, ranked: bool = False) -> Compiled:
        """``ranked``: the results will be ordered by score, so the query also gets the
        phrase boost (an optional clause: it never changes what matches)."""
        scoring, filters, excluded, near, texts = [], [], set(), [], 0
        if node and node.connector == SearchNode.AND and not node.negated:
            for child in and_children(node):
                ids = excluded_ids(child)
                if ids is not None:
                    excluded |= ids
                    continue
                target = filters if self._filter_only(child) else scoring
                if target is scoring:
                    near += self._near_words(child)
                    texts += 1
                compiled = self._child(node, child)
                if compiled is not None:
                    target.append(compiled)
        elif node:
            compiled = self._node(node)
            if compiled is not None:
                scoring.append(compiled)
        single_phrase = texts == 1 and self._is_phrase(node)
        q = and_all(scoring)
        if q is None or all(isinstance(p, wq.Not) for p in scoring):
            # Only exclusions (or nothing): everything, minus them.
            q = and_all([wq.Every(), *scoring]) if scoring else wq.Every()
        if single_phrase:
            near = []  # its words stand together in every match: nothing to re-rank
        if ranked and len(near) >= PHRASE_MIN_WORDS and PHRASE_BOOST > 0:
            # The whole query as one phrase, in its order: the speech a reader half-remembers
            # a sentence of ranks first, without the reader typing quotes.
            phrase = PhraseBonus(self.shape.content_field,
                                 [terms[0].decode("utf-8") for _stop, terms in near],
                                 boost=PHRASE_BOOST)
            q = wq.AndMaybe(q, phrase)
        return Compiled(q, and_all(filters), frozenset(excluded), _content_words(near))

    @staticmethod
    def _is_phrase(node) -> bool:
        """Whether the tree's one text condition is a quoted phrase."""
        for child in and_children(node):
            if not isinstance(child, SearchNode):
                expression, value = child
                if getattr(value, "input_type_name", "") == "exact":
                    return True
        return False

    def _near_words(self, child) -> list[tuple[bool, tuple[bytes, ...]]]:
        """The words of a plain word or phrase condition (nothing for OR, NOT or a field),
        each as (a function word?, the body field's index terms)."""
        if isinstance(child, SearchNode):
            return []
        expression, value = child
        if expression.split("__")[0] not in ("content", self.shape.content_field):
            return []
        text = str(getattr(value, "query_string", value))
        return [(is_stopword(word.surface, flagged=word.stopword),
                 tuple(t.encode("utf-8") for t in word.terms))
                for word in self.analyzer.query_words(text) if word.terms]

    def _filter_only(self, child) -> bool:
        if isinstance(child, SearchNode):
            return bool(child.children) and all(self._filter_only(c) for c in child.children)
        expression, _value = child
        field = expression.split("__")[0]
        return (field in self.shape.facet_fields or field in self.shape.date_fields
                or field == DJANGO_ID)

    def _child(self, parent, child):
        if isinstance(child, SearchNode):
            return self._node(child)
        expression, value = child
        field, filter_type = parent.split_expression(expression)
        return self._leaf(field, filter_type, value)

    def _node(self, node):
        parts = [p for p in (self._child(node, child) for child in node.children) if p is not None]
        if not parts:
            return None
        combined = and_all(parts) if node.connector == SearchNode.AND else wq.Or(parts)
        return wq.Not(combined) if node.negated else combined

    def _leaf(self, field, filter_type, value):
        shape = self.shape
        if field in ("content", shape.content_field):
            return self._text(value)
        if field in shape.facet_fields:
            if filter_type == "in":
                terms = [wq.Term(field, str(v)) for v in value]
                return wq.Or(terms) if terms else wq.NullQuery
            if filter_type in ("exact", "content"):
                return wq.Term(field, str(getattr(value, "query_string", value)))
        if field == DJANGO_ID and filter_type in ("in", "exact"):
            # Restricting a search to given statements (alerts: those new since the last
            # digest): exact terms of the stored id field, applied as a filter.
            values = value if filter_type == "in" else [value]
            terms = [wq.Term(DJANGO_ID, str(v)) for v in values]
            return wq.Or(terms) if terms else wq.NullQuery
        if field in shape.date_fields and filter_type in ("gte", "lte", "gt", "lt", "range"):
            start = end = None
            if filter_type == "range":
                start, end = (as_datetime(v) for v in value)
            elif filter_type in ("gte", "gt"):
                start = as_datetime(value)
            else:
                end = as_datetime(value)
            return wq.DateRange(
                field, start, end, startexcl=filter_type == "gt", endexcl=filter_type == "lt"
            )
        raise SearchBackendError(f"Unsupported search condition {field}__{filter_type}.")

    def _text(self, value):
        kind = getattr(value, "input_type_name", "")
        text = str(getattr(value, "query_string", value))
        if kind == "exact":
            return self.text.phrase(text)
        if kind == "near":
            return self.text.near(text, value.slop)
        if kind == "auto_query":
            # haystack's auto_query: "phrases", -excluded parts, words.
            parts = []
            for piece, is_phrase, negated in auto_query_parts(text):
                part = self.text.phrase(piece) if is_phrase else self.text.word(piece)
                if part is not None:
                    parts.append(wq.Not(part) if negated else part)
            return and_all(parts)
        return and_all([self.text.word(w) for w in text.split()])


def _content_words(words) -> tuple:
    """The words proximity looks for, each with its position in the query: function words
    ("of", "the") only count as distance, unless the query holds fewer than two others."""
    content = [(terms, at) for at, (stop, terms) in enumerate(words) if not stop]
    if len(content) < 2:
        content = [(terms, at) for at, (_stop, terms) in enumerate(words)]
    return tuple(content)


def and_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return wq.And(parts)
