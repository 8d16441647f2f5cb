"""sitemap.xml: every public page a crawler should know, published statements only."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from .models import Country, Event, Speaker, Statement, Status, Topic


class StatementSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Statement.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Statement):
        return item.updated_at


class _EntitySitemap(Sitemap):
    """An entity is listed once a published statement refers to it (``public()``), with the
    time its latest published statement changed."""

    changefreq = "weekly"
    priority = 0.5
    limit = 5000
    model = None

    def items(self):
        published = Q(statements__status=Status.PUBLISHED)
        return (
            self.model.objects.public()
            .annotate(last_statement=Max("statements__updated_at", filter=published))
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.last_statement


class SpeakerSitemap(_EntitySitemap):
    model = Speaker


class EventSitemap(_EntitySitemap):
    model = Event


class CountrySitemap(_EntitySitemap):
    model = Country


class TopicSitemap(_EntitySitemap):
    model = Topic


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
