"""Throttling for the public API."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """One request budget per client address (``API_THROTTLE_RATE``, e.g. ``120/minute``).

    The API has no accounts, so unlike DRF's ``AnonRateThrottle`` nobody is exempt.  The rate
    is read from settings per request (DRF's own classes read it once at import time), so a
    deployment or a test can change it.
    """

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
