"""What a page says about itself to other programs: JSON-LD, OpenGraph, feed links, and the
"Cite this" box.

Pages put ``{% include "includes/page_meta.html" with object=speaker %}`` in their
``extra_head`` block and ``{% cite_box statement %}`` on a statement page.
"""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from archive import bidi, citations
from archive.models import Country, Event, Speaker, Statement, Topic

register = template.Library()

# The characters json_script escapes: inside <script>, "</script>" or "<!--" in a stored
# title would otherwise end the element or change how the HTML parser reads it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SCHEMA_ORG = "https://schema.org"


@register.filter
def ld_json(value) -> SafeString:
    """``value`` as a ``<script type="application/ld+json">``, escaped like ``json_script``."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _country(country: Country | None) -> dict | None:
    return {"@type": "Country", "name": country.name} if country else None


def _place(event: Event) -> dict | None:
    if not (event.city or event.country):
        return None
    address = {"@type": "PostalAddress"}
    if event.city:
        address["addressLocality"] = event.city
    if event.country:
        address["addressCountry"] = event.country.name
    return {"@type": "Place", "name": event.place, "address": address}


def event_data(event: Event, request) -> dict:
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        "name": event.name,
        "startDate": event.start_date,
        "url": _absolute(request, event.get_absolute_url()),
    }
    if event.end_date:
        data["endDate"] = event.end_date
    if place := _place(event):
        data["location"] = place
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser}
    return data


def speaker_data(speaker: Speaker, request) -> dict:
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Person",
        "name": speaker.name,
        "url": _absolute(request, speaker.get_absolute_url()),
    }
    if speaker.honorific:
        data["honorificPrefix"] = speaker.honorific
    if speaker.alias_list or speaker.other_names:
        data["alternateName"] = [*speaker.other_names, *speaker.alias_list]
    return data


def statement_data(statement: Statement, request) -> dict:
    """schema.org has no Speech type: a statement is a CreativeWork whose genre says which."""
    data = {
        "@context": SCHEMA_ORG,
        "@type": "CreativeWork",
        "genre": statement.get_kind_display(),
        "name": statement.title,
        "headline": Truncator(statement.title).chars(110),
        # A statement is made public the day it is delivered; when the archive took it in is
        # the date of this description of it, not of the work.
        "dateCreated": statement.delivered_on,
        "datePublished": statement.delivered_on,
        "inLanguage": statement.language,
        "url": _absolute(request, statement.get_absolute_url()),
    }
    if statement.published_at:
        data["sdDatePublished"] = statement.published_at
    authors = []
    for link in statement.statement_speakers.all():
        person = {
            "@type": "Person",
            "name": link.speaker.name,
            "url": _absolute(request, link.speaker.get_absolute_url()),
        }
        if link.role:
            person["jobTitle"] = link.role
        authors.append(person)
    if authors:
        data["author"] = authors
    if statement.summary:
        data["abstract"] = statement.summary
    if country := _country(statement.country):
        data["countryOfOrigin"] = country
    if statement.event:
        event = event_data(statement.event, request)
        del event["@context"]
        data["recordedAt"] = event
    topics = list(statement.topics.all())
    if topics:
        data["about"] = [
            {
                "@type": "Thing",
                "name": topic.name,
                "url": _absolute(request, topic.get_absolute_url()),
            }
            for topic in topics
        ]
        data["keywords"] = [topic.name for topic in topics]
    if statement.source_name:
        data["sourceOrganization"] = {"@type": "Organization", "name": statement.source_name}
    versions = statement.published_versions
    if versions:
        def work(version):
            return {"@type": "CreativeWork", "name": version.title,
                    "inLanguage": version.language,
                    "url": _absolute(request, version.get_absolute_url())}

        # schema.org relates a translation and its original; versions whose original is
        # not known are left unrelated here (the page links them).
        original = next((v for v in versions if v.is_original), None)
        if original is not None:
            data["translationOfWork"] = work(original)
        elif statement.is_original:
            data["workTranslation"] = [work(v) for v in versions]
    return data


@register.simple_tag(takes_context=True)
def jsonld(context, obj) -> SafeString:
    """The schema.org description of a statement, event or speaker page ("" otherwise)."""
    request = context.get("request")
    if isinstance(obj, Statement):
        return ld_json(statement_data(obj, request))
    if isinstance(obj, Event):
        return ld_json(event_data(obj, request))
    if isinstance(obj, Speaker):
        return ld_json(speaker_data(obj, request))
    return mark_safe("")


@register.inclusion_tag("includes/opengraph.html", takes_context=True)
def opengraph(context, obj) -> dict:
    request = context.get("request")
    og = {"type": "website", "title": str(obj), "description": ""}
    if isinstance(obj, Statement):
        og["type"] = "article"
        og["description"] = obj.summary or (obj.paragraphs[0] if obj.paragraphs else "")
        og["published_time"] = obj.delivered_on
    elif isinstance(obj, Event):
        og["description"] = ", ".join(filter(None, [obj.place, str(obj.start_date.year)]))
    elif isinstance(obj, Speaker):
        og["type"] = "profile"
    og["url"] = _absolute(request, obj.get_absolute_url())
    og["description"] = Truncator(og["description"]).words(50)
    return {"og": og}


def _isolated(name: str) -> str:
    """A name inside a sentence of the interface language, isolated when it is written in
    the other direction (FSI/PDI: these sentences are plain text, in attributes too)."""
    return bidi.isolate(name, "rtl" if translation.get_language_bidi() else "ltr")


@register.simple_tag
def feed_link(obj=None) -> SafeString:
    """``<link rel="alternate">`` to the Atom feed of a speaker, event, country or topic,
    or to the latest statements when ``obj`` is None."""
    if obj is None:
        return format_html(
            '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
            _("Latest statements"),
            reverse("api:feed-latest"),
        )
    if not isinstance(obj, (Speaker, Event, Country, Topic)):
        return mark_safe("")
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        _("Statements: %(name)s") % {"name": _isolated(str(obj))},
        feed_url_for(obj),
    )


# The feeds are served by the api app (with the feed of a search); linked here by URL name.
_FEEDS = {Speaker: "api:feed-speaker", Event: "api:feed-event", Topic: "api:feed-topic"}


def feed_url_for(obj) -> str:
    """The Atom feed of a speaker, event, country or topic."""
    if isinstance(obj, Country):
        return reverse("api:feed-country", args=[obj.code])
    return reverse(_FEEDS[type(obj)], args=[obj.slug])


@register.inclusion_tag("includes/follow.html", takes_context=True)
def follow(context, obj) -> dict:
    """A visible "Follow" for a speaker, event, country or topic page: its Atom feed, and a
    form for email alerts when the alerts app is installed (its URL is reversed by name, so
    the archive imports nothing of it)."""
    if isinstance(obj, Speaker):
        what = _("by %(name)s") % {"name": _isolated(obj.display_name)}
        criterion = ("speaker", obj.slug)
    elif isinstance(obj, Event):
        what = _("made at %(name)s") % {"name": _isolated(obj.short_name or obj.name)}
        criterion = ("event", obj.slug)
    elif isinstance(obj, Country):
        what = _("by the delegation of %(name)s") % {"name": _isolated(obj.name)}
        criterion = ("country", obj.code)
    elif isinstance(obj, Topic):
        what = _("on %(name)s") % {"name": _isolated(obj.name)}
        criterion = ("topic", obj.slug)
    else:
        return {}
    try:
        alert_url = reverse("alerts:subscribe")
    except NoReverseMatch:
        alert_url = None
    return {
        "feed_url": feed_url_for(obj), "what": what, "alert_url": alert_url,
        "alert_name": criterion[0], "alert_value": criterion[1],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("citations/cite_box.html", takes_context=True)
def cite_box(context, statement: Statement) -> dict:
    request = context.get("request")
    # The reference is in English whatever the interface language (as the downloads are),
    # and cites the permalinks, which carry no language prefix.
    with translation.override("en"):
        citation = citations.citation_for(
            statement,
            url=_absolute(request, statement.get_absolute_url()),
            accessed=timezone.localdate(),
            absolute=lambda path: _absolute(request, path),
        )
    return {
        "citation_text": citations.formatted_html(citation),
        "downloads": [
            (label, reverse("archive:cite", args=[statement.slug, fmt]))
            for label, fmt in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))
        ],
    }
