"""Several processes write while the index worker runs: the index ends up exactly right.

Real processes on a file-based SQLite database and a Whoosh folder in a temporary directory
(the in-memory test database cannot be shared between processes).
"""

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import datetime, os, random, sys, time
    sys.path.insert(0, os.environ["PROJECT_ROOT"])
    import django
    django.setup()
    from django.db import OperationalError, transaction
    from archive import services
    from archive.models import Country, Speaker, Statement, Status

    rng = random.Random(int(os.environ["WRITER_SEED"]))
    name = os.environ["WRITER_NAME"]

    def retry(fn):
        for attempt in range(50):
            try:
                return fn()
            except OperationalError:  # SQLite: another writer holds the lock
                time.sleep(0.05 + rng.random() * 0.1)
        raise RuntimeError("database stayed locked")

    qat = Country.objects.get(code="QAT")
    speaker = retry(lambda: services.create_speaker(name=f"Writer {name}"))
    mine = []
    for i in range(int(os.environ["WRITES"])):
        action = rng.random()
        if action < 0.5 or not mine:
            st = retry(lambda: services.create_statement(
                title=f"{name} statement {i}", body=f"Body {i} from {name} about water.",
                delivered_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
                country=qat, speakers=[services.SpeakerRole(speaker, "Envoy")],
                status=rng.choice([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT])))
            mine.append(st.pk)
        elif action < 0.65:
            st = Statement.objects.get(pk=rng.choice(mine))
            retry(lambda: services.unpublish_statement(statement=st))
        elif action < 0.8:
            st = Statement.objects.get(pk=rng.choice(mine))
            retry(lambda: services.publish_statement(statement=st))
        elif action < 0.9:
            pk = rng.choice(mine)
            mine.remove(pk)
            st = Statement.objects.get(pk=pk)
            retry(lambda: services.delete_statement(statement=st))
        else:
            def rename():
                with transaction.atomic():
                    services.update_speaker(speaker=speaker, name=f"Writer {name} v{i}")
            retry(rename)
    print("done", name, len(mine))
    """
)


def run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, **kwargs,
    )


@pytest.mark.slow
def test_concurrent_writers_and_one_worker_leave_exactly_the_published_statements(tmp_path):
    db = tmp_path / "archive.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "SEARCH_URL": f"whoosh:{tmp_path / 'whoosh'}",
        "ARCHIVE_VAR_DIR": str(tmp_path),
        "PROJECT_ROOT": str(ROOT),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    migrated = run(["migrate", "--noinput"], env)
    assert migrated.returncode == 0, migrated.stderr
    assert run(["rebuild_index", "--noinput"], env).returncode == 0

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "index_worker", "--poll", "0.05"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        time.sleep(1.0)
        second = run(["index_worker", "--once"], env)
        assert second.returncode != 0 and "already running" in second.stderr

        script = tmp_path / "writer.py"
        script.write_text(WRITER)
        writers = [
            subprocess.Popen(
                [sys.executable, str(script)], cwd=ROOT,
                env={**env, "WRITER_SEED": str(n), "WRITER_NAME": f"w{n}", "WRITES": "25"},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for n in range(3)
        ]
        for w in writers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0, err[-2000:]

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(db) as conn:
                (queued,) = conn.execute("SELECT COUNT(*) FROM search_indexqueue").fetchone()
            if queued == 0:
                break
            time.sleep(0.2)
        assert queued == 0, "the worker drained the queue"
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    status = run(["search_status"], env)
    assert status.returncode == 0, status.stderr
    with sqlite3.connect(db) as conn:
        (published,) = conn.execute(
            "SELECT COUNT(*) FROM archive_statement WHERE status = 'published'"
        ).fetchone()
    assert published > 0
    assert f"published statements: {published}" in status.stdout
    assert f"indexed documents:    {published}" in status.stdout
    for line in ("missing from index:   0", "extra in index:       0", "stale in index:       0"):
        assert line in status.stdout, status.stdout
