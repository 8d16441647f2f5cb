"""Names found whatever their accents: "Brasilia" finds the event in Brasília, "Marcic" the
speaker Marčić, and the accented form finds a name stored without accents.

The database's ``icontains`` compares characters as stored, on SQLite and PostgreSQL alike,
so field filters of the query box and autocomplete also look through the public entities'
names folded by ``search.text.fold_latin`` (the analysis the index uses).  The folded list of
each kind is kept per process for a minute, or until a row of that kind is added or removed;
whatever it finds is checked against the database again (still public, now), so a name that
has stopped being public is never offered.
"""

from __future__ import annotations

import threading
import time

from django.db.models import Count, Max

from archive.models import Country, Event, Speaker, Topic

from .text.fold import fold_latin

REFRESH_SECONDS = 60
_cache: dict[str, tuple[float, tuple, list[tuple[str, str, str]]]] = {}
_lock = threading.Lock()

# kind -> (queryset of public entities, key field, label field, the fields searched)
KINDS = {
    "speaker": (lambda: Speaker.objects.public(), "slug", "name",
                ("name", "name_ar", "name_latin", "aliases")),
    "event": (lambda: Event.objects.public(), "slug", "name",
              ("name", "short_name", "series", "city")),
    "country": (lambda: Country.objects.public(), "code", "name", ("name",)),
    "topic": (lambda: Topic.objects.public(), "slug", "name", ("name",)),
}


def _rows(kind: str) -> list[tuple[str, str, str]]:
    """(key, label, every searched field folded and joined) of each public entity."""
    queryset, key, label, fields = KINDS[kind]
    model = queryset().model
    stamp = tuple(model.objects.aggregate(n=Count("pk"), m=Max("pk")).values())
    now = time.monotonic()
    with _lock:
        cached = _cache.get(kind)
        if cached and cached[1] == stamp and now - cached[0] < REFRESH_SECONDS:
            return cached[2]
    rows = [
        (values[0], values[1], "\n".join(fold_latin(str(v or "")) for v in values[2:]))
        for values in queryset().values_list(key, label, *fields).order_by(label)
    ]
    with _lock:
        _cache[kind] = (now, stamp, rows)
    return rows


def matching(kind: str, term: str, *, limit: int) -> list[tuple[str, str]]:
    """(key, label) of public entities of ``kind`` whose folded names hold the folded term."""
    folded = fold_latin(term.strip())
    if not folded:
        return []
    found = []
    for key, label, haystack in _rows(kind):
        if folded in haystack:
            found.append((key, label))
            if len(found) >= limit:
                break
    if not found:
        return []
    queryset, key_field, _label, _fields = KINDS[kind]
    public = set(queryset().filter(**{f"{key_field}__in": [k for k, _ in found]})
                 .values_list(key_field, flat=True))
    return [(k, label) for k, label in found if k in public]


def more(kind: str, term: str, have: set[str], limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` matches (key, label) beyond the keys a caller already ``have``: what a
    database ``icontains`` missed only for the accents."""
    if limit <= 0:
        return []
    return [(key, label) for key, label in matching(kind, term, limit=limit + len(have))
            if key not in have][:limit]


def clear() -> None:
    with _lock:
        _cache.clear()
