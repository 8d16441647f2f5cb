"""Backup and restore: export every statement, empty the archive, import the file into it,
and get the same records back and the same answers from search (README, "Backup and
restore")."""

import datetime
import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.http import QueryDict
from django.test import TestCase

from archive import services
from archive.models import Event, Speaker, Statement, StatementSlugHistory, Status, Topic
from archive.services import SpeakerRole
from search.request import read_request, run_search
from search.testing import fresh_index, index_now

from .factories import country

QUERIES = [
    "",  # everything published
    "water",
    "security",
    '"shared rivers"',
    "Qatar",
    "سلام",
]


def search_answers() -> dict:
    """What the search page would show for each query: rows, hit counts, facets, years.

    Facet keys and row ids can differ after a restore (new primary keys), so rows are
    compared by their links and text, facets by their labels and counts.
    """
    answers = {}
    for q in QUERIES:
        params = QueryDict(mutable=True)
        params["q"] = q
        outcome = run_search(read_request(params), params)
        answers[q] = {
            "hits": outcome.hits,
            "rows": [
                (row.title, row.url, row.date, row.snippet, row.event_label, row.country_name,
                 [s.get("name") for s in row.speakers])
                for row in outcome.rows
            ],
            "facets": {
                name: sorted((value.label, value.count) for value in values)
                for name, values in outcome.facets.items()
            },
            "years": [(year, count) for year, count, *_ in outcome.years],
        }
    return answers


def export(path: Path, fmt: str) -> list[dict]:
    call_command("export_statements", "--output", str(path), "--format", fmt,
                 stderr=io.StringIO())
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return path.read_text(encoding="utf-8")


def wipe_archive() -> None:
    """What a new installation has after `migrate`: the seeded countries, no records."""
    Statement.objects.all().delete()
    Speaker.objects.all().delete()
    Event.objects.all().delete()
    Topic.objects.all().delete()
    fresh_index()


class BackupRestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Varied records: drafts and published, several speakers with roles and order,
        # events with and without a host, topics, other scripts, a statement without event.
        water = services.get_or_create_topic(name="Water")
        security = services.get_or_create_topic(name="Border security")
        minister = services.create_speaker(
            name="Amina Example", honorific="HE", country=country("QAT"),
            aliases=["A. Example", "Amina K. Example"],
        )
        envoy = services.create_speaker(name="Rustam Sample", honorific="Mr.")
        conference = services.create_event(
            name="Conference on Water Cooperation", short_name="Water Conf", series="Water Process",
            city="Dushanbe", country=country("TJK"), start_date=datetime.date(2022, 6, 6),
            end_date=datetime.date(2022, 6, 8), organiser="Demo organiser (test data)",
        )
        session = services.create_event(
            name="Seventy-seventh session", kind="session", start_date=datetime.date(2022, 9, 20),
        )
        services.create_statement(
            title="Statement on shared rivers", delivered_on=datetime.date(2022, 6, 7),
            body="Shared rivers need shared rules.\n\nWater security is regional security.",
            country=country("QAT"), event=conference, topics=[water, security],
            speakers=[SpeakerRole(minister, "Minister of State"), SpeakerRole(envoy, "Envoy")],
            summary="Demo summary (test data).", source_name="Demo source (test data)",
            source_url="https://example.org/releases/1", status=Status.PUBLISHED,
        )
        services.create_statement(
            title="Address to the General Assembly", delivered_on=datetime.date(2022, 9, 21),
            body="Border security and development go together.", kind="speech",
            country=country("TJK"), event=session, topics=[security],
            speakers=[SpeakerRole(envoy, "Permanent Representative")],
            import_key="demo:tjk:77", status=Status.PUBLISHED,
        )
        services.create_statement(
            title="بيان حول المياه", delivered_on=datetime.date(2021, 3, 22), language="ar",
            body="السلام والمياه المشتركة.", original_text="  السلام والمياه المشتركة.  ",
            country=country("QAT"), status=Status.PUBLISHED,
        )
        services.create_statement(
            title="Draft on water", delivered_on=datetime.date(2023, 1, 5),
            body="Not yet published: water.", speakers=[SpeakerRole(minister, "")],
        )

    def setUp(self):
        fresh_index()
        services.announce_statements(Statement.objects.values_list("pk", flat=True))
        index_now()

    def test_export_wipe_import_gives_identical_records_and_search_results(self):
        before_search = search_answers()
        self.assertEqual(before_search["water"]["hits"], 1)  # the draft is not found
        with tempfile.TemporaryDirectory() as folder:
            backup = Path(folder) / "backup.jsonl"
            before = export(backup, "jsonl")
            self.assertEqual(len(before), 4)

            wipe_archive()
            self.assertEqual(Statement.objects.count(), 0)
            self.assertEqual(search_answers()[""]["hits"], 0)

            out = io.StringIO()
            call_command("import_statements", str(backup), stdout=out, stderr=out)
            index_now()  # what index_worker does in production

            after = export(Path(folder) / "again.jsonl", "jsonl")
        self.assertEqual(
            sorted(after, key=lambda r: r["slug"]), sorted(before, key=lambda r: r["slug"])
        )
        self.assertEqual(search_answers(), before_search)
        self.assertEqual(Statement.objects.drafts().count(), 1)

    def test_a_csv_backup_restores_the_same_records(self):
        with tempfile.TemporaryDirectory() as folder:
            before = export(Path(folder) / "before.jsonl", "jsonl")
            backup = Path(folder) / "backup.csv"
            export(backup, "csv")
            wipe_archive()
            call_command("import_statements", str(backup), stdout=io.StringIO(),
                         stderr=io.StringIO())
            after = export(Path(folder) / "after.jsonl", "jsonl")
        self.assertEqual(
            sorted(after, key=lambda r: r["slug"]), sorted(before, key=lambda r: r["slug"])
        )

    def test_restoring_over_the_live_archive_changes_nothing(self):
        # Importing a backup into the archive it came from is idempotent (matched by slug or
        # import key), so a restore that is run twice does no harm.
        with tempfile.TemporaryDirectory() as folder:
            backup = Path(folder) / "backup.jsonl"
            before = export(backup, "jsonl")
            pks = sorted(Statement.objects.values_list("pk", flat=True))
            call_command("import_statements", str(backup), stdout=io.StringIO(),
                         stderr=io.StringIO())
            after = export(Path(folder) / "after.jsonl", "jsonl")
        self.assertEqual(sorted(Statement.objects.values_list("pk", flat=True)), pks)
        self.assertEqual(after, before)
        self.assertFalse(StatementSlugHistory.objects.exists())
