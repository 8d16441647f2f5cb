"""Result-set exports and the search feed: exactly what the search page finds for a query
string, as CSV, JSON or Atom.

An export streams up to ``EXPORT_MAX_ROWS`` statements; a search that finds more is refused
with a message saying how many it found and what to do, rather than cut off silently.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from archive.feeds import StatementFeed
from archive.models import Statement
from search.backends import SearchUnavailable
from search.query import PAGE_SIZE

from . import search_results
from .throttling import throttled_response

EXPORT_MAX_ROWS = 5000
CSV_COLUMNS = [
    "date", "title", "speakers", "event", "place", "country", "topics", "kind", "language",
    "source", "source_url", "permalink",
]
# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _unavailable() -> HttpResponse:
    response = _plain("Search is unavailable for a moment; try again shortly.", 503)
    response["Retry-After"] = "60"
    return response


def record(statement: Statement, permalink: str, *, with_body: bool) -> dict:
    """One exported statement (the JSON shape; CSV flattens the lists)."""
    event = statement.event
    data = {
        "date": statement.delivered_on,
        "title": statement.title,
        "speakers": [
            {"name": link.speaker.name, "role": link.role}
            for link in statement.statement_speakers.all()
        ],
        "event": event.name if event else "",
        "place": event.place if event else "",
        "country": statement.country.name if statement.country else "",
        "topics": [topic.name for topic in statement.topics.all()],
        "kind": statement.kind,
        "language": statement.language,
        "source": statement.source_name,
        "source_url": statement.source_url,
        "permalink": permalink,
    }
    if with_body:
        data["body"] = statement.body
    return data


def _csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_row(data: dict) -> list[str]:
    flat = dict(data)
    flat["speakers"] = "; ".join(
        f"{s['name']} ({s['role']})" if s["role"] else s["name"] for s in data["speakers"]
    )
    flat["topics"] = "; ".join(data["topics"])
    return [_csv_cell(flat[column]) for column in CSV_COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


# Excel on Windows reads a CSV file as the local ANSI code page unless it starts with a UTF-8
# byte-order mark; with one, "Marčić" and Arabic survive.  Other programs (and scripts) are
# better served without it, so both forms are offered.
BYTE_ORDER_MARK = "\ufeff"


@require_safe
def export(request, fmt: str, *, excel: bool = False):
    """The search's results as ``fmt``; ``excel`` (CSV only) adds the byte-order mark."""
    if fmt not in ("csv", "json") or (excel and fmt != "csv"):
        raise Http404("Exports come as .csv or .json.")
    if (refused := throttled_response(request)) is not None:
        return refused
    try:
        parsed = search_results.parse(request.GET)
        search_results.check_known(parsed)
        sqs = search_results.queryset(parsed)
        found = sqs.count()
    except search_results.BadSearchRequest as exc:
        return _plain(str(exc), 400)
    except SearchUnavailable:
        return _unavailable()
    if found > EXPORT_MAX_ROWS:
        return _plain(
            f"This search finds {found:,} statements; an export holds at most "
            f"{EXPORT_MAX_ROWS:,}. Narrow the search (a date range, a country, a speaker) and "
            "export each part, or page through the JSON API at /api/statements/ with the same "
            "parameters.",
            400,
        )

    with_body = fmt == "json"
    origin = request.build_absolute_uri("/").rstrip("/")

    def records() -> Iterator[dict]:
        statements = search_results.iter_statements(
            sqs, limit=EXPORT_MAX_ROWS, with_body=with_body
        )
        for statement in statements:
            yield record(statement, origin + statement.get_absolute_url(), with_body=with_body)

    stamp = timezone.now()
    filename = f"statements-{stamp:%Y%m%d-%H%M}{'-excel' if excel else ''}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        rows = (writer.writerow(_csv_row(data)) for data in records())
        header = writer.writerow(CSV_COLUMNS)
        body = _chain([BYTE_ORDER_MARK + header if excel else header], rows)
        content_type = "text/csv; charset=utf-8"
    else:
        body = _json_stream(records(), query=request.GET.urlencode(), found=found, at=stamp)
        content_type = "application/json"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _chain(*parts) -> Iterator[str]:
    for part in parts:
        yield from part


def _json_stream(records: Iterator[dict], *, query: str, found: int, at) -> Iterator[str]:
    head = {"query": query, "found": found, "exported_at": at, "max_rows": EXPORT_MAX_ROWS}
    opening = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False)[:-1]
    yield opening + ', "statements": [\n'
    first = True
    for data in records:
        yield ("" if first else ",\n") + json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    yield "\n]}\n"


class SearchFeed(StatementFeed):
    """The first page of a search, as Atom.  The page links it with ``sort=newest`` so that a
    feed reader sees each new match (see ``search_feed_url``)."""

    def get_object(self, request):
        return request.GET.copy()

    def statements(self, obj):
        return []

    def items(self, obj):
        parsed = search_results.parse(obj)
        search_results.check_known(parsed)
        sqs = search_results.queryset(parsed)
        return list(search_results.iter_statements(sqs, limit=PAGE_SIZE, with_body=True))

    def title(self, obj) -> str:
        words = obj.get("q", "").strip()
        described = f"“{words[:80]}”" if words else "all statements"
        facets = [
            f"{name}: {', '.join(obj.getlist(name))}"
            for name in search_results.FACETS
            if obj.getlist(name)
        ]
        return f"Search {described}" + (f" ({'; '.join(facets)})" if facets else "")

    def link(self, obj) -> str:
        query = obj.urlencode()
        return reverse("search:search") + (f"?{query}" if query else "")

    def feed_url(self, obj) -> str:
        query = obj.urlencode()
        return reverse("api:search-feed") + (f"?{query}" if query else "")


_search_feed = SearchFeed()


@require_safe
def search_feed(request):
    if (refused := throttled_response(request)) is not None:
        return refused
    try:
        return _search_feed(request)
    except search_results.BadSearchRequest as exc:
        return _plain(str(exc), 400)
    except SearchUnavailable:
        return _unavailable()


def search_feed_url(params) -> str:
    """The feed of a search page's query string, newest first unless it chose an order."""
    params = params.copy()
    params.pop("page", None)
    if not params.get("sort"):
        params["sort"] = "newest"
    return reverse("api:search-feed") + "?" + params.urlencode()
