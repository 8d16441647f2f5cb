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

from ..autoquery import auto_query_parts
from .analysis import make_analyzer
from .schema import IndexShape, as_datetime
from .textquery import TextQueries


class Compiled:
    """A tree as Whoosh queries: what scores, what filters, and which documents to leave
    out (``excluded``: statement pks whose documents the index may still hold although the
    database no longer publishes them)."""

    def __init__(self, q, f, excluded: frozenset[str]):
        self.q, self.f, self.excluded = q, f, excluded


class Compiler:
    def __init__(self, shape: IndexShape, analyzer: Analyzer | None = None):
        """``analyzer``: the one the searched generation was built with."""
        self.shape = shape
        self.text = TextQueries(analyzer or make_analyzer(), shape.content_field,
                                shape.exact_field)

    def compile(self, node) -> tuple[wq.Query, wq.Query | None]:
        """(scoring query, filter or None) for the tree ``node``."""
        compiled = self.compile_all(node)
        return compiled.q, compiled.f

    def compile_all(self, node) -> Compiled:
        scoring, filters, excluded = [], [], set()
        if node and node.connector == SearchNode.AND and not node.negated:
            for child in _and_children(node):
                ids = _excluded_ids(child)
                if ids is not None:
                    excluded |= ids
                    continue
                target = filters if self._filter_only(child) else scoring
                compiled = self._child(node, child)
                if compiled is not None:
                    target.append(compiled)
        elif node:
            compiled = self._node(node)
            if compiled is not None:
                scoring.append(compiled)
        q = and_all(scoring)
        if q is None or all(isinstance(p, wq.Not) for p in scoring):
            # Only exclusions (or nothing): everything, minus them.
            q = and_all([wq.Every(), *scoring]) if scoring else wq.Every()
        return Compiled(q, and_all(filters), frozenset(excluded))

    def _filter_only(self, child) -> bool:
        if isinstance(child, SearchNode):
            return bool(child.children) and all(self._filter_only(c) for c in child.children)
        expression, _value = child
        field = expression.split("__")[0]
        return field in self.shape.facet_fields or field in self.shape.date_fields

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
        exact = getattr(value, "input_type_name", "") == "exact"
        text = str(getattr(value, "query_string", value))
        if exact:
            return self.text.phrase(text)
        if getattr(value, "input_type_name", "") == "auto_query":
            # haystack's auto_query: "phrases", -excluded parts, words.
            parts = []
            for piece, is_phrase, negated in auto_query_parts(text):
                part = self.text.phrase(piece) if is_phrase else self.text.word(piece)
                if part is not None:
                    parts.append(wq.Not(part) if negated else part)
            return and_all(parts)
        return and_all([self.text.word(w) for w in text.split()])


def _and_children(node):
    """The conditions of an AND, with nested plain ANDs (haystack makes them) flattened."""
    for child in node.children:
        if (isinstance(child, SearchNode) and child.connector == SearchNode.AND
                and not child.negated):
            yield from _and_children(child)
        else:
            yield child


def _excluded_ids(child) -> set[str] | None:
    """The ids of a top-level ``NOT django_id__in=[...]`` (how a request leaves out
    statements the index holds and the database no longer publishes), else None."""
    if not (isinstance(child, SearchNode) and child.negated and len(child.children) == 1):
        return None
    leaf = child.children[0]
    # haystack's ~SQ(...) wraps the condition in a node of its own.
    while isinstance(leaf, SearchNode) and not leaf.negated and len(leaf.children) == 1:
        leaf = leaf.children[0]
    if isinstance(leaf, SearchNode):
        return None
    expression, value = leaf
    if expression not in (f"{DJANGO_ID}__in", f"{DJANGO_ID}__exact", DJANGO_ID):
        return None
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return {str(v) for v in values}


def and_all(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return wq.And(parts)
