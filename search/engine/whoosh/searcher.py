"""One open searcher per index folder per process, reopened when the index changes.

Whoosh searchers are not thread-safe, and under the GIL parallel searches would not run
faster, so the threads of a process take turns (``SEARCH_LOCK``).  ``SearcherState.key``
names a searcher in the caches: a reopened searcher gets a new key.

A generation is opened with its own schema (``schema_for(directory)``: the text fields carry
the analyzer the generation was built with), so what a searcher reads and how queries are
analysed always agree.
"""

from __future__ import annotations

import itertools
import logging
import threading
from pathlib import Path

from whoosh import index as whoosh_index

from ...errors import SearchUnavailable
from .scoring import ArchiveBM25F
from .storage import read_pointer

log = logging.getLogger(__name__)

SEARCH_LOCK = threading.RLock()
_TOKENS = itertools.count(1)
_STATES: dict[str, SearcherState] = {}


class SearcherState:
    def __init__(self, directory: Path, ix, searcher):
        self.directory = directory
        self.ix = ix
        self.searcher = searcher
        self.key = (str(directory), next(_TOKENS))


def open_live(root: Path, schema):
    """(folder, index) of the live generation; ``SearchUnavailable`` if there is none.

    ``schema``: a Whoosh schema, or a function from a generation's folder to its schema.
    """
    directory = read_pointer(root)
    if directory is None:
        raise SearchUnavailable(
            "The search index has not been built yet (or its folder is gone): run "
            "`manage.py rebuild_index`."
        )
    if callable(schema):
        schema = schema(directory)
    try:
        return directory, whoosh_index.open_dir(str(directory), schema=schema)
    except whoosh_index.EmptyIndexError as exc:
        raise SearchUnavailable(
            "The search index is empty or incomplete: run `manage.py rebuild_index`."
        ) from exc
    except Exception as exc:
        raise SearchUnavailable(
            f"The search index cannot be opened ({exc}): run `manage.py rebuild_index`."
        ) from exc


def current_state(root: Path, schema) -> SearcherState:
    """The process's searcher, reopened when the pointer or the index generation moved."""
    with SEARCH_LOCK:
        key = str(root)
        st = _STATES.get(key)
        directory = read_pointer(root)
        try:
            if directory is None:
                raise SearchUnavailable(
                    "The search index has not been built yet (or its folder is gone): run "
                    "`manage.py rebuild_index`."
                )
            if st is not None and st.directory == directory:
                if st.searcher.up_to_date():
                    return st
                st = SearcherState(directory, st.ix, st.searcher.refresh())
            else:
                if st is not None:
                    _close(st)
                directory, ix = open_live(root, schema)
                st = SearcherState(directory, ix, ix.searcher(weighting=ArchiveBM25F()))
        except SearchUnavailable:
            forget(root)
            raise
        except Exception as exc:
            forget(root)
            raise SearchUnavailable(f"The search index cannot be read: {exc}") from exc
        _STATES[key] = st
        return st


def peek_state(root: Path) -> SearcherState | None:
    """The process's open searcher of ``root`` as it is (no check for a newer generation)."""
    return _STATES.get(str(root))


def forget(root: Path) -> None:
    """Drop the open searcher (the next search reopens the index)."""
    with SEARCH_LOCK:
        st = _STATES.pop(str(root), None)
        if st is not None:
            _close(st)


def _close(st: SearcherState) -> None:
    try:
        st.searcher.close()
    except Exception:
        log.debug("Closing an old searcher failed", exc_info=True)
