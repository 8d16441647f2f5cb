"""Running a query: one scoring pass that yields the page, the count and the facet documents.

Whoosh's ``TopCollector`` skips low-scoring blocks, so asking its results for the hit count
or the matching documents (which the facet counts need) runs the query again, once for each:
three passes over the postings for one results page.
"""

from __future__ import annotations

import heapq

from whoosh.collectors import FilterCollector, SortingCollector, TopCollector

from .caches import segment_cached


def leaves(searcher):
    """(sub-searcher, document number offset) of each segment."""
    return searcher.leaf_searchers() if not searcher.is_atomic() else [(searcher, 0)]


class TopAndAllCollector(TopCollector):
    """The top ``limit`` documents by score, and the set of every match, in one pass.

    Every match is scored once, in a plain loop (no generator, no per-document method
    layers), keeping only the documents in ``allow`` when it is given.  Ties order as in
    ``TopCollector``.
    """

    def __init__(self, limit, allow=None, deny=None):
        super().__init__(limit=limit, usequality=False)
        self.allow = allow
        self.deny = deny or ()

    def collect_matches(self):
        matcher = self.matcher
        allow, deny = self.allow, self.deny
        if self.final_fn is not None:  # a weighting with a final() step: Whoosh's own way
            for sub_docnum in self.matches():
                docnum = self.offset + sub_docnum
                if (allow is None or docnum in allow) and docnum not in deny:
                    self.collect(sub_docnum)
            return
        offset, limit = self.offset, self.limit
        items, docset = self.items, self.docset
        is_active, next_, id_, score_ = matcher.is_active, matcher.next, matcher.id, matcher.score
        while is_active():
            docnum = offset + id_()
            if (allow is None or docnum in allow) and docnum not in deny:
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


class DocsOnly:
    """A results stand-in holding only the matching documents (count and facets)."""

    def __init__(self, docs):
        self._docs = docs

    def docs(self):
        return self._docs


def run_collector(searcher, q, filter_docs, *, limit, sortedby, reverse, deny=None):
    """``searcher.search`` with a collector that also keeps every matching document; only
    documents in ``filter_docs`` (when given) and not in ``deny`` count."""
    if sortedby:
        collector = SortingCollector(sortedby, limit=limit, reverse=reverse)
        if filter_docs is not None or deny:
            collector = FilterCollector(collector, allow=filter_docs, restrict=deny or None)
    else:
        collector = TopAndAllCollector(limit, allow=filter_docs, deny=deny)
    searcher.search_with_collector(q, collector)
    return collector.results()


def query_docs(searcher, q) -> set[int]:
    """Index-wide numbers of the live documents matching ``q`` (unscored).

    Each segment's matches are cached by segment; the current deletions are taken out when
    they are composed.
    """
    out: set[int] = set()
    text = repr(q)
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        # Matchers skip deleted documents, so the cached list holds those deleted when it was
        # made; later deletions are checked below.
        local = segment_cached(reader, "docs", text, lambda sub=sub: list(q.docs(sub)))
        if reader.has_deletions():
            is_deleted = reader.is_deleted
            out.update(d + offset for d in local if not is_deleted(d))
        elif offset:
            out.update(d + offset for d in local)
        else:
            out.update(local)
    return out
