"""Reading agreed language: a statement's passages, each with where it first appeared and
every later use, in date order (two queries, whatever the number of passages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from archive.models import Statement

from .models import SharedPassage


@dataclass
class Use:
    statement: Statement
    is_this: bool = False

    @property
    def date(self) -> datetime.date:
        return self.statement.delivered_on


@dataclass
class Passage:
    start: int
    end: int
    text: str
    words: int
    first: Use
    reuses: list[Use] = field(default_factory=list)

    @property
    def this_is_first(self) -> bool:
        return self.first.is_this


def _order(statement: Statement):
    return (statement.delivered_on, statement.pk)


def passages_for(statement: Statement) -> list[Passage]:
    """The passages of a published statement found in other published statements."""
    if not statement.is_published:
        return []
    rows = list(
        SharedPassage.objects.filter(statement=statement)
        .order_by("start", "end").values_list("start", "end", "words", "other_id")
    )
    if not rows:
        return []
    others = {
        s.pk: s
        for s in Statement.objects.published().filter(pk__in={r[3] for r in rows})
        .select_related("country").only("pk", "slug", "title", "delivered_on", "country")
    }
    # Overlapping or touching ranges (of different other statements) make one passage.
    groups: list[list] = []
    for start, end, _words, other in rows:
        if other not in others:
            continue
        if groups and start <= groups[-1][1]:
            group = groups[-1]
            if end > group[1]:
                group[1] = end
            group[2].add(other)
        else:
            groups.append([start, end, {other}])
    body = statement.body
    passages = []
    for start, end, other_ids in groups:
        uses = sorted([Use(statement, is_this=True)] + [Use(others[o]) for o in other_ids],
                      key=lambda use: _order(use.statement))
        text = body[start:end]
        passages.append(Passage(start=start, end=end, text=text,
                                words=len(text.split()), first=uses[0], reuses=uses[1:]))
    return passages


# --- the statement page's parts (registered with ``archive.page_parts``) ---------------------


def _page_passages(statement: Statement) -> list[Passage]:
    # The text and the list after it ask for the same passages: one look-up per page.
    cached = getattr(statement, "_reused_passages", None)
    if cached is None:
        cached = passages_for(statement)
        statement._reused_passages = cached
    return cached


def regions_for(statement: Statement) -> list[tuple[int, int, int]]:
    """``(start, end, number)`` per passage, numbered as the list after the text numbers them."""
    return [(p.start, p.end, n) for n, p in enumerate(_page_passages(statement), start=1)]


def passages_section(statement: Statement, request=None) -> str:
    """The "Agreed language" section: each passage, where it was first used, every reuse."""
    from django.template.loader import render_to_string

    return render_to_string("reuse/passages.html",
                            {"statement": statement, "passages": _page_passages(statement)},
                            request=request)
