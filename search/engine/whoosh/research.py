"""The research tools' reads on Whoosh: statement pks and phrase positions from the postings.

The contract's generic versions (``search/engine/contract.py``) read every matching text from
the database; here the body field's postings already hold each word's positions, so where a
word or phrase stands in every matching document is read without touching a text.  Text
matches (keyword in context) use the live generation's analyzer directly, one analysis per
distinct word of the text.
"""

from __future__ import annotations

import itertools
from array import array

from haystack.constants import DJANGO_ID

from search.text import tokenize

from .caches import PKS, POSITIONS, segment_cached, segment_key
from .collectors import leaves
from .phrase import positions as decode_positions
from .textquery import MAX_PHRASE_READINGS


def statement_pks(searcher, key=None) -> dict[int, int]:
    """Index-wide document number -> statement pk, for every document of the searcher.

    Each segment's map is read from its stored fields once and remembered by segment (a
    segment never changes; deleted documents are never asked for, since every query leaves
    them out); the whole map is remembered per searcher (``key``: its ``SearcherState.key``).
    """
    if key is not None:
        found = PKS.get(key)
        if found is not None:
            return found
    out: dict[int, int] = {}
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        local = segment_cached(reader, "pks", DJANGO_ID, lambda reader=reader: {
            docnum: int(fields[DJANGO_ID]) for docnum, fields in reader.iter_docs()
            if str(fields.get(DJANGO_ID, "")).isdigit()
        })
        if offset:
            out.update((docnum + offset, pk) for docnum, pk in local.items())
        else:
            out.update(local)
    if key is not None:
        PKS.put(key, out)
    return out


def readings(words) -> list[tuple[str, ...]]:
    """The term sequences a phrase of these query words may stand for (as search builds
    them: an Arabic word may have two readings; beyond ``MAX_PHRASE_READINGS`` the further
    words keep their first)."""
    choices, count = [], 1
    for word in words:
        if count * len(word.terms) <= MAX_PHRASE_READINGS:
            choices.append(word.terms)
            count *= len(word.terms)
        else:
            choices.append(word.terms[:1])
    return list(itertools.product(*choices))


def _decoded(reader, field: str, btext: bytes) -> dict[int, array]:
    """Every live document of one segment holding the term, with its positions."""
    matcher = reader.postings(field, btext)
    leaf = getattr(matcher, "child", matcher)  # deletions are a filter around the list
    out: dict[int, array] = {}
    if hasattr(leaf, "_read_ids") and hasattr(leaf, "_next_block"):
        # A block at a time: the ids and values of a block are decoded together, without a
        # method call per document (Whoosh 2.7's block posting reader).
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._values is None:
                leaf._read_values()
            for docnum, value in zip(leaf._ids, leaf._values, strict=False):
                out[docnum] = array("I", decode_positions(value))
            leaf._next_block()
    else:
        while leaf.is_active():
            out[leaf.id()] = array("I", decode_positions(leaf.value()))
            leaf.next()
    if reader.has_deletions():
        out = {d: p for d, p in out.items() if not reader.is_deleted(d)}
    return out


def segment_positions(reader, field: str, reading: tuple[str, ...], to_bytes):
    """{segment document: start positions} of a reading (one term, or terms in a row) in one
    segment, remembered by segment."""
    key = segment_key(reader)

    def compute():
        btexts = []
        for term in reading:
            try:
                btext = to_bytes(term)
            except ValueError:
                return {}
            if (field, btext) not in reader:
                return {}
            btexts.append(btext)
        first = _decoded(reader, field, btexts[0])
        if len(btexts) == 1:
            return first
        starts = {docnum: set(found) for docnum, found in first.items()}
        for offset, btext in enumerate(btexts[1:], start=1):
            following = _decoded(reader, field, btext)
            kept = {}
            for docnum, found in following.items():
                here = starts.get(docnum)
                if here:
                    common = here.intersection(p - offset for p in found)
                    if common:
                        kept[docnum] = common
            starts = kept
            if not starts:
                break
        return {docnum: array("I", sorted(found)) for docnum, found in starts.items()}

    if key is None:
        return compute()
    return POSITIONS.get_or_compute((key, field, reading), compute)


def phrase_positions(searcher, field: str, analyzer, docs, phrases, key=None):
    """The contract's ``phrase_positions`` for the matching document numbers ``docs``."""
    docs = docs if isinstance(docs, set) else set(docs)
    all_readings = []
    for phrase in phrases:
        words = analyzer.query_words(phrase)
        if words:
            all_readings += readings(words)
    all_readings = list(dict.fromkeys(all_readings))
    if not all_readings:
        return {}
    to_bytes = searcher.schema[field].to_bytes
    found: dict[int, object] = {}
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        for reading in all_readings:
            for docnum, starts in segment_positions(reader, field, reading, to_bytes).items():
                number = docnum + offset
                if number not in docs:
                    continue
                if number in found:  # another reading or phrase here too
                    found[number] = sorted(set(found[number]) | set(starts))
                else:
                    found[number] = starts
    pks = statement_pks(searcher, key)
    return {pks[d]: p for d, p in found.items() if d in pks}


def text_matches(text: str, phrases, analyzer) -> list[tuple[int, int, int]]:
    """The contract's ``text_matches`` with the generation's analyzer."""
    tokens = list(tokenize(text))
    terms_of: dict[str, frozenset[str]] = {}

    def terms(surface: str) -> frozenset[str]:
        found = terms_of.get(surface)
        if found is None:
            forms = analyzer.word(surface)
            found = terms_of[surface] = frozenset(forms.terms) if forms else frozenset()
        return found

    out = []
    for phrase in phrases:
        wanted = [frozenset(word.terms) for word in analyzer.query_words(phrase)]
        size = len(wanted)
        if not size:
            continue
        first = wanted[0]
        for i in range(len(tokens) - size + 1):
            if first.isdisjoint(terms(tokens[i].surface)):
                continue
            if all(not wanted[k].isdisjoint(terms(tokens[i + k].surface))
                   for k in range(1, size)):
                out.append((tokens[i].start, tokens[i + size - 1].end, i))
    out.sort()
    return out
