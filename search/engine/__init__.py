"""The search engines, behind one contract (``contract.py``).

``SEARCH_URL`` chooses one (``config.py``); ``get_engine()`` gives the configured one.  This
package is the only place in the project that imports an engine library.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .contract import Document, IndexState, LockBusy, RebuildReport, SearchEngine

__all__ = [
    "Document",
    "IndexState",
    "LockBusy",
    "RebuildReport",
    "SearchEngine",
    "get_engine",
]


def get_engine(using: str = "default") -> SearchEngine:
    """The engine of haystack connection ``using`` (one instance per thread, as haystack
    keeps its backends)."""
    from haystack import connections

    backend = connections[using].get_backend()
    if not isinstance(backend, SearchEngine):
        raise ImproperlyConfigured(
            f"The haystack backend {type(backend).__name__} does not implement the archive's "
            "engine contract (search.engine.contract.SearchEngine); set SEARCH_URL to one of "
            "the engines in search/engine/config.py."
        )
    return backend
