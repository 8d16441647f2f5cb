"""Trends: a search's statements per year, as a count, a share and a rate per 10,000 words.

Up to five series, either five queries (``q`` and up to four ``also``) over the same facets,
or one query split by up to five countries or speakers (``split=country|speaker``: the
selected ``country``/``speaker`` values, else the five with most matching statements).

Per series and year: ``count`` (matching statements), ``total`` (the base's statements: the
same facets without the words, see ``research.counting``), ``share`` (count / total),
``occurrences`` (of the query's words and phrases in the matches' bodies), ``words`` (of the
base's bodies) and ``rate`` (occurrences per 10,000 words).  Years run from the first to the
last year any series' base has, every year in between shown.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from search.errors import BadSearchRequest
from search.request import (
    MAX_QUERY_CHARS,
    SearchRequest,
    build_queryset,
    facet_labels,
    read_request,
)

from .counting import count, rate

MAX_SERIES = 5
SPLITS = ("country", "speaker")
MEASURES = ("share", "rate", "count")
# The parameters trends reads beside the search page's.
TREND_PARAMETERS = ("also", "split", "by", "measure")


@dataclass
class Bucket:
    key: str
    count: int
    total: int
    share: float | None
    occurrences: int
    words: int
    rate: float | None

    @property
    def share_percent(self) -> str:
        return "" if self.share is None else f"{self.share * 100:.1f}%"


@dataclass
class Series:
    label: str
    request: SearchRequest
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(b.count for b in self.buckets)

    @property
    def occurrences(self) -> int:
        return sum(b.occurrences for b in self.buckets)


@dataclass
class TrendsRequest:
    request: SearchRequest  # the first series' (and the facets every series shares)
    also: list[str]
    split: str
    measure: str


def _one(params: QueryDict, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadSearchRequest(_("Give “%(name)s” at most once.") % {"name": name})
    return (values[0] if values else "").strip()


def read_trends(params: QueryDict) -> TrendsRequest:
    """The trends these parameters ask for; ``BadSearchRequest`` (a 400) otherwise."""
    request = read_request(params)
    by = _one(params, "by")
    if by not in ("", "year"):
        raise BadSearchRequest(_("Trends are counted by year only (by=year), not “%(by)s”.")
                               % {"by": by[:40]})
    split = _one(params, "split")
    if split not in ("", *SPLITS):
        raise BadSearchRequest(_("Split by country or speaker (split=country or "
                                 "split=speaker), not “%(split)s”.") % {"split": split[:40]})
    measure = _one(params, "measure") or "share"
    if measure not in MEASURES:
        raise BadSearchRequest(_("The chart shows share, rate or count, not “%(m)s”.")
                               % {"m": measure[:40]})
    also = [a.strip() for a in params.getlist("also") if a.strip()]
    if len(also) > MAX_SERIES - 1:
        raise BadSearchRequest(_("At most %(n)d series: the query and %(m)d more.")
                               % {"n": MAX_SERIES, "m": MAX_SERIES - 1})
    if any(len(a) > MAX_QUERY_CHARS for a in also):
        raise BadSearchRequest(_("Each query is at most %(n)d characters.")
                               % {"n": MAX_QUERY_CHARS})
    if also and split:
        raise BadSearchRequest(_("Compare several queries or split one query by country or "
                                 "speaker, not both at once."))
    if split and len(request.selected.get(split, [])) > MAX_SERIES:
        raise BadSearchRequest(_("Split by at most %(n)d values of %(facet)s.")
                               % {"n": MAX_SERIES, "facet": split})
    return TrendsRequest(request, also, split, measure)


def _label(request: SearchRequest) -> str:
    return request.parsed.text or _("All statements")


def series_requests(trends: TrendsRequest) -> list[Series]:
    """The series to draw, each with its own search request."""
    request = trends.request
    if trends.split:
        name = trends.split
        keys = list(request.selected.get(name, []))
        if not keys:
            sqs = build_queryset(request).facet(name)
            sqs[:0]
            pairs = sqs.facet_counts().get("fields", {}).get(name, [])
            keys = [key for key, n in pairs if key and n][:MAX_SERIES]
        labels = {**facet_labels(name, keys), **request.labels.get(name, {})}
        return [
            Series(f"{_label(request)} · {labels.get(key, key)}",
                   dataclasses.replace(request, selected={**request.selected, name: [key]}))
            for key in keys if key in labels
        ]
    series = [Series(_label(request), request)]
    for text in trends.also:
        params = request.params.copy()
        params.setlist("q", [text])
        other = read_request(params)
        series.append(Series(_label(other), other))
    return series


def compute(trends: TrendsRequest) -> list[Series]:
    """Every series with its buckets (raises ``SearchUnavailable``)."""
    series = series_requests(trends)
    tallies = []
    years: set[int] = set()
    memo: dict = {}
    base_tallies: dict = {}
    for one in series:
        counted = count(one.request, memo=memo)
        if counted.base not in base_tallies:
            total, words = Counter(), Counter()
            for pk in counted.base:
                stat = counted.stats[pk]
                total[stat.year] += 1
                words[stat.year] += stat.words
            base_tallies[counted.base] = (total, words)
        total, words = base_tallies[counted.base]
        stats = counted.stats
        matched = Counter(stats[pk].year for pk in counted.matches)
        occurrences = Counter()
        for pk, found in counted.occurrences.items():
            occurrences[stats[pk].year] += found
        years |= total.keys()
        tallies.append((matched, total, words, occurrences, bool(counted.phrases)))
    span = range(min(years), max(years) + 1) if years else range(0)
    for one, (matched, total, words, occurrences, has_words) in zip(series, tallies,
                                                                    strict=True):
        one.buckets = [
            Bucket(
                key=str(year), count=matched[year], total=total[year],
                share=round(matched[year] / total[year], 4) if total[year] else None,
                occurrences=occurrences[year] if has_words else 0,
                words=words[year],
                rate=rate(occurrences[year], words[year]) if has_words else None,
            )
            for year in span
        ]
    return series
