"""The index follows the database: the queue, the worker, status/repair and rebuild."""

import datetime
import html
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from archive import services
from archive.models import Statement, Status
from search import documents
from search.engine import LockBusy, get_engine
from search.freshness import differences as index_differences
from search.freshness import rebuild
from search.models import IndexQueue
from search.search_indexes import StatementIndex
from search.testing import fresh_index, index_now
from tests.factories import country

from .engines import whoosh_only

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def index():
    fresh_index()


def make_statement(title="A statement", *, body="Words about border security.", speakers=(),
                   topics=(), status=Status.PUBLISHED, **fields):
    fields.setdefault("delivered_on", datetime.date(2022, 10, 18))
    fields.setdefault("country", country("QAT"))
    return services.create_statement(
        title=title,
        body=body,
        speakers=[services.SpeakerRole(s, "Minister") for s in speakers],
        topics=topics,
        status=status,
        **fields,
    )


def indexed_ids() -> set[int]:
    return {documents.pk_of(i) for i in get_engine().status().documents}


def search_pks(client, **params) -> list[int]:
    body = client.get("/search/", params).content.decode()
    slugs = re.findall(r'<li class="result">\s*<h3><a href="/statements/([^/"]+)/', body)
    by_slug = dict(Statement.objects.values_list("slug", "pk"))
    return [by_slug[s] for s in slugs]


ODD_NAMES = [
    "Dr. Amal O'Neill-Smith",
    'Ahmed "the Elder" Khan',
    "Sheikh Mohammed: Al-Thani",
    "Ruiz, Maria",
    "Jean AND Paul OR NOT Marie",
    "John St. John Jr.",
    "مطلق بن ماجد القحطاني",
    "Anne-Marie d\u2019Arc",
]


def test_facet_values_with_awkward_characters_come_back_whole_and_select_exactly(client):
    speakers = [services.create_speaker(name=name) for name in ODD_NAMES]
    topics = [services.get_or_create_topic(name=n) for n in
              ["Water: Sanitation", 'Peace "and" Security', "AND OR NOT", "أمن الحدود",
               "U.N. reform", "Border security - 2022"]]
    expected = {}
    for i, speaker in enumerate(speakers):
        n = 1 + i % 3
        for j in range(n):
            make_statement(f"Statement {i}-{j}", speakers=[speaker],
                           topics=[topics[(i + j) % len(topics)]])
        expected[speaker.slug] = n
    make_statement("Unrelated", speakers=[], topics=[])
    index_now()

    body = html.unescape(client.get("/search/").content.decode())
    for speaker in speakers:
        assert f'<bdi class="label">{speaker.name}</bdi>' in body, speaker.name
    for topic in topics:
        assert f'<bdi class="label">{topic.name}</bdi>' in body, topic.name

    for speaker in speakers:
        pks = search_pks(client, speaker=speaker.slug)
        db = set(Statement.objects.published().by_speaker(speaker).values_list("pk", flat=True))
        assert set(pks) == db and len(pks) == expected[speaker.slug], speaker.name
    for topic in topics:
        pks = search_pks(client, topic=topic.slug)
        db = set(Statement.objects.published().about(topic).values_list("pk", flat=True))
        assert set(pks) == db, topic.name


def test_speaker_filter_in_the_query_box_matches_names_and_aliases(client):
    speaker = services.create_speaker(name="Mutlaq bin Majed Al Qahtani",
                                      aliases=["Mutlaq Al-Qahtani"])
    st = make_statement("Dushanbe statement", speakers=[speaker])
    make_statement("Other statement")
    index_now()
    for q in ['speaker:"Al Qahtani"', "speaker:Al-Qahtani", "speaker:mutlaq", "Qahtani"]:
        assert search_pks(client, q=q) == [st.pk], q
    assert search_pks(client, q="speaker:nobody") == []


def test_unpublish_delete_rename_and_m2m_changes_reach_the_index(client):
    speaker = services.create_speaker(name="Original Name")
    topic = services.get_or_create_topic(name="Glaciers")
    a = make_statement("First", speakers=[speaker], topics=[topic])
    b = make_statement("Second", speakers=[speaker])
    index_now()
    assert indexed_ids() == {a.pk, b.pk}

    services.unpublish_statement(statement=a)
    index_now()
    assert indexed_ids() == {b.pk}
    services.publish_statement(statement=a)
    index_now()
    assert indexed_ids() == {a.pk, b.pk}

    services.update_speaker(speaker=speaker, name="Renamed Person")
    index_now()
    assert set(search_pks(client, q="Renamed")) == {a.pk, b.pk}
    assert search_pks(client, q='"Original Name"') == []

    other = services.get_or_create_topic(name="Deserts")
    services.set_statement_topics(statement=b, topics=[*b.topics.all(), other])
    index_now()
    assert search_pks(client, topic=other.slug) == [b.pk]
    services.set_statement_topics(statement=a, topics=[])
    index_now()
    assert search_pks(client, topic=topic.slug) == []

    services.delete_statement(statement=b)
    index_now()
    assert indexed_ids() == {a.pk}


def test_event_edit_reaches_every_statement_of_the_event(client):
    event = services.create_event(name="Water Dialogue", start_date=datetime.date(2021, 3, 1),
                                  city="Geneva")
    a = make_statement("At the dialogue", event=event)
    index_now()
    services.update_event(event=event, city="Vienna")
    index_now()
    assert search_pks(client, q="Vienna") == [a.pk]


def test_a_rolled_back_save_leaves_no_trace():
    a = make_statement("Kept")
    index_now()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_statement("Rolled back phantom")
        services.unpublish_statement(statement=a)
        raise RuntimeError("the editor's request failed")
    assert IndexQueue.objects.count() == 0
    index_now()
    assert indexed_ids() == {a.pk}


def test_an_error_preparing_one_document_keeps_the_save_and_the_rest_of_the_batch(
    monkeypatch, client
):
    good = make_statement("Good one")
    bad = make_statement("Broken one")
    original = StatementIndex.prepare_speakers_json

    def broken(self, obj):
        if obj.pk == bad.pk:
            raise ValueError("a bug in preparing this document")
        return original(self, obj)

    monkeypatch.setattr(StatementIndex, "prepare_speakers_json", broken)
    index_now()
    assert Statement.objects.filter(pk=bad.pk, status=Status.PUBLISHED).exists()
    assert indexed_ids() == {good.pk}
    row = IndexQueue.objects.get(statement_pk=bad.pk)
    assert row.attempts == 1 and "a bug in preparing" in row.last_error
    assert row.next_attempt_at > row.enqueued_at

    monkeypatch.setattr(StatementIndex, "prepare_speakers_json", original)
    IndexQueue.objects.update(next_attempt_at=row.enqueued_at)  # the backoff has passed
    index_now()
    assert indexed_ids() == {good.pk, bad.pk}
    assert IndexQueue.objects.count() == 0


def test_a_change_queued_while_indexing_is_not_lost():
    a = make_statement("Before")
    row = IndexQueue.objects.get(statement_pk=a.pk)
    services.update_statement(a, title="After")  # re-queued: new token
    from search.freshness import _delete_done

    _delete_done([row])  # the worker finishing the older version must not drop the new one
    assert IndexQueue.objects.filter(statement_pk=a.pk).exists()


def test_search_status_reports_and_repairs_differences():
    speaker = services.create_speaker(name="Burst Speaker")
    statements = [make_statement(f"Burst {i}", speakers=[speaker]) for i in range(6)]
    index_now()
    # A burst of admin-like edits, drained as the worker would.
    services.update_statement(statements[0], title="Burst renamed")
    services.unpublish_statement(statement=statements[1])
    services.update_speaker(speaker=speaker, name="Burst Speaker Renamed")
    services.delete_statement(statement=statements[2])
    services.set_statement_topics(statement=statements[3],
                                  topics=[services.get_or_create_topic(name="Burst topic")])
    index_now()
    diff = index_differences()
    assert (diff["missing"], diff["extra"], diff["stale"]) == ([], [], [])

    # Break the index behind the worker's back: status sees it, --repair fixes it.
    get_engine().delete([f"archive.statement.{statements[4].pk}"])
    Statement.objects.filter(pk=statements[5].pk).update(title="Changed without a signal")
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 difference"):
        call_command("search_status", stdout=out)
    assert "missing from index:   1" in out.getvalue()
    assert "stale in index:       1" in out.getvalue()
    call_command("search_status", "--repair", stdout=io.StringIO())
    diff = index_differences()
    assert (diff["missing"], diff["extra"], diff["stale"]) == ([], [], [])


@whoosh_only
def test_rebuild_builds_beside_the_live_index_and_swaps(client):
    from search.engine.whoosh.storage import read_pointer

    a = make_statement("Rebuilt statement about glaciers")
    index_now()
    backend = get_engine()
    before = read_pointer(backend.root)
    state = backend._state()  # a reader that has the old generation open
    report = rebuild()
    after = read_pointer(backend.root)
    assert after != before and report.documents == 1
    assert before.exists(), "the previous generation stays for readers that still have it open"
    assert state.searcher.doc_count() == 1
    assert search_pks(client, q="glaciers") == [a.pk]
    rebuild()
    assert not before.exists()


def test_only_one_worker_and_writes_wait_for_the_lock():
    backend = get_engine()
    with backend.writer_lock(), pytest.raises(CommandError, match="already running"):
        call_command("index_worker", "--once", stdout=io.StringIO())
    with backend.write_lock(), pytest.raises(LockBusy), backend.write_lock(timeout=0.2):
        pass


def test_index_worker_once_drains_the_queue():
    make_statement("Queued")
    out = io.StringIO()
    call_command("index_worker", "--once", stdout=out)
    assert "Took 1 queued change(s); 1 applied, 0 failing" in out.getvalue()
    assert IndexQueue.objects.count() == 0


def test_related_statements_are_published_similar_and_never_itself(client):
    from search.related import related_statements

    base = make_statement("Glacier melt", body="Glaciers melt; glacier lakes flood valleys.")
    similar = make_statement("Glacier lakes", body="Glacier lakes and melting glaciers flood.")
    make_statement("Budget", body="The budget committee approved the accounts.")
    draft = make_statement("Glacier draft", body="Glaciers glacier lakes melt flood.",
                           status=Status.DRAFT)
    index_now()
    related = related_statements(base)
    assert similar in related
    assert base not in related and draft not in related
    # What the statement page fetches.
    html_out = client.get(f"/search/related/{base.slug}/", {"fragment": "1"}).content.decode()
    assert similar.get_absolute_url() in html_out
    assert draft.get_absolute_url() not in html_out


def test_related_statements_without_an_index_is_empty_not_an_error():
    from search.related import related_statements

    from .engines import index_lost

    a = make_statement("Lonely")
    with index_lost():
        assert related_statements(a) == []


# --- waking the worker ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_committed_queue_row_wakes_a_listening_worker_and_a_rolled_back_one_does_not():
    from django.db import connection

    from search.freshness import enqueue
    from search.wakeup import Wakeup

    if connection.vendor != "postgresql":
        pytest.skip("notifications are PostgreSQL's; on SQLite the worker polls")
    wakeup = Wakeup()
    try:
        assert wakeup.wait(0.05) is False  # listening now; nothing was queued
        with transaction.atomic():
            enqueue([987654])
            # Not before the commit: the worker would look before the row is visible.
            assert wakeup.wait(0.2) is False
        assert wakeup.wait(5) is True
        with transaction.atomic():
            enqueue([987655])
            transaction.set_rollback(True)
        assert wakeup.wait(0.3) is False
    finally:
        wakeup.close()
        IndexQueue.objects.all().delete()


def test_without_notifications_the_wait_is_the_poll(settings):
    from django.db import connection

    from search.wakeup import Wakeup

    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    assert Wakeup().wait(0.01) is False


def test_an_idle_step_compares_a_few_statements_and_says_more_is_left():
    from reuse import build
    from reuse.models import ReuseQueue
    from search.freshness import idle_step

    made = [make_statement(f"Statement {n}", body=f"Words about border security {n}.")
            for n in range(build.IDLE_STEP + 2)]
    index_now()  # indexes them and, idle, compares them all
    assert not ReuseQueue.objects.exists()
    build.enqueue([s.pk for s in made])
    assert idle_step() is True
    assert ReuseQueue.objects.count() == 2
    assert idle_step() is False
    assert not ReuseQueue.objects.exists()
