"""Read replicas: which database answers a query, and whether a replica may answer at all.

``DATABASE_REPLICA_URLS`` adds the aliases ``replica_1``, ``replica_2`` ... (config/settings.py),
and ``DATABASE_READ_REPLICAS`` lists them.  Three pieces decide where a read goes:

* ``ReadRoutingMiddleware`` takes one decision per request and keeps it in a context variable:
  a public read (GET/HEAD/OPTIONS outside the admin, from someone who is not signed-in staff
  and has not just saved something) reads from one healthy replica, the same one for the
  whole request; everything else is pinned to the primary.  After an unsafe request (a POST,
  an admin save, an intake) it sets a short-lived cookie, so that the same browser keeps
  reading from the primary until every replica has caught up with what it wrote.
* ``ReplicaRouter`` (``DATABASE_ROUTERS``) follows that decision.  Every write, every
  migration and every read outside a request (the index worker, imports, management
  commands) go to the primary: a worker that indexed a replica's older copy of a statement
  would make search stale.
* ``ReplicaHealth`` says which replicas may serve.  A replica that refuses connections, or
  lags more than ``DATABASE_REPLICA_MAX_LAG_S`` behind the primary, is left out for
  ``DATABASE_REPLICA_CHECK_S`` seconds; with none left, reads go to the primary.  If a replica
  fails in the middle of a public read, the middleware checks it at once and, when it is
  really down, serves the request again from another database instead of showing an error.

Without replicas configured none of this does anything: the router answers None and Django
uses ``default``.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The cookie that keeps a browser on the primary for a while after it changed something.  It
# holds the time the pin ends; a forged one only sends its own reads to the primary.
PIN_COOKIE = "archive_read_primary"

# Read where they are written, whatever the request: the database cache's counters (a rate
# limit read from a lagging copy would count too few) and sessions.
PRIMARY_ONLY_APPS = frozenset({"django_cache", "sessions"})

# The alias this request reads from; None outside a request (then the primary).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "archive_read_alias", default=None
)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_READ_REPLICAS", []))


def current_read_alias() -> str | None:
    """The alias reads go to in this context, or None (Django's default rules)."""
    return _read_alias.get()


@contextlib.contextmanager
def reads_from(alias: str | None) -> Iterator[None]:
    """Route this block's reads to ``alias`` (None: back to the primary)."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


# --- the router ----------------------------------------------------------------------------


class ReplicaRouter:
    """Reads follow the request's decision; writes and migrations only ever touch ``default``."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None:
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            # A related object comes from where its parent came from.
            return instance._state.db
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same rows (replicas are copies of the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica takes its schema from the primary's WAL; it refuses DDL anyway.
        return db == DEFAULT_DB_ALIAS


# --- replica health ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaState:
    alias: str
    healthy: bool
    lag_s: float | None
    reason: str
    checked_at: float


# One round trip.  The replay timestamp alone cannot tell a lagging replica from an idle
# primary (nothing to replay: its age grows while the replica is perfectly current), so a
# replica that has replayed everything it received counts as current; only a replica with
# received WAL still waiting to be replayed lags by the age of its last replayed transaction.
# When the WAL receiver is not streaming (the primary gone, or the link cut), "everything it
# received" says nothing about the primary: see ``_measure``.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8,
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
       pg_last_wal_replay_lsn()::text,
       pg_last_wal_receive_lsn()::text
"""
# The replay timestamp is the last replayed *transaction's*: after an idle spell it is old
# even though the WAL that has just arrived will be replayed within milliseconds.  A replica
# that looks late is asked again after this pause: if it has replayed what it had received,
# it was behind by less than the pause.
RECHECK_S = 0.2


def _lsn(text: str | None) -> int | None:
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(Exception):
        connections[alias].close()


class ReplicaHealth:
    """Per process: each replica's last verdict, measured again once it is older than the TTL."""

    def __init__(self) -> None:
        self._states: dict[str, ReplicaState] = {}
        self._primary: tuple[float, int | None] | None = None  # (checked_at, WAL position)
        self._primary_down: tuple[float, bool] | None = None  # (checked_at, down)
        self._lock = threading.Lock()

    @property
    def ttl(self) -> float:
        return float(getattr(settings, "DATABASE_REPLICA_CHECK_S", 5.0))

    @property
    def max_lag(self) -> float:
        return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG_S", 5.0))

    def reset(self) -> None:
        with self._lock:
            self._states.clear()
            self._primary = None
            self._primary_down = None

    def state(self, alias: str, *, fresh: bool = False) -> ReplicaState:
        now = time.monotonic()
        with self._lock:
            known = self._states.get(alias)
        if known is not None and not fresh and now - known.checked_at < self.ttl:
            return known
        measured = self._measure(alias)
        with self._lock:
            self._states[alias] = measured
        if not measured.healthy and (known is None or known.healthy):
            log.warning("Replica %s left out of reads: %s", alias, measured.reason)
        elif measured.healthy and known is not None and not known.healthy:
            log.warning("Replica %s serves reads again (lag %.1f s)", alias, measured.lag_s or 0)
        return measured

    def primary_known_down(self) -> bool:
        """Did the primary fail its last check, less than a TTL ago?  (Never measures.)"""
        with self._lock:
            verdict = self._primary_down
        return verdict is not None and time.monotonic() - verdict[0] < self.ttl and verdict[1]

    def primary_down_now(self) -> bool:
        """Measure: does the primary refuse a connection right now?  Remembered for a TTL."""
        down = False
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DATABASE_ERRORS:
            _close_quietly(DEFAULT_DB_ALIAS)
            down = True
        with self._lock:
            self._primary_down = (time.monotonic(), down)
        return down

    def healthy(self) -> list[str]:
        return [alias for alias in replica_aliases() if self.state(alias).healthy]

    def pick(self) -> str | None:
        """One healthy replica for a request (spread at random), or None."""
        candidates = self.healthy()
        return random.choice(candidates) if candidates else None

    def report(self) -> list[dict]:
        """Every replica's verdict, for ``/healthz`` and the replica test."""
        return [
            {"alias": s.alias, "healthy": s.healthy, "lag_s": s.lag_s, "reason": s.reason}
            for s in (self.state(alias) for alias in replica_aliases())
        ]

    # -- measuring --

    def _verdict(self, alias: str, lag: float | None, reason: str = "") -> ReplicaState:
        healthy = lag is not None and lag <= self.max_lag
        if not healthy and not reason:
            reason = (
                "replication lag unknown" if lag is None
                else f"lags {lag:.1f} s (more than {self.max_lag:g} s)"
            )
        return ReplicaState(alias, healthy, lag, reason, time.monotonic())

    def _measure(self, alias: str) -> ReplicaState:
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                if connection.vendor != "postgresql":
                    # A same-database stand-in (the test suite's mirror): reachable is current.
                    cursor.execute("SELECT 1")
                    return self._verdict(alias, 0.0)
                cursor.execute(LAG_SQL)
                (in_recovery, caught_up, replay_age, streaming, replay_lsn,
                 receive_lsn) = cursor.fetchone()
                if in_recovery and not caught_up and (replay_age is None
                                                      or replay_age > self.max_lag):
                    time.sleep(RECHECK_S)
                    cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
                    replayed = _lsn(cursor.fetchone()[0]) or 0
                    if replayed >= (_lsn(receive_lsn) or 0):
                        return self._verdict(alias, RECHECK_S)
        except DATABASE_ERRORS as exc:
            _close_quietly(alias)
            return self._verdict(alias, None, f"cannot be reached ({_first_line(exc)})")
        if not in_recovery:
            return self._verdict(alias, 0.0)  # promoted: it is a primary, current by definition
        if not caught_up:
            return self._verdict(alias, replay_age)
        if streaming:
            return self._verdict(alias, 0.0)
        # Nothing waits to be replayed, but nothing arrives either.  If the primary answers
        # and has written past what this replica holds, the replica is as old as its last
        # replayed transaction; if the primary is down, no database holds anything newer.
        primary = self._primary_position()
        if primary is None or primary <= (_lsn(replay_lsn) or 0):
            return self._verdict(alias, 0.0)
        return self._verdict(alias, replay_age, "" if replay_age is not None else
                             "not streaming from the primary")

    def _primary_position(self) -> int | None:
        """The primary's current WAL position (cached like a replica's verdict), None if down."""
        now = time.monotonic()
        with self._lock:
            if self._primary is not None and now - self._primary[0] < self.ttl:
                return self._primary[1]
        position = None
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()::text")
                position = _lsn(cursor.fetchone()[0])
        except DATABASE_ERRORS:
            _close_quietly(DEFAULT_DB_ALIAS)
        except Exception:  # noqa: BLE001 - e.g. the "primary" is itself in recovery
            position = None
        with self._lock:
            self._primary = (time.monotonic(), position)
        return position


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


health = ReplicaHealth()


# --- the per-request decision -------------------------------------------------------------


def _pinned_until(request) -> float:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return 0.0


def pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_PRIMARY_PIN_S", 15))


def _is_staff(request) -> bool:
    """Signed-in staff?  Asked of the primary (sessions and accounts live there); a primary
    that cannot answer makes the visitor anonymous for this request rather than an error."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session, no sign-in: no query at all
    user = getattr(request, "user", None)
    if user is None:
        return False
    try:
        return bool(user.is_authenticated and user.is_staff)
    except DATABASE_ERRORS as exc:
        _read_as_anonymous(request, exc)
        return False


def _read_as_anonymous(request, exc: BaseException | None = None) -> None:
    """Sessions and accounts are on the primary: while it is away, a public page is served
    to a signed-in visitor as to anyone, instead of failing on ``request.user``."""
    from django.contrib.auth.models import AnonymousUser

    if exc is None:
        try:
            request.user.is_authenticated  # noqa: B018 - evaluates the lazy user
            return
        except DATABASE_ERRORS as error:
            exc = error
        except AttributeError:
            return
    log.warning("Sessions unreadable (%s); %s served as to an anonymous visitor",
                _first_line(exc), request.path)
    _close_quietly(DEFAULT_DB_ALIAS)
    request.user = AnonymousUser()


def must_read_primary(request) -> str | None:
    """Why this request reads from the primary, or None when a replica may answer it."""
    if request.method not in SAFE_METHODS:
        return "unsafe method"
    if request.path.startswith("/" + settings.ADMIN_PATH):
        return "admin"
    now = time.time()
    if now < _pinned_until(request) <= now + pin_seconds():  # a forged far future: ignored
        return "recent write"
    if _is_staff(request):
        return "staff"
    return None


# Reasons that keep reads on the primary only while it answers: an editor's public pages are
# better served a moment old from a replica than not at all.
_SOFT_REASONS = frozenset({"recent write", "staff"})


def choose_read_alias(request, reason: str | None = "unknown") -> str:
    """The alias this request reads from: a healthy replica, or ``default``."""
    if not replica_aliases():
        return DEFAULT_DB_ALIAS
    if reason == "unknown":
        reason = must_read_primary(request)
    if reason is None:
        return health.pick() or DEFAULT_DB_ALIAS
    if reason in _SOFT_REASONS and health.primary_known_down():
        alias = health.pick()
        if alias is not None:
            _read_as_anonymous(request)
            return alias
    return DEFAULT_DB_ALIAS


def _database_failed(request, response) -> bool:
    # The 503 of config.middleware (a view's error), or a 500 it will turn into one (an error
    # in a middleware layer, noted on the request by its got_request_exception receiver).
    return getattr(response, "database_unavailable", False) or (
        response.status_code == 500 and getattr(request, "_archive_database_unavailable", False)
    )


class ReadRoutingMiddleware:
    """Takes the request's read decision (after sessions and authentication, which it reads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        reason = must_read_primary(request)
        alias = choose_read_alias(request, reason)
        request.read_alias, request.read_reason = alias, reason
        with reads_from(alias):
            response = self.get_response(request)
        if _database_failed(request, response) and (
            alias != DEFAULT_DB_ALIAS or reason in _SOFT_REASONS
        ):
            response = self._retry_elsewhere(request, alias, response)
        if request.method not in SAFE_METHODS and response.status_code < 500:
            # An editor's next pages read what they just wrote, whatever the replicas' lag.
            seconds = pin_seconds()
            response.set_cookie(
                PIN_COOKIE, str(int(time.time()) + seconds), max_age=seconds,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def _retry_elsewhere(self, request, failed: str, response):
        # A read failed on its database.  If that database itself is gone (not something
        # else: a replica's read may have failed on the primary's cache table), leave it out
        # and answer once more from what is left.
        if failed == DEFAULT_DB_ALIAS:
            if not health.primary_down_now():
                return response
            alias = health.pick()
            if alias is None:
                return response
            _read_as_anonymous(request)
        else:
            if health.state(failed, fresh=True).healthy:
                return response
            _close_quietly(failed)
            alias = health.pick() or DEFAULT_DB_ALIAS
        log.warning("Reads of %s failed on %s; served again from %s", request.path, failed, alias)
        request._archive_database_unavailable = False
        request.read_alias = alias
        with reads_from(alias):
            return self.get_response(request)
