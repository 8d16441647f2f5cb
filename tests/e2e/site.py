"""A scratch copy of the archive run as real processes: its own database, index and server.

Browser tests, the concurrency soak and the crash tests need what the in-process test client
cannot give: a web server and an ``index_worker`` in other processes, reading and writing the
same database and the same Whoosh folder.  ``ScratchSite`` builds that under a temporary
folder and never touches ``var/`` or the database named by ``DATABASE_URL``:

* SQLite by default (a file database, WAL on, as in production settings);
* when ``DATABASE_URL`` is PostgreSQL (as in CI), a scratch database on the same server,
  created here and dropped afterwards, unless ``postgres=False`` is asked for (the browser
  tests use SQLite either way: what they exercise is the browser, not the database).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class ScratchSite:
    """Database, index folder and processes of one throwaway archive."""

    def __init__(self, folder: Path, *, postgres: bool = True):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.url = ""
        self.pg_name = None
        base_pg = postgres_url() if postgres else None
        if base_pg:
            self.pg_name = f"archive_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            self._pg_admin(base_pg, f'CREATE DATABASE "{self.pg_name}"')
            parts = urlsplit(base_pg)
            self.database_url = urlunsplit(parts._replace(path="/" + self.pg_name))
            self._base_pg = base_pg
        else:
            self.database_url = f"sqlite:///{self.folder / 'archive.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": self.database_url,
            "SEARCH_URL": f"whoosh:{self.folder / 'whoosh'}",
            "ARCHIVE_VAR_DIR": str(self.folder),
            "ARCHIVE_API_THROTTLE_RATE": "100000/minute",
            "DJANGO_LOG_LEVEL": "ERROR",
            "PROJECT_ROOT": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }

    @property
    def is_postgres(self) -> bool:
        return self.pg_name is not None

    # --- setup ---------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 180, check: bool = True):
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def prepare(self, *, demo: bool = True, then: str = "") -> None:
        """Migrate, load the demo data (optionally), build the index, then run ``then``.

        One process for all of it: starting Django costs seconds on a busy machine.
        """
        self.python(
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            + ("call_command('load_demo', verbosity=0)\n" if demo else "")
            + "call_command('rebuild_index', verbosity=0)\n"
            + then,
            timeout=300,
        )

    def python(self, code: str, *, timeout: float = 120) -> str:
        """Run ``code`` with Django set up against this site; returns its stdout."""
        script = "import django\ndjango.setup()\n" + code
        result = subprocess.run(
            [PYTHON, "-c", script], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"script failed:\n{result.stderr[-4000:]}")
        return result.stdout

    # --- processes -----------------------------------------------------------------------

    def spawn(self, args: list[str], *, log_name: str, extra_env: dict | None = None):
        log = open(self.folder / log_name, "ab")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(
            args, cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        process._log = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def start_server(self, *, timeout: float = 30, options: list[str] | None = None) -> str:
        """gunicorn on a free port of 127.0.0.1 (threads, so a slow page blocks nothing);
        ``options`` replace the worker options (e.g. ``["-c", "deploy/gunicorn.conf.py"]``)."""
        port = free_port()
        server = self.spawn(
            [
                str(Path(PYTHON).with_name("gunicorn")), "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}",
                *(options if options is not None else ["--workers", "1", "--threads", "4"]),
                "--access-logfile", "/dev/null",
            ],
            log_name="server.log",
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("the server stopped at once:\n" + self.log("server.log"))
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2).read()
                return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("the server did not answer:\n" + self.log("server.log"))

    def start_worker(self, *, poll: float = 0.1):
        return self.spawn(
            [PYTHON, "manage.py", "index_worker", "--poll", str(poll)], log_name="worker.log"
        )

    def log(self, name: str) -> str:
        path = self.folder / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self, process, *, sig=signal.SIGTERM, timeout: float = 20) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        process._log.close()  # type: ignore[attr-defined]
        if process in self.processes:
            self.processes.remove(process)

    def close(self) -> None:
        for process in list(self.processes):
            self.stop(process)
        if self.pg_name:
            self._pg_admin(self._base_pg, f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self.pg_name = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- reading the database directly (no Django in the test process) --------------------

    def scalar(self, sql: str):
        if self.is_postgres:
            import psycopg2

            with (
                contextlib.closing(psycopg2.connect(self.database_url)) as conn,
                conn.cursor() as cursor,
            ):
                cursor.execute(sql)
                return cursor.fetchone()[0]
        with contextlib.closing(sqlite3.connect(self.folder / "archive.sqlite3")) as conn:
            return conn.execute(sql).fetchone()[0]

    def queued(self) -> int:
        return self.scalar("SELECT COUNT(*) FROM search_indexqueue")

    def wait_for_empty_queue(self, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queued() == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"the index queue still holds {self.queued()} change(s)")

    def search_status(self) -> dict[str, int]:
        """``search_status`` parsed into numbers (published, indexed, missing, extra, ...),
        and its exit status as ``exit`` (1 when the index is missing or differs)."""
        result = self.manage("search_status", check=False)
        out = result.stdout
        numbers = {"exit": result.returncode}
        for line in out.splitlines():
            label, sep, rest = line.partition(":")
            if sep and rest.strip():
                first = rest.split()[0]
                if first.isdigit():
                    numbers[label.strip()] = int(first)
        return numbers

    @staticmethod
    def _pg_admin(url: str, sql: str) -> None:
        import psycopg2

        parts = urlsplit(url)
        conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()
