"""The research tools in the JSON API: trends, who says it most, keyword in context, compare.

Each reads the search page's parameters with the search page's form (``search/request.py``)
and the tool's own with ``research``'s readers, so the same query string means the same here,
on the pages and in their CSV files, and a bad parameter is the same 400 everywhere.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.middleware import TEXT_PARAMETER_PATTERN
from research import compare, kwic, trends, who
from research.stats import StatsMissing
from search.errors import BadSearchRequest, SearchUnavailable

from .views import ERRORS, STATEMENT_PARAMETERS, UNAVAILABLE, BadRequest, ServiceUnavailable, _param

# Without ``sort``: it orders search results, and these answers are not a list of results.
SEARCH_PARAMETERS = [p for p in STATEMENT_PARAMETERS if p.name != "sort"]
_Q = {"type": "string", "pattern": TEXT_PARAMETER_PATTERN}


def _int_schema(low: int, high: int) -> dict:
    return {"type": "string", "pattern": r"^\d{1,9}$",
            "description": f"A whole number from {low} to {high}."}


class BucketSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The year.")
    count = serializers.IntegerField(help_text="Matching published statements that year.")
    total = serializers.IntegerField(
        help_text="Published statements that year with the same filters, without the words.")
    share = serializers.FloatField(allow_null=True, help_text="count / total (null: none).")
    occurrences = serializers.IntegerField(
        help_text="Occurrences of the query's words and phrases in the matching bodies.")
    words = serializers.IntegerField(help_text="Words of the `total` statements' bodies.")
    rate = serializers.FloatField(
        allow_null=True, help_text="Occurrences per 10,000 words (null without words in q).")


class SeriesSerializer(serializers.Serializer):
    label = serializers.CharField()
    buckets = BucketSerializer(many=True)


class TrendsSerializer(serializers.Serializer):
    series = SeriesSerializer(many=True)


class WhoRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Country code or speaker slug.")
    label = serializers.CharField()
    rate = serializers.FloatField(allow_null=True, help_text="Occurrences per 10,000 words.")
    occurrences = serializers.IntegerField()
    words = serializers.IntegerField(help_text="Words of its statements (with the filters).")
    statements = serializers.IntegerField(help_text="Its statements (with the filters).")
    matching = serializers.IntegerField(help_text="Of those, the ones that use it.")


class WhoSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=who.BY)
    min_words = serializers.IntegerField()
    occurrences = serializers.IntegerField(help_text="Occurrences in all matching statements.")
    ranked = serializers.IntegerField(help_text="Those using it with at least min_words.")
    below_minimum = serializers.IntegerField(help_text="Those using it with fewer words.")
    results = WhoRowSerializer(many=True)


class LineSerializer(serializers.Serializer):
    statement = serializers.URLField(help_text="The statement page, at the paragraph (#pN).")
    title = serializers.CharField()
    date = serializers.DateField()
    country = serializers.CharField(help_text="The delegation's name (empty if none).")
    paragraph = serializers.IntegerField(help_text="The paragraph's number, from 1.")
    left = serializers.CharField(allow_blank=True)
    match = serializers.CharField()
    right = serializers.CharField(allow_blank=True)


class KwicSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Lines in all pages.")
    statements = serializers.IntegerField(help_text="Statements with a line.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    lines = LineSerializer(many=True)


class SideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=compare.SIDE_KINDS)
    key = serializers.CharField()
    label = serializers.CharField()
    statements = serializers.IntegerField()
    words = serializers.IntegerField()
    years = serializers.DictField(child=serializers.IntegerField(),
                                  help_text="Statements per year.")


class WordSerializer(serializers.Serializer):
    word = serializers.CharField()
    z = serializers.FloatField(help_text="Positive: a uses it more; negative: b does.")
    count_a = serializers.IntegerField()
    count_b = serializers.IntegerField()
    rate_a = serializers.FloatField(help_text="Per 10,000 content words of a.")
    rate_b = serializers.FloatField()


class TopicCountSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count_a = serializers.IntegerField()
    count_b = serializers.IntegerField()


class DistinctiveSerializer(serializers.Serializer):
    a = WordSerializer(many=True)
    b = WordSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    method = serializers.CharField()
    a = SideSerializer()
    b = SideSerializer()
    distinctive = DistinctiveSerializer()
    shared_topics = TopicCountSerializer(many=True)
    shared_years = serializers.ListField(child=serializers.IntegerField())


def _run(call):
    try:
        return call()
    except BadSearchRequest as exc:
        raise BadRequest(str(exc), getattr(exc, "errors", None)) from exc
    except StatsMissing as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except SearchUnavailable as exc:
        raise ServiceUnavailable() from exc


_QUERY_NOTE = ("The search page's parameters (`q` and the filters) choose the statements; "
               "occurrences are those of `q`'s words and phrases in their bodies, matched as "
               "search matches them. A value of the right shape can still be a 400 (a facet "
               "value no published statement has).")


@extend_schema(
    summary="Statements per year for a search, in up to five series",
    description="Per year: matching statements (`count`), that year's statements with the "
    "same filters (`total`), the `share`, and occurrences per 10,000 words (`rate`). "
    "Several series: `also` (up to four more queries), or `split` one query by country or "
    "speaker (the selected `country`/`speaker` values, else the five with most matches). "
    + _QUERY_NOTE,
    parameters=[
        *SEARCH_PARAMETERS,
        _param("by", "What a bucket is: `year` (the only one).",
               {"type": "string", "enum": ["", "year"]}),
        _param("split", "Split the query into series by `country` or `speaker`.",
               {"type": "string", "enum": ["", *trends.SPLITS]}),
        _param("also", "Another query to draw beside `q` (repeat, up to 4).",
               {"type": "array", "maxItems": trends.MAX_SERIES - 1,
                "items": {"type": "string", "maxLength": 200,
                          "pattern": TEXT_PARAMETER_PATTERN}},
               style="form", explode=True),
    ],
    responses={200: TrendsSerializer, **ERRORS, **UNAVAILABLE},
    examples=[OpenApiExample("two series", value={"series": [
        {"label": "water", "buckets": [{"key": "2016", "count": 3, "total": 40,
                                        "share": 0.075, "occurrences": 5, "words": 52000,
                                        "rate": 0.962}]}]})],
)
@api_view(["GET"])
def trends_view(request):
    series = _run(lambda: trends.compute(trends.read_trends(request.query_params)))
    return Response({"series": [
        {"label": s.label, "buckets": [vars(b) for b in s.buckets]} for s in series
    ]})


@extend_schema(
    summary="Who says it most: countries or speakers by occurrences per 10,000 words",
    description="Those with fewer than `min_words` words of statements (with the filters) "
    "are not ranked. " + _QUERY_NOTE,
    parameters=[
        *[p if p.name != "q" else _param(
            "q", "The word or phrase to count (required), with any filters, in the search "
            "page's query language.", _Q, required=True)
          for p in SEARCH_PARAMETERS],
        _param("by", "Rank `country` (default) or `speaker`.",
               {"type": "string", "enum": ["", *who.BY]}),
        _param("min_words", f"Least words spoken to be ranked (default "
               f"{who.DEFAULT_MIN_WORDS}).", _int_schema(0, who.MAX_MIN_WORDS)),
        _param("limit", f"Rows (default {who.DEFAULT_LIMIT}, at most {who.MAX_LIMIT}).",
               _int_schema(1, who.MAX_LIMIT)),
    ],
    responses={200: WhoSerializer, **ERRORS, **UNAVAILABLE},
)
@api_view(["GET"])
def who_view(request):
    def run():
        wreq = who.read_who(request.query_params)
        return wreq, who.compute(wreq)

    wreq, result = _run(run)
    return Response({
        "by": wreq.by, "min_words": wreq.min_words, "occurrences": result.occurrences,
        "ranked": result.ranked, "below_minimum": result.below_minimum,
        "results": [{"key": r.key, "label": r.label, "rate": r.rate,
                     "occurrences": r.occurrences, "words": r.words,
                     "statements": r.statements, "matching": r.matching}
                    for r in result.rows],
    })


@extend_schema(
    summary="Keyword in context: every occurrence as left context, match, right context",
    description="Lines link to the statement's paragraph (`#pN`). `order`: `newest` "
    "(default), `oldest`, `country`, `left` or `right` (the word beside the match; refused "
    f"with a 400 above {kwic.WORD_SORT_MAX_STATEMENTS} statements). A page past the last "
    "is a 404. " + _QUERY_NOTE,
    parameters=[
        *[p if p.name != "q" else _param(
            "q", "The word or phrase (required), with any filters.",
            _Q, required=True)
          for p in SEARCH_PARAMETERS],
        _param("order", "How lines are ordered.",
               {"type": "string", "enum": ["", *kwic.SORTS]}),
        _param("page", "Page number, from 1.", {"type": "string", "pattern": r"^[1-9]\d{0,5}$"}),
        _param("page_size", f"Lines per page (default {kwic.PAGE_SIZE}, at most "
               f"{kwic.MAX_PAGE_SIZE}).", _int_schema(1, kwic.MAX_PAGE_SIZE)),
    ],
    responses={200: KwicSerializer, **ERRORS, **UNAVAILABLE},
)
@api_view(["GET"])
def kwic_view(request):
    def run():
        kreq = kwic.read_kwic(request.query_params)
        if kreq.page is None:
            raise NotFound("There is no such page of lines.")
        return kreq, kwic.compute(kreq)

    kreq, result = _run(run)
    if kreq.page > result.pages:
        raise NotFound("There is no such page of lines.")
    return Response({
        "count": result.count, "statements": result.statements, "page": result.page,
        "pages": result.pages,
        "lines": [{"statement": request.build_absolute_uri(line.url), "title": line.title,
                   "date": line.date.isoformat(), "country": line.country,
                   "paragraph": line.paragraph, "left": line.left, "match": line.match,
                   "right": line.right} for line in result.lines],
    })


_SIDE = {"type": "string", "maxLength": 230,
         "pattern": r"^(country|speaker|event):[-\w]{1,220}$"}


@extend_schema(
    summary="Compare two speakers, countries or events",
    description="Distinctive words of each side against the other (" + str(compare.METHOD)
    + "), the topics both sides' statements carry and the years both have statements in. "
    "Each side is `country:CODE`, `speaker:slug` or `event:slug`, narrowed by any search "
    "parameters given.",
    parameters=[
        *SEARCH_PARAMETERS,
        _param("a", "The first side, e.g. `country:QAT`.", _SIDE, required=True),
        _param("b", "The second side, e.g. `country:NOR`.", _SIDE, required=True),
    ],
    responses={200: CompareSerializer, **ERRORS, **UNAVAILABLE},
)
@api_view(["GET"])
def compare_view(request):
    def run():
        a, b = compare.read_compare(request.query_params)
        return compare.compute(a, b)

    result = _run(run)

    def side(s):
        return {"kind": s.kind, "key": s.key, "label": s.label, "statements": s.statements,
                "words": s.words, "years": {str(y): n for y, n in sorted(s.years.items())}}

    def word(w):
        return {"word": w.word, "z": w.z, "count_a": w.count_a, "count_b": w.count_b,
                "rate_a": w.rate_a, "rate_b": w.rate_b}

    return Response({
        "method": str(compare.METHOD), "a": side(result.a), "b": side(result.b),
        "distinctive": {"a": [word(w) for w in result.words_a],
                        "b": [word(w) for w in result.words_b]},
        "shared_topics": result.topics, "shared_years": result.shared_years,
    })
