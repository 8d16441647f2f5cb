"""The read-only JSON API: published statements and the speakers, events, countries and topics
they refer to.  Anonymous, throttled per address (see ``api.throttling``)."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from archive.models import EventKind, Kind, Language, Statement, StatementSlugHistory

from . import filters
from .serializers import (
    CountrySerializer,
    ErrorSerializer,
    EventSerializer,
    FacetsSerializer,
    SpeakerSerializer,
    StatementDetailSerializer,
    StatementSerializer,
    TopicSerializer,
)


def exception_handler(exc, context):
    """Every 4xx as ``{"detail": ..., "errors": {...}}`` so clients parse one shape."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"": response.data}
        response.data = {"detail": "Some parameters are not valid.", "errors": errors}
    return response


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is not valid."),
    404: OpenApiResponse(ErrorSerializer, description="No such record, or no such page."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; retry later."),
}
NOT_FOUND = {404: ERRORS[404], 429: ERRORS[429]}
_FREE_TEXT = {"type": "string", "maxLength": filters.MAX_TEXT, "pattern": r"^[^\x00]*$"}


def _param(name: str, description: str, schema: dict | None = None, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, schema or _FREE_TEXT, description=description, **kwargs)


STATEMENT_PARAMETERS = [
    _param(
        "q",
        "Words to search for in the title, text, speakers, event and topics, in the search "
        "page's query language. Results are then ordered by relevance unless `ordering` says "
        "otherwise.",
        {"type": "string", "maxLength": 500, "pattern": r"^[^\x00]*$"},
        examples=[OpenApiExample("words", value="border security")],
    ),
    _param("speaker", "A speaker's slug (as in `/api/speakers/`)."),
    _param("event", "An event's slug (as in `/api/events/`)."),
    _param("country", "The delegation's country code, e.g. `QAT` (as in `/api/countries/`)."),
    _param("topic", "A topic's slug (as in `/api/topics/`)."),
    _param("kind", "The kind of statement.", {"type": "string", "enum": Kind.values}),
    _param("language", "ISO 639-1 code.", {"type": "string", "enum": Language.values}),
    _param(
        "date_from",
        "Delivered on or after this date (YYYY-MM-DD).",
        {"type": "string", "format": "date"},
    ),
    _param(
        "date_to",
        "Delivered on or before this date (YYYY-MM-DD).",
        {"type": "string", "format": "date"},
    ),
    _param(
        "ordering",
        "`-date` (newest first, the default without `q`), `date`, `title`, `-title`, or "
        "`relevance` (the default with `q`; without `q` it means `-date`).",
        {"type": "string", "enum": [*filters.ORDERINGS, "relevance"]},
    ),
]


@extend_schema_serializer(many=False)
class StatementPage(serializers.Serializer):
    count = serializers.IntegerField(help_text="Statements matching the filters, in all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StatementSerializer(many=True)
    facets = FacetsSerializer(
        required=False,
        help_text="Counts per facet value over all matching statements; only present when "
        "`q` or a filter is given.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Published statements, newest first, filtered like the search page",
        parameters=STATEMENT_PARAMETERS,
        responses={200: StatementPage, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One published statement with its full text",
        description="A statement's former slug answers with a 301 to its current address.",
        responses={
            200: StatementDetailSerializer,
            301: OpenApiResponse(description="The slug changed; follow `Location`."),
            **NOT_FOUND,
        },
    ),
)
class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        statements = Statement.objects.published().for_detail()
        # A list row never shows the text: leave the largest columns in the database.
        return statements.defer("body", "original_text") if self.action == "list" else statements

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def list(self, request, *args, **kwargs):
        form = filters.StatementFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        data = form.cleaned_data
        matching = filters.apply_filters(self.get_queryset(), data)
        if data.get("q"):
            # Full-text search belongs to the search app; see the README ("JSON API").
            raise ValidationError({"q": ["Full-text search through the API is not available yet."]})
        page = self.paginate_queryset(filters.order(matching, data.get("ordering")))
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if form.is_filtered:
            facets = filters.facet_counts(matching)
            response.data["facets"] = {
                name: [vars(value) for value in values] for name, values in facets.items()
            }
        return response

    def retrieve(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        statement = self.get_queryset().filter(slug=slug).first()
        if statement is None:
            former = (
                StatementSlugHistory.objects.filter(
                    old_slug=slug, statement__in=Statement.objects.published()
                )
                .select_related("statement")
                .first()
            )
            if former is None:
                raise NotFound("No published statement has this slug.")
            return HttpResponsePermanentRedirect(
                reverse("api:statement-detail", args=[former.statement.slug])
            )
        return Response(self.get_serializer(statement).data)


@extend_schema_view(
    list=extend_schema(
        summary="Speakers of published statements",
        parameters=[_param("country", "Only speakers from this country code, e.g. `QAT`.")],
        responses={200: SpeakerSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="One speaker", responses={200: SpeakerSerializer, **NOT_FOUND}),
)
class SpeakerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SpeakerSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        qs = filters.public_speakers().order_by("name", "id")
        if self.action == "list":
            country = _text_param(self.request, "country")
            if country:
                qs = qs.filter(country__code=country.upper())
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Events at which published statements were made",
        parameters=[
            _param("kind", "The kind of event.", {"type": "string", "enum": EventKind.values}),
            _param("country", "Only events hosted in this country code."),
            _param(
                "year",
                "Only events that started in this year.",
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ),
        ],
        responses={200: EventSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="One event", responses={200: EventSerializer, **NOT_FOUND}),
)
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        qs = filters.public_events().order_by("-start_date", "name", "id")
        if self.action != "list":
            return qs
        kind = _text_param(self.request, "kind")
        if kind:
            if kind not in EventKind.values:
                raise ValidationError({"kind": [f"Choose one of {', '.join(EventKind.values)}."]})
            qs = qs.filter(kind=kind)
        country = _text_param(self.request, "country")
        if country:
            qs = qs.filter(country__code=country.upper())
        year = _text_param(self.request, "year")
        if year:
            if not (year.isascii() and year.isdigit() and 1 <= int(year) <= 9999):
                raise ValidationError({"year": ["Give a year from 1 to 9999."]})
            qs = qs.filter(start_date__year=int(year))
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Countries and organisations with published statements",
        responses={200: CountrySerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One country or organisation",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="ISO 3166-1 alpha-3, a historical code or EU."),
        ],
        responses={200: CountrySerializer, **NOT_FOUND},
    ),
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z]{2,3}"

    def get_queryset(self):
        return filters.public_countries().order_by("name", "code")

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


@extend_schema_view(
    list=extend_schema(
        summary="Topics of published statements",
        responses={200: TopicSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="One topic", responses={200: TopicSerializer, **NOT_FOUND}),
)
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TopicSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return filters.public_topics().order_by("name", "id")


def _text_param(request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > filters.MAX_TEXT or "\x00" in value:
        raise ValidationError({name: [f"At most {filters.MAX_TEXT} characters, no NUL."]})
    return value
