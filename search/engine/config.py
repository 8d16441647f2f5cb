"""Turn ``SEARCH_URL`` into haystack's ``HAYSTACK_CONNECTIONS``.

Kept free of Django imports: settings import it before Django is set up.

    whoosh:var/whoosh        the embedded engine: an index folder on this machine (relative
    whoosh:///abs/path       to the working directory, or absolute)
    postgres:                PostgreSQL full-text search in the archive's own database
                             (DATABASE_URL must be PostgreSQL)
    postgres://u@host/db     PostgreSQL full-text search in a database of its own (the
                             settings add it as the ``search`` database alias)

A ``postgres`` URL may end in ``?index=gin`` or ``?index=rum`` (the default): the index
method a rebuild gives the documents' text vectors.

Only engines that implement the archive's contract (``contract.py``) and pass its test
suite are listed.  Elasticsearch, OpenSearch and Solr have no engine here: none of them can
be installed from the registries this project builds from, so none is claimed.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

WHOOSH_ENGINE = "search.engine.whoosh.backend.ArchiveWhooshEngine"
POSTGRES_ENGINE = "search.engine.postgres.backend.PostgresEngine"
ENGINES = ("whoosh", "postgres")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
INDEX_METHODS = ("rum", "gin")
# The database alias of a search database of its own (``postgres://...``).
SEARCH_DATABASE_ALIAS = "search"


class SearchURLError(ValueError):
    """SEARCH_URL names no engine we know, or misses a part the engine needs."""


def haystack_connections(url: str, *, database_engine: str | None = None) -> dict[str, dict]:
    """``database_engine``: the default database's Django ENGINE, checked for ``postgres:``."""
    connection = parse_search_url(url)
    if (connection["ENGINE"] == POSTGRES_ENGINE and not connection.get("DATABASE_URL")
            and database_engine is not None and "postgresql" not in database_engine):
        raise SearchURLError(
            "SEARCH_URL=postgres: searches the archive's own database, but DATABASE_URL is "
            f"not PostgreSQL ({database_engine}); set DATABASE_URL=postgres://..., give the "
            "search engine a database of its own (SEARCH_URL=postgres://...), or use "
            "SEARCH_URL=whoosh:var/whoosh."
        )
    return {"default": connection}


def parse_search_url(url: str) -> dict:
    url = (url or "").strip()
    scheme, sep, rest = url.partition(":")
    if not sep:
        raise SearchURLError(
            f"SEARCH_URL {url!r} has no scheme (try whoosh:var/whoosh or postgres:)."
        )
    scheme = scheme.lower()
    if scheme == "whoosh":
        path = rest[2:] if rest.startswith("//") else rest
        if not path:
            raise SearchURLError("SEARCH_URL whoosh: needs a folder, e.g. whoosh:var/whoosh.")
        return {"ENGINE": WHOOSH_ENGINE, "PATH": path, "SILENTLY_FAIL": False}
    if scheme in POSTGRES_SCHEMES:
        return _postgres(url, rest)
    raise SearchURLError(
        f"SEARCH_URL scheme {scheme!r} is not supported; the engines are: "
        f"{', '.join(ENGINES)} (see the README, 'Choosing the search engine')."
    )


def _postgres(url: str, rest: str) -> dict:
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"index"})
    if unknown:
        raise SearchURLError(f"SEARCH_URL postgres: does not know the option(s) {unknown}.")
    method = (query.get("index") or ["rum"])[-1].lower()
    if method not in INDEX_METHODS:
        raise SearchURLError(
            f"SEARCH_URL postgres: index={method!r} is not one of {', '.join(INDEX_METHODS)}."
        )
    options = {"ENGINE": POSTGRES_ENGINE, "INDEX_METHOD": method, "SILENTLY_FAIL": False,
               "DATABASE": "default"}
    if rest.startswith("//"):
        if not parts.hostname and not parts.path.strip("/"):
            raise SearchURLError(
                "SEARCH_URL postgres:// needs a host and a database name, e.g. "
                "postgres://search@db.example/search; postgres: alone uses DATABASE_URL's."
            )
        options["DATABASE"] = SEARCH_DATABASE_ALIAS
        # What dj_database_url reads: the URL without the engine's own options.
        options["DATABASE_URL"] = urlunsplit(("postgres", parts.netloc, parts.path, "", ""))
    elif rest.split("?", 1)[0].strip():
        raise SearchURLError(
            f"SEARCH_URL {url!r}: write postgres: (the archive's database) or "
            "postgres://host/database (a database of its own)."
        )
    return options
