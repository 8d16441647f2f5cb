"""A lost index is never silently replaced by an empty one (issue 13, item 1).

In process: the worker's write refuses to start an index, search answers 503, and
``search_status`` and ``health`` fail.  On a served copy (gunicorn and a running
``index_worker`` in their own processes): the index folder is deleted while the worker runs,
an editor saves, and search answers 503 and ``search_status`` exits 1, never a 200 with a
handful of results; ``rebuild_index`` brings everything back.
"""

from __future__ import annotations

import io
import json
import shutil
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from archive import services
from archive.models import Statement
from search.models import IndexQueue
from search.testing import fresh_index, index_now

from .e2e.site import ScratchSite
from .engines import destroy_index, index_present, lose_live_generation
from .factories import StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed():
    fresh_index()
    statements = [StatementFactory(body=f"Water and peace, part {n}.") for n in range(4)]
    index_now()
    return statements


def hits(client, q) -> int:
    page = client.get("/search/", {"q": q})
    assert page.status_code == 200
    return page.content.decode().count('<li class="result">')


def test_the_worker_never_recreates_a_lost_index(client, indexed):
    assert hits(client, "water") == 4
    destroy_index()
    services.update_statement(indexed[0], title="Edited after the loss")
    index_now()  # the worker takes the change and cannot write it

    assert not index_present()
    assert client.get("/search/", {"q": "water"}).status_code == 503
    row = IndexQueue.objects.get(statement_pk=indexed[0].pk)
    assert row.attempts == 1 and "rebuild_index" in row.last_error  # kept, with back-off
    with pytest.raises(CommandError, match="rebuild_index"):
        call_command("search_status", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("health", stdout=io.StringIO())
    health = client.get("/healthz")
    assert health.status_code == 503 and not health.json()["index"]["ok"]

    call_command("rebuild_index", stdout=io.StringIO())
    assert hits(client, "water") == 4
    call_command("search_status", stdout=io.StringIO())  # no difference: no error


def test_a_worker_run_once_on_a_lost_index_fails_loudly(indexed):
    destroy_index()
    services.update_statement(indexed[0], title="Edited after the loss")
    out = io.StringIO()
    with pytest.raises(CommandError, match="could not be applied"):
        call_command("index_worker", "--once", stdout=out)
    assert "0 applied, 1 failing" in out.getvalue()
    assert IndexQueue.objects.filter(statement_pk=indexed[0].pk).exists()  # kept for a retry


def test_a_lost_live_generation_alone_is_503_too(client, indexed):
    lose_live_generation()
    assert client.get("/search/", {"q": "water"}).status_code == 503
    services.update_statement(indexed[1], title="Edited")
    index_now()
    assert client.get("/search/", {"q": "water"}).status_code == 503


def test_health_is_200_when_all_is_well_and_says_what_fails(client, indexed):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["healthy"] and report["index"]["documents"] == 4
    assert response["Cache-Control"] == "no-store"
    call_command("health", stdout=io.StringIO())

    # A change that waits too long: the queue is unhealthy (the worker is down).
    services.update_statement(indexed[2], title="Waiting")
    IndexQueue.objects.update(enqueued_at=IndexQueue.objects.get().enqueued_at.replace(year=2000))
    report = client.get("/healthz").json()
    assert not report["healthy"] and not report["queue"]["ok"]


def test_a_difference_beyond_the_queue_is_unhealthy(client, indexed):
    Statement.objects.filter(pk=indexed[3].pk).delete()  # behind the services' back
    report = client.get("/healthz").json()
    assert not report["index"]["ok"] and "search_status --repair" in report["index"]["fix"]


@pytest.mark.slow
def test_on_a_served_copy_deleting_the_index_under_the_worker_gives_503(tmp_path):
    with ScratchSite(tmp_path / "site") as site:
        site.prepare(demo=True)
        url = site.start_server()
        worker = site.start_worker()

        def get(path):
            try:
                with urllib.request.urlopen(url + path, timeout=30) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        status, page = get("/search/?q=water")
        assert status == 200 and page.count('<li class="result">') > 2
        shutil.rmtree(site.folder / "whoosh")
        # An editor saves while the worker runs: the worker must not start an empty index.
        site.python(
            "from archive import services\n"
            "from archive.models import Statement\n"
            "s = Statement.objects.published().order_by('pk').first()\n"
            "services.update_statement(s, title=s.title + ' (edited)')\n"
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the worker has had its go at the change
            if site.scalar("SELECT COUNT(*) FROM search_indexqueue WHERE attempts > 0"):
                break
            time.sleep(0.2)
        assert worker.poll() is None, site.log("worker.log")
        assert not (site.folder / "whoosh" / "current").exists()
        status, _page = get("/search/?q=water")
        assert status == 503
        status, body = get("/healthz")
        assert status == 503 and not json.loads(body)["index"]["ok"]
        assert site.search_status()["exit"] == 1

        site.manage("rebuild_index", "--noinput")
        site.wait_for_empty_queue(timeout=60)
        status, page = get("/search/?q=water")
        assert status == 200 and page.count('<li class="result">') > 2
        assert site.search_status()["exit"] == 0
