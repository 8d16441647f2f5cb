"""The research tools' reads on Whoosh: statement pks and phrase positions from the postings.

The contract's generic versions (``search/engine/contract.py``) read every matching text from
the database; here the body field's postings already hold each word's positions, so where a
word or phrase stands in every matching document is read without touching a text.  Text
matches (keyword in context) use the live generation's analyzer directly, one analysis per
distinct word of the text.
"""

from __future__ import annotations

import itertools

from haystack.constants import DJANGO_ID

from search.text import tokenize

from .caches import segment_cached
from .collectors import leaves
from .phrase import positions as decode_positions
from .textquery import MAX_PHRASE_READINGS


def statement_pks(searcher) -> dict[int, int]:
    """Index-wide document number -> statement pk, for every document of the searcher.

    Each segment's map is read from its stored fields once and remembered by segment (a
    segment never changes; deleted documents are never asked for, since every query leaves
    them out)."""
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


def term_positions(searcher, field: str, term: str, docs) -> dict[int, list[int]]:
    """Positions of ``term`` in each of ``docs`` (index-wide numbers) that holds it."""
    reader = searcher.reader()
    try:
        btext = searcher.schema[field].to_bytes(term)
    except ValueError:
        return {}
    if (field, btext) not in reader:
        return {}
    matcher = reader.postings(field, btext)
    out: dict[int, list[int]] = {}
    if len(docs) * 8 < reader.doc_frequency(field, btext):
        # A few documents of a common word: jump to each instead of walking the list.
        for docnum in sorted(docs):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                out[docnum] = decode_positions(matcher.value())
        return out
    while matcher.is_active():
        docnum = matcher.id()
        if docnum in docs:
            out[docnum] = decode_positions(matcher.value())
        matcher.next()
    return out


def reading_starts(searcher, field: str, reading: tuple[str, ...], docs) -> dict[int, set]:
    """Where the terms of ``reading`` stand at consecutive positions, per document."""
    first = term_positions(searcher, field, reading[0], docs)
    starts = {docnum: set(found) for docnum, found in first.items()}
    for offset, term in enumerate(reading[1:], start=1):
        if not starts:
            break
        following = term_positions(searcher, field, term, starts.keys())
        kept = {}
        for docnum, found in following.items():
            common = starts[docnum].intersection(p - offset for p in found)
            if common:
                kept[docnum] = common
        starts = kept
    return starts


def phrase_positions(searcher, field: str, analyzer, docs, phrases) -> dict[int, list[int]]:
    """The contract's ``phrase_positions`` for the matching document numbers ``docs``."""
    docs = docs if isinstance(docs, set) else set(docs)
    found: dict[int, set[int]] = {}
    for phrase in phrases:
        words = analyzer.query_words(phrase)
        if not words:
            continue
        for reading in readings(words):
            for docnum, starts in reading_starts(searcher, field, reading, docs).items():
                found.setdefault(docnum, set()).update(starts)
    if not found:
        return {}
    pks = statement_pks(searcher)
    return {pks[d]: sorted(p) for d, p in found.items() if d in pks}


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
