"""Atom feeds of published statements: the latest, and those of one speaker, event, country or
topic.  Following a feed is the archive's alert: a reader sees each statement once it is
published.  (The feed of a search lives with the search-dependent views in ``api``.)"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator

from .models import Country, Event, Speaker, Statement, Status, Topic

FEED_ITEMS = 30
SITE_NAME = "Diplomatic Statements Archive"


class StatementFeed(Feed):
    """Shared item rendering; subclasses choose the statements and the feed's name."""

    feed_type = Atom1Feed
    author_name = SITE_NAME

    def base_queryset(self):
        return Statement.objects.published().for_detail().newest_first()

    def items(self, obj=None):
        return self.statements(obj)[:FEED_ITEMS]

    def statements(self, obj):
        return self.base_queryset()

    def item_title(self, item: Statement) -> str:
        return item.title

    def item_description(self, item: Statement) -> str:
        # Atom's <summary type="html"> is read as HTML once the XML is unescaped, so the
        # stored plain text is HTML-escaped here (the framework only escapes it for XML).
        summary = item.summary or (item.paragraphs[0] if item.paragraphs else "")
        return escape(Truncator(summary).words(80))

    def item_link(self, item: Statement) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.updated_at

    def item_author_name(self, item: Statement) -> str:
        names = [link.speaker.name for link in item.statement_speakers.all()]
        return ", ".join(names) or (item.country.name if item.country else SITE_NAME)

    def item_categories(self, item: Statement) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class LatestStatementsFeed(StatementFeed):
    title = f"Latest statements · {SITE_NAME}"
    subtitle = "The most recent published statements in the archive."

    def link(self) -> str:
        return reverse("archive:home")

    def feed_url(self) -> str:
        return reverse("reuse:feed-latest")


def _published_refers(relation: str) -> Q:
    return Q(**{f"{relation}__status": Status.PUBLISHED})


class SpeakerFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Speaker:
        # Only someone with a published statement has a public feed: no draft leaks through.
        speakers = Speaker.objects.annotate(
            n=Count("statement_links", filter=_published_refers("statement_links__statement"))
        )
        return get_object_or_404(speakers.filter(n__gt=0), slug=slug)

    def statements(self, obj: Speaker):
        return self.base_queryset().by_speaker(obj)

    def title(self, obj: Speaker) -> str:
        return f"Statements by {obj.name} · {SITE_NAME}"

    def link(self, obj: Speaker) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Speaker) -> str:
        return reverse("reuse:feed-speaker", args=[obj.slug])


class EventFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Event:
        events = Event.objects.with_statement_counts(published_only=True)
        return get_object_or_404(events.filter(statement_count__gt=0), slug=slug)

    def statements(self, obj: Event):
        return self.base_queryset().at_event(obj)

    def title(self, obj: Event) -> str:
        return f"Statements at {obj.name} · {SITE_NAME}"

    def link(self, obj: Event) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Event) -> str:
        return reverse("reuse:feed-event", args=[obj.slug])


class CountryFeed(StatementFeed):
    def get_object(self, request, code: str) -> Country:
        if not re.fullmatch(r"[A-Za-z]{2,3}", code):
            raise Http404("Country codes have two or three letters.")
        countries = Country.objects.annotate(
            n=Count("statements", filter=_published_refers("statements"))
        )
        return get_object_or_404(countries.filter(n__gt=0), code=code.upper())

    def statements(self, obj: Country):
        return self.base_queryset().for_country(obj)

    def title(self, obj: Country) -> str:
        return f"Statements of {obj.name} · {SITE_NAME}"

    def link(self, obj: Country) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Country) -> str:
        return reverse("reuse:feed-country", args=[obj.code])


class TopicFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Topic:
        topics = Topic.objects.annotate(
            n=Count("statements", filter=_published_refers("statements"))
        )
        return get_object_or_404(topics.filter(n__gt=0), slug=slug)

    def statements(self, obj: Topic):
        return self.base_queryset().about(obj)

    def title(self, obj: Topic) -> str:
        return f"Statements about {obj.name} · {SITE_NAME}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Topic) -> str:
        return reverse("reuse:feed-topic", args=[obj.slug])


def feed_url_for(obj) -> str:
    """The feed of a speaker, event, country or topic (for ``<link rel="alternate">``)."""
    if isinstance(obj, Speaker):
        return reverse("reuse:feed-speaker", args=[obj.slug])
    if isinstance(obj, Event):
        return reverse("reuse:feed-event", args=[obj.slug])
    if isinstance(obj, Country):
        return reverse("reuse:feed-country", args=[obj.code])
    if isinstance(obj, Topic):
        return reverse("reuse:feed-topic", args=[obj.slug])
    raise TypeError(f"No feed for {type(obj).__name__}")
