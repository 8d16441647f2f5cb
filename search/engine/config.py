"""Turn ``SEARCH_URL`` into haystack's ``HAYSTACK_CONNECTIONS``.

Kept free of Django imports: settings import it before Django is set up.

    whoosh:var/whoosh        the embedded engine: an index folder on this machine (relative
    whoosh:///abs/path       to the working directory, or absolute)

Only engines that implement the archive's contract (``contract.py``) and pass its test
suite are listed.  Elasticsearch, OpenSearch and Solr have no engine here: none of them can
be installed from the registries this project builds from, so none is claimed.
"""

from __future__ import annotations

WHOOSH_ENGINE = "search.engine.whoosh.backend.ArchiveWhooshEngine"
ENGINES = ("whoosh",)


class SearchURLError(ValueError):
    """SEARCH_URL names no engine we know, or misses a part the engine needs."""


def haystack_connections(url: str) -> dict[str, dict]:
    return {"default": parse_search_url(url)}


def parse_search_url(url: str) -> dict:
    url = (url or "").strip()
    scheme, sep, rest = url.partition(":")
    if not sep:
        raise SearchURLError(f"SEARCH_URL {url!r} has no scheme (try whoosh:var/whoosh).")
    scheme = scheme.lower()
    if scheme == "whoosh":
        path = rest[2:] if rest.startswith("//") else rest
        if not path:
            raise SearchURLError("SEARCH_URL whoosh: needs a folder, e.g. whoosh:var/whoosh.")
        return {"ENGINE": WHOOSH_ENGINE, "PATH": path, "SILENTLY_FAIL": False}
    raise SearchURLError(
        f"SEARCH_URL scheme {scheme!r} is not supported; the engines are: "
        f"{', '.join(ENGINES)} (see the README, 'Choosing the search engine')."
    )
