"""The research pages (trends, who says it most, compare two, keyword in context) and their
CSV files.  Every page is a GET form that works without JavaScript; every chart has a table
and a CSV with the same figures."""

from __future__ import annotations

import csv
import logging

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from config.ratelimit import rate_limited
from search.errors import BadSearchRequest, SearchUnavailable
from search.request import FACET_TITLES, url_with

from . import charts, compare, kwic, trends, who
from .stats import StatsMissing

log = logging.getLogger(__name__)

TOOLS = (
    ("trends", "research:trends"),
    ("who", "research:who"),
    ("kwic", "research:kwic"),
    ("compare", "research:compare"),
)
TOOL_TITLES = {
    "trends": gettext_lazy("Trends"),
    "who": gettext_lazy("Who says it most"),
    "kwic": gettext_lazy("Keyword in context"),
    "compare": gettext_lazy("Compare two"),
}
# What each tool reads beside the search page's parameters (links between tools drop them).
OWN_PARAMETERS = {"also", "split", "by", "measure", "min_words", "limit", "order", "page",
                  "page_size", "a", "b"}


def _carried(params) -> str:
    """The search's own parameters, for links between the tools and to the search page."""
    pairs = [(k, v) for k in params if k not in OWN_PARAMETERS for v in params.getlist(k)
             if v.strip()]
    return urlencode(pairs)


def _context(request, tool: str, **extra) -> dict:
    carried = _carried(request.GET)
    suffix = f"?{carried}" if carried else ""
    return {
        "tool": tool,
        "tool_title": TOOL_TITLES[tool],
        "tools": [{"name": name, "title": TOOL_TITLES[name], "url": reverse(url) + suffix,
                   "current": name == tool} for name, url in TOOLS],
        "search_url": reverse("search:search") + suffix,
        "q": request.GET.get("q", ""),
        "csv_url": reverse(f"research:{tool}-csv") + (
            "?" + request.GET.urlencode() if request.GET else ""),
        "facet_titles": FACET_TITLES,
        **extra,
    }


def _failure(request, template: str, context: dict, exc: Exception):
    if isinstance(exc, BadSearchRequest):
        return render(request, template, {**context, "error": str(exc)}, status=400)
    if isinstance(exc, StatsMissing):
        log.error("%s", exc)
        response = render(request, template, {**context, "error": str(exc)}, status=503)
        response["Retry-After"] = "60"
        return response
    log.error("Search unavailable: %s", exc)
    response = render(request, "search/unavailable.html", context, status=503)
    response["Retry-After"] = "60"
    return response


def _csv_response(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return response


def _cell(value):
    # A spreadsheet would run a cell starting with = + - @ as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


# --- trends ---------------------------------------------------------------------------------


MEASURE_TITLES = {
    "share": gettext_lazy("Share of the year's statements"),
    "rate": gettext_lazy("Occurrences per 10,000 words"),
    "count": gettext_lazy("Statements"),
}


@require_GET
@rate_limited("search")
def trends_page(request):
    context = _context(request, "trends", also=request.GET.getlist("also"),
                       split=request.GET.get("split", ""),
                       measure=request.GET.get("measure", "share") or "share",
                       measures=MEASURE_TITLES, max_series=trends.MAX_SERIES)
    extra_boxes = max(trends.MAX_SERIES - 1 - len(context["also"]), 0)
    context["also_boxes"] = context["also"] + [""] * extra_boxes
    try:
        treq = trends.read_trends(request.GET)
        series = trends.compute(treq)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _failure(request, "research/trends.html", context, exc)
    keys = series[0].buckets and [b.key for b in series[0].buckets] or []
    measure = treq.measure
    chart = charts.line_chart(
        keys, [(s.label, [getattr(b, measure) for b in s.buckets]) for s in series],
        title=f"{MEASURE_TITLES[measure]}: " + "; ".join(s.label for s in series),
        unit="%" if measure == "share" else "",
    ) if keys else ""
    rows = [{"key": key, "cells": [s.buckets[i] for s in series]}
            for i, key in enumerate(keys)]
    context.update(series=series, chart=chart, rows=rows, measure=measure,
                   legend=charts.legend([s.label for s in series]),
                   has_words=any(s.request.parsed.positive_text() for s in series))
    return render(request, "research/trends.html", context)


@require_GET
@rate_limited("search")
def trends_csv(request):
    try:
        series = trends.compute(trends.read_trends(request.GET))
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _plain_failure(exc)
    rows = ([s.label, b.key, b.count, b.total, b.share, b.occurrences, b.words, b.rate]
            for s in series for b in s.buckets)
    return _csv_response("trends", ["series", "year", "statements", "total", "share",
                                    "occurrences", "words", "rate_per_10000_words"], rows)


def _plain_failure(exc: Exception) -> HttpResponse:
    if isinstance(exc, BadSearchRequest):
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    log.error("Search unavailable: %s", exc)
    message = str(exc) if isinstance(exc, StatsMissing) else _(
        "Search is unavailable for a moment; try again shortly.")
    response = HttpResponse(message,
                            status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response


# --- who says it most -----------------------------------------------------------------------


@require_GET
@rate_limited("search")
def who_page(request):
    context = _context(request, "who", by=request.GET.get("by", "") or "country",
                       min_words=request.GET.get("min_words", "") or who.DEFAULT_MIN_WORDS)
    if not request.GET.get("q", "").strip():
        return render(request, "research/who.html", context)
    try:
        wreq = who.read_who(request.GET)
        result = who.compute(wreq)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _failure(request, "research/who.html", context, exc)
    carried = QueryDict(_carried(request.GET))
    for row in result.rows:
        row.url = reverse("search:search") + url_with(carried, add=(wreq.by, row.key))
    context.update(result=result, wreq=wreq)
    return render(request, "research/who.html", context)


@require_GET
@rate_limited("search")
def who_csv(request):
    try:
        wreq = who.read_who(request.GET)
        result = who.compute(wreq)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _plain_failure(exc)
    rows = ([i, r.key, r.label, r.occurrences, r.words, r.rate, r.matching, r.statements]
            for i, r in enumerate(result.rows, start=1))
    return _csv_response("who", ["rank", wreq.by, "name", "occurrences", "words",
                                 "rate_per_10000_words", "statements_using_it",
                                 "statements"], rows)


# --- keyword in context ---------------------------------------------------------------------


@require_GET
@rate_limited("search")
def kwic_page(request):
    context = _context(request, "kwic", order=request.GET.get("order", "") or "newest",
                       orders=kwic.SORTS)
    if not request.GET.get("q", "").strip():
        return render(request, "research/kwic.html", context)
    try:
        kreq = kwic.read_kwic(request.GET)
        if kreq.page is None:
            raise Http404(_("There is no such page of lines."))
        result = kwic.compute(kreq)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _failure(request, "research/kwic.html", context, exc)
    if kreq.page > result.pages:
        raise Http404(_("There is no such page of lines."))
    params = request.GET.copy()

    def page_url(number):
        params.setlist("page", [str(number)])
        return "?" + params.urlencode()

    context.update(
        result=result, kreq=kreq,
        previous_url=page_url(kreq.page - 1) if kreq.page > 1 else "",
        next_url=page_url(kreq.page + 1) if kreq.page < result.pages else "",
        first_line=(kreq.page - 1) * kreq.page_size + 1,
        export_max=kwic.EXPORT_MAX_LINES,
    )
    return render(request, "research/kwic.html", context)


@require_GET
@rate_limited("search")
def kwic_csv(request):
    try:
        kreq = kwic.read_kwic(request.GET)
        kreq.page = 1
        result = kwic.compute(kreq, limit=kwic.EXPORT_MAX_LINES)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _plain_failure(exc)
    base = request.build_absolute_uri("/")[:-1]
    rows = ([line.date.isoformat(), line.country, line.title, line.left, line.match,
             line.right, base + line.url] for line in result.lines)
    return _csv_response("keyword-in-context", ["date", "country", "statement", "left",
                                                "match", "right", "url"], rows)


# --- compare two ----------------------------------------------------------------------------


@require_GET
@rate_limited("search")
def compare_page(request):
    context = _context(request, "compare", a=request.GET.get("a", ""),
                       b=request.GET.get("b", ""), method=compare.METHOD)
    if not (context["a"] or context["b"]):
        return render(request, "research/compare.html", context)
    try:
        a, b = compare.read_compare(request.GET)
        result = compare.compute(a, b)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _failure(request, "research/compare.html", context, exc)
    years = sorted(a.years.keys() | b.years.keys())
    context.update(result=result, years=[(y, a.years.get(y, 0), b.years.get(y, 0))
                                         for y in years])
    return render(request, "research/compare.html", context)


@require_GET
@rate_limited("search")
def compare_csv(request):
    try:
        a, b = compare.read_compare(request.GET)
        result = compare.compute(a, b)
    except (BadSearchRequest, SearchUnavailable) as exc:
        return _plain_failure(exc)
    rows = [[f"{a.kind}:{a.key}", w.word, w.count_a, w.count_b, w.rate_a, w.rate_b, w.z]
            for w in result.words_a]
    rows += [[f"{b.kind}:{b.key}", w.word, w.count_a, w.count_b, w.rate_a, w.rate_b, w.z]
             for w in result.words_b]
    return _csv_response("compare", ["distinctive_of", "word", "count_a", "count_b",
                                     "per_10000_a", "per_10000_b", "z_score"], rows)
