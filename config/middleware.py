"""What the site does under load, abuse and failure, before and around the views.

* ``DatabaseUnavailableMiddleware``: a lost database is a plain 503 page with Retry-After,
  never a traceback or a 500.
* ``QueryCharactersMiddleware``: a query parameter holding NUL, another control character or
  a Unicode non-character is refused with 400 before any view (PostgreSQL cannot even hold a
  NUL in a string, and no parameter of this site takes line breaks).
* ``RequestSizeLimitMiddleware``: a body above ``MAX_REQUEST_BYTES`` is refused with 413
  before anything reads it.
* ``RateLimitMiddleware``: a view marked with ``config.ratelimit.rate_limited`` (the search
  page, autocomplete, related statements) answers 429 with Retry-After once a client address
  spends its budget (``ARCHIVE_RATE_LIMITS``), counted in the default cache, which every
  worker process shares (the database cache unless ``CACHE_URL`` names another).  The API, the
  result-set exports and the search feed spend the API's budget instead (api/throttling.py).
* ``client_address`` and ``login_lockout_response``: the client address every limit counts
  by, and the page django-axes shows a locked-out admin login.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext

from .ratelimit import declared_limit

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 30

# Views declare their budget with ``config.ratelimit.rate_limited``: config/ knows no app's
# URL names.
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# C0 controls but the tab (a pasted search may hold one), DEL, UTF-16 surrogates, and the
# Unicode non-characters of the basic plane (U+FDD0..U+FDEF, U+FFFE, U+FFFF: the last two are
# not even XML).  The API's schema states the same rule as TEXT_PARAMETER_PATTERN.
IMPOSSIBLE_CHARACTERS = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# The same, as a JSON Schema (ECMA-262) pattern for free-text parameters: surrogates are left
# out, since there they are the halves of every character beyond the basic plane.
TEXT_PARAMETER_PATTERN = r"^[^\x00-\x08\x0a-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff]*$"


# --- client address -----------------------------------------------------------------------


def client_address(request: HttpRequest) -> str | None:
    """The address limits count by: REMOTE_ADDR, or the one our own proxies recorded.

    Only the entries appended by the ``CLIENT_PROXY_COUNT`` trusted proxies are believed,
    counted from the right: anything further left was written by the client and is free to
    forge.  DRF's ``NUM_PROXIES`` reads the same header the same way.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "CLIENT_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            if _is_ip(candidate):
                return candidate
    # None for a request without one (force_login's synthetic request): django-axes stores
    # the address in an IP column, which refuses anything else.
    return remote if _is_ip(remote) else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# --- responses ---------------------------------------------------------------------------


def _render(request, template_name: str, context: dict, status: int) -> HttpResponse:
    try:
        body = loader.render_to_string(template_name, context, request)
    except Exception:  # noqa: BLE001 - an error page must not fail in turn
        log.exception("Could not render %s", template_name)
        body = context.get("message", "")
        return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


# Fields never written back into a page: the browser keeps them (or the editor retypes them).
_SECRET_FIELD = re.compile(
    r"(^|_)pass(word|phrase)?\d*$|secret|(?<!csrfmiddleware)token$", re.IGNORECASE
)


def submitted_fields(request) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """What a POST carried, to hand back on the 503 page: (fields, secret names, file names).

    Every value is kept, the CSRF token included, so that the page's "send again" button
    repeats the same request; passwords are left out and files cannot be (a browser never
    lets a page fill a file input).
    """
    if request.method != "POST":
        return [], [], []
    try:
        data = request.POST
        files = request.FILES
    except Exception:  # noqa: BLE001 - a body we cannot parse is one we cannot hand back
        return [], [], []
    fields, secrets = [], []
    for name, values in data.lists():
        if _SECRET_FIELD.search(name):
            secrets.append(name)
            continue
        fields.extend((name, value) for value in values)
    return fields, sorted(set(secrets)), sorted({f.name for f in files.values()})


def database_unavailable_response(request) -> HttpResponse:
    message = gettext(
        "The archive's database cannot be reached at the moment. Nothing you entered has "
        "been saved by this request. Please try again in a minute."
    )
    if request.path.startswith("/api/"):
        # The API's error shape (api/serializers.py ErrorSerializer).
        response = JsonResponse({"detail": message}, status=503)
    else:
        fields, secrets, files = submitted_fields(request)
        # The page extends base.html, which reads nothing from the database (no user, no
        # menus from tables), so it renders while the database is down.  A refused save
        # comes back with everything the editor sent, in a form that sends it again.
        response = _render(
            request,
            "503.html",
            {
                "message": message,
                "database_unavailable": True,
                "resubmit": bool(fields),
                "fields": fields,
                "visible_fields": [(n, v) for n, v in fields if v and not _is_plumbing(n)],
                "secret_fields": secrets,
                "file_fields": files,
                "action": request.get_full_path(),
            },
            status=503,
        )
        if fields:
            # The page holds what the editor typed: no cache, no shared proxy, keeps it.
            response["Cache-Control"] = "no-store"
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    # Read by config.db_router: a public read that failed here may be served from elsewhere.
    response.database_unavailable = True
    return response


def _is_plumbing(name: str) -> bool:
    # The CSRF token and formset counters: sent again, not shown.
    return name == "csrfmiddlewaretoken" or name.endswith(
        ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
    ) or name.startswith("_")


def bad_query_response(request, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return _render(request, "400.html", {"message": message}, status=400)


def request_too_large_response(request) -> HttpResponse:
    limit = settings.MAX_REQUEST_BYTES
    return _render(
        request,
        "413.html",
        {
            "limit_mib": f"{limit / (1024 * 1024):.1f}",
            "message": gettext("The request is larger than the %(limit)s bytes this site accepts.")
            % {"limit": limit},
        },
        status=413,
    )


def too_many_requests_response(request, *, retry_after: int, json: bool = False) -> HttpResponse:
    message = gettext(
        "Too many requests from your address. Please try again in %(seconds)s seconds."
    ) % {"seconds": retry_after}
    if json:
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = _render(
            request, "429.html", {"retry_after": retry_after, "message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def login_lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: a 429 page that says when to try again."""
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds()) if cool_off else None
    response = _render(
        request,
        "lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": math.ceil(seconds / 60) if seconds else None,
            "message": gettext("Too many failed sign-in attempts; sign-in is locked for a while."),
        },
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


# --- middleware --------------------------------------------------------------------------


def _note_database_failure(sender, request=None, **kwargs):
    # Django turns an exception in any middleware layer into a 500 response before an
    # outer middleware sees it; this marks the request so that the 500 becomes a 503.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request._archive_database_unavailable = True


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503 with Retry-After, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(
            _note_database_failure, dispatch_uid="config.middleware.database_failure"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(
            request, "_archive_database_unavailable", False
        ):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            # One line, not a traceback per request while the database is away.
            log.error("Database unavailable for %s: %s", request.path, exception)
            return database_unavailable_response(request)
        return None


class QueryCharactersMiddleware:
    """400 for a query parameter (name or value) that holds a character no page can use.

    One check in front of every view, the admin's list filters and autocomplete included, so
    no view needs its own: on PostgreSQL a NUL reaching a query is an error, a line break in a
    value can reach a response header, and feeds cannot carry these characters in XML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for text in (name, *values):
                found = IMPOSSIBLE_CHARACTERS.search(text)
                if found:
                    message = gettext(
                        "The parameter %(name)s cannot contain the character %(code)s "
                        "(a control character or a Unicode non-character). Remove it and "
                        "try again."
                    ) % {"name": repr(name[:40]), "code": f"U+{ord(found.group()):04X}"}
                    return bad_query_response(request, message)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """413 for a body above ``MAX_REQUEST_BYTES``, judged by Content-Length before reading."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unparseable length as an empty body, and so do we
        if length > settings.MAX_REQUEST_BYTES:
            return request_too_large_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Too many form bytes (DATA_UPLOAD_MAX_MEMORY_SIZE) found while a view parsed them.
        if isinstance(exception, RequestDataTooBig):
            return request_too_large_response(request)
        return None


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"60/m"`` -> (60, 60); ``"120/minute"`` as DRF writes it; None for off."""
    if not rate or rate.strip().lower() in {"off", "none", "0"}:
        return None
    count, _, period = rate.strip().partition("/")
    try:
        number = int(count)
        seconds = _PERIODS[period.strip().lower()[:1]]
    except (ValueError, KeyError):
        raise ValueError(f"Rate {rate!r} is not N/s, N/m, N/h or N/d") from None
    return (number, seconds) if number > 0 else None


def _count(key: str, period: int) -> int:
    # add() then incr(): atomic in Redis; a shared count without a read-modify-write race.
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=period + 1)
        return 1


class RateLimitMiddleware:
    """Fixed windows per client address and budget, counted in the default cache."""

    def __init__(self, get_response):
        self.get_response = get_response
        # A mistyped rate in the environment stops the server at start, not at a request.
        for scope, rate in settings.ARCHIVE_RATE_LIMITS.items():
            try:
                parse_rate(rate)
            except ValueError as exc:
                raise ImproperlyConfigured(f"ARCHIVE_RATE_LIMIT_{scope.upper()}: {exc}") from None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        declared = declared_limit(view_func)
        if declared is None:
            return None
        scope = declared.scope
        limit = parse_rate(settings.ARCHIVE_RATE_LIMITS.get(scope))
        if limit is None:
            return None
        allowed, period = limit
        now = time.time()
        window = int(now // period) * period
        key = f"ratelimit:{scope}:{client_address(request) or 'unknown'}:{window}"
        try:
            count = _count(key, period)
        except DATABASE_ERRORS as exc:
            # The database cache lives on the primary: with the primary away, public pages
            # go on answering from a replica, uncounted, rather than failing on a counter.
            log.warning("Rate limit not counted for %s: %s", request.path, exc)
            return None
        if count <= allowed:
            return None
        retry_after = max(1, math.ceil(window + period - now))
        return too_many_requests_response(request, retry_after=retry_after, json=declared.json)
