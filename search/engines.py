"""Turn ``SEARCH_URL`` into haystack's ``HAYSTACK_CONNECTIONS``.

Kept free of Django imports: settings import it before Django is set up.

    whoosh:var/whoosh                       the embedded default (a folder on this machine)
    whoosh:///abs/path                      the same, absolute
    elasticsearch7://host:9200/index        haystack's Elasticsearch 7 backend
    elasticsearch7+https://host:9200/index  the same over TLS
    solr://host:8983/solr/core              haystack's Solr backend
"""

from __future__ import annotations

from urllib.parse import urlsplit

WHOOSH_ENGINE = "search.backends.ArchiveWhooshEngine"
ELASTICSEARCH_ENGINES = {
    "elasticsearch7": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
    "elasticsearch5": "haystack.backends.elasticsearch5_backend.Elasticsearch5SearchEngine",
}
SOLR_ENGINE = "haystack.backends.solr_backend.SolrEngine"


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

    base, _, transport = scheme.partition("+")
    parts = urlsplit(url)
    if not parts.hostname:
        raise SearchURLError(f"SEARCH_URL {url!r} needs a host.")
    protocol = transport or "http"
    if protocol not in {"http", "https"}:
        raise SearchURLError(f"SEARCH_URL transport {protocol!r} must be http or https.")
    auth = ""
    if parts.username:
        auth = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    origin = f"{protocol}://{auth}{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    path = parts.path.strip("/")

    if base in ELASTICSEARCH_ENGINES:
        if not path or "/" in path:
            raise SearchURLError(f"SEARCH_URL {url!r} needs exactly one index name as its path.")
        return {
            "ENGINE": ELASTICSEARCH_ENGINES[base],
            "URL": origin + "/",
            "INDEX_NAME": path,
            "SILENTLY_FAIL": False,
        }
    if base == "solr":
        if not path:
            raise SearchURLError(f"SEARCH_URL {url!r} needs the core's path, e.g. /solr/core.")
        return {"ENGINE": SOLR_ENGINE, "URL": f"{origin}/{path}", "SILENTLY_FAIL": False}
    raise SearchURLError(
        f"SEARCH_URL scheme {scheme!r} is not supported (whoosh, elasticsearch7, solr)."
    )
