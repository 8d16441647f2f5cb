"""The demo data set: records in the import schema, loaded through import_statements (so
through the services), idempotent, varied enough to browse."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from archive.importers.records import read_records
from archive.management.commands.load_demo import DEMO_FILE
from archive.models import Country, Event, Speaker, Statement, Status, Topic
from archive.signals import statements_changed

pytestmark = pytest.mark.django_db

DUSHANBE = "/statements/qatar-dushanbe-border-security-conference-2022/"


@pytest.fixture
def announced():
    """Every statement id announced to the search queue while the test runs."""
    ids: list[int] = []

    def receiver(sender, ids_=None, **kwargs):
        ids.extend(kwargs["ids"])

    statements_changed.connect(receiver, weak=False, dispatch_uid="test-demo-announced")
    yield ids
    statements_changed.disconnect(dispatch_uid="test-demo-announced")


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "statements": sorted(
            Statement.objects.values_list("import_key", "slug", "status", "updated_at")
        ),
        "speakers": sorted(Speaker.objects.values_list("slug", "updated_at")),
        "events": sorted(Event.objects.values_list("slug", "updated_at")),
        "topics": sorted(Topic.objects.values_list("slug", flat=True)),
    }


def test_loading_twice_changes_nothing(announced):
    first_output = load()
    assert "36 created, 0 updated, 0 unchanged, 0 skipped" in first_output
    assert set(announced) == set(Statement.objects.values_list("pk", flat=True))
    before = snapshot()
    announced.clear()
    second_output = load()
    assert snapshot() == before
    assert announced == []
    assert "0 created, 0 updated, 36 unchanged, 0 skipped" in second_output


def test_demo_meets_the_minimum_counts():
    load()
    published = Statement.objects.published()
    assert published.count() >= 30
    assert 2 <= Statement.objects.drafts().count() <= 3
    assert Speaker.objects.filter(statements__in=published).distinct().count() >= 8
    assert Event.objects.filter(statements__in=published).distinct().count() >= 6
    assert Country.objects.filter(statements__in=published).distinct().count() >= 5
    assert len(published.dates("delivered_on", "year")) >= 4
    assert set(published.values_list("language", flat=True)) >= {"en", "ar"}
    assert published.values("kind").distinct().count() >= 4
    assert any(s.statement_speakers.count() == 2 for s in published)
    assert all("demo" in s.source_name for s in Statement.objects.all())
    assert all(s.import_key.startswith("demo:") for s in Statement.objects.all())
    names = list(Topic.objects.values_list("name", flat=True))
    assert any(" " in n for n in names)
    assert any("." in n or "-" in n for n in names)
    assert Speaker.objects.filter(name__regex=r"['-]").exists()
    # Every person except the one real speaker is labelled fictional.
    for speaker in Speaker.objects.exclude(slug="mutlaq-bin-majed-al-qahtani"):
        assert "(fictional)" in speaker.name and "Fictional sample" in speaker.notes


def test_the_dushanbe_record_holds_the_seed_facts():
    load()
    statement = Statement.objects.get(slug=DUSHANBE.split("/")[2])
    assert statement.status == Status.PUBLISHED
    assert statement.delivered_on.isoformat() == "2022-10-18"
    assert statement.kind == "statement"
    assert statement.country.code == "QAT"
    assert statement.source_name.startswith("Ministry of Foreign Affairs of the State of Qatar")
    assert {t.name for t in statement.topics.all()} >= {"counter-terrorism", "border security"}
    link = statement.statement_speakers.get()
    assert link.speaker.name == "Mutlaq bin Majed Al Qahtani"
    assert link.speaker.honorific == "Dr."
    assert "Mutlaq Al-Qahtani" in link.speaker.alias_list
    assert link.role.startswith("Special Envoy of the Minister of Foreign Affairs")
    event = statement.event
    assert (event.city, event.country.code, event.series, event.kind) == (
        "Dushanbe", "TJK", "Dushanbe Process", "conference",
    )
    assert (event.start_date.isoformat(), event.end_date.isoformat()) == (
        "2022-10-18", "2022-10-19",
    )
    assert len(statement.paragraphs) >= 4


def test_home_lists_the_dushanbe_statement(client):
    load()
    page = client.get("/").content.decode()
    assert DUSHANBE in page


def test_dushanbe_page_shows_speaker_role_place_and_date(client):
    load()
    response = client.get(DUSHANBE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mutlaq bin Majed Al Qahtani" in page
    assert "Special Envoy of the Minister of Foreign Affairs for Counter-Terrorism" in page
    assert "Dushanbe" in page and "Tajikistan" in page
    assert "18 October 2022" in page
    assert 'href="/speakers/mutlaq-bin-majed-al-qahtani/"' in page
    assert 'href="/events/dushanbe-border-security-conference-2022/"' in page


def test_demo_drafts_never_show_publicly(client):
    load()
    drafts = list(Statement.objects.drafts())
    secrets = [s.title for s in drafts] + ["Zofia Próbka", "embargoed sample topic"]
    urls = ["/", "/statements/", "/speakers/", "/events/", "/countries/", "/topics/", "/years/",
            "/years/2024/", "/statements/?year=2024", "/countries/KEN/", "/countries/JOR/",
            "/speakers/amina-sample/", "/speakers/karim-al-namudhaj/",
            "/events/sample-digital-cooperation-summit-2024/",
            "/events/sample-water-dialogue-2023/", "/topics/water-security/"]
    for url in urls:
        page = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in page, (url, secret)
    for draft in drafts:
        assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/speakers/zofia-probka/").status_code == 404
    assert client.get("/topics/embargoed-sample-topic/").status_code == 404


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def test_dushanbe_summary_is_in_our_own_words(shared_dir):
    """No run of eight words from the ministry's page, apart from proper names, is reused."""
    seed = (shared_dir / "seeds" / "000_1d78c931a1c408e6.txt").read_text(encoding="utf-8")
    with DEMO_FILE.open(encoding="utf-8") as handle:
        record = next(r for _line, r in read_records(handle, fmt="jsonl")
                      if r["import_key"] == "demo:1")
    event_name = record["event"]["name"]
    role = record["speakers"][0]["role"]
    names = [event_name, role, "International and Regional Border Security"]
    ours = " ".join([record["body"], record["summary"], record["title"]])
    for name in names:
        seed = seed.replace(name, " ")
        ours = ours.replace(name, " ")
    shared = _shingles(seed, 8) & _shingles(ours, 8)
    assert not shared, f"copied from the seed: {sorted(' '.join(s) for s in shared)}"
