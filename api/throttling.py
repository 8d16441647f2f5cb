"""Throttling for the public API."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    """One request budget per client address (``API_THROTTLE_RATE``, e.g. ``120/minute``).

    The API has no accounts, so unlike DRF's ``AnonRateThrottle`` nobody is exempt.  The rate
    is read from settings per request (DRF's own classes read it once at import time), so a
    deployment or a test can change it.
    """

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (OperationalError, InterfaceError) as exc:
            # The database cache lives on the primary; while it is away the API keeps
            # answering from a replica, uncounted, instead of failing on its counter.
            log.warning("API throttle not counted: %s", exc)
            return True

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttled_response(request):
    """For plain Django views (exports, the search feed): a 429 when the client's API budget
    is spent, else None.  They share the API's budget: an export is one request of it."""
    from django.http import HttpResponse

    throttle = ClientRateThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = HttpResponse(
        "Too many requests from this address; try again shortly.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait)))
    return response
