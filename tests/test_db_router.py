"""Which database answers which request (config/db_router.py), without a cluster.

The suite's settings define ``replica_test``, the test database under a second alias (a test
mirror), which serves reads only where a test lists it in ``DATABASE_READ_REPLICAS``.  Its
queries are captured on its own connection, so "served from the replica" means what it says:
the page's reads went through the replica's alias and none through the primary's.  A replica
that is down is made for real: its connection settings point at nothing, and every attempt
to connect fails.  The streaming replica itself is tested in tests/test_replica_cluster.py.
"""

import contextlib
import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import (
    RequestFactory,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    override_settings,
)

from archive.models import Statement
from config import db_router
from config.db_router import PIN_COOKIE, ReplicaRouter, health, reads_from
from search.testing import fresh_index, index_now

from .factories import StatementFactory, UserFactory

REPLICA = "replica_test"
PUBLIC_PAGES = ["/", "/statements/", "/statements/peace-on-the-border/", "/countries/",
                "/years/", "/search/?q=peace", "/api/statements/", "/feeds/statements/"]


def drop_connection(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        # Django never closes an in-memory SQLite database (closing would destroy it); the
        # shared test database lives on in the primary's connection.
        if connection.connection is not None:
            connection.connection.close()
            connection.connection = None
    else:
        connection.close()


@contextlib.contextmanager
def replica_down(alias: str = REPLICA):
    """The alias's server is gone: connecting fails at once, whatever the database."""
    connection = connections[alias]
    saved = dict(connection.settings_dict)
    drop_connection(alias)
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = "1"  # nothing listens on port 1 of the loopback
        connection.settings_dict["HOST"] = "127.0.0.1"
    else:
        connection.settings_dict["NAME"] = "/nonexistent-folder/replica.sqlite3"
    try:
        yield
    finally:
        drop_connection(alias)
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class Captured:
    """Queries run on the primary and on the replica during a block.

    Django's CaptureQueriesContext connects first, which a replica that is down refuses:
    this reads each connection's query log without connecting.
    """

    def __enter__(self):
        self._saved, self._seen = {}, None
        for alias in (DEFAULT_DB_ALIAS, REPLICA):
            connection = connections[alias]
            self._saved[alias] = connection.force_debug_cursor
            connection.force_debug_cursor = True
            connection.queries_log.clear()
        return self

    def __exit__(self, *exc):
        self._seen = {alias: self._log(alias) for alias in self._saved}
        for alias, saved in self._saved.items():
            connections[alias].force_debug_cursor = saved

    def _log(self, alias) -> list[str]:
        if self._seen is not None:
            return self._seen[alias]
        return [query["sql"] for query in connections[alias].queries_log]

    @property
    def primary(self) -> list[str]:
        return self._log(DEFAULT_DB_ALIAS)

    @property
    def replica(self) -> list[str]:
        return self._log(REPLICA)

    @staticmethod
    def reads(queries) -> list[str]:
        return [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]


@override_settings(DATABASE_READ_REPLICAS=[REPLICA])
class RoutingTests(TransactionTestCase):
    # Committed rows, as on a real primary: the replica's connection reads what the primary
    # wrote (a TestCase's open transaction would hide it, or lock SQLite's shared database).
    databases = {DEFAULT_DB_ALIAS, REPLICA}
    serialized_rollback = True

    def setUp(self):
        health.reset()
        self.addCleanup(health.reset)
        cache.clear()  # the API's throttle counts per address across the suite's tests
        fresh_index()
        StatementFactory(title="Peace on the border", slug="peace-on-the-border")
        index_now()

    def test_public_pages_and_search_read_from_the_replica_only(self):
        for url in PUBLIC_PAGES:
            with self.subTest(url=url), Captured() as seen:
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, response.content[:300])
                if "peace" in url or url in ("/statements/", "/api/statements/"):
                    self.assertContains(response, "Peace on the border")
                self.assertTrue(seen.reads(seen.replica), f"{url} read nothing on the replica")
                self.assertEqual(seen.reads(seen.primary), [],
                                 f"{url} read from the primary")

    def test_a_post_writes_and_reads_on_the_primary_and_pins_the_browser_for_a_while(self):
        with Captured() as seen:
            response = self.client.post("/admin/login/", {"username": "nobody",
                                                          "password": "wrong"})
        self.assertEqual(response.status_code, 200)  # the form again, with its error
        self.assertEqual(seen.reads(seen.replica), [])
        self.assertTrue(seen.primary)
        pinned_until = int(response.cookies[PIN_COOKIE].value)
        self.assertAlmostEqual(pinned_until, time.time() + db_router.pin_seconds(), delta=3)
        self.assertEqual(response.cookies[PIN_COOKIE]["max-age"], db_router.pin_seconds())
        # The same browser's next public page reads what it wrote: from the primary.
        with Captured() as seen:
            self.assertEqual(self.client.get("/statements/").status_code, 200)
        self.assertEqual(seen.reads(seen.replica), [])
        self.assertTrue(seen.reads(seen.primary))

    def test_an_expired_pin_reads_from_the_replica_again(self):
        self.client.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
        with Captured() as seen:
            self.client.get("/statements/")
        self.assertTrue(seen.reads(seen.replica))
        self.assertEqual(seen.reads(seen.primary), [])

    def test_signed_in_staff_read_from_the_primary_on_public_pages_and_in_the_admin(self):
        self.client.force_login(UserFactory(username="editor", is_staff=True))
        for url in ["/statements/", "/search/?q=peace", "/admin/"]:
            with self.subTest(url=url), Captured() as seen:
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertEqual(seen.reads(seen.replica), [])
                self.assertTrue(seen.reads(seen.primary))

    def test_a_signed_in_user_who_is_not_staff_reads_from_the_replica(self):
        self.client.force_login(UserFactory(username="reader", is_staff=False))
        with Captured() as seen:
            self.client.get("/statements/")
        # The session and the account are read on the primary; the page itself on the replica.
        self.assertTrue(seen.reads(seen.replica))
        self.assertTrue(all("django_session" in sql or "auth_user" in sql
                            for sql in seen.reads(seen.primary)), seen.reads(seen.primary))

    def test_a_replica_that_is_down_is_skipped_without_an_error_and_remembered(self):
        with replica_down():
            with Captured() as seen:
                response = self.client.get("/statements/")
            self.assertEqual(response.status_code, 200)
            self.assertTrue(seen.reads(seen.primary))
            state = health.state(REPLICA)
            self.assertFalse(state.healthy)
            self.assertIn("cannot be reached", state.reason)
        # Remembered for DATABASE_REPLICA_CHECK_S: the next request does not try it again...
        with Captured() as seen:
            self.client.get("/statements/")
        self.assertEqual(seen.reads(seen.replica), [])
        # ...and once the verdict is old, a replica that is back serves again.
        with override_settings(DATABASE_REPLICA_CHECK_S=0):
            with Captured() as seen:
                self.client.get("/statements/")
            self.assertTrue(seen.reads(seen.replica))

    def test_a_replica_lost_during_a_request_is_served_again_from_the_primary(self):
        self.assertTrue(health.state(REPLICA).healthy)  # judged healthy a moment ago...
        with replica_down(), Captured() as seen:
            response = self.client.get("/statements/")  # ...and gone by the time it is read
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Temporarily unavailable")
        self.assertTrue(seen.reads(seen.primary))
        self.assertFalse(health.state(REPLICA).healthy)

    def test_a_replica_lagging_past_the_bound_is_left_out(self):
        # The verdict on a measured lag; measuring it needs a real standby (the cluster test).
        with override_settings(DATABASE_REPLICA_MAX_LAG_S=5):
            self.assertTrue(health._verdict(REPLICA, 4.9).healthy)
            lagging = health._verdict(REPLICA, 5.1)
            self.assertFalse(lagging.healthy)
            self.assertIn("lags 5.1 s", lagging.reason)
            self.assertFalse(health._verdict(REPLICA, None).healthy)

    def test_healthz_lists_each_replica_and_its_state(self):
        report = self.client.get("/healthz").json()
        self.assertEqual(report["replicas"], [
            {"alias": REPLICA, "healthy": True, "lag_s": 0.0, "reason": ""}])
        with replica_down(), override_settings(DATABASE_REPLICA_CHECK_S=0):
            report = self.client.get("/healthz").json()
        self.assertFalse(report["replicas"][0]["healthy"])
        self.assertIn("cannot be reached", report["replicas"][0]["reason"])
        self.assertTrue(report["database"]["ok"])  # read from the primary meanwhile

    def test_with_no_healthy_replica_reads_go_to_the_primary(self):
        with replica_down():
            request = RequestFactory().get("/statements/")
            request.COOKIES = {}
            self.assertEqual(db_router.choose_read_alias(request), DEFAULT_DB_ALIAS)


class DecisionTests(TestCase):
    """The request-level decision, read without running a page."""

    def request(self, method="get", path="/statements/", **cookies):
        request = getattr(RequestFactory(), method)(path)
        request.COOKIES.update(cookies)
        return request

    def test_reasons_to_read_from_the_primary(self):
        cases = [
            (self.request(), None),
            (self.request("head"), None),
            (self.request("post"), "unsafe method"),
            (self.request("put"), "unsafe method"),
            (self.request("delete"), "unsafe method"),
            (self.request(path="/admin/archive/statement/"), "admin"),
            (self.request(**{PIN_COOKIE: str(int(time.time()) + 10)}), "recent write"),
            (self.request(**{PIN_COOKIE: "not a number"}), None),
            (self.request(**{PIN_COOKIE: str(int(time.time()) + 10**6)}), None),
        ]
        for request, reason in cases:
            with self.subTest(method=request.method, path=request.path, cookies=request.COOKIES):
                self.assertEqual(db_router.must_read_primary(request), reason)

    def test_without_replicas_every_request_reads_from_the_primary(self):
        self.assertEqual(db_router.choose_read_alias(self.request()), DEFAULT_DB_ALIAS)


class RouterTests(SimpleTestCase):

    def test_writes_and_migrations_only_touch_the_primary(self):
        router = ReplicaRouter()
        with reads_from(REPLICA):
            self.assertEqual(router.db_for_write(Statement), DEFAULT_DB_ALIAS)
            self.assertEqual(router.db_for_read(Statement), REPLICA)
        self.assertTrue(router.allow_migrate(DEFAULT_DB_ALIAS, "archive"))
        self.assertFalse(router.allow_migrate(REPLICA, "archive"))

    def test_outside_a_request_reads_use_the_primary(self):
        # The index worker, imports and commands must never read a lagging copy.
        self.assertEqual(Statement.objects.all().db, DEFAULT_DB_ALIAS)
        with reads_from(REPLICA):
            self.assertEqual(Statement.objects.all().db, REPLICA)
        self.assertEqual(Statement.objects.all().db, DEFAULT_DB_ALIAS)

    def test_cache_counters_and_sessions_are_read_where_they_are_written(self):
        from django.contrib.sessions.models import Session

        with reads_from(REPLICA):
            self.assertEqual(Session.objects.all().db, DEFAULT_DB_ALIAS)


SETTINGS_OF_REPLICAS = """
import json
from django.conf import settings
print(json.dumps({alias: {key: settings.DATABASES[alias].get(key) for key in
                          ("HOST", "PORT", "NAME", "CONN_MAX_AGE", "OPTIONS", "TEST")}
                  for alias in settings.DATABASES}))
print(json.dumps(settings.DATABASE_READ_REPLICAS))
"""


class ReplicaSettingsTests(SimpleTestCase):
    """DATABASE_REPLICA_URLS read by the real settings, in a process of their own."""

    def settings_with(self, **env):
        from .test_security import run_python

        return run_python(SETTINGS_OF_REPLICAS, env={
            "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", **env})

    def test_each_url_is_an_alias_with_the_primary_options_mirroring_the_test_database(self):
        import json

        result = self.settings_with(
            DATABASE_URL="postgres://writer@primary.internal:5432/archive",
            DATABASE_REPLICA_URLS="postgres://reader@replica-a:5433/archive, "
                                  "postgres://reader@replica-b/archive",
            DATABASE_CONN_MAX_AGE="30", DATABASE_CONNECT_TIMEOUT="4",
            DATABASE_STATEMENT_TIMEOUT="9")
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        databases, replicas = (json.loads(line) for line in result.stdout.splitlines()[-2:])
        self.assertEqual(replicas, ["replica_1", "replica_2"])
        self.assertEqual(set(databases), {"default", "replica_1", "replica_2"})
        for alias, host in [("replica_1", "replica-a"), ("replica_2", "replica-b")]:
            with self.subTest(alias=alias):
                replica = databases[alias]
                self.assertEqual(replica["HOST"], host)
                self.assertEqual(replica["CONN_MAX_AGE"], 30)
                self.assertEqual(replica["OPTIONS"]["connect_timeout"], 4)
                self.assertIn("-c statement_timeout=9000", replica["OPTIONS"]["options"])
                self.assertEqual(replica["TEST"], {"MIRROR": "default"})
        self.assertEqual(databases["replica_1"]["PORT"], 5433)

    def test_a_replica_that_is_not_postgres_or_of_a_sqlite_primary_is_refused(self):
        for env, words in [
            ({"DATABASE_URL": "postgres://w@p/archive",
              "DATABASE_REPLICA_URLS": "sqlite:///tmp/copy.sqlite3"}, "is not a postgres:// URL"),
            ({"DATABASE_URL": "sqlite:///tmp/archive.sqlite3",
              "DATABASE_REPLICA_URLS": "postgres://r@replica/archive"}, "is not PostgreSQL"),
        ]:
            with self.subTest(env=env):
                result = self.settings_with(**env)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ImproperlyConfigured", result.stderr)
                self.assertIn(words, result.stderr)
