"""Which speakers, events, countries and topics the API shows, and its text limits.

Statement filtering is the search page's (``api.search_results``); this module only decides
what is public among the records statements refer to.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from archive.models import Country, Event, Speaker, Status, Topic

MAX_TEXT = 200


# --- the entities ------------------------------------------------------------------------
# A speaker, event, topic or country is public once a published statement refers to it, so
# that a draft's speaker or event never shows through the API before the draft is published.


def public_speakers() -> QuerySet[Speaker]:
    return (
        Speaker.objects.select_related("country")
        .annotate(
            statement_count=Count(
                "statement_links",
                filter=Q(statement_links__statement__status=Status.PUBLISHED),
            )
        )
        .filter(statement_count__gt=0)
    )


def public_events() -> QuerySet[Event]:
    return (
        Event.objects.select_related("country")
        .with_statement_counts(published_only=True)
        .filter(statement_count__gt=0)
    )


def public_countries() -> QuerySet[Country]:
    return Country.objects.annotate(
        statement_count=Count("statements", filter=Q(statements__status=Status.PUBLISHED))
    ).filter(statement_count__gt=0)


def public_topics() -> QuerySet[Topic]:
    return Topic.objects.annotate(
        statement_count=Count("statements", filter=Q(statements__status=Status.PUBLISHED))
    ).filter(statement_count__gt=0)
