"""Public browsing pages.  They read the database only; the search app owns the index.

Visibility rules, in one place:

* A draft statement is a 404 for the public.  Users with the ``archive.view_statement``
  permission (editors; never the staff flag alone) may open it to preview it, under a
  "Draft — not public" banner.  Every list of statements goes through
  ``Statement.objects.visible_to(user)``, so they see drafts (labelled) where the public
  sees nothing at all.
* Index pages and the home page's totals describe the public archive: they count published
  statements only, for everyone.
* Speakers, events and topics exist to hold statements; one that has no published statement
  yet (say, created for an embargoed draft) is a 404 for the public, so a draft cannot leak
  through the name of its speaker or event.  Countries are public reference data and always
  have a page.

Malformed filters (``?year=abc``, ``?kind=nonsense``) are a 400 with a message saying what
is accepted; a page number that does not exist is a 404, never silently clamped.

Each view runs a fixed number of queries whatever the number of rows (see
tests/test_pages.py): rows come from ``for_listing()``/``for_detail()``, counts from
annotations, and groupings are done in Python over one result set.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractYear, Lower, Substr
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import citations
from .models import (
    Country,
    Event,
    EventKind,
    Speaker,
    Statement,
    StatementSlugHistory,
    StatementSpeaker,
    Status,
    Topic,
    can_preview_drafts,
)

PER_PAGE = 20
EVENTS_PER_PAGE = 50
HOME_LATEST = 10
HOME_TOP = 8

_YEAR = re.compile(r"[0-9]{4}")


class InvalidFilter(ValueError):
    """A query-string filter the page cannot understand; shown to the reader as a 400."""


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None


# --- helpers ----------------------------------------------------------------------------


def _visible_statements(request: HttpRequest) -> QuerySet[Statement]:
    return Statement.objects.visible_to(request.user)


def _previews_drafts(request: HttpRequest) -> bool:
    return can_preview_drafts(request.user)


def _public_or_404(request: HttpRequest, statements: QuerySet[Statement], visible_count: int,
                   message: str) -> bool:
    """Whether a speaker, event or topic has a published statement; a 404 for the public if not.

    Those who may preview drafts still get the page (to check it before publication), with a
    notice; for the public the visible count already is the published count, so no extra
    query is made.
    """
    if not _previews_drafts(request):
        if not visible_count:
            raise Http404(message)
        return True
    return statements.published().exists()


class KeysFirstPaginator(Paginator):
    """Pages through primary keys, then loads only the rows of the page.

    A deep page (``?page=461`` of 9,207 statements) makes the database step over every row
    before it; stepping over a narrow index of keys is cheap, stepping over wide statement rows
    with their joins cost 1.7 s on SQLite (bench/README.md).
    """

    def __init__(self, queryset, per_page: int):
        self.rows = queryset
        super().__init__(queryset.values_list("pk", flat=True), per_page)

    def page(self, number) -> Page:
        page = super().page(number)
        keys = list(page.object_list)
        found = self.rows.in_bulk(keys)
        page.object_list = [found[key] for key in keys if key in found]
        return page


def paginate(request: HttpRequest, queryset, per_page: int = PER_PAGE) -> Page:
    """The requested page; a page that does not exist is a 404 rather than a clamp."""
    raw = request.GET.get("page", "").strip() or "1"
    paginator = KeysFirstPaginator(queryset, per_page)
    try:
        return paginator.page(raw)
    except InvalidPage:
        raise Http404(f"There is no page {raw[:20]!r} of this list.") from None


def parse_year(raw: str | None) -> int | None:
    """A four-digit year from the query string, None when absent; InvalidFilter otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not _YEAR.fullmatch(raw) or int(raw) < 1:
        raise InvalidFilter(_("The year must be written with four digits, for example 2022."))
    return int(raw)


def bad_request(request: HttpRequest, message: str, breadcrumbs: list[Crumb]) -> HttpResponse:
    return render(
        request,
        "archive/bad_request.html",
        {"message": message, "breadcrumbs": breadcrumbs},
        status=400,
    )


def _home_crumb() -> Crumb:
    return Crumb(_("Home"), reverse("archive:home"))


def _published_years() -> list[int]:
    # Distinct dates come straight from the (status, delivered_on) index; truncating every row
    # to its year in SQL cost 46 ms per list page on the UN corpus.
    dates = Statement.objects.published().order_by().values_list("delivered_on", flat=True)
    return sorted({d.year for d in dates.distinct()}, reverse=True)


def _folded(name: str) -> str:
    """A name without accents and case, so "Émile" files beside "Emil" rather than after "Z"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _initial(name: str) -> str:
    """The letter a name is filed under: accents folded, non-letters under "#"."""
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(ch):
            continue
        if ch.isalpha():
            return ch.upper()
        return "#"
    return "#"


# --- home -------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    published = Statement.objects.published()
    totals = published.aggregate(
        statements=Count("id", distinct=True),
        speakers=Count("statement_speakers__speaker", distinct=True),
        events=Count("event", distinct=True),
        countries=Count("country", distinct=True),
    )
    top_speakers = (
        Speaker.objects.public_with_counts()
        .order_by("-statement_count", Lower("name"))[:HOME_TOP]
    )
    top_events = (
        Event.objects.public_with_counts()
        .select_related("country")
        .order_by("-statement_count", "-start_date")[:HOME_TOP]
    )
    context = {
        "latest": published.for_listing().newest_first()[:HOME_LATEST],
        "totals": totals,
        "top_speakers": top_speakers,
        "top_events": top_events,
        "breadcrumbs": [Crumb(_("Home"))],
        "section": "home",
    }
    return render(request, "archive/home.html", context)


# --- statements -------------------------------------------------------------------------


@require_safe
def statement_list(request: HttpRequest) -> HttpResponse:
    crumbs = [_home_crumb(), Crumb(_("Statements"))]
    try:
        year = parse_year(request.GET.get("year"))
    except InvalidFilter as exc:
        return bad_request(request, str(exc), crumbs)
    statements = _visible_statements(request)
    if year is not None:
        statements = statements.in_year(year)
    page = paginate(request, statements.for_listing().newest_first())
    context = {
        "page": page,
        "year": year,
        "years": _published_years(),
        "breadcrumbs": crumbs,
        "section": "statements",
    }
    return render(request, "archive/statement_list.html", context)


@require_safe
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    visible = _visible_statements(request)
    statement = visible.for_detail().filter(slug=slug).first()
    if statement is None:
        # A permalink from before a change of title still leads to the statement.
        former = (
            StatementSlugHistory.objects.filter(old_slug=slug, statement__in=visible)
            .select_related("statement")
            .first()
        )
        if former is not None:
            return redirect(former.statement, permanent=True)
        raise Http404("No published statement has this address.")

    links = list(statement.statement_speakers.all())
    previous_statement = next_statement = None
    if links:
        # Neighbours in the first speaker's own record, in the same order as his or her page.
        same_speaker = visible.by_speaker(links[0].speaker_id).only(
            "title", "slug", "delivered_on", "status", "language"
        )
        older = Q(delivered_on__lt=statement.delivered_on) | Q(
            delivered_on=statement.delivered_on, pk__lt=statement.pk
        )
        newer = Q(delivered_on__gt=statement.delivered_on) | Q(
            delivered_on=statement.delivered_on, pk__gt=statement.pk
        )
        previous_statement = same_speaker.filter(older).order_by("-delivered_on", "-pk").first()
        next_statement = same_speaker.filter(newer).order_by("delivered_on", "pk").first()

    crumbs = [
        _home_crumb(),
        Crumb(_("Statements"), reverse("archive:statement-list")),
        Crumb(str(statement.delivered_on.year), reverse("archive:year-detail",
                                                        args=[statement.delivered_on.year])),
        Crumb(statement.title),
    ]
    # Its other language versions (drafts too, for staff, as everywhere on the site).
    versions = list(visible.versions_of(statement).only(
        "title", "slug", "language", "is_original", "status", "version_group"
    ))
    context = {
        "statement": statement,
        "versions": versions,
        "original": next((v for v in versions if v.is_original), None),
        "speaker_links": links,
        "topics": list(statement.topics.all()),
        "previous_statement": previous_statement,
        "next_statement": next_statement,
        # The permanent address has no language prefix; the page's own (canonical) address
        # is this language's.
        "permalink": _permalink(request, statement),
        "canonical_url": request.build_absolute_uri(statement.get_absolute_url()),
        "breadcrumbs": crumbs,
        "section": "statements",
    }
    return render(request, "archive/statement_detail.html", context)


# --- speakers ---------------------------------------------------------------------------


@require_safe
def speaker_list(request: HttpRequest) -> HttpResponse:
    speakers = (
        Speaker.objects.public_with_counts()
    )
    groups: OrderedDict[str, list[Speaker]] = OrderedDict()
    # By surname (Speaker.sort_name, kept by the services: "Al Qahtani" under Q, "de Gaulle"
    # under G); a record saved before the key existed falls back to its name.
    for speaker in sorted(speakers, key=lambda s: (s.sort_name or _folded(s.name), s.pk)):
        groups.setdefault(_initial(speaker.sort_name or speaker.name), []).append(speaker)
    # Latin letters first (A-Z), then other scripts, then names that start with a non-letter.
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "#", not item[0].isascii(),
                                                       item[0]))
    context = {
        "groups": ordered,
        "speaker_total": sum(len(members) for _, members in ordered),
        "breadcrumbs": [_home_crumb(), Crumb(_("Speakers"))],
        "section": "speakers",
    }
    return render(request, "archive/speaker_list.html", context)


@require_safe
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(Speaker.objects.select_related("country"), slug=slug)
    visible = _visible_statements(request)
    statements = visible.by_speaker(speaker).for_listing().newest_first()
    page = paginate(request, statements)
    is_public = _public_or_404(
        request, statements, page.paginator.count, "No published statement by this speaker."
    )
    roles = (
        StatementSpeaker.objects.filter(speaker=speaker, statement__in=visible)
        .values("role")
        .annotate(
            first=Min("statement__delivered_on"),
            last=Max("statement__delivered_on"),
            statement_count=Count("statement", distinct=True),
        )
        .order_by("first", "role")
    )
    events = (
        Event.objects.filter(pk__in=visible.by_speaker(speaker).values("event"))
        .select_related("country")
        .order_by("-start_date", "name")
    )
    context = {
        "speaker": speaker,
        "page": page,
        "is_public": is_public,
        "roles": roles,
        "events": events,
        "topics": _speaker_topics(visible.by_speaker(speaker)),
        "passages": _recent_passages(visible.by_speaker(speaker)),
        "breadcrumbs": [
            _home_crumb(),
            Crumb(_("Speakers"), reverse("archive:speaker-list")),
            Crumb(speaker.display_name),
        ],
        "section": "speakers",
    }
    return render(request, "archive/speaker_detail.html", context)


SPEAKER_TOPICS = 12
RECENT_PASSAGES = 3
PASSAGE_CHARS = 320


def _speaker_topics(statements: QuerySet[Statement]) -> list[dict]:
    """The topics of these statements, the most frequent first (one query)."""
    links = Statement.topics.through.objects.filter(statement__in=statements.values("pk"))
    return list(
        links.values("topic__slug", "topic__name")
        .annotate(statement_count=Count("statement", distinct=True))
        .order_by("-statement_count", Lower("topic__name"))[:SPEAKER_TOPICS]
    )


def _recent_passages(statements: QuerySet[Statement]) -> list[dict]:
    """The opening passage of the latest few statements, read without loading whole speeches."""
    rows = (
        statements.newest_first()
        .annotate(opening=Substr("body", 1, PASSAGE_CHARS * 2))
        .values("title", "slug", "delivered_on", "language", "status", "opening")[
            :RECENT_PASSAGES
        ]
    )
    passages = []
    for row in rows:
        first = row["opening"].split("\n\n", 1)[0].strip()
        if not first:
            continue
        passages.append(
            {
                **row,
                "text": Truncator(first).chars(PASSAGE_CHARS),
                "url": reverse("archive:statement-detail", args=[row["slug"]]),
                "is_published": row["status"] == Status.PUBLISHED,
            }
        )
    return passages


# --- events -----------------------------------------------------------------------------


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    crumbs = [_home_crumb(), Crumb(_("Events"))]
    kind = request.GET.get("kind", "").strip()
    series = request.GET.get("series", "").strip()
    if kind and kind not in EventKind.values:
        accepted = ", ".join(EventKind.values)
        return bad_request(
            request, _("Unknown kind of event. Accepted kinds: %(kinds)s.") % {"kinds": accepted},
            crumbs,
        )
    if any(ord(ch) < 32 for ch in series):
        # PostgreSQL refuses NUL in a string literal; no series name holds control characters.
        return bad_request(request, _("A series name cannot contain control characters."), crumbs)
    events = (
        Event.objects.public_with_counts()
        .select_related("country")
        .order_by("-start_date", "name", "pk")
    )
    if kind:
        events = events.filter(kind=kind)
    if series:
        events = events.filter(series=series)
    all_series = (
        Event.objects.public()
        .exclude(series="")
        .values_list("series", flat=True)
        .distinct()
        .order_by("series")
    )
    context = {
        "page": paginate(request, events, EVENTS_PER_PAGE),
        "kind": kind,
        "kind_label": EventKind(kind).label if kind else "",
        "kinds": EventKind.choices,
        "series": series,
        "all_series": all_series,
        "breadcrumbs": crumbs,
        "section": "events",
    }
    return render(request, "archive/event_list.html", context)


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("country"), slug=slug)
    at_event = _visible_statements(request).at_event(event)
    statements = list(
        at_event.for_listing().order_by(
            Lower("country__name").asc(nulls_last=True), "delivered_on", "pk"
        )
    )
    is_public = _public_or_404(
        request, at_event, len(statements), "No published statement was recorded at this event."
    )
    delegations: OrderedDict[Country | None, list[Statement]] = OrderedDict()
    for statement in statements:
        delegations.setdefault(statement.country, []).append(statement)
    context = {
        "event": event,
        "is_public": is_public,
        "delegations": list(delegations.items()),
        "statement_total": len(statements),
        "breadcrumbs": [
            _home_crumb(),
            Crumb(_("Events"), reverse("archive:event-list")),
            Crumb(event.short_name or event.name),
        ],
        "section": "events",
    }
    return render(request, "archive/event_detail.html", context)


# --- countries --------------------------------------------------------------------------


@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    countries = (
        Country.objects.public_with_counts()
        .order_by("name")
    )
    context = {
        "countries": countries,
        "breadcrumbs": [_home_crumb(), Crumb(_("Countries"))],
        "section": "countries",
    }
    return render(request, "archive/country_list.html", context)


@require_safe
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code.upper())
    statements = _visible_statements(request).for_country(country)
    years = (
        statements.published()
        .annotate(year=ExtractYear("delivered_on"))
        .values("year")
        .annotate(statement_count=Count("id"))
        .order_by("-year")
    )
    context = {
        "country": country,
        "page": paginate(request, statements.for_listing().newest_first()),
        "years": years,
        "canonical_url": request.build_absolute_uri(country.get_absolute_url()),
        "breadcrumbs": [
            _home_crumb(),
            Crumb(_("Countries"), reverse("archive:country-list")),
            Crumb(country.name),
        ],
        "section": "countries",
    }
    return render(request, "archive/country_detail.html", context)


# --- topics -----------------------------------------------------------------------------


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = (
        Topic.objects.public_with_counts()
        .order_by(Lower("name"))
    )
    context = {
        "topics": topics,
        "breadcrumbs": [_home_crumb(), Crumb(_("Topics"))],
        "section": "topics",
    }
    return render(request, "archive/topic_list.html", context)


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    statements = _visible_statements(request).about(topic).for_listing().newest_first()
    page = paginate(request, statements)
    is_public = _public_or_404(
        request,
        statements,
        page.paginator.count,
        "No published statement is filed under this topic.",
    )
    context = {
        "topic": topic,
        "page": page,
        "is_public": is_public,
        "breadcrumbs": [
            _home_crumb(),
            Crumb(_("Topics"), reverse("archive:topic-list")),
            Crumb(topic.name),
        ],
        "section": "topics",
    }
    return render(request, "archive/topic_detail.html", context)


# --- years ------------------------------------------------------------------------------


@require_safe
def year_list(request: HttpRequest) -> HttpResponse:
    years = (
        Statement.objects.published()
        .annotate(year=ExtractYear("delivered_on"))
        .values("year")
        .annotate(statement_count=Count("id"))
        .order_by("-year")
    )
    context = {
        "years": years,
        "breadcrumbs": [_home_crumb(), Crumb(_("Years"))],
        "section": "statements",
    }
    return render(request, "archive/year_list.html", context)


@require_safe
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    if year < 1:
        raise Http404("There is no year 0000.")
    statements = _visible_statements(request).in_year(year).for_listing().newest_first()
    page = paginate(request, statements)
    if page.paginator.count == 0:
        raise Http404(f"No published statement from {year}.")
    context = {
        "year": year,
        "page": page,
        "breadcrumbs": [
            _home_crumb(),
            Crumb(_("Years"), reverse("archive:year-list")),
            Crumb(str(year)),
        ],
        "section": "statements",
    }
    return render(request, "archive/year_detail.html", context)


# --- citations and discovery files ---------------------------------------------------

CITATION_FORMATS = {
    # format: (builder, content type, file extension)
    "bib": (citations.bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": (citations.ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "json": (citations.csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def published_statement_or_redirect(slug: str, route: str, **kwargs):
    """The published statement with this slug, a 301 from a former slug, or a 404."""
    statement = Statement.objects.published().for_detail().filter(slug=slug).first()
    if statement is not None:
        return statement, None
    former = (
        StatementSlugHistory.objects.filter(
            old_slug=slug, statement__in=Statement.objects.published()
        )
        .select_related("statement")
        .first()
    )
    if former is None:
        raise Http404("No published statement has this address.")
    url = reverse(route, kwargs={**kwargs, "slug": former.statement.slug})
    return None, HttpResponsePermanentRedirect(url)


def _permalink(request: HttpRequest, statement: Statement) -> str:
    with translation.override(None):
        return request.build_absolute_uri(statement.get_absolute_url())


@require_safe
def citation_download(request, slug: str, fmt: str):
    if fmt not in CITATION_FORMATS:
        raise Http404("Citations come as .bib, .ris or .json.")
    statement, redirect = published_statement_or_redirect(slug, "archive:cite", fmt=fmt)
    if redirect is not None:
        return redirect
    build, content_type, extension = CITATION_FORMATS[fmt]
    # One reference whatever the interface language: English labels, and the addresses
    # without a language prefix (the permalinks).
    with translation.override("en"):
        citation = citations.citation_for(
            statement,
            url=request.build_absolute_uri(statement.get_absolute_url()),
            accessed=timezone.localdate(),
            absolute=request.build_absolute_uri,
        )
        body = build(citation)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{extension}"'
    return response


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("discovery:sitemap"))},
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@cache_control(max_age=86400, public=True)
def opensearch(request):
    return render(
        request,
        "opensearch.xml",
        {"origin": request.build_absolute_uri("/").rstrip("/")},
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )
