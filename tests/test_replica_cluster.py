"""The site on a real streaming replica (issue 18): a scratch primary and a standby made by
``tests/replica/cluster.sh up``, gunicorn in front of both, and a browser of urllib.

Run with the cluster up and its state file named (``.ci/run`` and ``make replica-demo`` do
all of it, and tear the cluster down afterwards)::

    tests/replica/cluster.sh up
    ARCHIVE_REPLICA_CLUSTER=var/replica-cluster.env .venv/bin/python -m pytest -m replica -s
    tests/replica/cluster.sh down

Django's test runner cannot make a test database on a standby, so nothing here goes through
pytest-django's database: the site runs as it ships (production settings, the database
cache, rate limits on) in its own processes, and the test reads each server's own account of
what it ran (``pg_stat_statements``, which works on a standby too).  The steps run in order
and each leaves both servers up, except the last, which promotes the replica.
"""

from __future__ import annotations

import contextlib
import html.parser
import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLUSTER_SH = ROOT / "tests" / "replica" / "cluster.sh"
STATE = os.environ.get("ARCHIVE_REPLICA_CLUSTER", "")

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not STATE or not Path(STATE).is_file(),
        reason="no replica cluster: run `tests/replica/cluster.sh up` and set "
        "ARCHIVE_REPLICA_CLUSTER=var/replica-cluster.env (or `make replica-demo`)",
    ),
]

# The bound the server runs with: a replica further behind serves nothing.  Short, so that a
# paused replica is left out within seconds; checked every second.
MAX_LAG_S = 2
CHECK_S = 1


def read_state() -> dict[str, str]:
    values = {}
    for line in Path(STATE).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def cluster(action: str) -> None:
    subprocess.run(["bash", str(CLUSTER_SH), action], check=True, cwd=ROOT,
                   env={**os.environ, "ARCHIVE_REPLICA_CLUSTER": STATE},
                   capture_output=True, timeout=120)


def sql(url: str, statement: str, params=()):
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=3)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def reset_statement_counts(*urls: str) -> None:
    for url in urls:
        sql(url, "SELECT pg_stat_statements_reset()")


def archive_reads(url: str) -> int:
    """Calls of queries on the archive's records since the last reset, on that server."""
    rows = sql(url, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                    "WHERE query ILIKE 'SELECT%%' AND query LIKE '%%\"archive_statement\"%%'")
    return int(rows[0][0])


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a browser ------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, no redirects followed, every answer returned (errors included)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: list[tuple[str, str]] | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class FormReader(html.parser.HTMLParser):
    """The fields a browser would send for the first form with a method of POST (or the
    one with ``form_id``): inputs, checked boxes, text areas and chosen options."""

    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: list | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and not self.inside:
            wanted = a.get("id") == self.form_id if self.form_id else \
                (a.get("method", "").lower() == "post")
            self.inside = wanted
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(page: str, form_id: str | None = None) -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(page)
    return reader.fields


# --- the site -------------------------------------------------------------------------------


def site_env(folder: Path, primary: str, replicas: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_", "SEARCH_", "CACHE_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "replica-test-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0", "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "ARCHIVE_VAR_DIR": str(folder),
        "SEARCH_URL": f"whoosh:{folder / 'whoosh'}",
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URLS": replicas,
        "DATABASE_REPLICA_MAX_LAG_S": str(MAX_LAG_S),
        "DATABASE_REPLICA_CHECK_S": str(CHECK_S),
        "DATABASE_CONNECT_TIMEOUT": "2",
        # Rate limits stay on (their counters live in the database cache, on the primary),
        # with budgets this test cannot spend.
        "ARCHIVE_RATE_LIMIT_SEARCH": "10000/m",
        "ARCHIVE_API_THROTTLE_RATE": "10000/minute",
    })
    return env


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            input=stdin, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Site:
    def __init__(self, folder: Path, primary: str, replicas: str):
        self.env = site_env(folder, primary, replicas)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Site:
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi", "-w", "2",
                 "-b", f"127.0.0.1:{self.port}", "--timeout", "30", "--log-level", "warning"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self._answers(), 60, "gunicorn answering")
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/robots.txt", timeout=5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.fixture(scope="module")
def state():
    return read_state()


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="archive-replica-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def site(state, folder):
    """The demo archive on the primary, indexed, served with the replica beside it."""
    site = Site(folder, state["PRIMARY_URL"], state["REPLICA_URL"])
    manage(site.env, "migrate", "--noinput", "-v0")
    manage(site.env, "load_demo")
    manage(site.env, "rebuild_index", "--noinput")
    manage(site.env, "collectstatic", "--noinput", "-v0")
    manage(site.env, "shell", "-c",
           "from django.contrib.auth.models import User; "
           "User.objects.create_superuser('editor', 'editor@example.org', 'replica-test-pw')")
    site.start()
    yield site
    site.stop()
    print("\n--- gunicorn's log ---\n" + site.log_text()[-4000:])


@pytest.fixture(scope="module")
def editor(site):
    browser = Browser(site.base)
    status, page, _ = browser.get("/admin/login/?next=/admin/")
    assert status == 200
    fields = dict(form_fields(page))
    status, _, headers = browser.post("/admin/login/?next=/admin/", [
        ("csrfmiddlewaretoken", fields["csrfmiddlewaretoken"]), ("username", "editor"),
        ("password", "replica-test-pw"), ("next", "/admin/")])
    assert status == 302, "the editor could not sign in"
    return browser


def a_statement(state) -> tuple[int, str, str]:
    return sql(state["PRIMARY_URL"], "SELECT id, slug, title FROM archive_statement "
               "WHERE status = 'published' ORDER BY id LIMIT 1")[0]


PUBLIC = ["/", "/statements/", "/speakers/", "/search/?q=peace", "/search/?q=security&sort=newest",
          "/api/statements/", "/feeds/statements/"]


def public_pages(state) -> list[str]:
    _, slug, _ = a_statement(state)
    return [*PUBLIC, f"/statements/{urllib.parse.quote(slug)}/"]


def assert_all_answer(browser: Browser, paths: list[str]) -> None:
    for path in paths:
        status, body, _ = browser.get(path)
        assert status == 200, f"{path}: {status} {body[:300]}"


# --- the steps, in order ----------------------------------------------------------------


def test_1_public_pages_and_search_are_served_from_the_replica(site, state):
    paths = public_pages(state)
    anonymous = Browser(site.base)
    assert_all_answer(anonymous, paths)  # the replica's health is measured, connections open
    reset_statement_counts(state["PRIMARY_URL"], state["REPLICA_URL"])
    assert_all_answer(anonymous, paths)
    on_replica = archive_reads(state["REPLICA_URL"])
    on_primary = archive_reads(state["PRIMARY_URL"])
    print(f"\nreads of archive_statement: replica {on_replica}, primary {on_primary}")
    assert on_replica >= len(paths) - 1
    assert on_primary == 0


def test_2_replica_lag_is_measured_and_a_lagging_replica_is_left_out(site, state, editor):
    primary, replica = state["PRIMARY_URL"], state["REPLICA_URL"]
    from config.db_router import LAG_SQL

    # A burst of writes on the primary; the lag the router would measure, sampled meanwhile.
    sql(primary, "CREATE TABLE IF NOT EXISTS lag_probe (n int, t text)")
    samples = []
    for _ in range(5):
        sql(primary, "INSERT INTO lag_probe SELECT g, repeat('x', 200) FROM "
                     "generate_series(1, 50000) g")
        row = sql(replica, LAG_SQL)[0]
        samples.append(0.0 if row[1] else (row[2] or 0.0))
    replay = sql(primary, "SELECT coalesce(extract(epoch FROM replay_lag), 0)::float8, "
                          "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint "
                          "FROM pg_stat_replication")
    print(f"\nreplica lag during a write burst (router's measure, s): "
          f"{', '.join(f'{s:.3f}' for s in samples)}; pg_stat_replication replay_lag "
          f"{replay[0][0]:.3f} s, {replay[0][1]} bytes behind")
    sql(primary, "DROP TABLE lag_probe")

    # An idle primary: the replay timestamp ages, yet the replica is current.
    row = wait_for(lambda: (r := sql(replica, LAG_SQL)[0])[1] and (r[2] or 0) > MAX_LAG_S and r,
                   30, "an idle spell longer than the bound")
    print(f"idle primary: last replayed transaction {row[2]:.1f} s ago, caught up: {row[1]}")
    reset_statement_counts(primary, replica)
    assert_all_answer(Browser(site.base), ["/statements/"])
    assert archive_reads(replica) > 0 and archive_reads(primary) == 0

    # Replay paused while the primary writes: the replica falls behind past the bound.
    sql(replica, "SELECT pg_wal_replay_pause()")
    try:
        statement_id, slug, title = a_statement(state)
        sql(primary, "UPDATE archive_statement SET title = %s WHERE id = %s",
            (title + " (lag probe)", statement_id))
        wait_for(lambda: sql(replica, LAG_SQL)[0][2] is not None
                 and not sql(replica, LAG_SQL)[0][1], 10, "the replica to fall behind")
        time.sleep(MAX_LAG_S + CHECK_S + 0.5)  # past the bound, and past the cached verdict
        reset_statement_counts(primary, replica)
        status, page, _ = Browser(site.base).get(f"/statements/{urllib.parse.quote(slug)}/")
        assert status == 200
        assert "(lag probe)" in page, "a lagging replica served a stale page"
        assert archive_reads(primary) > 0 and archive_reads(replica) == 0
    finally:
        sql(replica, "SELECT pg_wal_replay_resume()")
        sql(primary, "UPDATE archive_statement SET title = %s WHERE id = %s",
            (title, statement_id))
    wait_for(lambda: sql(replica, LAG_SQL)[0][1], 10, "the replica to catch up")
    time.sleep(CHECK_S + 0.5)
    reset_statement_counts(primary, replica)
    assert_all_answer(Browser(site.base), ["/statements/"])
    assert archive_reads(replica) > 0, "a replica that caught up serves again"


def test_3_an_editor_reads_their_own_save_from_the_primary(site, state, editor):
    topic_id, name = sql(state["PRIMARY_URL"],
                         "SELECT id, name FROM archive_topic ORDER BY id LIMIT 1")[0]
    change = f"/admin/archive/topic/{topic_id}/change/"
    status, page, _ = editor.get(change)
    assert status == 200
    # Replay paused: whatever the editor saves is on the primary only.
    sql(state["REPLICA_URL"], "SELECT pg_wal_replay_pause()")
    try:
        fields = [(k, f"{name} (edited)" if k == "name" else v)
                  for k, v in form_fields(page, "topic_form")]
        status, _, _ = editor.post(change, [*fields, ("_save", "Save")])
        assert status == 302, "the save was refused"
        assert editor.cookie("archive_read_primary"), "no pin to the primary after a save"
        status, page, _ = editor.get("/topics/")
        assert status == 200 and f"{name} (edited)" in page
    finally:
        sql(state["REPLICA_URL"], "SELECT pg_wal_replay_resume()")
    sql(state["PRIMARY_URL"], "UPDATE archive_topic SET name = %s WHERE id = %s",
        (name, topic_id))


def test_4_with_the_replica_stopped_reads_fall_back_to_the_primary(site, state):
    paths = public_pages(state)
    cluster("stop-replica")
    try:
        time.sleep(CHECK_S + 0.2)
        reset_statement_counts(state["PRIMARY_URL"])
        started = time.monotonic()
        assert_all_answer(Browser(site.base), paths)
        print(f"\n{len(paths)} pages with the replica down: {time.monotonic() - started:.2f} s")
        assert archive_reads(state["PRIMARY_URL"]) > 0
    finally:
        cluster("start-replica")
    time.sleep(CHECK_S + 0.5)
    reset_statement_counts(state["PRIMARY_URL"], state["REPLICA_URL"])
    wait_for(lambda: (assert_all_answer(Browser(site.base), ["/statements/"]) or True)
             and archive_reads(state["REPLICA_URL"]) > 0, 20, "the replica serving again")


def test_5_with_the_primary_down_reads_go_on_and_saves_get_a_503_that_loses_nothing(
        site, state, editor):
    primary, replica = state["PRIMARY_URL"], state["REPLICA_URL"]
    topic_id, name = sql(primary, "SELECT id, name FROM archive_topic ORDER BY id LIMIT 1")[0]
    change = f"/admin/archive/topic/{topic_id}/change/"
    status, page, _ = editor.get(change)
    assert status == 200
    typed = f"{name} — typed while the primary was down <&>"
    fields = [(k, typed if k == "name" else v) for k, v in form_fields(page, "topic_form")]
    paths = public_pages(state)
    cluster("stop-primary")
    try:
        time.sleep(CHECK_S + 0.2)
        for who, browser in [("anonymous", Browser(site.base)), ("editor", editor)]:
            for path in paths:
                status, body, _ = browser.get(path)
                assert status == 200, f"{who} {path}: {status} {body[:300]}"
        status, body, headers = editor.post(change, [*fields, ("_save", "Save")])
        assert status == 503, body[:500]
        assert headers.get("Retry-After")
        assert "nothing you typed is lost" in body
        kept = form_fields(body)
        assert ("name", typed) in kept, "the 503 page lost what the editor typed"
        # The same form, sent again while the primary is still down: the same answer.
        status, body, _ = editor.post(change, kept)
        assert status == 503 and ("name", typed) in form_fields(body)
    finally:
        cluster("start-primary")
    # The primary is back: "Send again" saves what was typed.
    wait_for(lambda: editor.post(change, kept)[0] == 302, 30, "the kept form to save")
    saved = sql(primary, "SELECT name FROM archive_topic WHERE id = %s", (topic_id,))[0][0]
    assert saved == typed
    wait_for(lambda: sql(replica, "SELECT name FROM archive_topic WHERE id = %s",
                         (topic_id,))[0][0] == typed, 20, "the replica to receive the save")
    assert "Traceback" not in site.log_text()


def test_6_the_replica_promoted_serves_the_site_alone(site, state, folder):
    replica = state["REPLICA_URL"]
    cluster("stop-primary")  # the primary is lost for good
    cluster("promote")
    wait_for(lambda: not sql(replica, "SELECT pg_is_in_recovery()")[0][0], 30,
             "the promotion")
    site.stop()
    promoted = Site(folder, replica, "").start()  # DATABASE_URL now names the old replica
    try:
        paths = public_pages({"PRIMARY_URL": replica})
        assert_all_answer(Browser(promoted.base), paths)
        topic_id, name = sql(replica, "SELECT id, name FROM archive_topic ORDER BY id LIMIT 1")[0]
        browser = Browser(promoted.base)
        status, page, _ = browser.get("/admin/login/?next=/admin/")
        token = dict(form_fields(page))["csrfmiddlewaretoken"]
        status, _, _ = browser.post("/admin/login/?next=/admin/", [
            ("csrfmiddlewaretoken", token), ("username", "editor"),
            ("password", "replica-test-pw"), ("next", "/admin/")])
        assert status == 302
        change = f"/admin/archive/topic/{topic_id}/change/"
        status, page, _ = browser.get(change)
        fields = [(k, f"{name} after failover" if k == "name" else v)
                  for k, v in form_fields(page, "topic_form")]
        assert browser.post(change, [*fields, ("_save", "Save")])[0] == 302
        assert sql(replica, "SELECT name FROM archive_topic WHERE id = %s",
                   (topic_id,))[0][0] == f"{name} after failover"
    finally:
        promoted.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster("start-primary")  # diverged now; `cluster.sh down` removes both
