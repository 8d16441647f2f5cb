"""The API's documentation page, rendered on the server from the OpenAPI schema.

Swagger UI and Redoc need JavaScript from a CDN; this page needs none, and it cannot drift
from the API because it reads the same schema that ``/api/schema/`` serves.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

from .pagination import MAX_PAGE_SIZE

METHODS = ("get",)


@lru_cache(maxsize=1)
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


# Schema descriptions are CommonMark (OpenAPI says so); the only markup they use is code
# spans, in single or double backticks.
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def inline_markup(text: str) -> SafeString:
    """``text`` as HTML: escaped, with its Markdown code spans as ``<code>``."""
    parts, end = [], 0
    for match in _CODE_SPAN.finditer(text or ""):
        parts.append(escape(text[end : match.start()]))
        parts.append(f"<code>{escape(match.group(2).strip())}</code>")
        end = match.end()
    parts.append(escape((text or "")[end:]))
    return mark_safe("".join(parts))


def _type_of(schema: dict) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    kind = schema.get("format") or schema.get("type", "string")
    bounds = []
    if "minimum" in schema:
        bounds.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        bounds.append(f"≤ {schema['maximum']}")
    if "maxLength" in schema:
        bounds.append(f"up to {schema['maxLength']} characters")
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def endpoints() -> list[dict]:
    """Each operation of the schema, flattened for the template."""
    rows = []
    for path, item in _schema()["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [
                {
                    "name": p["name"],
                    "location": p["in"],
                    "required": p.get("required", False),
                    "type": _type_of(p.get("schema", {})),
                    "description": inline_markup(p.get("description", "")),
                }
                for p in operation.get("parameters", [])
            ]
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": operation.get("operationId", path),
                    "summary": inline_markup(operation.get("summary", "")),
                    "description": inline_markup(operation.get("description", "")),
                    "parameters": parameters,
                    "responses": sorted(
                        (code, inline_markup(response.get("description", "")))
                        for code, response in operation.get("responses", {}).items()
                    ),
                }
            )
    return rows


def api_docs(request):
    base = request.build_absolute_uri("/api/")
    return render(
        request,
        "api/docs.html",
        {
            "endpoints": endpoints(),
            "base": base,
            "origin": request.build_absolute_uri("/").rstrip("/"),
            "throttle_rate": settings.API_THROTTLE_RATE,
            "max_page_size": MAX_PAGE_SIZE,
        },
    )


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: the one version of the API's schema.

    drf-spectacular would take any ``?version=`` and write it into the schema and into the
    Content-Disposition header; this API has one version, so anything else is a 400.
    """

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        asked = request.GET.get("version")
        served = settings.SPECTACULAR_SETTINGS["VERSION"]
        if asked is not None and asked != served:
            return JsonResponse(
                {
                    "detail": gettext(
                        "This API has one version, version %(version)s; leave out "
                        "?version= or ask for %(version)s."
                    )
                    % {"version": served}
                },
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def _get_version_parameter(self, request):
        return None  # the schema's own VERSION, never a copy of the query string
