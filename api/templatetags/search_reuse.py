"""Links from the search page to the same search as a feed and as exports.

    {% load search_reuse %}
    in extra_head:  {% search_feed_link request.GET %}
    near results:   {% search_exports request.GET %}
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from api.exports import EXPORT_MAX_ROWS, search_feed_url

register = template.Library()


def _query(params) -> str:
    params = params.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


@register.simple_tag
def search_feed_link(params):
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        "This search as a feed",
        search_feed_url(params),
    )


@register.inclusion_tag("feeds/search_exports.html")
def search_exports(params) -> dict:
    query = _query(params)
    return {
        "feed_url": search_feed_url(params),
        "csv_url": reverse("api:export", args=["csv"]) + query,
        "excel_csv_url": reverse("api:export-excel") + query,
        "json_url": reverse("api:export", args=["json"]) + query,
        "api_url": reverse("api:statement-list") + query,
        "max_rows": EXPORT_MAX_ROWS,
    }
