"""Per-statement statistics: words of the body and where the body starts in the index's text.

``stats_for(pks)`` gives them for published statements, computing (and keeping) those that
are missing: the receiver drops a statement's row whenever it changes, so a row is always
computed from the statement as it is now.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Count, Max

from search import documents
from search.errors import SearchUnavailable
from search.text import WORD_RE

from . import words as words_module
from .models import StatementStats, StatementWords

_CHUNK = 500
# A request computes at most this many missing rows itself (about 2 s of work on long
# speeches); more (after a bulk import) is manage.py research_stats's job, and until it has
# run the tools answer 503 saying so.
ON_DEMAND_MAX = 1000


class StatsMissing(SearchUnavailable):
    """Too many statements lack their statistics for one request to compute them."""


class Stat(NamedTuple):
    pk: int
    words: int
    body_start: int
    delivered_on: datetime.date
    country: str
    speakers: tuple[str, ...]
    year: int

    def in_body(self, position: int) -> bool:
        return self.body_start <= position < self.body_start + self.words


def count_words(text: str) -> int:
    """Words of ``text`` as every index numbers them (``search.text.tokenize``)."""
    return sum(1 for _ in WORD_RE.finditer(text or ""))


def measure(obj, index=None) -> StatementStats:
    """The statistics of one statement (prefetched as ``statements_for_index`` does)."""
    index = index or documents.statement_index()
    text = index.text.prepare(obj)
    body = obj.body or ""
    words = count_words(body)
    at = text.rfind(body) if body else -1
    # The body is the document text's last part (templates/search/indexes/...): the words
    # before it are the header's.  Should a template ever change that, the words before the
    # body's own text are still counted right.
    body_start = count_words(text[:at]) if at >= 0 else max(count_words(text) - words, 0)
    return StatementStats(
        statement_id=obj.pk, words=words, body_start=body_start,
        delivered_on=obj.delivered_on, country=obj.country.code if obj.country else "",
        speakers="\n".join(link.speaker.slug for link in obj.statement_speakers.all()),
    )


def compute(pks: Iterable[int]) -> int:
    """Compute and keep the rows of these published statements; returns how many."""
    pks = sorted(set(pks))
    index = documents.statement_index()
    made = 0
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        # In statement order, as every forget locks them: two computations of overlapping
        # sets then never wait for each other crosswise.
        objs = list(documents.statements_for_index().filter(pk__in=chunk).order_by("pk"))
        rows = [measure(obj, index) for obj in objs]
        StatementWords.objects.bulk_create(
            [StatementWords(statement_id=obj.pk,
                            counts=words_module.pack(words_module.word_counts(obj.body)))
             for obj in objs],
            ignore_conflicts=True,
        )
        StatementStats.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
    return made


def missing(pks: Iterable[int] | None = None) -> list[int]:
    """Published statements (of ``pks``, or all) without a row."""
    from archive.models import Statement

    qs = Statement.objects.published().exclude(
        pk__in=StatementStats.objects.values("statement_id")
    )
    if pks is None:
        return list(qs.values_list("pk", flat=True))
    wanted = set(pks)
    found = set(StatementStats.objects.filter(statement_id__in=wanted).values_list(
        "statement_id", flat=True)) if len(wanted) <= _CHUNK else set(
        StatementStats.objects.values_list("statement_id", flat=True))
    return sorted(wanted - found)


_FIELDS = ("statement_id", "words", "body_start", "delivered_on", "country", "speakers")
# Every row, remembered by the process and read again whenever the table changed: its row
# count and latest computation time change with any row dropped or computed.
_ALL: dict = {"version": None, "rows": {}}
_LOCK = threading.Lock()


def _version():
    found = StatementStats.objects.aggregate(n=Count("statement_id"), last=Max("computed_at"))
    return found["n"], found["last"]


def all_rows() -> dict[int, Stat]:
    version = _version()
    with _LOCK:
        if _ALL["version"] == version:
            return _ALL["rows"]
    rows = {
        pk: Stat(pk, words, start, date, country, tuple(s for s in speakers.splitlines() if s),
                 date.year)
        for pk, words, start, date, country, speakers
        in StatementStats.objects.values_list(*_FIELDS).iterator(chunk_size=5000)
    }
    with _LOCK:
        _ALL["version"], _ALL["rows"] = version, rows
    return rows


def stats_for(pks: Iterable[int]) -> dict[int, Stat]:
    """The statistics of these statements (published ones: pks the index gave), computing
    any that are missing."""
    pks = set(pks)
    if not pks:
        return {}
    rows = all_rows()
    absent = pks - rows.keys()
    if len(absent) > ON_DEMAND_MAX:
        raise StatsMissing(
            f"The research statistics of {len(absent)} statements are not computed yet: "
            "run `manage.py research_stats`.")
    if absent:
        compute(absent)
        rows = all_rows()
    return {pk: rows[pk] for pk in pks if pk in rows}
