"""The search page, autocomplete and related statements: the views that read the index."""

import json
import logging
import math

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archive.models import Statement
from config.ratelimit import rate_limited

from . import autocomplete as ac
from .errors import BadSearchRequest, SearchUnavailable
from .related import related_statements
from .request import (
    EXPORT_MAX_ROWS,
    FACET_TITLES,
    MAX_PAGE,
    PAGE_SIZE,
    SORTS,
    read_page,
    read_request,
    run_search,
)

log = logging.getLogger(__name__)


def _result_formats(params) -> dict[str, str]:
    """The same search as a feed, as exports and in the API (the page links them)."""
    query = params.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    suffix = f"?{encoded}" if encoded else ""
    feed = query.copy()
    if not feed.get("sort"):
        # A feed reader wants each new match, newest first.
        feed["sort"] = "newest"
    return {
        "feed_url": reverse("api:search-feed") + "?" + feed.urlencode(),
        "csv_url": reverse("api:export", args=["csv"]) + suffix,
        "excel_csv_url": reverse("api:export-excel") + suffix,
        "json_url": reverse("api:export", args=["json"]) + suffix,
        "api_url": reverse("api:statement-list") + suffix,
        "max_rows": EXPORT_MAX_ROWS,
        # The research tools read the same parameters (research/).
        "trends_url": reverse("research:trends") + suffix,
        "kwic_url": reverse("research:kwic") + suffix,
        "who_url": reverse("research:who") + suffix,
        "compare_url": reverse("research:compare") + suffix,
        "has_words": bool(query.get("q", "").strip()),
    }


def _sort_labels() -> dict[str, str]:
    """The sorts as the page names them (the parameter values stay English)."""
    return {"relevance": _("relevance"), "newest": _("newest"), "oldest": _("oldest")}


@require_GET
@rate_limited("search")
def search(request):
    page = read_page(request.GET.get("page"))
    if page is None:
        raise Http404("There is no such page of results.")
    # The whole query goes back into the box, whatever happens to it below.
    context = {"q": request.GET.get("q", ""), "sorts": list(SORTS), "sort_labels": _sort_labels(),
               "formats": _result_formats(request.GET)}
    try:
        sreq = read_request(request.GET)
        sreq.page = page
        outcome = run_search(sreq, request.GET)
    except BadSearchRequest as exc:
        return render(request, "search/search.html", {**context, "error": str(exc)}, status=400)
    except SearchUnavailable as exc:
        log.error("Search unavailable: %s", exc)
        response = render(request, "search/unavailable.html", context, status=503)
        response["Retry-After"] = "60"
        return response

    num_pages = min(max(math.ceil(outcome.hits / PAGE_SIZE), 1), MAX_PAGE)
    if page > num_pages:
        raise Http404("There is no such page of results.")
    first = (page - 1) * PAGE_SIZE + 1
    context.update(
        {
            "req": sreq,
            "outcome": outcome,
            "facet_titles": FACET_TITLES,
            "page": page,
            "num_pages": num_pages,
            "first": first if outcome.hits else 0,
            "last": min(first + PAGE_SIZE - 1, outcome.hits),
            "has_previous": page > 1,
            "has_next": page < num_pages,
            "previous_page": page - 1,
            "next_page": page + 1,
            "date_from": sreq.date_from.isoformat() if sreq.date_from else "",
            "date_to": sreq.date_to.isoformat() if sreq.date_to else "",
            # A search that found nothing opens the syntax help beside its other offers.
            "help_open": not outcome.hits and sreq.has_criteria,
        }
    )
    return render(request, "search/search.html", context)


@require_GET
@rate_limited("autocomplete", json=True)
def autocomplete(request):
    term = request.GET.get("q", "")
    kinds = request.GET.getlist("type") or list(ac.KINDS)
    if any(kind not in ac.KINDS for kind in kinds):
        return HttpResponseBadRequest(
            "Unknown type (speaker, event, country, topic).", content_type="text/plain"
        )
    results = ac.suggest(term, kinds)
    # Escape <, > and & so the JSON is inert even if someone pastes it into HTML.
    body = (
        json.dumps({"results": results}, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "max-age=60"
    return response


@require_GET
@rate_limited("related")
def related(request, slug):
    """Statements similar to a published one: a page of its own, or (``?fragment=1``) the
    list alone, which the statement page fetches so that it never waits for the index."""
    statement = get_object_or_404(Statement.objects.published(), slug=slug)
    found = related_statements(statement, limit=8)
    template = "search/includes/related.html" if request.GET.get("fragment") else (
        "search/related.html"
    )
    response = render(request, template, {"statement": statement, "related": found})
    response["Cache-Control"] = "max-age=300"
    return response


@require_GET
def healthz(request):
    """The health check as JSON: 200 when the database, the index and the queue are well,
    503 otherwise (never cached)."""
    from .health import check

    report = check()
    response = HttpResponse(
        json.dumps(report, ensure_ascii=False), content_type="application/json",
        status=200 if report["healthy"] else 503,
    )
    response["Cache-Control"] = "no-store"
    return response
