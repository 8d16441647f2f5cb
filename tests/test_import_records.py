"""export_statements then import_statements: the same records, and bad rows reported."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from archive import services
from archive.importers.records import export_records, import_records, read_records
from archive.models import Statement, Status
from tests.factories import country

pytestmark = pytest.mark.django_db


def _archive():
    speaker = services.create_speaker(name="Jane Sample", honorific="Dr.",
                                      country=country("QAT"), aliases=["J. Sample"])
    event = services.create_event(name="Sample Forum on Water", city="Geneva",
                                  start_date=datetime.date(2022, 10, 18), country=country("CHE"))
    topic = services.get_or_create_topic(name="Water")
    services.create_statement(
        title="Statement on water (demo)", body="One.\n\nTwo.",
        delivered_on=datetime.date(2022, 10, 18),
        country=country("QAT"), event=event, topics=[topic], status=Status.PUBLISHED,
        speakers=[services.SpeakerRole(speaker=speaker, role="Envoy")],
        source_name="Demo source", import_key="demo:1",
    )
    services.create_statement(title="A draft (demo)", body="Draft text.",
                              delivered_on=datetime.date(2023, 1, 2))


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_into_an_empty_archive_reproduces_the_records(fmt):
    _archive()
    first = io.StringIO()
    assert export_records(first, fmt=fmt) == 2
    before = sorted(json.dumps(r, sort_keys=True) for r in _records())
    Statement.objects.all().delete()
    from archive.models import Event, Speaker, Topic
    Speaker.objects.all().delete()
    Event.objects.all().delete()
    Topic.objects.all().delete()
    first.seek(0)
    report = import_records(read_records(first, fmt=fmt))
    assert len(report.created) == 2 and not report.skipped
    assert sorted(json.dumps(r, sort_keys=True) for r in _records()) == before
    first.seek(0)
    again = import_records(read_records(first, fmt=fmt))
    assert len(again.unchanged) == 2 and not again.created


def _records():
    out = io.StringIO()
    export_records(out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    for record in records:
        record.pop("published_at")  # a time of publication is kept, but compared apart
    return records


def test_bad_rows_are_reported_by_line_and_write_nothing(tmp_path):
    good = {"slug": "good-demo", "title": "Good (demo)", "body": "Text.",
            "delivered_on": "2022-01-01"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "slug": "bad-date", "delivered_on": "yesterday"}),
        json.dumps({**good, "slug": "bad-country", "country": "ZZZ"}),
        json.dumps({**good, "slug": "bad-kind", "kind": "poem"}),
        json.dumps({**good, "slug": "no-body", "body": ""}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("import_statements", str(path), "--dry-run", stdout=out)
    assert Statement.objects.count() == 0
    call_command("import_statements", str(path), stdout=out)
    text = out.getvalue()
    for number, reason in [(2, "not valid JSON"), (3, "delivered_on must be a date"),
                           (4, "unknown country code 'ZZZ'"), (5, "unknown kind 'poem'"),
                           (6, "body is required")]:
        assert f"skipped line {number}: {reason}" in text
    assert list(Statement.objects.values_list("slug", flat=True)) == ["good-demo"]
