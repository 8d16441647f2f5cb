"""services.bulk_upsert_statements: the batch write path the importers share."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from archive import services
from archive.models import Statement, StatementSlugHistory, Status
from archive.signals import statements_changed
from tests.factories import SpeakerFactory, StatementFactory, TopicFactory, country

pytestmark = pytest.mark.django_db
DAY = datetime.date(2015, 1, 1)


@pytest.fixture
def announced():
    batches = []

    def receiver(sender, ids, **kwargs):
        batches.append(ids)

    statements_changed.connect(receiver, dispatch_uid="test-bulk-announced")
    yield batches
    statements_changed.disconnect(dispatch_uid="test-bulk-announced")


def _item(n: int, **changes) -> services.StatementInput:
    values = {"title": f"Speech {n} (demo)", "body": f"Text of speech {n}.",
              "delivered_on": DAY, "import_key": f"demo:{n}", "country": country("QAT")}
    values.update(changes)
    return services.StatementInput(**values)


def test_creates_a_batch_and_announces_it_once(announced, django_assert_max_num_queries):
    speaker = SpeakerFactory()
    items = [_item(n, speakers=(services.SpeakerRole(speaker=speaker, role="Minister"),))
             for n in range(30)]
    from django.db import connection

    # On PostgreSQL the queue's NOTIFY to a listening index worker is one more.
    with django_assert_max_num_queries(16 if connection.vendor == "postgresql" else 15):
        result = services.bulk_upsert_statements(items=items)
    assert len(result.created) == 30 and not result.updated
    assert announced == [frozenset(result.ids.values())]
    statement = Statement.objects.get(import_key="demo:7")
    assert statement.status == Status.DRAFT and statement.content_hash
    assert statement.statement_speakers.get().role == "Minister"
    assert statement.original_text == "Text of speech 7."


def test_unchanged_rows_are_not_written_and_changes_are(announced):
    topic = TopicFactory()
    services.bulk_upsert_statements(items=[_item(1), _item(2)])
    announced.clear()
    result = services.bulk_upsert_statements(
        items=[_item(1), _item(2, body="New text.", topics=(topic,))]
    )
    assert result.unchanged == ["demo:1"] and result.updated == ["demo:2"]
    assert announced == [frozenset({result.ids["demo:2"]})]
    updated = Statement.objects.get(import_key="demo:2")
    assert updated.body == "New text." and list(updated.topics.all()) == [topic]


def test_slugs_avoid_live_and_former_slugs():
    StatementFactory(slug="taken")
    other = StatementFactory(slug="other")
    StatementSlugHistory.objects.create(old_slug="taken-2", statement=other)
    result = services.bulk_upsert_statements(
        items=[_item(1, slug="taken"), _item(2, slug="taken")]
    )
    slugs = sorted(Statement.objects.filter(pk__in=result.ids.values()).values_list(
        "slug", flat=True))
    assert slugs == ["taken-3", "taken-4"]


def test_invalid_rows_fail_the_batch():
    with pytest.raises(ValidationError):
        services.bulk_upsert_statements(items=[_item(1), _item(2, kind="poem")])
    assert not Statement.objects.exists()
    with pytest.raises(ValueError):
        services.bulk_upsert_statements(items=[_item(1), _item(1)])


def test_each_written_statement_gets_a_history_version_with_its_topics():
    topic = TopicFactory()
    result = services.bulk_upsert_statements(items=[_item(1, topics=(topic,))])
    statement = Statement.objects.get(pk=result.ids["demo:1"])
    [version] = statement.history.all()
    assert version.history_type == "+" and version.history_change_reason == "Imported"
    assert [t.topic_id for t in version.topics.all()] == [topic.pk]
    services.bulk_upsert_statements(items=[_item(1, body="Changed.", topics=(topic,))])
    assert [v.history_type for v in statement.history.order_by("history_id")] == ["+", "~"]
    assert statement.history.earliest("history_id").body == "Text of speech 1."
