"""Who says it most: delegations or speakers ranked by occurrences per 10,000 words.

For each country (or speaker) of the base (the search without its words: see
``research.counting``), ``words`` is the words of its statements' bodies and ``occurrences``
those of the query's words and phrases in them; ``rate`` is occurrences per 10,000 words.
Only those with at least ``min_words`` words are ranked, so that one short statement that
happens to use the word does not top the list.  A statement with several speakers counts
for each of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from search.errors import BadSearchRequest
from search.request import SearchRequest, facet_labels, read_request

from .counting import count, rate, targets

BY = ("country", "speaker")
DEFAULT_MIN_WORDS = 1000
MAX_MIN_WORDS = 10_000_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass
class WhoRow:
    key: str
    label: str
    occurrences: int
    words: int
    statements: int  # of the base
    matching: int  # statements that use it
    rate: float | None
    url: str = ""  # the search narrowed to it (set by the page)


@dataclass
class WhoRequest:
    request: SearchRequest
    by: str
    min_words: int
    limit: int


def _int(params: QueryDict, name: str, default: int, low: int, high: int) -> int:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadSearchRequest(_("Give “%(name)s” at most once.") % {"name": name})
    raw = (values[0] if values else "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadSearchRequest(_("“%(name)s” must be a whole number from %(low)d to %(high)d.")
                               % {"name": name, "low": low, "high": high})
    return int(raw)


def read_who(params: QueryDict) -> WhoRequest:
    request = read_request(params)
    by = params.getlist("by")
    if len(by) > 1:
        raise BadSearchRequest(_("Give “by” at most once."))
    by = (by[0] if by else "").strip() or "country"
    if by not in BY:
        raise BadSearchRequest(_("Rank by country or speaker (by=country or by=speaker), not "
                                 "“%(by)s”.") % {"by": by[:40]})
    if not targets(request):
        raise BadSearchRequest(_("Say which word or phrase to count: “q” holds none."))
    return WhoRequest(
        request, by,
        _int(params, "min_words", DEFAULT_MIN_WORDS, 0, MAX_MIN_WORDS),
        _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
    )


@dataclass
class WhoResult:
    rows: list[WhoRow]
    ranked: int  # with enough words
    below_minimum: int  # left out for too few words
    occurrences: int


def compute(who: WhoRequest) -> WhoResult:
    counted = count(who.request)
    words: dict[str, int] = defaultdict(int)
    statements: dict[str, int] = defaultdict(int)
    occurrences: dict[str, int] = defaultdict(int)
    matching: dict[str, int] = defaultdict(int)
    for pk in counted.base:
        stat = counted.stats[pk]
        keys = (stat.country,) if who.by == "country" else stat.speakers
        found = counted.occurrence_count(pk) if pk in counted.matches else 0
        for key in keys:
            if not key:
                continue
            words[key] += stat.words
            statements[key] += 1
            if found:
                occurrences[key] += found
                matching[key] += 1
    used = [key for key in occurrences if words[key] >= who.min_words]
    below = sum(1 for key in occurrences if words[key] < who.min_words)
    used.sort(key=lambda k: (-occurrences[k] / words[k], -occurrences[k], k))
    shown = used[: who.limit]
    labels = facet_labels(who.by, shown)
    rows = [
        WhoRow(key, labels.get(key, key), occurrences[key], words[key], statements[key],
               matching[key], rate(occurrences[key], words[key]))
        for key in shown if key in labels
    ]
    return WhoResult(rows, len(used), below, counted.total_occurrences)
