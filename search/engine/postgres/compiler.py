"""haystack SQ trees -> one SQL condition on ``search_document``, with its text queries.

Text leaves become ``tsquery`` literals of ``search.text``'s terms (nothing of the user's
text reaches SQL but as a bound parameter): a word is the OR of its readings, a phrase its
words' readings joined by ``<->`` (consecutive positions, stopwords included, as the Whoosh
engine's phrases).  Text joined by AND, OR and NOT stays one ``tsquery`` (one index scan);
facet keys become array containment on ``facets`` (GIN), dates plain comparisons.

Alongside the condition come the query to rank by (``rank``: the text the user wants to
see, never a negated part) and ``exact``: the exact forms of the words holding a Latin
accent, so that documents spelling them exactly come first ("Marčić" before "Marcic"), as
the Whoosh engine's large exact boost orders them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from haystack.backends import SearchNode
from haystack.constants import DJANGO_ID
from haystack.exceptions import SearchBackendError

from search.text import Analyzer, QueryWord, distinctive
from search.text.stopwords import is_stopword

from ..autoquery import auto_query_parts
from ..tree_query import and_children, excluded_ids
from .rows import EXACT_PREFIX, Shape, as_date, overflow_lexemes, quote, usable

# As the Whoosh engine's phrase bonus: a query of this many plain words or more is also tried
# as one phrase, since a reader typing a remembered sentence means it in that order.
PHRASE_MIN_WORDS = 4


@dataclass
class Part:
    """A compiled piece: a tsquery (text only), or SQL with its parameters."""

    tsq: str | None = None
    sql: str | None = None
    params: list = field(default_factory=list)
    # A facet filter most documents pass (``Compiler.broad``): beside text, it must not be
    # what the plan scans by (see ``_and``).
    broad: bool = False

    def as_sql(self) -> tuple[str, list]:
        if self.tsq is not None:
            return "tsv @@ %s::tsquery", [self.tsq]
        return self.sql, list(self.params)


NOTHING = Part(sql="false")


@dataclass
class Compiled:
    where: str
    params: list
    rank: str | None  # a tsquery to rank by, or None (no positive text: no relevance)
    exact: str | None  # a tsquery of exact Latin-accented forms, or None
    excluded: frozenset[int]
    # The query's plain words in the order typed, as phrases (queries of PHRASE_MIN_WORDS
    # words or more), strictest first: documents holding them together and in order rank
    # first, those holding every word as typed before those holding its content words in
    # place (see ``phrase_tsquery``).
    phrases: tuple[str, ...] = ()

    @property
    def key(self) -> tuple:
        return (self.where, repr(self.params), tuple(sorted(self.excluded)))


class Compiler:
    """``broad``: from facet keys, whether a filter on them lets most of the archive through
    (``backend.broad_facets``, from the planner's own statistics); by default none does."""

    def __init__(self, shape: Shape, analyzer: Analyzer, broad=None):
        self.shape = shape
        self.analyzer = analyzer
        self.broad = broad or (lambda keys: False)

    def compile(self, node) -> Compiled:
        self._rank: list[str] = []
        self._exact: list[str] = []
        excluded: set[int] = set()
        parts = []
        plain: list[QueryWord] = []
        if node and node.connector == SearchNode.AND and not node.negated:
            for child in and_children(node):
                ids = excluded_ids(child)
                ids = None if ids is None else {int(v) for v in ids}
                if ids is not None:
                    excluded |= ids
                    continue
                # Each plain-word leaf is read on its own: its words are placed after the
                # ones before it, as they stood in the query box.
                words = self._plain_words(node, child)
                offset = plain[-1].position + 1 if plain else 0
                plain += [dataclasses.replace(w, position=offset + w.position) for w in words]
                part = self._child(node, child, negated=False)
                if part is not None:
                    parts.append(part)
            part = _and(parts)
        elif node:
            part = self._node(node, negated=False)
        else:
            part = None
        where, params = part.as_sql() if part is not None else ("true", [])
        if excluded:
            where = f"({where}) AND django_id <> ALL(%s)"
            params = [*params, sorted(excluded)]
        rank = " & ".join(f"({q})" for q in self._rank) if self._rank else None
        if part is not None and part.tsq is not None and self._rank:
            # Ranking by the very query that matches lets RUM order inside its index scan.
            rank = part.tsq
        exact = " | ".join(dict.fromkeys(self._exact)) if self._exact else None
        phrases: tuple[str, ...] = ()
        if len(plain) >= PHRASE_MIN_WORDS:
            strict = phrase_tsquery(plain, gaps=False)
            phrases = tuple(q for q in dict.fromkeys((strict, phrase_tsquery(plain))) if q)
        return Compiled(where, params, rank, exact, frozenset(excluded), phrases)

    def _plain_words(self, parent, child) -> list[QueryWord]:
        """The words of a top-level plain-word leaf (what the query box's words become), for
        the whole-query phrase; nothing for phrases, fields or anything negated."""
        if isinstance(child, SearchNode):
            return []
        expression, value = child
        field_name, _filter_type = parent.split_expression(expression)
        if field_name not in ("content", self.shape.content_field):
            return []
        if getattr(value, "input_type_name", "typed") not in ("typed", "clean", "not_set"):
            return []
        return self.analyzer.query_words(str(getattr(value, "query_string", value)))

    def _child(self, parent, child, *, negated):
        if isinstance(child, SearchNode):
            return self._node(child, negated=negated)
        expression, value = child
        field_name, filter_type = parent.split_expression(expression)
        return self._leaf(field_name, filter_type, value, negated=negated)

    def _node(self, node, *, negated):
        negated = negated != bool(node.negated)
        parts = [p for p in (self._child(node, c, negated=negated) for c in node.children)
                 if p is not None]
        if not parts:
            return None
        combined = _and(parts) if node.connector == SearchNode.AND else _or(parts)
        return _not(combined) if node.negated else combined

    def _leaf(self, name, filter_type, value, *, negated):
        shape = self.shape
        if name in ("content", shape.content_field):
            return self._text(value, negated=negated)
        if name in shape.facet_fields:
            if filter_type == "in":
                keys = [f"{name}:{v}" for v in value]
                if not keys:
                    return NOTHING
                return Part(sql="facets && %s::text[]", params=[keys],
                            broad=not negated and self.broad(keys))
            if filter_type in ("exact", "content"):
                key = f"{name}:{getattr(value, 'query_string', value)}"
                return Part(sql="facets @> %s::text[]", params=[[key]],
                            broad=not negated and self.broad([key]))
        if name in shape.date_fields and filter_type in ("gte", "lte", "gt", "lt", "range"):
            if filter_type == "range":
                start, end = (as_date(v) for v in value)
                return Part(sql="date BETWEEN %s AND %s", params=[start, end])
            op = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}[filter_type]
            return Part(sql=f"date {op} %s", params=[as_date(value)])
        if name == DJANGO_ID and filter_type in ("exact", "in"):
            values = value if filter_type == "in" else [value]
            return Part(sql="django_id = ANY(%s)", params=[[int(v) for v in values]])
        raise SearchBackendError(f"Unsupported search condition {name}__{filter_type}.")

    # --- text -------------------------------------------------------------------------

    def _text(self, value, *, negated):
        kind = getattr(value, "input_type_name", "")
        text = str(getattr(value, "query_string", value))
        if kind == "exact":
            return self._phrase(text, negated=negated)
        if kind == "near":
            return self._near(text, int(getattr(value, "slop", 0)), negated=negated)
        if kind == "auto_query":
            parts = []
            for piece, is_phrase, is_negated in auto_query_parts(text):
                part = (self._phrase(piece, negated=negated != is_negated) if is_phrase
                        else self._word(piece, negated=negated != is_negated))
                if part is not None:
                    parts.append(_not(part) if is_negated else part)
            return _and(parts) if parts else None
        parts = [p for p in (self._word(w, negated=negated) for w in text.split()) if p]
        return _and(parts) if parts else None

    def _word(self, text, *, negated):
        words = self.analyzer.query_words(text)
        if not words:
            return None
        if len(words) > 1:
            return self._phrase_of(words, negated=negated)
        return self._found(_readings(words[0]), words, negated)

    def _phrase(self, text, *, negated):
        words = self.analyzer.query_words(text)
        if not words:
            return None
        if len(words) == 1:
            return self._found(_readings(words[0]), words, negated)
        return self._phrase_of(words, negated=negated)

    def _near(self, text, slop, *, negated):
        """``"..."~N``: each word within ``slop`` further words of the next, in either order
        (tsquery's ``<d>`` is an exact distance, so every distance up to the slop is OR-ed)."""
        words = [w for w in self.analyzer.query_words(text) if _readings(w)]
        if len(words) < 2 or slop < 1:
            return self._phrase(text, negated=negated)
        pairs = []
        for a, b in zip(words, words[1:], strict=False):
            ra, rb = _readings(a), _readings(b)
            options = [f"{x} <{d}> {y}" for d in range(1, slop + 2)
                       for x, y in ((ra, rb), (rb, ra))]
            pairs.append("(" + " | ".join(options) + ")")
        return self._found(" & ".join(pairs), words, negated)

    def _phrase_of(self, words: list[QueryWord], *, negated):
        return self._found(phrase_tsquery(words), words, negated)

    def _found(self, tsq: str | None, words: list[QueryWord], negated: bool):
        if not tsq:
            return NOTHING
        if not negated:
            self._rank.append(tsq)
            for word in words:
                if distinctive(word.exact):
                    forms = self.analyzer.word(word.surface)
                    if forms is not None and forms.script == "latin":
                        lexeme = EXACT_PREFIX + word.exact
                        if usable(lexeme):
                            self._exact.append(quote(lexeme))
        return Part(tsq=tsq)


def phrase_tsquery(words: list[QueryWord], *, gaps: bool = True) -> str | None:
    """Words at consecutive positions, as a ``tsquery``: the content words joined by
    ``<N>``, N their distance in the query, with the stopwords between them left as gaps.

    With gaps (quoted phrases, and the looser whole-query tier) any stopword may stand in
    a gap, and only content words are looked up; a gap of the right width still holds them
    in place.  A phrase of stopwords alone keeps them (nothing else to hold it).  Without
    gaps (the strict tier) every word must stand as typed, a stopword matched by its term
    or its overflow lexemes (``rows.py``: its occurrences past the 255th in a document).
    """
    words = [w for w in words if _readings(w)]
    if not words:
        return None
    if not gaps:
        # Every word in place: a stopword by its term or its overflow lexemes (rows.py),
        # which hold its occurrences past the 255th in a long speech.  Only stopwords: they
        # are the words that overflow, and each alternative costs the ranking scan.
        return " <-> ".join(_readings(w, overflow=_is_stopword(w)) for w in words)
    content = [w for w in words if not _is_stopword(w)] or words
    if len(content) == 1 and len(words) > 1 and content is not words:
        content = words
    parts = [_readings(content[0])]
    for before, word in zip(content, content[1:], strict=False):
        gap = max(1, word.position - before.position)
        parts.append(f"<{gap}>" if gap != 1 else "<->")
        parts.append(_readings(word))
    return " ".join(parts)


def _is_stopword(word: QueryWord) -> bool:
    return bool(word.stopword or is_stopword(word.exact))


def _readings(word: QueryWord, *, overflow: bool = False) -> str:
    terms = [t for t in word.terms if usable(t)]
    if overflow:
        terms += [o for t in terms for o in overflow_lexemes(t) if usable(o)]
    terms = [quote(t) for t in terms]
    if not terms:
        return ""
    return terms[0] if len(terms) == 1 else "(" + " | ".join(terms) + ")"


def _and(parts: list[Part]) -> Part | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    text = [p.tsq for p in parts if p.tsq is not None]
    other = [p for p in parts if p.tsq is None]
    pieces, params = [], []
    if text:
        tsq = " & ".join(f"({q})" for q in text)
        if not other:
            return Part(tsq=tsq)
        pieces.append("tsv @@ %s::tsquery")
        params.append(tsq)
    for p in other:
        sql, ps = p.as_sql()
        # Text and a filter most documents pass: the planner, which does not count reading a
        # vector out of TOAST, would scan the facet index and test the text on every row it
        # gives (189 ms for "peace" in the one series of the UN corpus); written so that no
        # index serves it, the text index drives and the filter is checked on the heap rows
        # (12 ms).  A narrow filter (one country) stays indexable: it is the better start.
        pieces.append(f"(({sql}) IS TRUE)" if text and p.broad else f"({sql})")
        params += ps
    return Part(sql=" AND ".join(pieces), params=params)


def _or(parts: list[Part]) -> Part:
    if len(parts) == 1:
        return parts[0]
    if all(p.tsq is not None for p in parts):
        return Part(tsq=" | ".join(f"({p.tsq})" for p in parts))
    pieces, params = [], []
    for p in parts:
        sql, ps = p.as_sql()
        pieces.append(f"({sql})")
        params += ps
    return Part(sql=" OR ".join(pieces), params=params)


def _not(part: Part) -> Part:
    if part.tsq is not None:
        return Part(tsq=f"!({part.tsq})")
    sql, params = part.as_sql()
    return Part(sql=f"NOT ({sql})", params=params)


