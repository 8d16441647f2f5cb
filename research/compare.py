"""Compare two: two speakers, countries or events, side by side.

* **Distinctive words**: the weighted log-odds ratio with an informative Dirichlet prior
  (Monroe, Colaresi and Quinn, "Fightin' Words", 2008), the prior being both sides' words
  pooled (``PRIOR_WEIGHT`` pseudo-words in all).  Each word's z-score says how much more one
  side uses it than the other, shrunk towards zero for rare words, so a word used twice by
  one side and never by the other does not top the list.  Words are lowercase and Arabic
  normalised as search's exact field has them (``search.text``), not stemmed, so the list
  shows words a reader recognises; function words are left out.  Each statement's word
  counts are kept beside its statistics (``StatementWords``), so a comparison reads no text.
* **Shared topics**: topics both sides' statements carry, with each side's count.
* **Years**: the years each side has statements in, and those they share.

Each side is the search's statements (its query and facets, if any) narrowed to that
speaker, country or event.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.models import Statement, Topic
from search.engine import get_engine
from search.errors import BadSearchRequest
from search.request import KEY_PATTERNS, SearchRequest, facet_labels, read_request

from .counting import tree_of
from .models import StatementWords
from .stats import stats_for
from .words import unpack

SIDE_KINDS = ("country", "speaker", "event")
PRIOR_WEIGHT = 1000.0
MIN_COUNT = 3  # both sides together, for a word to be ranked
TOP_WORDS = 25
METHOD = gettext_lazy(
    "weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn "
    "2008), the prior being both sides' words pooled")


@dataclass
class Side:
    kind: str
    key: str
    label: str
    request: SearchRequest
    statements: int = 0
    words: int = 0
    years: Counter = field(default_factory=Counter)


@dataclass
class DistinctiveWord:
    word: str
    count_a: int
    count_b: int
    rate_a: float
    rate_b: float
    z: float


@dataclass
class Comparison:
    a: Side
    b: Side
    words_a: list[DistinctiveWord]  # used more by a
    words_b: list[DistinctiveWord]
    topics: list[dict]  # shared: slug, name, count_a, count_b
    shared_years: list[int]


def read_side(raw: str, name: str) -> tuple[str, str, str]:
    raw = (raw or "").strip()
    kind, sep, key = raw.partition(":")
    if not sep or kind not in SIDE_KINDS:
        raise BadSearchRequest(
            _("“%(name)s” names a side as country:CODE, speaker:slug or event:slug (for "
              "example country:QAT), not “%(raw)s”.") % {"name": name, "raw": raw[:60]})
    if not re.fullmatch(KEY_PATTERNS[kind], key):
        raise BadSearchRequest(_("“%(key)s” is not a valid %(kind)s.")
                               % {"key": key[:60], "kind": kind})
    key = key.upper() if kind == "country" else key
    labels = facet_labels(kind, [key], published_only=True)
    if key not in labels:
        raise BadSearchRequest(_("There is no %(kind)s “%(key)s” in the archive.")
                               % {"kind": kind, "key": key})
    return kind, key, labels[key]


def read_compare(params: QueryDict) -> tuple[Side, Side]:
    request = read_request(params)
    sides = []
    for name in ("a", "b"):
        values = params.getlist(name)
        if len(values) != 1:
            raise BadSearchRequest(_("Give “%(name)s” once: the %(which)s side, such as "
                                     "country:QAT.") % {"name": name,
                                                        "which": _("first") if name == "a"
                                                        else _("second")})
        kind, key, label = read_side(values[0], name)
        narrowed = dataclasses.replace(request, selected={**request.selected, kind: [key]})
        sides.append(Side(kind, key, label, narrowed))
    if (sides[0].kind, sides[0].key) == (sides[1].kind, sides[1].key):
        raise BadSearchRequest(_("Compare two different sides: “a” and “b” are the same."))
    return sides[0], sides[1]


def _side_counts(pks: set[int]) -> Counter:
    """The content words of these statements together (from their statistics rows)."""
    total = Counter()
    pks = sorted(pks)
    for start in range(0, len(pks), 500):
        for data in (StatementWords.objects.filter(statement_id__in=pks[start : start + 500])
                     .values_list("counts", flat=True)):
            total.update(unpack(data))
    return total


def log_odds(a: Counter, b: Counter) -> list[tuple[str, float]]:
    """(word, z) for every word used at least ``MIN_COUNT`` times in all: positive when a
    uses it more, negative when b does."""
    n_a, n_b = sum(a.values()), sum(b.values())
    pooled = n_a + n_b
    if not n_a or not n_b:
        return []
    out = []
    for word in a.keys() | b.keys():
        y_a, y_b = a.get(word, 0), b.get(word, 0)
        if y_a + y_b < MIN_COUNT:
            continue
        alpha = PRIOR_WEIGHT * (y_a + y_b) / pooled
        delta = (math.log((y_a + alpha) / (n_a + PRIOR_WEIGHT - y_a - alpha))
                 - math.log((y_b + alpha) / (n_b + PRIOR_WEIGHT - y_b - alpha)))
        variance = 1 / (y_a + alpha) + 1 / (y_b + alpha)
        out.append((word, delta / math.sqrt(variance)))
    return out


def compute(a: Side, b: Side) -> Comparison:
    engine = get_engine()
    ids = {}
    for side in (a, b):
        pks = engine.statement_ids(tree_of(side.request))
        stats = stats_for(pks)
        side.statements = len(stats)
        side.words = sum(s.words for s in stats.values())
        side.years = Counter(s.year for s in stats.values())
        ids[side.key, side.kind] = set(stats)
    ids_a, ids_b = ids[a.key, a.kind], ids[b.key, b.kind]
    counts_a, counts_b = _side_counts(ids_a), _side_counts(ids_b)
    scored = log_odds(counts_a, counts_b)
    n_a, n_b = max(sum(counts_a.values()), 1), max(sum(counts_b.values()), 1)

    def row(word, z):
        y_a, y_b = counts_a.get(word, 0), counts_b.get(word, 0)
        return DistinctiveWord(word, y_a, y_b, round(y_a * 10_000 / n_a, 2),
                               round(y_b * 10_000 / n_b, 2), round(z, 2))

    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    words_a = [row(w, z) for w, z in scored[:TOP_WORDS] if z > 0]
    words_b = [row(w, z) for w, z in sorted(scored, key=lambda p: (p[1], p[0]))[:TOP_WORDS]
               if z < 0]
    return Comparison(a, b, words_a, words_b, shared_topics(ids_a, ids_b),
                      sorted(a.years.keys() & b.years.keys()))


def _topic_counts(pks: set[int]) -> Counter:
    through = Statement.topics.through
    counts = Counter()
    pks = sorted(pks)
    for start in range(0, len(pks), 500):
        counts.update(through.objects.filter(statement_id__in=pks[start : start + 500])
                      .values_list("topic_id", flat=True))
    return counts


def shared_topics(ids_a: set[int], ids_b: set[int]) -> list[dict]:
    a, b = _topic_counts(ids_a), _topic_counts(ids_b)
    shared = a.keys() & b.keys()
    topics = Topic.objects.public().filter(pk__in=shared).values("pk", "slug", "name")
    rows = [{"slug": t["slug"], "name": t["name"], "count_a": a[t["pk"]],
             "count_b": b[t["pk"]]} for t in topics]
    rows.sort(key=lambda r: (-(r["count_a"] + r["count_b"]), r["name"]))
    return rows
