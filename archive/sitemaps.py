"""sitemap.xml: every public page a crawler should know, published statements only."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, Q
from django.urls import reverse

from .models import Country, Event, Speaker, Statement, Status, Topic

_PUBLISHED = Status.PUBLISHED


class StatementSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Statement.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Statement):
        return item.updated_at


class _EntitySitemap(Sitemap):
    """An entity is listed once a published statement refers to it (as on the API)."""

    changefreq = "weekly"
    priority = 0.5
    limit = 5000

    def lastmod(self, item):
        return item.last_statement


class SpeakerSitemap(_EntitySitemap):
    def items(self):
        published = Q(statement_links__statement__status=_PUBLISHED)
        return (
            Speaker.objects.annotate(
                n=Count("statement_links", filter=published),
                last_statement=Max("statement_links__statement__updated_at", filter=published),
            )
            .filter(n__gt=0)
            .order_by("pk")
        )


class EventSitemap(_EntitySitemap):
    def items(self):
        published = Q(statements__status=_PUBLISHED)
        return (
            Event.objects.annotate(
                n=Count("statements", filter=published),
                last_statement=Max("statements__updated_at", filter=published),
            )
            .filter(n__gt=0)
            .order_by("pk")
        )


class CountrySitemap(_EntitySitemap):
    def items(self):
        published = Q(statements__status=_PUBLISHED)
        return (
            Country.objects.annotate(
                n=Count("statements", filter=published),
                last_statement=Max("statements__updated_at", filter=published),
            )
            .filter(n__gt=0)
            .order_by("pk")
        )


class TopicSitemap(_EntitySitemap):
    def items(self):
        published = Q(statements__status=_PUBLISHED)
        return (
            Topic.objects.annotate(
                n=Count("statements", filter=published),
                last_statement=Max("statements__updated_at", filter=published),
            )
            .filter(n__gt=0)
            .order_by("pk")
        )


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return [
            "archive:home",
            "archive:statement-list",
            "archive:speaker-list",
            "archive:event-list",
            "archive:country-list",
            "archive:topic-list",
            "archive:year-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "statements": StatementSitemap,
    "speakers": SpeakerSitemap,
    "events": EventSitemap,
    "countries": CountrySitemap,
    "topics": TopicSitemap,
}
