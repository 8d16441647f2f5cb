"""A database that hangs (issue 13, item 10): PostgreSQL connections have a connect timeout and
a statement timeout (``DATABASE_CONNECT_TIMEOUT``, ``DATABASE_STATEMENT_TIMEOUT``), so a
database that accepts connections and never answers, or a query that runs on and on, ends in
the site's plain 503 within seconds instead of holding the request until gunicorn kills the
worker.  Each case runs the real settings in a subprocess against a real server: a socket on
127.0.0.1 that accepts and never answers, and the suite's PostgreSQL running ``pg_sleep``."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def silent_server():
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


REQUEST = """
import json, sys, time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client(raise_request_exception=False).get(sys.argv[1])
print(json.dumps([response.status_code, round(time.monotonic() - started, 2),
                  response.get("Retry-After")]))
"""

SLOW_QUERY = """
import json, time
import django
django.setup()
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(20)")
    return HttpResponse("finished")

urlpatterns = [path("slow/", slow)]
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    shown = cursor.fetchone()[0]
started = time.monotonic()
with override_settings(ROOT_URLCONF="__main__"):
    response = Client(raise_request_exception=False).get("/slow/")
print(json.dumps([shown, response.status_code, round(time.monotonic() - started, 2)]))
"""


def run(code: str, *args: str, env: dict, timeout: float = 60):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1",
                 DJANGO_LOG_LEVEL="CRITICAL", **env)
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=clean,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_database_that_accepts_and_never_answers_gives_a_503_within_the_connect_timeout(
    tmp_path,
):
    with silent_server() as port:
        env = {
            "DATABASE_URL": f"postgres://archive@127.0.0.1:{port}/archive",
            "DATABASE_CONNECT_TIMEOUT": "2",
            "ARCHIVE_VAR_DIR": str(tmp_path),
            "SEARCH_URL": f"whoosh:{tmp_path / 'whoosh'}",
            "CACHE_URL": "locmem://",
        }
        started = time.monotonic()
        # Without a connect timeout the request waits for ever (the 60 s here fail the test).
        status, seconds, retry_after = run(REQUEST, "/statements/", env=env)
    assert status == 503
    assert retry_after == "30"
    assert seconds < 10, f"the 503 took {seconds} s"
    print(f"503 after {seconds} s (subprocess {time.monotonic() - started:.1f} s in all)")


def test_the_statement_timeout_cancels_a_query_and_the_page_answers_503():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("statement_timeout is PostgreSQL's: run with DATABASE_URL=postgres://...")
    shown, status, seconds = run(
        SLOW_QUERY, env={"DATABASE_URL": url, "DATABASE_STATEMENT_TIMEOUT": "1.5",
                         "CACHE_URL": "locmem://"},
    )
    assert shown == "1500ms"
    assert status == 503
    assert seconds < 10, f"pg_sleep(20) was cancelled only after {seconds} s"


def test_the_timeouts_have_defaults_and_can_be_switched_off():
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {"DATABASE_URL": "postgres://archive@127.0.0.1:5432/archive"}
    options = run(code, env=env)
    assert options["connect_timeout"] == 5
    assert "-c statement_timeout=15000" in options["options"]
    options = run(code, env={**env, "DATABASE_STATEMENT_TIMEOUT": "0",
                             "DATABASE_CONNECT_TIMEOUT": "0"})
    assert "connect_timeout" not in options
    assert "statement_timeout" not in options.get("options", "")
