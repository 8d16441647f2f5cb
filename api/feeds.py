"""Every Atom feed of the archive: the latest statements, those of one speaker, event,
country or topic, and those of any search.  Following a feed is the archive's alert: a
reader sees each statement once it is published.  Published statements only; a speaker,
event, country or topic is a 404 until a published statement refers to it."""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from archive.models import Country, Event, Speaker, Statement, Topic
from search import request as search_request
from search.errors import BadSearchRequest, SearchUnavailable

from .throttling import throttled_response

FEED_ITEMS = 30
SITE_NAME = "Diplomatic Statements Archive"


class VersionsAtomFeed(Atom1Feed):
    """Atom with each entry's other language versions as ``<link rel="alternate"
    hreflang="..">`` (RFC 4287, 4.2.7): a reader of the feed finds the translation."""

    origin = ""  # the site's scheme and host, set per request before the feed is written

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for version in item.get("versions", ()):
            handler.addQuickElement("link", "", {
                "rel": "alternate", "type": "text/html", "hreflang": version["language"],
                "title": version["title"], "href": self.origin + version["path"],
            })


class StatementFeed(Feed):
    """Shared item rendering; subclasses choose the statements and the feed's name."""

    feed_type = VersionsAtomFeed
    author_name = SITE_NAME

    def base_queryset(self):
        return Statement.objects.published().for_detail().with_versions().newest_first()

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.origin = request.build_absolute_uri("/").rstrip("/")
        return feed

    def item_extra_kwargs(self, item: Statement) -> dict:
        return {"versions": [
            {"language": v.language, "title": v.title, "path": v.get_absolute_url()}
            for v in item.published_versions
        ]}

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
        names = [link.speaker.name_with_other_scripts for link in item.statement_speakers.all()]
        return ", ".join(names) or (item.country.name if item.country else SITE_NAME)

    def item_categories(self, item: Statement) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class LatestStatementsFeed(StatementFeed):
    title = f"Latest statements · {SITE_NAME}"
    subtitle = "The most recent published statements in the archive."

    def link(self) -> str:
        return reverse("archive:home")

    def feed_url(self) -> str:
        return reverse("api:feed-latest")


class SpeakerFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Speaker:
        # Only someone with a published statement has a public feed: no draft leaks through.
        return get_object_or_404(Speaker.objects.public(), slug=slug)

    def statements(self, obj: Speaker):
        return self.base_queryset().by_speaker(obj)

    def title(self, obj: Speaker) -> str:
        return f"Statements by {obj.name} · {SITE_NAME}"

    def link(self, obj: Speaker) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Speaker) -> str:
        return reverse("api:feed-speaker", args=[obj.slug])


class EventFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Event:
        return get_object_or_404(Event.objects.public(), slug=slug)

    def statements(self, obj: Event):
        return self.base_queryset().at_event(obj)

    def title(self, obj: Event) -> str:
        return f"Statements at {obj.name} · {SITE_NAME}"

    def link(self, obj: Event) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Event) -> str:
        return reverse("api:feed-event", args=[obj.slug])


class CountryFeed(StatementFeed):
    def get_object(self, request, code: str) -> Country:
        if not re.fullmatch(r"[A-Za-z]{2,3}", code):
            raise Http404("Country codes have two or three letters.")
        return get_object_or_404(Country.objects.public(), code=code.upper())

    def statements(self, obj: Country):
        return self.base_queryset().for_country(obj)

    def title(self, obj: Country) -> str:
        return f"Statements of {obj.name} · {SITE_NAME}"

    def link(self, obj: Country) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Country) -> str:
        return reverse("api:feed-country", args=[obj.code])


class TopicFeed(StatementFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic.objects.public(), slug=slug)

    def statements(self, obj: Topic):
        return self.base_queryset().about(obj)

    def title(self, obj: Topic) -> str:
        return f"Statements about {obj.name} · {SITE_NAME}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Topic) -> str:
        return reverse("api:feed-topic", args=[obj.slug])


class SearchFeed(StatementFeed):
    """The first page of a search, as Atom.  The search page links it with ``sort=newest``
    so that a feed reader sees each new match."""

    def get_object(self, request):
        return search_request.read_request(request.GET)

    def statements(self, obj):
        return []

    def items(self, obj: search_request.SearchRequest):
        return list(
            search_request.iter_statements(obj, limit=search_request.PAGE_SIZE, with_body=True)
        )

    def title(self, obj: search_request.SearchRequest) -> str:
        words = obj.q.strip()
        described = f"“{words[:80]}”" if words else "all statements"
        facets = [
            f"{name}: {', '.join(values)}"
            for name, values in obj.selected.items()
        ]
        return f"Search {described}" + (f" ({'; '.join(facets)})" if facets else "")

    def link(self, obj: search_request.SearchRequest) -> str:
        query = obj.params.urlencode()
        return reverse("search:search") + (f"?{query}" if query else "")

    def feed_url(self, obj: search_request.SearchRequest) -> str:
        query = obj.params.urlencode()
        return reverse("api:search-feed") + (f"?{query}" if query else "")


_search_feed = SearchFeed()


@require_safe
def search_feed(request):
    if (refused := throttled_response(request)) is not None:
        return refused
    try:
        return _search_feed(request)
    except BadSearchRequest as exc:
        return _plain(str(exc), 400)
    except SearchUnavailable:
        response = _plain("Search is unavailable for a moment; try again shortly.", 503)
        response["Retry-After"] = "60"
        return response


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
