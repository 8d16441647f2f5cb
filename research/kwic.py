"""Keyword in context: every occurrence of a search's words and phrases, one line each.

A line is the words left of the occurrence, the occurrence as written, and the words right
of it, within its paragraph, linked to that paragraph of the statement page (``#pN``: the
body's paragraphs, split on blank lines, numbered from 1 as ``Statement.paragraphs`` gives
them).  Occurrences are those ``research.counting`` counts (the engine's positions inside
the body), so the line count is trends' and who's count too.

Sorted by date (newest or oldest first) or country, the page needs only the statements it
shows: which ones follows from the occurrence counts per statement.  Sorted by the word left
or right of the match, every line must be read, so that is refused above
``WORD_SORT_MAX_STATEMENTS`` statements.
"""

from __future__ import annotations

import bisect
import datetime
import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from archive.models import Statement
from search.engine import get_engine
from search.errors import BadSearchRequest
from search.request import SearchRequest, facet_labels, read_page, read_request
from search.text import WORD_RE, fold_latin

from .counting import targets, tree_of
from .stats import stats_for

SORTS = ("newest", "oldest", "country", "left", "right")
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
EXPORT_MAX_LINES = 20_000
WORD_SORT_MAX_STATEMENTS = 1500
CONTEXT_CHARS = 70
_SPACES = re.compile(r"\s+")


@dataclass
class Line:
    statement: int
    url: str
    title: str
    date: datetime.date
    country: str
    paragraph: int
    left: str
    match: str
    right: str

    @property
    def left_word(self) -> str:
        words = WORD_RE.findall(self.left)
        return fold_latin(words[-1]).lower() if words else ""

    @property
    def right_word(self) -> str:
        words = WORD_RE.findall(self.right)
        return fold_latin(words[0]).lower() if words else ""


@dataclass
class KwicRequest:
    request: SearchRequest
    sort: str
    page: int | None
    page_size: int


def read_kwic(params: QueryDict, *, page_size: int | None = None) -> KwicRequest:
    request = read_request(params)
    if not targets(request):
        raise BadSearchRequest(_("Say which word or phrase to show in context: “q” holds "
                                 "none."))
    sorts = params.getlist("order")
    if len(sorts) > 1:
        raise BadSearchRequest(_("Give “order” at most once."))
    sort = (sorts[0] if sorts else "").strip() or "newest"
    if sort not in SORTS:
        raise BadSearchRequest(_("Order lines by %(sorts)s, not “%(sort)s”.")
                               % {"sorts": ", ".join(SORTS), "sort": sort[:40]})
    # None: a nonsense page number (the caller answers 404, as the search page does).
    page = read_page(params.get("page"))
    size = page_size or PAGE_SIZE
    raw = (params.get("page_size") or "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise BadSearchRequest(_("“page_size” must be from 1 to %(n)d.")
                                   % {"n": MAX_PAGE_SIZE})
        size = int(raw)
    return KwicRequest(request, sort, page, size)


def paragraph_starts(body: str) -> list[tuple[int, int]]:
    """(character offset, paragraph number) of each non-empty paragraph of ``body``."""
    out, number, offset = [], 0, 0
    for piece in body.split("\n\n"):
        if piece.strip():
            number += 1
            out.append((offset, number))
        offset += len(piece) + 2
    return out


def _context_left(text: str) -> str:
    text = _SPACES.sub(" ", text)
    if len(text) > CONTEXT_CHARS:
        text = text[-CONTEXT_CHARS:]
        cut = text.find(" ")
        text = text[cut + 1:] if 0 <= cut < 20 else text
    return text


def _context_right(text: str) -> str:
    text = _SPACES.sub(" ", text)
    if len(text) > CONTEXT_CHARS:
        text = text[:CONTEXT_CHARS]
        cut = text.rfind(" ")
        text = text[:cut] if cut > CONTEXT_CHARS - 20 else text
    return text


def lines_of(statement, starts: dict[int, int], *, country_name: str = "") -> list[Line]:
    """The lines of one statement (``pk``, ``slug``, ``title``, ``body``, ``delivered_on``)
    at ``starts``: body word position -> words in the match (what the index found)."""
    body = statement.body or ""
    if not starts:
        return []
    paragraphs = paragraph_starts(body)
    offsets = [start for start, _n in paragraphs]
    last = max(p + n for p, n in starts.items())
    tokens = []
    for match in WORD_RE.finditer(body):
        tokens.append(match.span())
        if len(tokens) >= last:
            break
    url = statement.get_absolute_url()
    out = []
    for position in sorted(starts):
        size = starts[position]
        if position + size > len(tokens):
            continue  # the text changed since the index read it: the next read agrees
        start, end = tokens[position][0], tokens[position + size - 1][1]
        at = bisect.bisect_right(offsets, start) - 1
        offset, number = paragraphs[at] if at >= 0 else (0, 1)
        stop = body.find("\n\n", end)
        stop = len(body) if stop < 0 else stop
        out.append(Line(
            statement=statement.pk, url=f"{url}#p{number}", title=statement.title,
            date=statement.delivered_on, country=country_name, paragraph=number,
            left=_context_left(body[offset:start]), match=body[start:end],
            right=_context_right(body[end:stop]),
        ))
    return out


def occurrences(request: SearchRequest, phrases: list[str]):
    """(statistics, {statement pk: {body word position: words in the match}}): where each of
    the phrases stands in the matching statements' bodies, the longest where two start at
    the same word (the positions ``research.counting`` counts)."""
    engine = get_engine()
    tree = tree_of(request)
    matches = engine.statement_ids(tree)
    stats = stats_for(matches)
    found: dict[int, dict[int, int]] = {}
    for phrase in phrases:
        size = sum(1 for _ in WORD_RE.finditer(phrase))
        for pk, positions in engine.phrase_positions(tree, [phrase]).items():
            stat = stats.get(pk)
            if stat is None:
                continue
            low = bisect.bisect_left(positions, stat.body_start)
            high = bisect.bisect_left(positions, stat.body_start + stat.words)
            if low == high:
                continue
            here = found.setdefault(pk, {})
            for position in positions[low:high]:
                position -= stat.body_start
                if here.get(position, 0) < size:
                    here[position] = size
    return stats, found


@dataclass
class KwicResult:
    count: int  # lines in all
    statements: int  # statements with a line
    lines: list[Line]
    page: int
    pages: int


def _load(pks: list[int]) -> dict[int, Statement]:
    found = {}
    for start in range(0, len(pks), 500):
        found.update(Statement.objects.published().only(
            "pk", "slug", "title", "body", "delivered_on", "country_id"
        ).in_bulk(pks[start : start + 500]))
    return found


def compute(kwic: KwicRequest, *, limit: int | None = None) -> KwicResult:
    """One page of lines (or, with ``limit``, the first ``limit`` lines: the CSV)."""
    stats, found = occurrences(kwic.request, targets(kwic.request))
    per = {pk: len(starts) for pk, starts in found.items()}
    total = sum(per.values())
    countries = facet_labels("country", {stats[pk].country for pk in per if stats[pk].country})
    if limit is None:
        first, last = (kwic.page - 1) * kwic.page_size, kwic.page * kwic.page_size
    else:
        first, last = 0, limit
    pages = max(1, -(-total // kwic.page_size))

    def country_of(pk):
        return countries.get(stats[pk].country, stats[pk].country)

    def lines_for(pks):
        loaded = _load(pks)
        lines = []
        for pk in pks:
            if pk in loaded:
                lines += lines_of(loaded[pk], found[pk], country_name=country_of(pk))
        return lines

    if kwic.sort in ("left", "right"):
        if len(per) > WORD_SORT_MAX_STATEMENTS:
            raise BadSearchRequest(
                _("Ordering by the word to the left or right reads every line; this search "
                  "has %(n)d statements with a line, at most %(max)d can be ordered so: add a "
                  "filter or order by date.") % {"n": len(per), "max": WORD_SORT_MAX_STATEMENTS})
        lines = lines_for(sorted(per, key=lambda pk: (-stats[pk].delivered_on.toordinal(), pk)))
        key = (lambda line: line.left_word) if kwic.sort == "left" else (
            lambda line: line.right_word)
        lines.sort(key=lambda line: (key(line), -line.date.toordinal(), line.statement))
        return KwicResult(total, len(per), lines[first:last], kwic.page, pages)

    if kwic.sort == "oldest":
        order = sorted(per, key=lambda pk: (stats[pk].delivered_on, pk))
    elif kwic.sort == "country":
        order = sorted(per, key=lambda pk: (fold_latin(country_of(pk)).lower(),
                                            -stats[pk].delivered_on.toordinal(), pk))
    else:
        order = sorted(per, key=lambda pk: (-stats[pk].delivered_on.toordinal(), pk))
    # The statements whose lines fall in [first, last), by the counts alone.
    wanted, seen, skip = [], 0, 0
    for pk in order:
        if seen + per[pk] > first and seen < last:
            if not wanted:
                skip = first - seen
            wanted.append(pk)
        seen += per[pk]
        if seen >= last:
            break
    lines = lines_for(wanted)
    return KwicResult(total, len(per), lines[skip : skip + (last - first)], kwic.page, pages)
