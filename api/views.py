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
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from archive.models import (
    Country,
    Event,
    EventKind,
    Kind,
    Language,
    Speaker,
    Statement,
    StatementSlugHistory,
    Topic,
)
from config.middleware import TEXT_PARAMETER_PATTERN
from reuse.selectors import passages_for
from search import request as search_request
from search.errors import BadSearchRequest, SearchUnavailable

from .serializers import (
    CountrySerializer,
    ErrorSerializer,
    EventSerializer,
    FacetsSerializer,
    ReuseSerializer,
    SpeakerSerializer,
    StatementDetailSerializer,
    StatementSerializer,
    TopicSerializer,
)

MAX_TEXT = 200


class BadRequest(APIException):
    status_code = 400
    default_detail = "The request is not valid."
    default_code = "bad_request"

    def __init__(self, detail=None, errors=None):
        super().__init__(detail)
        self.errors = errors or {}


class ServiceUnavailable(APIException):
    status_code = 503
    default_detail = "Search is unavailable for a moment; try again shortly."
    default_code = "search_unavailable"


def exception_handler(exc, context):
    """Every 4xx as ``{"detail": ..., "errors": {...}}`` so clients parse one shape."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"": response.data}
        response.data = {"detail": "Some parameters are not valid.", "errors": errors}
    if response is not None and isinstance(exc, BadRequest):
        response.data = {"detail": str(exc.detail), "errors": exc.errors}
    if response is not None and isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "60"
    return response


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is not valid."),
    404: OpenApiResponse(ErrorSerializer, description="No such record, or no such page."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; retry later."),
}
UNAVAILABLE = {
    503: OpenApiResponse(ErrorSerializer, description="The search index cannot be read now."),
}
NOT_FOUND = {404: ERRORS[404], 429: ERRORS[429]}
# Any path segment reaches the view, so that a malformed slug is a JSON 404 like an unknown
# one, not the HTML 404 of the URL resolver.
ANY_SEGMENT = r"[^/]+"
# What config.middleware.QueryCharactersMiddleware lets through to any parameter.
_FREE_TEXT = {"type": "string", "maxLength": MAX_TEXT, "pattern": TEXT_PARAMETER_PATTERN}


def _param(name: str, description: str, schema: dict | None = None, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, schema or _FREE_TEXT, description=description, **kwargs)


def _facet_param(name: str, description: str, item: dict) -> OpenApiParameter:
    schema = {"type": "array", "items": item,
              "maxItems": search_request.MAX_VALUES_PER_FACET}
    return OpenApiParameter(
        name, schema, description=description + " Repeat to match any of several (OR).",
        style="form", explode=True,
    )


def _key(name: str) -> dict:
    return {"type": "string", "pattern": f"^({search_request.KEY_PATTERNS[name]})$"}


STATEMENT_PARAMETERS = [
    _param(
        "q",
        "Words to search for, in the search page's query language (phrases in quotes, "
        "`-word` to exclude, `speaker:name`, `event:`, `country:`, `topic:`, `year:`). With "
        "`q`, results come in order of relevance unless `sort` says otherwise. As on the "
        "search page, control characters are refused (400) and text beyond "
        f"{search_request.MAX_QUERY_CHARS} characters is cut off, with a notice in `notices`.",
        {"type": "string", "pattern": TEXT_PARAMETER_PATTERN},
        examples=[OpenApiExample("words", value="border security")],
    ),
    _facet_param("speaker", "A speaker's slug (see `/api/speakers/`).", _key("speaker")),
    _facet_param("event", "An event's slug (see `/api/events/`).", _key("event")),
    _facet_param("series", "An event series key, e.g. `dushanbe-process`.", _key("series")),
    _facet_param("country", "A delegation's country code, e.g. `QAT`.", _key("country")),
    _facet_param("topic", "A topic's slug (see `/api/topics/`).", _key("topic")),
    _facet_param("kind", "The kind of statement.", {"type": "string", "enum": Kind.values}),
    _facet_param("language", "ISO 639-1 code.", {"type": "string", "enum": Language.values}),
    _facet_param("year", "The year delivered.", _key("year")),
    _param(
        "from",
        "Delivered on or after this date (YYYY-MM-DD; empty for none).",
        {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"},
    ),
    _param(
        "to",
        "Delivered on or before this date (YYYY-MM-DD; empty for none). A `to` before "
        "`from` is a 400, as on the search page.",
        {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"},
    ),
    _param(
        "sort",
        "`relevance` (the default with words in `q`), `newest` (the default otherwise) or "
        "`oldest`.",
        {"type": "string", "enum": ["", *search_request.SORTS]},
    ),
]


class _LookupMixin:
    def get_object(self):
        # NUL cannot reach PostgreSQL (it raises rather than finding nothing).
        if "\x00" in self.kwargs.get(self.lookup_field, ""):
            raise NotFound()
        return super().get_object()


@extend_schema_serializer(many=False)
class StatementPage(serializers.Serializer):
    count = serializers.IntegerField(help_text="Statements matching the filters, in all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StatementSerializer(many=True)
    facets = FacetsSerializer(
        required=False,
        help_text="Counts per facet value over all matching statements, as on the search "
        "page; present when `q` or a filter is given.",
    )
    notices = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What the search page would say about the query (text cut off, a filter "
        "that names nothing, a date range that cannot match); absent when there is none.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Published statements, newest first, filtered like the search page",
        description="With any search parameter, the parameters are read exactly as the "
        "search page reads them: a malformed value, a facet value that no published "
        "statement has, or a `from` after `to` is a 400 with a message.",
        parameters=STATEMENT_PARAMETERS,
        responses={200: StatementPage, **ERRORS, **UNAVAILABLE},
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
    """Published statements; ``list`` without search parameters reads the database."""

    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        statements = Statement.objects.published().for_detail().with_versions()
        # A list row never shows the text: leave the largest columns in the database.
        return statements.defer("body", "original_text") if self.action == "list" else statements

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def list(self, request, *args, **kwargs):
        params = request.query_params
        if not any(name in params for name in search_request.SEARCH_PARAMETERS):
            # The whole archive, newest first, straight from the database.
            return super().list(request, *args, **kwargs)
        # With a query or a filter, the search page's own request decides what matches.
        try:
            search = search_request.read_request(params)
            page = self.paginate_queryset(search_request.build_queryset(search))
            statements = search_request.statements_for_page(page)
            response = self.get_paginated_response(
                self.get_serializer(statements, many=True).data
            )
            response.data["facets"] = search_request.facets_for(search)
            if search.parsed.notices:
                response.data["notices"] = list(search.parsed.notices)
        except BadSearchRequest as exc:
            raise BadRequest(str(exc), getattr(exc, "errors", None)) from exc
        except SearchUnavailable as exc:
            raise ServiceUnavailable() from exc
        return response

    def retrieve(self, request, *args, **kwargs):
        statement, moved = _statement_or_former(
            self.get_queryset(), kwargs["slug"], "api:statement-detail")
        if moved is not None:
            return moved
        return Response(self.get_serializer(statement).data)

    @extend_schema(
        summary="Agreed language: passages of a statement found in other statements",
        description="Each passage of at least `ARCHIVE_REUSE_MIN_WORDS` words (12 by "
        "default) that other published statements also contain, word for word (case and "
        "accents aside), with the statement it first appeared in and every later one in "
        "date order.  Formulas most statements share are left out.  A former slug answers "
        "with a 301.",
        responses={
            200: ReuseSerializer,
            301: OpenApiResponse(description="The slug changed; follow `Location`."),
            **NOT_FOUND,
        },
    )
    @action(detail=True, url_path="reuse", serializer_class=ReuseSerializer)
    def reuse(self, request, slug=None):
        statement, moved = _statement_or_former(
            Statement.objects.published().select_related("country"), slug,
            "api:statement-reuse")
        if moved is not None:
            return moved
        passages = passages_for(statement)
        return Response(ReuseSerializer({"passages": passages},
                                        context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(
        summary="Speakers of published statements",
        parameters=[_param("country", "Only speakers from this country code, e.g. `QAT`.")],
        responses={200: SpeakerSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="One speaker", responses={200: SpeakerSerializer, **NOT_FOUND}),
)
class SpeakerViewSet(_LookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SpeakerSerializer
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        qs = Speaker.objects.public_with_counts().select_related("country").order_by("name", "id")
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
class EventViewSet(_LookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        qs = (
            Event.objects.public_with_counts()
            .select_related("country")
            .order_by("-start_date", "name", "id")
        )
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
class CountryViewSet(_LookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    lookup_field = "code"
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        return Country.objects.public_with_counts().order_by("name", "code")

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
class TopicViewSet(_LookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TopicSerializer
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT

    def get_queryset(self):
        return Topic.objects.public_with_counts().order_by("name", "id")


@api_view(["GET"])
def not_found(request, rest: str = ""):
    """Any other address under /api/: a JSON 404 like the rest of the API."""
    raise NotFound("There is no such API address; see /api/ for the endpoints.")


def _text_param(request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ValidationError({name: [f"At most {MAX_TEXT} characters, no NUL."]})
    return value


def _statement_or_former(queryset, slug, route):
    """(statement, None) for the published statement with this slug; (None, a 301 to
    ``route`` under its current slug) for a former slug; a 404 otherwise."""
    if "\x00" in (slug or ""):
        raise NotFound("No published statement has this slug.")
    statement = queryset.filter(slug=slug).first()
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
        raise NotFound("No published statement has this slug.")
    return None, HttpResponsePermanentRedirect(reverse(route, args=[former.statement.slug]))
