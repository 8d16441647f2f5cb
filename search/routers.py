"""The PostgreSQL engine's tables in a database of their own (``SEARCH_URL=postgres://...``).

Installed by the settings only in that case.  The engine's tables follow ``SearchDocument``;
everything else (the archive, the change queue) stays where the other routers put it.
"""

from __future__ import annotations

from django.conf import settings


def search_alias() -> str:
    return settings.HAYSTACK_CONNECTIONS["default"].get("DATABASE", "default")


class SearchRouter:
    def _is_engine_table(self, model) -> bool:
        return model._meta.label == "search.SearchDocument"

    def db_for_read(self, model, **hints):
        return search_alias() if self._is_engine_table(model) else None

    def db_for_write(self, model, **hints):
        return search_alias() if self._is_engine_table(model) else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == search_alias() and db != "default":
            # The search database holds the engine's tables only: migration 0003's operations
            # (named for SearchDocument); not the queue, nor anything of the archive's.
            return app_label == "search" and model_name == "searchdocument"
        return None
