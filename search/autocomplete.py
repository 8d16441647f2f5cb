"""Suggestions for the search box: speakers, events, countries and topics.

Database only (cheap and exact), and only entities with at least one published statement,
so a draft's speaker or topic never shows up.  Bounded: short input is ignored, and each
kind returns a handful of rows.
"""

from __future__ import annotations

from django.db.models import Q

from archive.models import Country, Event, Speaker, Topic

from . import folded_names
from .parsing import clean_text
from .request import url_with

KINDS = ("speaker", "event", "country", "topic")
PER_KIND = 6
MIN_CHARS = 2
MAX_CHARS = 100


def suggest(term: str, kinds=KINDS) -> list[dict]:
    term = clean_text(term)[:MAX_CHARS]
    if len(term) < MIN_CHARS:
        return []
    out: list[dict] = []
    if "speaker" in kinds:
        qs = (
            Speaker.objects.filter(
                Q(name__icontains=term) | Q(name_ar__icontains=term)
                | Q(name_latin__icontains=term) | Q(aliases__icontains=term)
            )
            .public()
            .values_list("slug", "name")
            .order_by("name")[:PER_KIND]
        )
        out += _with_folded("speaker", term, [_row("speaker", slug, name) for slug, name in qs])
    if "event" in kinds:
        qs = (
            Event.objects.filter(
                Q(name__icontains=term) | Q(short_name__icontains=term) | Q(city__icontains=term)
            )
            .public()
            .values_list("slug", "name")
            .order_by("name")[:PER_KIND]
        )
        out += _with_folded("event", term, [_row("event", slug, name) for slug, name in qs])
    if "country" in kinds:
        qs = (
            Country.objects.filter(Q(name__icontains=term) | Q(code__iexact=term))
            .public()
            .values_list("code", "name")
            .order_by("name")[:PER_KIND]
        )
        out += _with_folded("country", term, [_row("country", code, name) for code, name in qs])
    if "topic" in kinds:
        qs = (
            Topic.objects.filter(name__icontains=term)
            .public()
            .values_list("slug", "name")
            .order_by("name")[:PER_KIND]
        )
        out += _with_folded("topic", term, [_row("topic", slug, name) for slug, name in qs])
    return out


def _row(kind: str, key: str, label: str) -> dict:
    from django.http import QueryDict
    from django.urls import reverse

    qd = QueryDict(mutable=True)
    return {
        "type": kind,
        "value": key,
        "label": label,
        "url": reverse("search:search") + url_with(qd, set_=(kind, key)),
    }


def _with_folded(kind: str, term: str, rows: list[dict]) -> list[dict]:
    """The database's matches, then those found only with accents folded ("Brasilia")."""
    extra = folded_names.more(kind, term, {row["value"] for row in rows}, PER_KIND - len(rows))
    return rows + [_row(kind, key, label) for key, label in extra]
