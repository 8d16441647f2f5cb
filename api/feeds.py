"""Every Atom feed of the archive: the latest statements, those of one speaker, event,
country or topic, and those of any search.  Following a feed is the archive's alert: a reader
sees each statement once it is published, so entries come in the order they were published in
the archive, not by the date the statement was made.  Published statements only; a speaker,
event, country or topic is a 404 until a published statement refers to it.

Each entry carries what a reader of the statement needs beside its title: every speaker as an
author, the statement's own language (``xml:lang``), and its date and place, both as Dublin
Core terms (``dcterms:created``, ``dcterms:spatial``) and at the head of the summary.  The
generator drops characters XML cannot carry, so no stored text can break a feed.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from archive.bidi import isolate
from archive.models import Country, Event, Speaker, Statement, Topic
from search import request as search_request
from search.errors import BadSearchRequest, SearchUnavailable

from .throttling import throttled_response

FEED_ITEMS = 30
SITE_NAME = "Diplomatic Statements Archive"
DCTERMS = "http://purl.org/dc/terms/"
# XML 1.0 has no way to write these (not even as character references): C0 controls but tab,
# line feed and carriage return, UTF-16 surrogates, U+FFFE and U+FFFF.  The other Unicode
# non-characters are legal XML but never text.
_NOT_XML = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17))
    + "]"
)


def xml_text(value) -> str:
    """``value`` as text XML can carry: a control character (Word's line break, a unit
    separator...) made a space, the non-characters dropped.  Clean text is returned as it is."""
    text = str(value)
    if not _NOT_XML.search(text):
        return text
    text = _NOT_XML.sub(lambda m: " " if m.group() < " " else "", text)
    return re.sub(r" {2,}", " ", text).strip()


class _XMLTextGenerator(SimplerXMLGenerator):
    # Django's generator raises on a control character (a 500 for the whole feed) and writes
    # U+FFFE as it is (malformed XML under a 200); every text and attribute passes here.
    def characters(self, content):
        super().characters(xml_text(content) if content else content)

    def startElement(self, name, attrs):
        super().startElement(name, {k: xml_text(v) for k, v in (attrs or {}).items()})


class StatementAtomFeed(Atom1Feed):
    """Atom with several authors, the entry's language, its date and place, and its other
    language versions as ``<link rel="alternate" hreflang="..">`` (RFC 4287, 4.2.7)."""

    origin = ""  # the site's scheme and host, set per request before the feed is written

    def write(self, outfile, encoding):
        handler = _XMLTextGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:dcterms": DCTERMS}

    def item_attributes(self, item):
        language = item.get("language")
        return {"xml:lang": language} if language else {}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        if item.get("delivered_on"):
            handler.addQuickElement("dcterms:created", item["delivered_on"].isoformat())
        if item.get("place"):
            handler.addQuickElement("dcterms:spatial", item["place"])
        for version in item.get("versions", ()):
            handler.addQuickElement("link", "", {
                "rel": "alternate", "type": "text/html", "hreflang": version["language"],
                "title": version["title"], "href": self.origin + version["path"],
            })


class StatementFeed(Feed):
    """Shared item rendering; subclasses choose the statements and the feed's name."""

    feed_type = StatementAtomFeed
    author_name = SITE_NAME

    def base_queryset(self):
        # Newest in the archive first: a statement entered today about a meeting years ago
        # must still reach the top, where a feed reader looks for what is new.
        return (
            Statement.objects.published().for_detail().with_versions()
            .order_by("-published_at", "-id")
        )

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.origin = request.build_absolute_uri("/").rstrip("/")
        return feed

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
        heading = " · ".join(filter(None, [date_format(item.delivered_on, "j F Y"),
                                           _place(item)]))
        return escape(f"{heading} — {Truncator(summary).words(80)}")

    def item_link(self, item: Statement) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Statement):
        return item.published_at

    def item_updateddate(self, item: Statement):
        return item.updated_at

    def item_extra_kwargs(self, item: Statement) -> dict:
        # One <author> per speaker (Atom allows several; the framework writes one), else the
        # delegation; an entry without either takes the feed's author, the archive.
        names = [link.speaker.name_with_other_scripts for link in item.statement_speakers.all()]
        if not names and item.country:
            names = [item.country.name]
        return {
            "authors": names,
            "language": item.language,
            "delivered_on": item.delivered_on,
            "place": _place(item),
            "versions": [
                {"language": v.language, "title": v.title, "path": v.get_absolute_url()}
                for v in item.published_versions
            ],
        }

    def item_categories(self, item: Statement) -> list[str]:
        return [topic.name for topic in item.topics.all()]


def _place(item: Statement) -> str:
    return item.event.place if item.event else ""


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
        return f"Statements by {isolate(obj.name)} · {SITE_NAME}"

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
        return f"Statements at {isolate(obj.name)} · {SITE_NAME}"

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
        return f"Statements of {isolate(obj.name)} · {SITE_NAME}"

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
        return f"Statements about {isolate(obj.name)} · {SITE_NAME}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Topic) -> str:
        return reverse("api:feed-topic", args=[obj.slug])


class SearchFeed(StatementFeed):
    """A search as Atom: its matches added to the archive last, first, like every feed here
    (``search.request.latest_added``), so a reader sees each new match even when the speech
    it records is old."""

    def get_object(self, request):
        return search_request.read_request(request.GET)

    def statements(self, obj):
        return []

    def items(self, obj: search_request.SearchRequest):
        return search_request.latest_added(obj, limit=search_request.PAGE_SIZE, with_body=True)

    def title(self, obj: search_request.SearchRequest) -> str:
        words = obj.q.strip()
        described = f"“{isolate(words[:80])}”" if words else "all statements"
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
