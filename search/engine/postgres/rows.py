"""A prepared document (``search.documents.prepare``) as a row of ``search_document``.

The text vector is written as a ``tsvector`` literal from ``search.text``'s analysis (see
``analysis.py``): each stemmed term at its positions (1-based), each position weighted by the
section of the index document it stands in, and each distinctive exact form as ``=form``
(no positions: it only decides the order of matches).  The sections are those the index
template marks with ``SECTION_BREAK``: title (A); speakers, roles and event (B); delegation
and topics (C); summary and body (D, PostgreSQL's default, so written without a letter).

PostgreSQL keeps positions up to 16,383 and at most 256 per lexeme.  A term with more
positions than that in one document (``the`` and ``of`` in any long speech) keeps its first
255 under its own lexeme and the next ones, 255 at a time, under overflow lexemes ``term~1``,
``term~2``, ... (``OVERFLOW``, up to ``MAX_OVERFLOW``): every occurrence stays at its own
position, so a phrase naming "the" is found in the middle of a long speech too, when the query
asks for the term or its overflow (``compiler.phrase_tsquery``).  Overflow lexemes are not
terms: the term table and the spelling words never see them.  Positions past 16,383 are
kept as the last one (a phrase is found within a speech's first 16,383 words; a word
anywhere).
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from haystack.constants import DJANGO_CT, DJANGO_ID, ID

from search.text import WORD_RE, Analyzer

from ...documents import FINGERPRINT

SECTION_BREAK = "\x1e"
WEIGHTS = ("A", "B", "C")
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 255
MAX_LEXEME_BYTES = 2000  # PostgreSQL refuses lexemes of 2 KB and more
MAX_LEXEME_CHARS = MAX_LEXEME_BYTES // 4  # shorter than this, no lexeme can be too long
EXACT_PREFIX = "="
OVERFLOW = "~"  # no token holds it (search.text.WORD_RE): never a real term
MAX_OVERFLOW = 8  # a term's first 255 * 9 = 2,295 positions in a document are kept


def is_term(lexeme: str) -> bool:
    """Whether a lexeme of a stored vector is a stemmed term (not an exact form, nor a
    term's overflow)."""
    return not lexeme.startswith(EXACT_PREFIX) and OVERFLOW not in lexeme


def overflow_lexemes(term: str) -> list[str]:
    """The overflow lexemes a term may have in some document (``term~1`` ...)."""
    return [f"{term}{OVERFLOW}{n}" for n in range(1, MAX_OVERFLOW + 1)]


@dataclass(frozen=True)
class Shape:
    """What the unified index says about the fields: which is the text, which are facets,
    dates, stored."""

    content_field: str
    facet_fields: frozenset[str]
    multi_fields: frozenset[str]
    date_fields: frozenset[str]
    stored_fields: frozenset[str]


def build_shape(fields) -> Shape:
    content = next((f.index_fieldname for f in fields.values() if f.document), "")
    return Shape(
        content_field=content,
        facet_fields=frozenset(
            f.index_fieldname for f in fields.values() if hasattr(f, "facet_for")
        ),
        multi_fields=frozenset(f.index_fieldname for f in fields.values() if f.is_multivalued),
        date_fields=frozenset(
            f.index_fieldname for f in fields.values() if f.field_type in ("date", "datetime")
        ),
        stored_fields=frozenset(
            f.index_fieldname for f in fields.values() if f.stored and not f.document
        ),
    )


def spelling_word(word: str) -> bool:
    """Whether did-you-mean considers a word (as the Whoosh engine): letters only, four or
    more of them."""
    return len(word) >= 4 and word.isalpha()


def quote(lexeme: str) -> str:
    """A lexeme for a tsvector or tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def usable(lexeme: str) -> bool:
    return bool(lexeme) and len(lexeme.encode("utf-8")) < MAX_LEXEME_BYTES


@dataclass
class Row:
    identifier: str
    django_ct: str
    django_id: int
    fingerprint: str
    stored: str  # JSON
    date: datetime.date | None
    facets: list[str]
    words: list[str]
    tsv: str  # a tsvector literal
    terms: list[str]  # the stemmed terms (the term table's counts)

    def values(self) -> tuple:
        return (self.identifier, self.django_ct, self.django_id, self.fingerprint, self.stored,
                self.date, self.facets, self.words, self.tsv)


COLUMNS = ("identifier", "django_ct", "django_id", "fingerprint", "stored", "date", "facets",
           "words", "tsv")


def as_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def make_row(shape: Shape, document: dict, analyzer: Analyzer) -> Row:
    text = str(document.get(shape.content_field) or "")
    vector, terms, words = text_vector(text, analyzer)
    stored = {}
    for name in shape.stored_fields:
        value = document.get(name)
        if value is None:
            continue
        if name in shape.date_fields:
            value = as_date(value).isoformat()
        stored[name] = value
    facets = []
    for name in sorted(shape.facet_fields):
        value = document.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        facets += [f"{name}:{v}" for v in values if v not in (None, "")]
    date_field = next(iter(sorted(shape.date_fields)), None)
    return Row(
        identifier=document[ID],
        django_ct=document[DJANGO_CT],
        django_id=int(document[DJANGO_ID]),
        fingerprint=document.get(FINGERPRINT) or "",
        stored=json.dumps(stored, ensure_ascii=False, default=str),
        date=as_date(document.get(date_field)) if date_field else None,
        facets=facets,
        words=words,
        tsv=vector,
        terms=terms,
    )


def section_bounds(text: str) -> tuple[int, ...]:
    """The token positions where the sections after the title, the B and the C sections
    begin (the template's breaks); without breaks, everything is body."""
    parts = text.split(SECTION_BREAK, len(WEIGHTS))
    bounds, count = [], 0
    for part in parts[:-1]:
        count += len(WORD_RE.findall(part))
        bounds.append(count)
    return tuple(bounds)


def text_vector(text: str, analyzer: Analyzer) -> tuple[str, list[str], list[str]]:
    """(tsvector literal, stemmed terms, spelling words) of an index document's text."""
    indexed = analyzer.index_text(text)
    bounds = section_bounds(text)
    head_end = bounds[-1] if bounds else 0
    found = indexed.positions
    terms = [t for t in found if len(t) <= MAX_LEXEME_CHARS or usable(t)]
    # No quote or backslash in any term (WORD_RE splits at apostrophes): each lexeme goes
    # between quotes as it is.
    plain = not _LITERAL_SPECIAL.search("".join(terms))
    parts = []
    spot = _SPOTS.__getitem__
    for term in terms:
        positions = found[term]
        if (plain and positions[0] >= head_end and positions[-1] < MAX_POSITION
                and len(positions) <= MAX_POSITIONS_PER_LEXEME):
            # Nearly every term of a speech: a few body positions (no weights to write).
            parts.append(f"'{term}':{','.join(map(spot, positions))}")
            continue
        if positions[-1] >= MAX_POSITION:
            positions = sorted({min(p, MAX_POSITION - 1) for p in positions})
        if len(positions) <= MAX_POSITIONS_PER_LEXEME:
            chunks = [positions]
        else:
            chunks = [positions[i : i + MAX_POSITIONS_PER_LEXEME]
                      for i in range(0, len(positions), MAX_POSITIONS_PER_LEXEME)]
            chunks = chunks[: MAX_OVERFLOW + 1]
        for n, chunk in enumerate(chunks):
            if chunk[0] >= head_end:
                spots = ",".join(map(spot, chunk))
            else:
                split = bisect.bisect_left(chunk, head_end)
                spots = ",".join([*(_weighted(p, bounds) for p in chunk[:split]),
                                  *map(spot, chunk[split:])])
            lexeme = term if n == 0 else f"{term}{OVERFLOW}{n}"
            if n and not usable(lexeme):
                break
            lexeme = quote(lexeme) if "'" in lexeme or "\\" in lexeme else f"'{lexeme}'"
            parts.append(f"{lexeme}:{spots}")
    for exact in indexed.exact:
        lexeme = EXACT_PREFIX + exact
        if usable(lexeme):
            parts.append(quote(lexeme))
    words = sorted(filter(spelling_word, indexed.spellings))
    return " ".join(parts), terms, words


_LITERAL_SPECIAL = re.compile(r"['\\]")


# A vector's position p + 1 as written in its literal, for every position a vector keeps:
# looked up rather than formatted, once per token of every document.
_SPOTS = tuple(str(p + 1) for p in range(MAX_POSITION))


def _weighted(position: int, bounds: tuple[int, ...]) -> str:
    spot = str(min(position + 1, MAX_POSITION))
    for weight, bound in zip(WEIGHTS, bounds, strict=False):
        if position < bound:
            return spot + weight
    return spot


def stored_fields(shape: Shape, stored: dict) -> dict:
    """The stored JSON back in Python terms (dates as dates)."""
    out = {}
    for key, value in stored.items():
        if key in shape.date_fields and isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        out[key] = value
    return out


def term_deltas(added: Iterable[Iterable[str]], removed: Iterable[Iterable[str]]) -> dict:
    """term -> change in document frequency, from the added and removed documents' terms."""
    deltas: dict[str, int] = {}
    for terms in added:
        for term in terms:
            deltas[term] = deltas.get(term, 0) + 1
    for terms in removed:
        for term in terms:
            deltas[term] = deltas.get(term, 0) - 1
    return {t: d for t, d in deltas.items() if d}
