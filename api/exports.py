"""Result-set exports: exactly what the search page finds for a query string, as CSV or JSON.

An export streams up to ``EXPORT_MAX_ROWS`` statements; a search that finds more is refused
with a message saying how many it found and what to do, rather than cut off silently.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from archive.models import Statement
from search import request as search_request
from search.errors import BadSearchRequest, SearchUnavailable

from .throttling import throttled_response

log = logging.getLogger(__name__)

EXPORT_MAX_ROWS = search_request.EXPORT_MAX_ROWS
EXPORT_BATCH = 200  # statements read from the database at a time
FIRST_BATCH = EXPORT_BATCH  # read before the headers go out
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

    statements = search_request.iter_statements(
        search, limit=EXPORT_MAX_ROWS, with_body=with_body, batch=EXPORT_BATCH
    )
    # The first batch is read before any byte is sent: a database or index that fails now
    # gets its 503 (the middleware's, or ours) instead of a 200 with a header row only.
    try:
        first = list(itertools.islice(statements, FIRST_BATCH))
    except SearchUnavailable:
        return _unavailable()

    def records() -> Iterator[dict]:
        for statement in itertools.chain(first, statements):
            yield record(statement, origin + statement.get_absolute_url(), with_body=with_body,
                         origin=origin)

    stamp = timezone.now()
    filename = f"statements-{stamp:%Y%m%d-%H%M}{'-excel' if excel else ''}.{fmt}"
    if fmt == "csv":
        body = _csv_stream(records(), excel=excel)
        content_type = "text/csv; charset=utf-8"
    else:
        body = _json_stream(records(), query=request.GET.urlencode(), found=found, at=stamp)
        content_type = "application/json"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# An export that fails part-way (the database or the index stops answering after the first
# batch) cannot change its 200 any more: it ends with a marker no row can be mistaken for,
# logs the error, and breaks the connection, so a client sees an incomplete download.
INCOMPLETE_MARKER = "#EXPORT-INCOMPLETE#"


class ExportInterrupted(Exception):
    """Raised after the marker, so the server cuts the response short."""


def _csv_stream(records: Iterator[dict], *, excel: bool = False) -> Iterator[str]:
    writer = csv.writer(_Echo())
    header = writer.writerow(CSV_COLUMNS)
    # Excel on Windows reads a CSV as UTF-8 only when it starts with the byte-order mark.
    yield BYTE_ORDER_MARK + header if excel else header
    written = 0
    try:
        for data in records:
            yield writer.writerow(_csv_row(data))
            written += 1
    except Exception as exc:
        log.error("CSV export failed after %d rows: %s", written, exc, exc_info=True)
        # One cell, unlike every data row, and starting with "#": a row can only start with
        # a quote, a letter or a digit (dates come first).
        yield f"{INCOMPLETE_MARKER} the export stopped after {written} rows: {_reason(exc)}\r\n"
        raise ExportInterrupted(str(exc)) from exc


def _json_stream(records: Iterator[dict], *, query: str, found: int, at) -> Iterator[str]:
    head = {"query": query, "found": found, "exported_at": at, "max_rows": EXPORT_MAX_ROWS}
    opening = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False)[:-1]
    yield opening + ', "statements": [\n'
    written = 0
    try:
        for data in records:
            yield ("" if not written else ",\n") + json.dumps(
                data, cls=DjangoJSONEncoder, ensure_ascii=False
            )
            written += 1
    except Exception as exc:
        log.error("JSON export failed after %d statements: %s", written, exc, exc_info=True)
        # Still a JSON document, one that says plainly it is not the whole result.
        tail = {"complete": False, "exported": written,
                "error": f"the export stopped after {written} statements: {_reason(exc)}"}
        yield "\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n"
        raise ExportInterrupted(str(exc)) from exc
    yield f'\n], "complete": true, "exported": {written}}}\n'


def _reason(exc: Exception) -> str:
    if isinstance(exc, SearchUnavailable):
        return "the search index could not be read"
    return "the database stopped answering"
