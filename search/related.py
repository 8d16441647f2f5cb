""""Related statements" for a statement page: more like this, through the index."""

from __future__ import annotations

import logging

from haystack.query import SearchQuerySet

from archive.models import Statement

log = logging.getLogger(__name__)


def related_statements(statement: Statement, limit: int = 5) -> list[Statement]:
    """Up to ``limit`` published statements similar to ``statement`` (never itself).

    Search trouble (no index yet, a corrupt one) yields an empty list: the statement page
    must keep working without search.
    """
    if statement is None or statement.pk is None:
        return []
    limit = max(0, min(int(limit), 20))
    if not limit:
        return []
    try:
        hits = SearchQuerySet().more_like_this(statement)[: limit + 1]
        pks = [int(hit.pk) for hit in hits if int(hit.pk) != statement.pk]
    except Exception:
        log.warning("Related statements unavailable for %s", statement.pk, exc_info=True)
        return []
    found = Statement.objects.published().for_listing().in_bulk(pks)
    return [found[pk] for pk in pks if pk in found][:limit]
