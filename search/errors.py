"""The errors every search engine and every caller of search share.

Views, the API, the feeds and the exports catch these, never an engine library's own
exceptions: an engine translates whatever its library raises into one of them.
"""

from __future__ import annotations


class SearchUnavailable(Exception):
    """The index is missing, unreadable or locked beyond patience: search answers 503.

    The message is for staff (logs, ``search_status``); the public sees a plain page.
    """


class BadSearchRequest(ValueError):
    """A search parameter the archive cannot honour; the message is shown to the user (400)."""
