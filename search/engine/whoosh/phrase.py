"""Phrase matching that reads each word's positions once per candidate document.

Whoosh answers ``Phrase`` with span queries: for every document holding all the words it
builds a ``Span`` object per occurrence of each word and walks them pairwise.  On a phrase of
two common words ("human rights": both in nearly every speech of the corpus) that is most of
a results page's time.  Here the candidates come from the same intersection of the words'
posting lists, and a document matches when some position ``p`` of the first word has the
second word at ``p + 1``, the third at ``p + 2`` and so on, found with set intersections over
the decoded positions.  Scores are the intersection's, as with Whoosh's own phrase matcher.

A complete pass over a segment leaves the segment's matching documents in the backend's
per-segment cache, so the same phrase later (in this process, on this segment, which never
changes) skips the position check; the worker's commits add segments and leave it valid.
"""

from __future__ import annotations

from itertools import accumulate, repeat
from operator import sub
from pickle import loads

from whoosh import matching
from whoosh import query as wq
from whoosh.matching.wrappers import ConstantScoreWrapperMatcher
from whoosh.system import _INT_SIZE

from .caches import SEGMENTS, segment_key


def positions(value: bytes) -> list[int]:
    """The positions in a ``Positions`` posting value (a count, then pickled deltas)."""
    return list(accumulate(loads(value[_INT_SIZE:])))


class PhraseMatcher(matching.Matcher):
    """Documents where the ``words`` matchers' terms stand next to each other, in order.

    The words' posting lists are intersected here directly (leapfrogging with ``skip_to``)
    rather than through Whoosh's nested ``IntersectionMatcher``, whose layers cost more than
    the position check on a phrase of common words.  The score is the sum of the words'
    scores, which is what Whoosh's phrase matcher gives.
    """

    def __init__(self, words, boost=1.0, *, known=None, remember=None):
        self.words = words
        self.boost = boost
        # ``known``: this segment's matching documents from an earlier complete pass (the
        # positions need no decoding then); ``remember`` is given them after a complete pass.
        self.known = known
        self._remember = remember if known is None else None
        self._seen: list[int] | None = [] if self._remember is not None else None
        self._active = True
        self._find(advance=False)

    def copy(self):
        return self.__class__([w.copy() for w in self.words], self.boost, known=self.known)

    def children(self):
        return list(self.words)

    def depth(self):
        return 1 + max(w.depth() for w in self.words)

    def replace(self, minquality=0):
        return self if self._active else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def supports(self, astype):
        return False

    def is_active(self):
        return self._active

    def id(self):
        return self.words[0].id()

    def weight(self):
        return sum(w.weight() for w in self.words) * self.boost

    def score(self):
        total = 0.0
        for w in self.words:
            total += w.score()
        return total * self.boost

    def _adjacent(self) -> bool:
        # Every loop here runs in C (accumulate, map, the set operations): this is called for
        # every document that holds all the words.
        words = self.words
        starts = set(accumulate(loads(words[0].value()[_INT_SIZE:])))
        last = len(words) - 1
        for offset in range(1, last + 1):
            shifted = map(sub, accumulate(loads(words[offset].value()[_INT_SIZE:])),
                          repeat(offset))
            if offset == last:
                return not starts.isdisjoint(shifted)
            starts.intersection_update(shifted)
            if not starts:
                return False
        return True

    def _find(self, *, advance: bool):
        """Move to the next document holding every word next to each other (this one
        included unless ``advance``)."""
        words = self.words
        lead = words[0]
        if advance:
            lead.next()
        while lead.is_active():
            doc = lead.id()
            for m in words[1:]:
                if m.id() < doc:
                    m.skip_to(doc)
                    if not m.is_active():
                        # A later word ran out: the pass is as complete as when the first
                        # word runs out, so it is remembered too.
                        self._end()
                        return
                if m.id() > doc:
                    lead.skip_to(m.id())
                    break
            else:
                known = self.known
                if (doc in known) if known is not None else self._adjacent():
                    if self._seen is not None:
                        self._seen.append(doc)
                    return
                lead.next()
        self._end()

    def _end(self):
        self._active = False
        if self._seen is not None:
            self._remember(frozenset(self._seen))
            self._seen = None

    def next(self):
        if self._active:
            self._find(advance=True)

    def skip_to(self, id):
        if self._active and self.words[0].id() < id:
            self._seen = None  # documents were skipped: this pass is not a complete list
            self.words[0].skip_to(id)
            self._find(advance=False)

    def all_ids(self):
        while self._active:
            yield self.id()
            self.next()

    def spans(self):
        raise NotImplementedError("PhraseMatcher does not compute spans")


class FastPhrase(wq.Phrase):
    """``whoosh.query.Phrase`` (adjacent words, slop 1) with :class:`PhraseMatcher`."""

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema or self.slop != 1:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)
        reader = searcher.reader()
        words = []
        for word in self.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, btext) not in reader:
                return matching.NullMatcher()
            words.append(wq.Term(fieldname, btext).matcher(searcher, context))
        if len(words) == 1:
            return words[0]
        if not all(m.is_active() for m in words):
            return matching.NullMatcher()
        segment = segment_key(reader)
        if segment is None:
            return PhraseMatcher(words, boost=self.boost)
        key = (segment, "phrase", fieldname, tuple(self.words))
        return PhraseMatcher(
            words, boost=self.boost, known=SEGMENTS.get(key),
            remember=lambda docs: SEGMENTS.put(key, docs),
        )


class PhraseBonus(FastPhrase):
    """The query's words as one phrase, scoring a constant: ``boost`` times the most BM25
    can give those words (the sum of their idf times ``K1 + 1``), whatever the words.

    A phrase's own score is its words' BM25 scores, and a half-remembered sentence is mostly
    common words whose scores are near nothing: "we need to do to ensure" found as a phrase
    would add almost nothing.  A constant the size of the words' whole possible score lets
    the one speech that holds the sentence outrank those that only hold its words often.
    """

    def matcher(self, searcher, context=None):
        inner = super().matcher(searcher, context)
        if not inner.is_active():
            return inner
        weighting = searcher.weighting
        k1 = getattr(weighting, "K1", 1.2)
        top = searcher.get_parent()  # the whole index's idf, not one segment's
        ceiling = sum(top.idf(self.fieldname, word) for word in self.words) * (k1 + 1)
        return ConstantScoreWrapperMatcher(inner, score=self.boost * ceiling)
