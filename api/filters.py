"""The statement filters of the API: parsed by a form, applied to a queryset, counted as facets.

The names and meanings are those of the search page (``q``, ``speaker``, ``event``,
``country``, ``topic``, ``kind``, ``language``, ``date_from``, ``date_to``), so that a URL's
query string means the same thing on ``/search/``, ``/api/statements/``, the search feed and
the exports.  Unknown slugs simply match nothing, as a facet value with no statements would.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from archive.models import (
    Country,
    Event,
    Kind,
    Language,
    Speaker,
    Statement,
    StatementSpeaker,
    Status,
    Topic,
)

FILTER_NAMES = ("speaker", "event", "country", "topic", "kind", "language", "date_from", "date_to")
ORDERINGS = {
    "-date": ("-delivered_on", "-id"),
    "date": ("delivered_on", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}
FACET_LIMIT = 20
MAX_TEXT = 200


class StatementFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, strip=True)
    speaker = forms.CharField(required=False, max_length=MAX_TEXT)
    event = forms.CharField(required=False, max_length=MAX_TEXT)
    country = forms.CharField(required=False, max_length=MAX_TEXT)
    topic = forms.CharField(required=False, max_length=MAX_TEXT)
    kind = forms.ChoiceField(required=False, choices=Kind.choices)
    language = forms.ChoiceField(required=False, choices=Language.choices)
    date_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    ordering = forms.ChoiceField(
        required=False, choices=[(key, key) for key in (*ORDERINGS, "relevance")]
    )

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()

    @property
    def is_filtered(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("q")) or any(data.get(name) for name in FILTER_NAMES)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


def apply_filters(queryset: QuerySet[Statement], data: dict) -> QuerySet[Statement]:
    """The statements of ``queryset`` that match every given filter (not ``q``)."""
    qs = queryset
    if data.get("speaker"):
        qs = qs.filter(statement_speakers__speaker__slug=data["speaker"])
    if data.get("event"):
        qs = qs.filter(event__slug=data["event"])
    if data.get("country"):
        qs = qs.filter(country__code=data["country"])
    if data.get("topic"):
        qs = qs.filter(topics__slug=data["topic"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("language"):
        qs = qs.filter(language=data["language"])
    return qs.between(data.get("date_from"), data.get("date_to"))


def order(queryset: QuerySet[Statement], ordering: str | None) -> QuerySet[Statement]:
    return queryset.order_by(*ORDERINGS.get(ordering or "-date", ORDERINGS["-date"]))


def facet_counts(matching: QuerySet[Statement]) -> dict[str, list[FacetValue]]:
    """Counts of the matching statements by each facet, the largest first (database path)."""
    ids = matching.order_by().values("pk")
    published = Q(status=Status.PUBLISHED, pk__in=ids)
    facets: dict[str, list[FacetValue]] = {}

    speakers = (
        StatementSpeaker.objects.filter(statement__in=Statement.objects.filter(published))
        .values("speaker__slug", "speaker__name")
        .annotate(n=Count("statement", distinct=True))
        .order_by("-n", "speaker__name")[:FACET_LIMIT]
    )
    facets["speaker"] = [
        FacetValue(row["speaker__slug"], row["speaker__name"], row["n"]) for row in speakers
    ]
    statements = Statement.objects.filter(published)
    facets["event"] = _grouped(statements, "event__slug", "event__name")
    facets["country"] = _grouped(statements, "country__code", "country__name")
    topics = (
        Topic.objects.filter(statements__in=statements)
        .values("slug", "name")
        .annotate(n=Count("statements", distinct=True))
        .order_by("-n", "name")[:FACET_LIMIT]
    )
    facets["topic"] = [FacetValue(row["slug"], row["name"], row["n"]) for row in topics]
    kinds = dict(Kind.choices)
    facets["kind"] = [
        FacetValue(row["kind"], str(kinds.get(row["kind"], row["kind"])), row["n"])
        for row in statements.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    languages = dict(Language.choices)
    facets["language"] = [
        FacetValue(row["language"], str(languages.get(row["language"], row["language"])), row["n"])
        for row in statements.values("language").annotate(n=Count("pk")).order_by("-n", "language")
    ]
    years = (
        statements.annotate(year=ExtractYear("delivered_on"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    facets["year"] = [FacetValue(str(row["year"]), str(row["year"]), row["n"]) for row in years]
    return facets


def _grouped(statements: QuerySet[Statement], value: str, label: str) -> list[FacetValue]:
    rows = (
        statements.exclude(**{f"{value}__isnull": True})
        .values(value, label)
        .annotate(n=Count("pk"))
        .order_by("-n", label)[:FACET_LIMIT]
    )
    return [FacetValue(row[value], row[label], row["n"]) for row in rows]


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
