"""Phrase matching that reads each word's positions once per candidate document.

Whoosh answers ``Phrase`` with span queries: for every document holding all the words it
builds a ``Span`` object per occurrence of each word and walks them pairwise.  On a phrase of
two common words ("human rights": both in nearly every speech of the corpus) that is most of
a results page's time.  Here the candidates come from the same intersection of the words'
posting lists, and a document matches when some position ``p`` of the first word has the
second word at ``p + 1``, the third at ``p + 2`` and so on, found with set intersections over
the decoded positions.  Scores are the intersection's, as with Whoosh's own phrase matcher.
"""

from __future__ import annotations

from itertools import accumulate
from pickle import loads

from whoosh import matching
from whoosh import query as wq
from whoosh.matching.binary import IntersectionMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.system import _INT_SIZE


def positions(value: bytes) -> list[int]:
    """The positions in a ``Positions`` posting value (a count, then pickled deltas)."""
    return list(accumulate(loads(value[_INT_SIZE:])))


class PhraseMatcher(WrappingMatcher):
    """Documents of ``child`` (an intersection of ``words``) where the words are adjacent."""

    def __init__(self, child, words, boost=1.0):
        super().__init__(child, boost=boost)
        self.words = words
        self._find_next()

    def copy(self):
        return self.__class__(self.child.copy(), [w.copy() for w in self.words], self.boost)

    def _replacement(self, newchild):
        return self.__class__(newchild, self.words, self.boost)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def _adjacent(self) -> bool:
        words = self.words
        starts = set(positions(words[0].value()))
        for offset in range(1, len(words)):
            starts.intersection_update([p - offset for p in positions(words[offset].value())])
            if not starts:
                return False
        return True

    def _find_next(self):
        child = self.child
        while child.is_active() and not self._adjacent():
            child.next()

    def next(self):
        self.child.next()
        self._find_next()

    def skip_to(self, id):
        self.child.skip_to(id)
        self._find_next()

    def all_ids(self):
        while self.is_active():
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
        # The intersection moves the word matchers themselves, so at each candidate document
        # every one of them is positioned on it and its value() holds that document's
        # positions.
        child = words[0]
        for m in words[1:]:
            child = IntersectionMatcher(child, m)
        return PhraseMatcher(child, words, boost=self.boost)
