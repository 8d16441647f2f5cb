"""Shared plumbing of the benchmarks: scratch folders, stamps, timing and the results file.

Every benchmark runs the project as it ships (production settings, DEBUG off, no rate limits)
against a scratch database and index of its own under ``var/bench/<name>/``, never against
``var/archive.sqlite3``.  Call :func:`configure` before ``django.setup()``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The engine a benchmark runs on: BENCH_ENGINE=whoosh (the default: each set in a SQLite
# database with a Whoosh index) or postgres (each set in a PostgreSQL database of its own,
# bench_<set>, on BENCH_POSTGRES_URL, searched with SEARCH_URL=postgres:, under
# var/bench/postgres/).  ``make bench-growth ENGINE=postgres`` sets it.
ENGINE = (os.environ.get("BENCH_ENGINE") or "whoosh").strip().lower()
if ENGINE not in ("whoosh", "postgres"):
    raise SystemExit(f"BENCH_ENGINE={ENGINE!r}: use whoosh or postgres")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_ROOT = ROOT / "var" / "bench" / ("postgres" if ENGINE == "postgres" else "")
CORPUS = ROOT.parent / "shared" / "data" / "ungdc" / "ungdc-1946-2015.tgz"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def bench_env(workdir: Path) -> dict[str, str]:
    """The environment of every process of one benchmark (this one and its children)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",  # production code paths: no query log, cached templates
            "DJANGO_SECRET_KEY": "benchmark-only-not-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            # Plain HTTP on 127.0.0.1 (production's HTTPS redirect, HSTS and secure cookies off).
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "ARCHIVE_VAR_DIR": str(workdir),
            "DATABASE_URL": database_url(workdir),
            "SEARCH_URL": (os.environ.get("BENCH_SEARCH_URL") or "postgres:"
                           if ENGINE == "postgres" else f"whoosh:{workdir / 'whoosh'}"),
            # The security helper's per-address limits would turn a benchmark (one address,
            # hundreds of requests a minute) into 429s: measure the pages, not the limiter.
            "ARCHIVE_RATE_LIMIT_SEARCH": "off",
            "ARCHIVE_RATE_LIMIT_AUTOCOMPLETE": "off",
            "ARCHIVE_RATE_LIMIT_RELATED": "off",
            "ARCHIVE_API_THROTTLE_RATE": "100000/minute",
        }
    )
    return env


def database_name(workdir: Path) -> str:
    return "bench_" + "".join(c if c.isalnum() else "_" for c in workdir.name)


def database_url(workdir: Path) -> str:
    if ENGINE == "postgres":
        return f"{POSTGRES_URL}/{database_name(workdir)}"
    return f"sqlite:///{workdir / 'archive.sqlite3'}"


def database_exists(workdir: Path) -> bool:
    if ENGINE != "postgres":
        return (workdir / "archive.sqlite3").exists()
    try:
        query(workdir, "SELECT 1")
    except Exception:
        return False
    return True


def drop_database(workdir: Path) -> None:
    """Start the set's database again (empty; ``migrate`` makes its tables)."""
    if ENGINE != "postgres":
        for name in ("archive.sqlite3", "archive.sqlite3-wal", "archive.sqlite3-shm"):
            (workdir / name).unlink(missing_ok=True)
        return
    import psycopg2

    admin = psycopg2.connect(f"{POSTGRES_URL}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database_name(workdir)}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database_name(workdir)}"')
    admin.close()


def query(workdir: Path, sql: str, params=()):
    """Rows of one query on the set's archive database (SQLite or PostgreSQL)."""
    if ENGINE == "postgres":
        import psycopg2

        db = psycopg2.connect(database_url(workdir))
        try:
            with db, db.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            db.close()
    import sqlite3

    with sqlite3.connect(workdir / "archive.sqlite3") as db:
        return db.execute(sql.replace("%s", "?"), params).fetchall()


def search_bytes(workdir: Path) -> int:
    """The size on disk of the live index: the Whoosh generation folder, or the PostgreSQL
    engine's tables with their indexes and TOAST."""
    if bench_env(workdir)["SEARCH_URL"].startswith("postgres"):
        rows = query(workdir, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
                              "FROM pg_class c WHERE c.relkind = 'r' AND c.relname = ANY(%s)",
                     (["search_document", "search_term", "search_word", "search_state"],))
        return int(rows[0][0])
    live = workdir / "whoosh" / (workdir / "whoosh" / "current").read_text().strip()
    return dir_bytes(live)


def configure(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(workdir))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def manage(workdir: Path, *args: str, check: bool = True, stdout=None):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=bench_env(workdir), check=check,
        stdout=stdout, text=True,
    )


def run_measured(argv: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a child process: wall and CPU time, and memory.

    ``peak_rss_mb`` is the largest single process (``wait4``); the child may fork workers
    (``rebuild_index`` does, one per core), so the whole process tree is also sampled every
    0.1 s: ``peak_tree_pss_mb`` is its peak proportional set size (pages shared between the
    processes after the fork counted once: the memory the build really holds) and
    ``peak_tree_rss_mb`` its peak sum of RSS (shared pages counted in every process).
    """
    started = time.monotonic()
    peaks = {"pss": 0, "rss": 0}
    with open(log, "w") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        stop = threading.Event()

        def sample():
            while not stop.wait(0.1):
                pss, rss = tree_memory_kb(proc.pid)
                peaks["pss"] = max(peaks["pss"], pss)
                peaks["rss"] = max(peaks["rss"], rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed with {code}; see {log}")
    return {
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "peak_tree_pss_mb": peaks["pss"] / 1024,
        "peak_tree_rss_mb": peaks["rss"] / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def tree_memory_kb(root: int) -> tuple[int, int]:
    """(PSS, RSS) in KiB summed over ``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    pss = rss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_tree(*patterns: str) -> str:
    """A hash of the project's files matching the globs (which code built a scratch folder)."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


IMPORT_CODE = (
    "archive/importers/*.py",
    "archive/management/commands/import_ungdc.py",
    "archive/migrations/*.py",
    "archive/services.py",
)
INDEX_CODE = ("search/*.py", "templates/search/indexes/**/*.txt")


def read_stamp(workdir: Path) -> dict:
    try:
        return json.loads((workdir / "stamp.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def write_stamp(workdir: Path, stamp: dict) -> None:
    (workdir / "stamp.json").write_text(json.dumps(stamp, indent=2, sort_keys=True))


def git_commit() -> dict:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    dirty = bool(git("status", "--porcelain", "--", "search", "archive", "config", "templates")
                 .strip())
    return {"commit": git("rev-parse", "HEAD").strip(), "dirty": dirty}


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1m_at_start": round(load[0], 2),
    }


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a real request)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Samples(list):
    """Wall-clock seconds per call, with the process's CPU seconds per call beside them.

    On a shared 2-core machine other processes steal the CPU: wall time then measures the
    neighbours as much as the code.  The CPU time of this (single-threaded) process is what
    the same call costs on an idle core, so both are reported.
    """

    def __init__(self, wall=(), cpu=()):
        super().__init__(wall)
        self.cpu = list(cpu)

    def __iadd__(self, other):
        self.extend(other)
        self.cpu.extend(getattr(other, "cpu", []))
        return self


def summary_ms(samples: list[float]) -> dict:
    out = {
        "p50": round(pct(samples, 50) * 1000, 2),
        "p95": round(pct(samples, 95) * 1000, 2),
        "max": round(max(samples) * 1000, 2),
        "mean": round(statistics.fmean(samples) * 1000, 2),
        "n": len(samples),
        "unit": "ms",
    }
    cpu = getattr(samples, "cpu", None)
    if cpu:
        out["cpu_p50"] = round(pct(cpu, 50) * 1000, 2)
        out["cpu_p95"] = round(pct(cpu, 95) * 1000, 2)
    return out


def timed(fn, rounds: int, warmup: int = 1) -> Samples:
    for _ in range(warmup):
        fn()
    samples = Samples()
    for _ in range(rounds):
        cpu0 = time.process_time()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
        samples.cpu.append(time.process_time() - cpu0)
    return samples
