"""The project's own Whoosh backend for haystack (grown by the search issue)."""

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend


class ArchiveWhooshBackend(WhooshSearchBackend):
    pass


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
