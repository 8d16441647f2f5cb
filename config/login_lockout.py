"""Admin sign-in lockout with two limits (django-axes counts, this handler decides).

* one username from one address: ``AXES_FAILURE_LIMIT`` failures (5) lock that pair;
* one address, whatever usernames it tries: ``ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT`` (20) lock
  the address, so one password tried against every username is stopped too.

django-axes compares one number with one limit; ``get_failures`` scales the address's count to
the pair's limit (``failures * pair_limit // address_limit`` reaches the pair limit exactly
when the address reaches its own).  A successful sign-in clears only that username's failures
from that address: clearing the address's would let one valid account reset the count for
every guessed one.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair, address = self.get_user_attempts(request, credentials)  # AXES_LOCKOUT_PARAMETERS
        pair_limit = get_failure_limit(request, credentials)
        address_limit = max(settings.ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT, 1)
        return max(_failures(pair), _failures(address) * pair_limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
