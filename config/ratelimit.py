"""Per-view request budgets, declared where the view is written.

    from config.ratelimit import rate_limited

    @rate_limited("search")
    def search(request): ...

marks the view as spending the client address's ``search`` budget of
``settings.ARCHIVE_RATE_LIMITS``; ``config.middleware.RateLimitMiddleware`` counts it and answers
429 with Retry-After once the budget is spent (in JSON with ``json=True``).  The mark is an
attribute of the function, so it survives ``functools.wraps`` in either order with
``require_GET`` and the like, and the project's settings need to know no view or URL name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ATTRIBUTE = "rate_limit"


@dataclass(frozen=True)
class RateLimit:
    scope: str
    json: bool = False


def rate_limited(scope: str, *, json: bool = False):
    """Count the decorated view against the budget ``scope`` (a key of ARCHIVE_RATE_LIMITS)."""
    if scope not in settings.ARCHIVE_RATE_LIMITS:
        # At import, so a mistyped scope stops the server at start rather than going unlimited.
        raise ImproperlyConfigured(
            f"No budget {scope!r} in ARCHIVE_RATE_LIMITS "
            f"(known: {', '.join(sorted(settings.ARCHIVE_RATE_LIMITS))})."
        )

    def decorate(view):
        setattr(view, ATTRIBUTE, RateLimit(scope, json))
        return view

    return decorate


def declared_limit(view) -> RateLimit | None:
    return getattr(view, ATTRIBUTE, None)
