"""Result-set exports: exactly what the search page finds for a query string, as CSV or JSON.

An export streams up to ``EXPORT_MAX_ROWS`` statements; a search that finds more is refused
with a message saying how many it found and what to do, rather than cut off silently.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from archive.models import Statement
from search import request as search_request
from search.errors import BadSearchRequest, SearchUnavailable

from .throttling import throttled_response

EXPORT_MAX_ROWS = search_request.EXPORT_MAX_ROWS
CSV_COLUMNS = [
    "date", "title", "speakers", "event", "place", "country", "topics", "kind", "language",
    "source", "source_url", "permalink", "versions",
]
# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _unavailable() -> HttpResponse:
    response = _plain("Search is unavailable for a moment; try again shortly.", 503)
    response["Retry-After"] = "60"
    return response


def record(statement: Statement, permalink: str, *, with_body: bool, origin: str = "") -> dict:
    """One exported statement (the JSON shape; CSV flattens the lists).  ``origin``: the
    site's scheme and host, for the versions' permalinks."""
    event = statement.event
    data = {
        "date": statement.delivered_on,
        "title": statement.title,
        "speakers": [
            {"name": link.speaker.name, "name_ar": link.speaker.name_ar,
             "name_latin": link.speaker.name_latin, "role": link.role}
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
        "is_original": statement.is_original,
        "versions": [
            {"language": v.language, "title": v.title, "is_original": v.is_original,
             "permalink": origin + v.get_absolute_url()}
            for v in statement.published_versions
        ],
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
        f"{_names(s)} ({s['role']})" if s["role"] else _names(s) for s in data["speakers"]
    )
    flat["topics"] = "; ".join(data["topics"])
    flat["versions"] = "; ".join(
        f"{v['language']}{' (original)' if v['is_original'] else ''} {v['permalink']}"
        for v in data["versions"]
    )
    return [_csv_cell(flat[column]) for column in CSV_COLUMNS]


def _names(speaker: dict) -> str:
    """"Name [other script]" for a CSV cell."""
    others = [n for n in (speaker["name_latin"], speaker["name_ar"]) if n and n != speaker["name"]]
    return f"{speaker['name']} [{' / '.join(others)}]" if others else speaker["name"]


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_safe
def export(request, fmt: str):
    if fmt not in ("csv", "json"):
        raise Http404("Exports come as .csv or .json.")
    if (refused := throttled_response(request)) is not None:
        return refused
    try:
        search = search_request.read_request(request.GET)
        found = search_request.count(search)
    except BadSearchRequest as exc:
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
        statements = search_request.iter_statements(
            search, limit=EXPORT_MAX_ROWS, with_body=with_body
        )
        for statement in statements:
            yield record(statement, origin + statement.get_absolute_url(), with_body=with_body,
                         origin=origin)

    stamp = timezone.now()
    filename = f"statements-{stamp:%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        rows = (writer.writerow(_csv_row(data)) for data in records())
        body = _chain([writer.writerow(CSV_COLUMNS)], rows)
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
