"""Walk the public site through the test client: every internal link from a few seeds."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

MAX_PAGES = 500


def links(body: str) -> list[str]:
    """Internal addresses in ``href``/``src`` attributes (absolute ones on testserver too)."""
    found = []
    for raw in re.findall(r'(?:href|src)="([^"]+)"', body):
        url = html.unescape(raw)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == "testserver":
            url = parts.path + ("?" + parts.query if parts.query else "")
        if url.startswith("/") and not url.startswith("//"):
            found.append(url.split("#")[0])
    return found


def fetch(client: Client, url: str) -> tuple[int, bytes, str]:
    response = client.get(url)
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, response.get("Content-Type", "")


def crawl(
    client: Client, seeds: list[str], *, max_pages: int = MAX_PAGES, max_search_pages: int = 120,
    include_admin: bool = False,
) -> dict[str, tuple[int, bytes, str]]:
    """address -> (status, body, content type) for everything reachable from ``seeds``.

    Search pages are capped (every facet link is a new address); the admin is left out
    unless asked for, and then only its pages that show records (no logout, no deletes).
    """
    admin = "/" + settings.ADMIN_PATH
    seen, pages, queue, searches = set(), {}, deque(seeds), 0
    while queue and len(pages) < max_pages:
        url = queue.popleft()
        if url in seen or url.startswith("/static/"):
            continue
        seen.add(url)
        if url.startswith(admin) and (
            not include_admin or re.search(r"/(logout|delete|password)/", url)
        ):
            continue
        if url.startswith("/search/") and "?" in url:
            searches += 1
            if searches > max_search_pages:
                continue
        status, body, content_type = fetch(client, url)
        pages[url] = (status, body, content_type)
        if status == 200 and "html" in content_type:
            queue.extend(u for u in links(body.decode()) if u not in seen)
    return pages
