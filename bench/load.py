"""``make bench-load``: gunicorn (2 workers) on the full index under 20 concurrent users.

    apt-get install -y wrk                      # once (Debian package; not needed by CI)
    .venv/bin/python bench/load.py              # 60 s, 20 connections
    .venv/bin/python bench/load.py --duration 20 --connections 10

Needs the full set built by ``make bench`` (``var/bench/full/``).  The run works on a copy
in ``var/bench/load/`` (the edits below change statements; the benchmark set stays as built)
and starts, all on this machine:

* gunicorn with 2 sync workers on 127.0.0.1 (an unused port), production settings, the
  rate limits on search and autocomplete switched off (``ARCHIVE_RATE_LIMIT_SEARCH=off``,
  ``ARCHIVE_RATE_LIMIT_AUTOCOMPLETE=off``): one client address making thousands of requests a
  minute is the point of the test, not an attack;
* ``manage.py index_worker``, the one index writer;
* an editor process that changes one published statement per second through
  ``archive.services.update_statement`` (its summary), so the worker commits to the index and
  the web workers switch to a new searcher while they serve;
* wrk (2 threads, 20 connections, ``bench/load.lua``) for 60 s over a mix of searches, facet
  clicks, browsing pages, statement pages and autocomplete, drawn at random from
  ``var/bench/load/paths.txt``.

With ``--replica`` (``make bench-load-replica``, which makes the cluster and removes it) the
same load runs on PostgreSQL: the primary and one streaming replica of
``tests/replica/cluster.sh`` (named by ``ARCHIVE_REPLICA_CLUSTER``), the corpus imported into
the primary with ``import_ungdc`` and indexed into ``var/bench/load-replica/``; gunicorn reads
through the replica router (``DATABASE_REPLICA_URLS``) while the editor writes to the
primary.  It also reports how many of the archive's reads each server ran
(``pg_stat_statements``) and the replica's lag, sampled every second, as the router measures
it.

It reports requests/s, p50/p95/p99, non-2xx answers and socket errors (which must all be 0),
the edits made and how many the worker had indexed by the end, and writes
``var/bench/load/result.json``.  The load is bounded (duration, connections) and only ever
sent to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import common  # noqa: E402

SOURCE = common.BENCH_ROOT / "full"
WORKDIR = common.BENCH_ROOT / "load"


def copy_set(source: Path = SOURCE) -> None:
    if not (source / "whoosh" / "current").exists():
        raise SystemExit(f"{source} has no index yet: run `make bench` first.")
    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    WORKDIR.mkdir(parents=True)
    import sqlite3

    # A consistent copy even if the WAL holds pages (the backup API, not a file copy).
    with sqlite3.connect(source / "archive.sqlite3") as src, \
            sqlite3.connect(WORKDIR / "archive.sqlite3") as dst:
        src.backup(dst)
    live = (source / "whoosh" / "current").read_text().strip()
    (WORKDIR / "whoosh").mkdir()
    shutil.copytree(source / "whoosh" / live, WORKDIR / "whoosh" / live)
    (WORKDIR / "whoosh" / "current").write_text(live)


def _rows(query: str, postgres: str | None) -> list:
    if postgres:
        return pg(postgres, query)
    import sqlite3

    with sqlite3.connect(WORKDIR / "archive.sqlite3") as db:
        return list(db.execute(query))


def pg(url: str, query: str, params=()) -> list:
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def make_paths(count: int = 2000, postgres: str | None = None) -> Path:
    rng = random.Random(20)
    year = "EXTRACT(YEAR FROM delivered_on)::int::text" if postgres else \
        "strftime('%Y', delivered_on)"
    slugs = [r[0] for r in _rows(
        "SELECT slug FROM archive_statement WHERE status='published' ORDER BY id", postgres)]
    codes = [r[0] for r in _rows(
        "SELECT DISTINCT c.code FROM archive_country c "
        "JOIN archive_statement s ON s.country_id = c.id ORDER BY 1", postgres)]
    years = [r[0] for r in _rows(
        f"SELECT DISTINCT {year} FROM archive_statement ORDER BY 1", postgres)]
    last_page = max(1, -(-len(slugs) // 20))  # the list pages 20 statements
    words = ["peace", "security", "development", "terrorism", "apartheid", "nuclear",
             "climate change", '"human rights"', "decolonization", "refugees", "Palestine",
             "economic cooperation", "sanctions", "Korea", "disarmament -nuclear",
             "Cyprus OR Kashmir", "year:1975 oil"]
    paths = []
    for _ in range(count):
        roll = rng.random()
        q = rng.choice(words)
        if roll < 0.35:  # a search, sometimes on a later page or by date
            extra = rng.choice(["", "&sort=newest", "&sort=oldest", ""])
            if q in ("peace", "security", "development"):  # hundreds of hits in every set
                extra = rng.choice(["", "&page=2", "&page=5"])
            paths.append(f"/search/?q={urllib.parse.quote(q)}{extra}")
        elif roll < 0.55:  # facet clicks
            facet = rng.choice([f"country={rng.choice(codes)}", f"year={rng.choice(years)}",
                                f"country={rng.choice(codes)}&year={rng.choice(years)}"])
            paths.append(f"/search/?q={urllib.parse.quote(q) if rng.random() < 0.6 else ''}"
                         f"&{facet}")
        elif roll < 0.65:  # browse all with facets
            paths.append(rng.choice(["/search/", "/search/?sort=oldest", "/search/?page=3"]))
        elif roll < 0.8:  # browsing pages (database only)
            paths.append(rng.choice([
                f"/statements/?page={rng.randint(1, last_page)}",
                f"/countries/{rng.choice(codes)}/",
                f"/years/{rng.choice(years)}/", "/statements/", "/countries/", "/years/"]))
        elif roll < 0.95:
            paths.append(f"/statements/{rng.choice(slugs)}/")
        else:
            paths.append(f"/search/autocomplete/?q={rng.choice(['fra', 'uni', 'gen', 'ind'])}")
    out = WORKDIR / "paths.txt"
    out.write_text("\n".join(paths) + "\n")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def editor(duration: float) -> None:
    """One edit a second through the services, in its own process (``--_editor``)."""
    # The parent passed the whole environment (SQLite or the replica set): keep it.
    if str(common.ROOT) not in sys.path:
        sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from django.db import transaction

    from archive.models import Statement
    from archive.services import update_statement

    pks = list(Statement.objects.published().values_list("pk", flat=True))
    rng = random.Random(7)
    made = 0
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        with transaction.atomic():
            statement = Statement.objects.select_for_update().get(pk=rng.choice(pks))
            update_statement(statement, summary=f"Benchmark edit {made} at {time.time():.0f}.")
        made += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    print(json.dumps({"edits": made}))


def parse_wrk(text: str) -> dict:
    result: dict = {"raw": text}
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    if match:
        result["requests"] = int(match.group(1))
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if match:
        result["requests_per_s"] = float(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx_3xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      text)
    result["socket_errors"] = sum(int(g) for g in match.groups()) if match else 0
    match = re.search(r"^JSON (.*)$", text, re.MULTILINE)
    if match:
        result.update(json.loads(match.group(1)))
    return result


def read_cluster(state: str) -> dict[str, str]:
    path = Path(state)
    if not path.is_file():
        raise SystemExit(f"{state}: no cluster state file; run `tests/replica/cluster.sh up`.")
    return dict(line.split("=", 1) for line in path.read_text().splitlines()
                if "=" in line and not line.startswith("#"))


def prepare_replica_set(cluster: dict[str, str], which: str, *,
                        primary_only: bool = False, engine: str = "postgres") -> dict[str, str]:
    """The corpus in the cluster's primary and its index (``engine``: the PostgreSQL
    engine's tables in the primary, which the replica streams, or a Whoosh folder here);
    the environment to serve it."""
    env = common.bench_env(WORKDIR)
    env.update({"DATABASE_URL": cluster["PRIMARY_URL"],
                "DATABASE_REPLICA_URLS": cluster["REPLICA_URL"],
                "SEARCH_URL": ("postgres:" if engine == "postgres"
                               else f"whoosh:{WORKDIR / 'whoosh'}")})

    def manage(*args: str) -> None:
        subprocess.run([common.PYTHON, "manage.py", *args], cwd=common.ROOT, env=env,
                       check=True)

    WORKDIR.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v0")
    count = pg(cluster["PRIMARY_URL"], "SELECT count(*) FROM archive_statement")[0][0]
    if count == 0:
        argv = ["import_ungdc", str(common.CORPUS), "--no-progress"]
        if which == "quick":
            from harness import QUICK_SESSIONS

            argv += ["--sessions", QUICK_SESSIONS]
        print(f"importing the corpus into the primary ({which} set) ...", flush=True)
        started = time.monotonic()
        manage(*argv)
        print(f"  imported in {time.monotonic() - started:.0f} s", flush=True)
        pg(cluster["PRIMARY_URL"], "DELETE FROM search_indexqueue")  # the index covers them
    if engine == "postgres":
        built = pg(cluster["PRIMARY_URL"], "SELECT count(*) FROM search_live_state()")[0][0]
        if not built:
            print("indexing (PostgreSQL engine, into the primary) ...", flush=True)
            manage("rebuild_index", "--noinput")
    else:
        # The index is built once (into whoosh-pristine/) and copied for each run, as the
        # SQLite run copies its set: an import of the same corpus gives the same rows and ids.
        pristine = WORKDIR / "whoosh-pristine"
        if not (pristine / "current").exists():
            print("indexing ...", flush=True)
            shutil.rmtree(WORKDIR / "whoosh", ignore_errors=True)
            manage("rebuild_index", "--noinput")
            shutil.rmtree(pristine, ignore_errors=True)
            shutil.copytree(WORKDIR / "whoosh", pristine)
        shutil.rmtree(WORKDIR / "whoosh", ignore_errors=True)
        shutil.copytree(pristine, WORKDIR / "whoosh")
    if primary_only:
        env["DATABASE_REPLICA_URLS"] = ""
    return env


class LagSampler:
    """The replica's lag once a second, measured as the router measures it."""

    def __init__(self, replica_url: str):
        import threading

        from config.db_router import LAG_SQL

        self.url, self.sql, self.samples = replica_url, LAG_SQL, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(1.0):
            try:
                row = pg(self.url, self.sql)[0]
                caught_up, age = row[1], row[2]
            except Exception:  # noqa: BLE001 - a sample lost is not a result
                continue
            self.samples.append(0.0 if caught_up else float(age or 0.0))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


def archive_reads(url: str) -> int:
    rows = pg(url, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                   "WHERE query ILIKE 'SELECT%%' AND query LIKE '%%\"archive_%%'")
    return int(rows[0][0])


def search_reads(url: str) -> int:
    """The PostgreSQL engine's searches (its documents table) a server ran."""
    rows = pg(url, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                   "WHERE query LIKE '%%FROM search_document%%' AND query NOT ILIKE 'DELETE%%'"
                   " AND query NOT ILIKE 'INSERT%%'")
    return int(rows[0][0])


def server_times(access_log: Path) -> dict[str, dict]:
    """Gunicorn's own time per kind of page (from the access log, warm-up included): how
    much of wrk's latency is the page itself and how much waiting for a free worker."""
    times: dict[str, list[int]] = {}
    for line in access_log.read_text().splitlines():
        _, _, rest = line.partition(" ")
        path, _, ms = rest.rpartition(" ")
        kind = re.sub(r"^/(statements|countries|years)/[^/?]+/", r"/\1/<one>/",
                      path.split("?", 1)[0])
        times.setdefault(kind, []).append(int(ms))
    return {kind: {"n": len(v), "p50_ms": sorted(v)[len(v) // 2],
                   "mean_ms": round(sum(v) / len(v))}
            for kind, v in sorted(times.items())}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--set", default="full", choices=["full", "quick"],
                        help="which benchmark set to serve (default: the full corpus)")
    parser.add_argument("--no-edits", action="store_true",
                        help="no editor process (to see what the edit stream costs)")
    parser.add_argument("--replica", metavar="STATE", nargs="?",
                        const=os.environ.get("ARCHIVE_REPLICA_CLUSTER", ""),
                        help="serve from the primary and replica of this cluster state file "
                             "(default: $ARCHIVE_REPLICA_CLUSTER; tests/replica/cluster.sh)")
    parser.add_argument("--primary-only", action="store_true",
                        help="with --replica: the same cluster and data, every read from the "
                             "primary (to compare)")
    parser.add_argument("--engine", choices=["postgres", "whoosh"], default="postgres",
                        help="with --replica: the search engine (default: the PostgreSQL "
                             "engine, whose reads the replica serves too)")
    parser.add_argument("--_editor", dest="editor", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.editor is not None:
        editor(args.editor)
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    duration = min(max(args.duration, 5), 600)  # bounded, whatever is asked
    connections = min(max(args.connections, 1), 200)
    global WORKDIR
    cluster = None
    if args.replica is not None:
        cluster = read_cluster(args.replica)
        WORKDIR = common.BENCH_ROOT / "load-replica"
        env = prepare_replica_set(cluster, args.set, primary_only=args.primary_only,
                                  engine=args.engine)
        paths = make_paths(postgres=cluster["PRIMARY_URL"])
    else:
        copy_set(common.BENCH_ROOT / args.set)
        paths = make_paths()
        env = common.bench_env(WORKDIR)
        # The set may predate a migration added since it was imported (the copy only).
        common.manage(WORKDIR, "migrate", "--noinput", "-v0")
    common.manage(WORKDIR, "collectstatic", "--noinput", "-v0")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = []
    (WORKDIR / "access.log").unlink(missing_ok=True)  # gunicorn appends; one run per log
    gunicorn_log = open(WORKDIR / "gunicorn.log", "w")  # noqa: SIM115 (outlives this block)
    worker_log = open(WORKDIR / "worker.log", "w")  # noqa: SIM115
    try:
        gunicorn = subprocess.Popen(
            [str(common.ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-w", "2",
             "-b", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning",
             "--access-logfile", str(WORKDIR / "access.log"),
             "--access-logformat", "%(s)s %(U)s?%(q)s %(M)s"],
            cwd=common.ROOT, env=env, stdout=gunicorn_log,
            stderr=subprocess.STDOUT)
        procs.append(gunicorn)
        worker = subprocess.Popen([common.PYTHON, "manage.py", "index_worker"], cwd=common.ROOT,
                                  env=env, stdout=worker_log,
                                  stderr=subprocess.STDOUT)
        procs.append(worker)
        wait_up(base + "/search/?q=peace")
        for path in paths.read_text().split()[:40]:  # warm both workers' searchers
            try:
                urllib.request.urlopen(base + path, timeout=60).read()
            except urllib.error.HTTPError as exc:
                raise SystemExit(f"{path}: {exc}") from exc
        edits = subprocess.Popen([common.PYTHON, __file__, "--_editor",
                                  str(0.001 if args.no_edits else duration)],
                                 cwd=common.ROOT, env=env, stdout=subprocess.PIPE, text=True)
        procs.append(edits)
        print(f"wrk: {connections} connections, {duration} s, against {base} "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        if cluster:
            for url in (cluster["PRIMARY_URL"], cluster["REPLICA_URL"]):
                pg(url, "SELECT pg_stat_statements_reset()")
        with LagSampler(cluster["REPLICA_URL"]) if cluster else contextlib.nullcontext() as lag:
            wrk = subprocess.run(
                ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
                 "--timeout", "30s", "--latency", "-s",
                 str(Path(__file__).with_name("load.lua")), base],
                cwd=WORKDIR, capture_output=True, text=True, timeout=duration + 120)
        edit_out = edits.communicate(timeout=60)[0]
        time.sleep(3)  # let the worker take the last edits
        result = parse_wrk(wrk.stdout)
        lines = edit_out.strip().splitlines()
        result["edits"] = json.loads(lines[-1])["edits"] if lines else "editor failed"
        result["queue_left"] = _rows("SELECT COUNT(*) FROM search_indexqueue",
                                     cluster["PRIMARY_URL"] if cluster else None)[0][0]
        if cluster:
            primary_reads = archive_reads(cluster["PRIMARY_URL"])
            replica_reads = archive_reads(cluster["REPLICA_URL"])
            result["archive_reads"] = {"primary": primary_reads, "replica": replica_reads}
            result["search_reads"] = {"primary": search_reads(cluster["PRIMARY_URL"]),
                                      "replica": search_reads(cluster["REPLICA_URL"])}
            samples = sorted(lag.samples)
            result["replica_lag_s"] = {
                "samples": len(samples),
                "p50": samples[len(samples) // 2] if samples else None,
                "p95": samples[int(len(samples) * 0.95)] if samples else None,
                "max": samples[-1] if samples else None,
                "over_bound": sum(1 for v in samples if v > float(
                    env.get("DATABASE_REPLICA_MAX_LAG_S") or 5)),
            }
        statuses: dict[str, int] = {}
        failing: dict[str, int] = {}
        for line in (WORKDIR / "access.log").read_text().splitlines():
            status, _, rest = line.partition(" ")
            statuses[status] = statuses.get(status, 0) + 1
            if not status.startswith(("2", "3")):
                key = f"{status} {rest.rsplit(' ', 1)[0]}"
                failing[key] = failing.get(key, 0) + 1
        result["statuses"] = statuses  # warm-up requests included
        result["server_ms_by_page"] = server_times(WORKDIR / "access.log")
        result["failing_paths"] = dict(sorted(failing.items(), key=lambda kv: -kv[1])[:20])
        log_text = (WORKDIR / "gunicorn.log").read_text()
        result["gunicorn_errors"] = log_text.count("Traceback")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        gunicorn_log.close()
        worker_log.close()
    result.update({"set": args.set, "connections": connections, "duration_s": duration,
                   "database": ("PostgreSQL primary, replica unused (--primary-only)"
                                if cluster and args.primary_only else
                                "PostgreSQL primary + 1 streaming replica" if cluster
                                else "SQLite"),
                   "engine": env.get("SEARCH_URL", ""),
                   "git": common.git_commit(), "machine": common.machine(),
                   "rate_limits": "off (ARCHIVE_RATE_LIMIT_SEARCH/AUTOCOMPLETE=off)"})
    (WORKDIR / "result.json").write_text(json.dumps(result, indent=2))
    print(result.pop("raw"))
    print(json.dumps({k: v for k, v in result.items() if k not in ("git", "machine")}, indent=2))
    bad = result.get("non_2xx_3xx", 0) + result.get("socket_errors", 0)
    print("errors: 0" if not bad else f"ERRORS: {bad}")


if __name__ == "__main__":
    main()
