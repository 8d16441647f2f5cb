"""BM25F as Whoosh computes it, with each segment's field lengths read once.

Whoosh's ``BM25FScorer`` asks the segment for a document's field length for every posting
it scores (a column lookup through several layers); on a query matching thousands of
speeches that is most of the scoring time.  Segments never change once written, so the
length normalisation of every document is computed once per segment and field and kept in
a list.  Scores are the same numbers as ``whoosh.scoring.BM25F`` gives.
"""

from __future__ import annotations

from whoosh.scoring import BM25F, BM25FScorer

from .caches import LENGTHS, segment_key


def segment_lengths(reader, fieldname: str) -> list[int] | None:
    """Every document's length of ``fieldname`` in one segment (cached by segment)."""
    key = segment_key(reader)
    if key is None:  # a MultiReader over several segments
        return None
    return LENGTHS.get_or_compute(
        (key, fieldname),
        lambda: [reader.doc_field_length(d, fieldname, 1) or 1
                 for d in range(reader.doc_count_all())],
    )


class _ListBM25FScorer(BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, lengths, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.lengths = lengths

    def score(self, matcher):
        # bm25(idf, tf, fl, avgfl, B, K1) from whoosh.scoring, inlined.
        tf = matcher.weight()
        fl = self.lengths[matcher.id()]
        K1 = self.K1
        return self.idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - self.B) + self.B * fl / self.avgfl)))


class ArchiveBM25F(BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        lengths = segment_lengths(searcher.reader(), fieldname)
        if lengths is None:
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        return _ListBM25FScorer(searcher, fieldname, text, B, self.K1, lengths, qf=qf)
