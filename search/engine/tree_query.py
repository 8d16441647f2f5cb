"""What both engines' haystack query classes share: the SQ tree goes to the backend whole.

haystack's own ``BaseSearchQuery.run`` builds a query string for the backend to parse
again; the archive's engines compile the tree itself (``SearchEngine.search_tree``), count
without rows (``SearchEngine.count``) and page more-like-this results.  An engine's query
class puts this mixin first: ``class MyQuery(TreeSearchQuery, BaseSearchQuery)``.
"""

from __future__ import annotations

from haystack.backends import SearchNode
from haystack.constants import DJANGO_ID
from haystack.exceptions import SearchBackendError


class QueueWritesOnly:
    """haystack's own write entry points, refused: the archive writes to an engine only
    through its change queue and the index worker (``search/freshness.py``), and builds a
    new index with ``rebuild_index``.  An engine backend puts this mixin first and says in
    ``rebuild_hint`` how its rebuild keeps the live index."""

    rebuild_hint = "which builds a new index beside the live one and swaps it in"

    def update(self, index, iterable, commit=True):
        raise SearchBackendError(
            "The archive indexes through its change queue and the index worker "
            "(search/freshness.py), not haystack's update()."
        )

    def remove(self, obj_or_string, commit=True):
        raise SearchBackendError(
            "The archive removes documents through its change queue and the index worker."
        )

    def clear(self, models=None, commit=True):
        raise SearchBackendError(
            f"Clearing the live index is not supported: run `manage.py rebuild_index`, "
            f"{self.rebuild_hint}."
        )


class TreeSearchQuery:
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
        """The hit count without scoring or rows."""
        if self._hit_count is None and not self._more_like_this and self._results is None:
            self._hit_count = self.backend.count(self.query_filter)
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


def and_children(node):
    """The conditions of an AND, with nested plain ANDs (haystack makes them) flattened."""
    for child in node.children:
        if (isinstance(child, SearchNode) and child.connector == SearchNode.AND
                and not child.negated):
            yield from and_children(child)
        else:
            yield child


def excluded_ids(child) -> set[str] | None:
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
