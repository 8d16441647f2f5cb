"""Views that let others reuse the archive: citation downloads, robots.txt, OpenSearch."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import citations
from .models import Statement, StatementSlugHistory

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


@require_safe
def citation_download(request, slug: str, fmt: str):
    if fmt not in CITATION_FORMATS:
        raise Http404("Citations come as .bib, .ris or .json.")
    statement, redirect = published_statement_or_redirect(slug, "reuse:cite", fmt=fmt)
    if redirect is not None:
        return redirect
    build, content_type, extension = CITATION_FORMATS[fmt]
    citation = citations.citation_for(
        statement,
        url=request.build_absolute_uri(statement.get_absolute_url()),
        accessed=timezone.localdate(),
    )
    response = HttpResponse(build(citation), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{extension}"'
    return response


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("reuse:sitemap"))},
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
