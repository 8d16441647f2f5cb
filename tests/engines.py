"""The engine the suite runs on (``ARCHIVE_TEST_ENGINE``), and what tests do to its index.

Most tests never ask: they search through the pages, the API or ``SearchQuerySet`` and must
pass on every engine.  The few that reach into one engine's own storage use these helpers,
or are marked ``whoosh_only`` (Whoosh's folders, segments and searchers have no PostgreSQL
counterpart; the PostgreSQL engine's own are checked in ``tests/test_engine_contract.py``).
"""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings
from django.db import connections


def engine_name() -> str:
    engine = settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"]
    return "postgres" if ".postgres." in engine else "whoosh"


whoosh_only = pytest.mark.skipif(
    engine_name() != "whoosh",
    reason="Whoosh's own storage (index folders, generations, searchers); the PostgreSQL "
           "engine's counterparts are tested in tests/test_engine_contract.py",
)


@contextlib.contextmanager
def index_lost():
    """The live index is gone while inside (search must answer 503, never empty results),
    and back afterwards."""
    from search.engine import get_engine

    engine = get_engine()
    if engine_name() == "whoosh":
        from search.engine.whoosh.storage import POINTER_NAME

        pointer = engine.root / POINTER_NAME
        saved = pointer.read_text()
        pointer.unlink()
        engine.forget_searcher()
        try:
            yield
        finally:
            pointer.write_text(saved)
        return
    from search.engine.postgres.store import write_alias

    with connections[write_alias()].cursor() as cursor:
        cursor.execute("SELECT build, changes, version, protected, analysis_version, "
                       "index_method FROM search_state")
        saved = cursor.fetchall()
        cursor.execute("DELETE FROM search_state")
    try:
        yield
    finally:
        with connections[write_alias()].cursor() as cursor:
            for row in saved:
                cursor.execute(
                    "INSERT INTO search_state (id, build, changes, version, protected, "
                    "analysis_version, index_method) VALUES (1, %s, %s, %s, %s::jsonb, %s, %s)",
                    [row[0], row[1], row[2], _json(row[3]), row[4], row[5]],
                )


def _json(value) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def pretend_older_analysis() -> None:
    """Make the live index look built by an older version of the text analysis (one whose
    build recorded nothing about its analysis)."""
    from search.engine import get_engine

    engine = get_engine()
    if engine_name() == "whoosh":
        from search.engine.whoosh import analysis

        (engine.live_directory() / "analysis.json").unlink()
        analysis._GENERATIONS.clear()
        engine.forget_searcher()
        return
    from search.engine.postgres.store import write_alias

    with connections[write_alias()].cursor() as cursor:
        cursor.execute("UPDATE search_state SET analysis_version = 0")


def _engine_cursor():
    from search.engine.postgres.store import write_alias

    return connections[write_alias()].cursor()


def destroy_index() -> None:
    """The whole index is gone (its folder deleted; the engine's tables dropped)."""
    from search.engine import get_engine

    engine = get_engine()
    if engine_name() == "whoosh":
        import shutil

        shutil.rmtree(engine.root)
        engine.forget_searcher()
        return
    with _engine_cursor() as cursor:
        cursor.execute("DROP TABLE search_document, search_term, search_word, search_state")


def lose_live_generation() -> None:
    """The live index alone is gone (its generation folder; the state row naming it)."""
    from search.engine import get_engine

    engine = get_engine()
    if engine_name() == "whoosh":
        import shutil

        shutil.rmtree(engine.live_directory())
        engine.forget_searcher()
        return
    with _engine_cursor() as cursor:
        cursor.execute("DELETE FROM search_state")


def index_present() -> bool:
    """Whether a live index exists (nothing recreated one behind the archive's back)."""
    from search.engine import get_engine

    engine = get_engine()
    if engine_name() == "whoosh":
        from search.engine.whoosh.storage import POINTER_NAME

        return engine.root.exists() and (engine.root / POINTER_NAME).exists()
    with _engine_cursor() as cursor:
        cursor.execute("SELECT to_regclass('search_state') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT count(*) FROM search_state")
        return cursor.fetchone()[0] > 0
