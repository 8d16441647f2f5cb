"""A hit's best passage, and a statement's paragraphs with the query's words marked.

Engine-neutral: which words of a text match the query is the engine's to say
(``SearchEngine.highlight``, the same word forms search matched); what is shown is decided
here, the same on every engine.

* The **best passage** is the paragraph (or, in a paragraph longer than a snippet, the
  stretch of it a snippet holds) with the most different query words, then the most
  matches, then the tightest: the place a reader looking for those words wants to land.
  Its number is the paragraph's (``#p<n>``, numbered as ``archive.models.paragraph_spans``
  numbers them on the statement page), so the hit links straight to it.
* **Marks**: function words ("of", "the") are never marked on their own, only inside a run
  of marked words ("right *of* peoples"); a query made of function words alone marks them.
  Every piece of text is escaped; the only markup added is ``<mark>``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.models import paragraph_spans

from .engine import get_engine
from .errors import SearchUnavailable
from .parsing import parse_query
from .text.stopwords import is_stopword

SNIPPET_CHARS = 300
MAX_BODY_CHARS = 200_000
MAX_WORDS = 10
# Marked words stay one run across this much space or punctuation ("right of peoples").
_RUN_GAP = re.compile(r"[\s,;:'’\-–—]{1,3}")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    word: int  # which query word (its index)
    stop: bool  # a function word


@dataclass(frozen=True)
class Passage:
    number: int  # the paragraph, from 1 (0: none holds a query word, or there is no text)
    html: SafeString


def word_spans(body: str, words: Sequence[str]) -> list[Span]:
    """Every match of each query word in ``body``, in order of position."""
    words = [w for w in dict.fromkeys(words) if w.strip()][:MAX_WORDS]
    if not words or not body:
        return []
    engine = get_engine()
    spans: dict[int, Span] = {}
    for index, word in enumerate(words):
        # A phrase's words are looked for one by one: each is a word of the query.
        for piece in word.split():
            stop = is_stopword(piece)
            for start, end in engine.highlight(body, [piece]):
                if start not in spans:
                    spans[start] = Span(start, end, index, stop)
    return sorted(spans.values(), key=lambda s: s.start)


def best_passage(body: str, words: Sequence[str], *, width: int = SNIPPET_CHARS) -> Passage:
    """The passage of ``body`` a hit should show for these query words (its start when no
    word is found), with the words marked."""
    body = (body or "")[:MAX_BODY_CHARS]
    paragraphs = paragraph_spans(body)
    if not paragraphs:
        return Passage(0, mark_safe(""))
    try:
        spans = word_spans(body, words)
    except SearchUnavailable:
        spans = []
    best = None  # (key, paragraph number, window start, window end)
    content_only = any(not s.stop for s in spans)
    scored = [s for s in spans if not s.stop] if content_only else spans
    for number, (p_start, p_end) in enumerate(paragraphs, 1):
        inside = [s for s in scored if p_start <= s.start and s.end <= p_end]
        if not inside:
            continue
        key, w_start, w_end = _best_window(inside, width)
        if best is None or key > best[0]:
            best = (key, number, w_start, w_end)
    if best is None:
        # No query word in the text (the hit matched by its title or a name): its opening,
        # and no paragraph to point at.
        start, end = paragraphs[0]
        return Passage(0, _render(body, start, _frame(body, start, end, start, start, width)[1],
                                  [], p_end=end, p_start=start))
    _key, number, w_start, w_end = best
    p_start, p_end = paragraphs[number - 1]
    start, end = _frame(body, p_start, p_end, w_start, w_end, width)
    marks = marked(body, spans, start, end)
    return Passage(number, _render(body, start, end, marks, p_start=p_start, p_end=p_end))


def _best_window(spans: list[Span], width: int):
    """((distinct words, matches, -length), start, end) of the best stretch of at most
    ``width`` characters among ``spans`` (sorted)."""
    best = None
    j = 0
    for i, first in enumerate(spans):
        j = max(j, i + 1)
        while j < len(spans) and spans[j].end - first.start <= width:
            j += 1
        window = spans[i:j]
        key = (len({s.word for s in window}), len(window), -(window[-1].end - first.start))
        if best is None or key > best[0]:
            best = (key, first.start, window[-1].end)
    return best


def _frame(body, p_start, p_end, w_start, w_end, width):
    """The ``width`` characters around a window, inside its paragraph, cut at spaces."""
    if p_end - p_start <= width:
        return p_start, p_end
    room = max(0, width - (w_end - w_start))
    start = max(p_start, w_start - room // 3)
    end = min(p_end, start + width)
    start = max(p_start, min(start, end - width))
    if start > p_start:
        space = body.find(" ", start, w_start)
        start = space + 1 if space >= 0 else start
    if end < p_end:
        space = body.rfind(" ", w_end, end)
        end = space if space > 0 else end
    return start, end


def marked(body: str, spans: Sequence[Span], start: int, end: int) -> list[tuple[int, int]]:
    """The spans within [start, end) to mark: every content word, and a function word only
    inside a run of marked words that begins and ends with content words (when the query
    has content words at all)."""
    inside = [s for s in spans if start <= s.start and s.end <= end]
    if not any(not s.stop for s in inside):
        return [(s.start, s.end) for s in inside] if all(s.stop for s in spans) else []
    out = []
    run: list[Span] = []

    def flush():
        while run and run[-1].stop:
            run.pop()
        while run and run[0].stop:
            run.pop(0)
        out.extend((s.start, s.end) for s in run)
        run.clear()

    for span in inside:
        if run and not _RUN_GAP.fullmatch(body[run[-1].end:span.start]):
            flush()
        run.append(span)
    flush()
    return out


def _render(body, start, end, marks, *, p_start, p_end) -> SafeString:
    parts = ["… "] if start > p_start else []
    cursor = start
    for s, e in marks:
        if s < cursor or e > end:
            continue
        parts.append(escape(body[cursor:s]))
        parts.append(f"<mark>{escape(body[s:e])}</mark>")
        cursor = e
    parts.append(escape(body[cursor:end]))
    if end < p_end:
        parts.append(" …")
    # One line: a snippet shows no paragraph or line breaks (and no sign for them).
    text = re.sub(r"\s+", " ", "".join(parts))
    # Every piece of the body went through escape(); only <mark> is ours.
    return mark_safe(text.strip())


def marked_paragraphs(body: str, words: Sequence[str],
                      regions: Sequence[tuple[int, int, int]] = ()) -> list[SafeString]:
    """Every paragraph of ``body`` as HTML (line breaks as ``<br>``), the query's words in
    ``<mark>``; without words (or without an index to ask), the paragraphs escaped only.

    ``regions`` are ranges of the body ``(start, end, number)`` that another app wants shown
    (the agreed-language passages): each part of one in a paragraph is a
    ``<span class="reused">``, and where it ends a small link to ``#reuse-<number>``, the
    entry that says where else its words occur.
    """
    paragraphs = paragraph_spans(body or "")
    spans: list[Span] = []
    if words:
        try:
            spans = word_spans((body or "")[:MAX_BODY_CHARS], words)
        except (SearchUnavailable, OSError):
            spans = []
    regions = sorted((int(a), int(b), int(n)) for a, b, n in regions if int(a) < int(b))
    out = []
    for start, end in paragraphs:
        marks = marked(body, spans, start, end) if spans else []
        inside = [r for r in regions if r[0] < end and start < r[1]]
        if inside:
            html = _with_regions(body, start, end, marks, inside)
        else:
            parts, cursor = [], start
            for s, e in marks:
                parts.append(escape(body[cursor:s]))
                parts.append(f"<mark>{escape(body[s:e])}</mark>")
                cursor = e
            parts.append(escape(body[cursor:end]))
            html = "".join(parts)
        out.append(mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>\n")))
    return out


def _with_regions(body: str, start: int, end: int, marks: Sequence[tuple[int, int]],
                  regions: Sequence[tuple[int, int, int]]) -> str:
    """One paragraph cut at every mark's and region's edge; each piece escaped, marked when a
    mark covers it, and wrapped in its region's span (a region's span is closed and opened
    again around nothing else, so the HTML always nests)."""
    from django.utils.translation import gettext

    points = {start, end}
    for s, e in marks:
        points.update((s, e))
    for s, e, _n in regions:
        points.update((max(s, start), min(e, end)))
    cuts = sorted(p for p in points if start <= p <= end)
    parts: list[str] = []
    open_region = None

    def close(region):
        parts.append("</span>")
        s, e, number = region
        if e <= end:  # the passage ends in this paragraph: its reference goes here
            label = gettext("Agreed language, passage %(number)s") % {"number": number}
            parts.append(f'<a class="reused__ref" href="#reuse-{number}" '
                         f'aria-label="{escape(label)}">{number}</a>')

    for a, b in itertools.pairwise(cuts):
        if a == b:
            continue
        region = next((r for r in regions if r[0] <= a and b <= r[1]), None)
        if region != open_region:
            if open_region is not None:
                close(open_region)
            if region is not None:
                parts.append('<span class="reused">')
            open_region = region
        text = escape(body[a:b])
        if any(s <= a and b <= e for s, e in marks):
            text = f"<mark>{text}</mark>"
        parts.append(text)
    if open_region is not None:
        close(open_region)
    return "".join(parts)


def statement_text(statement, request, regions=()) -> dict:
    """The statement page's text (registered with ``archive.page_parts``): the words of the
    search that led here (``?q=``) marked, every paragraph ``#p<n>`` (the anchor a hit links
    to), and the regions other apps asked for shown in it.

    Asks the engine which words match (the same forms search matched) only when there is a
    query; without an index the text is shown unmarked, so the page still works.
    """
    from django.urls import reverse
    from django.utils.http import urlencode

    raw = request.GET.get("q", "") if request is not None else ""
    words = parse_query(raw).positive_text() if raw.strip() else []
    paragraphs = marked_paragraphs(statement.body, words, regions)
    marks = sum(p.count("<mark>") for p in paragraphs) if words else 0
    return {
        "paragraphs": paragraphs,
        "marks": marks,
        "marked_words": bool(marks),
        "unmarked_url": request.path if request is not None else "",
        "search_url": f"{reverse('search:search')}?{urlencode({'q': raw})}" if marks else "",
    }
