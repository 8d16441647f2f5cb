"""Hostile input: whatever arrives in a public GET parameter, the answer is a fitting status,
never a 500; and a bad form or import record gets a clear message with nothing half-saved.

Property-based (hypothesis) over every public surface on the demo data with a real index:
the search page, autocomplete, the browsing lists, year pages, feeds, the API, exports and
sitemaps.  Values mix valid keys with the usual trouble (NUL and control characters, huge
numbers, impossible dates, query-language syntax, 5,000-character strings, right-to-left
marks, repeated parameters).  Response times are recorded, not asserted (speed targets live
in bench/): the slowest answer per surface is written to tests/artifacts/.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Event, Speaker, Statement, StatementSpeaker
from search.models import IndexQueue
from search.testing import fresh_index, index_now

from .cleanup import remove_archive_rows

pytestmark = pytest.mark.django_db

# 20 inputs per surface keeps `make test` quick; ARCHIVE_HYPOTHESIS_EXAMPLES=60 (or more)
# for a thorough run.  derandomize=True below: the same inputs every run.
EXAMPLES = int(os.environ.get("ARCHIVE_HYPOTHESIS_EXAMPLES", "20"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
QAHTANI = "mutlaq-bin-majed-al-qahtani"

# --- what the visitor may send --------------------------------------------------------------

NASTY = [
    "", " ", "0", "-1", "1.5", "1e9", "NaN", "99999999999999999999", "２０２２", "٢٠٢٢",
    "2022-02-30", "0000-00-00", "9999-12-31", "2022-13-01", "22-1-1", "2022/01/01",
    "\x00", "a\x00b", "\x1b[31m", "\r\nSet-Cookie: x=1", "%00", "%", "%%", "&", "=",
    "' OR 1=1 --", '"', "'", "*", "?", "\\", "AND", "OR NOT", "NOT", "-", "+", "|",
    "speaker:", 'speaker:"', 'speaker:"Al Qahtani', "year:abc", "year:99999", "from:2022-02-30",
    "to:", "country:ZZZ", "topic:*", "event:.", "((((", "))", '"""', "a" * 5000,
    '"' + "water " * 800 + '"', "-" * 5000, "speaker:" * 600, "OR " * 1600, "<script>",
    "../../etc/passwd", "\u202etxet", "\u200b", "𝕏𝕐", "مطلق القحطاني", "漢字", "QAT", "qat",
    "Qahtani", QAHTANI, "dushanbe-process", "border-security", "speech", "en", "ar", "2022",
    "relevance", "newest", "oldest", "1", "2", "250", "251",
]
value = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1000, max_size=5000),
    st.integers(-(10**12), 10**12).map(str),
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
)


def params(*names: str):
    """A query string over ``names``: any subset, each possibly repeated."""
    return st.dictionaries(
        st.sampled_from(names), st.lists(value, min_size=1, max_size=3), max_size=len(names)
    )


SEARCH = ("q", "speaker", "country", "event", "series", "topic", "kind", "language", "year",
          "from", "to", "sort", "page")
SURFACES = {
    # path: (parameters, acceptable statuses)
    "/search/": (SEARCH, {200, 400, 404}),
    "/search/autocomplete/": (("q", "type"), {200, 400}),
    "/statements/": (("year", "page"), {200, 400, 404}),
    "/speakers/": (("page", "letter", "country"), {200, 400, 404}),
    "/events/": (("kind", "series", "page", "year"), {200, 400, 404}),
    "/countries/": (("page",), {200, 400, 404}),
    "/topics/": (("page",), {200, 400, 404}),
    "/years/": (("page",), {200, 400, 404}),
    "/feeds/statements/": (("page", "q"), {200, 400, 404}),
    "/feeds/search/": (SEARCH, {200, 400, 404}),
    "/api/statements/": ((*SEARCH, "page_size"), {200, 400, 404}),
    "/api/speakers/": (("country", "page"), {200, 400, 404}),
    "/api/events/": (("kind", "country", "year", "page"), {200, 400, 404}),
    "/api/countries/": (("page",), {200, 400, 404}),
    "/api/topics/": (("page",), {200, 400, 404}),
    "/exports/statements.csv": (SEARCH, {200, 400, 404, 413}),
    "/exports/statements.json": (SEARCH, {200, 400, 404, 413}),
    "/sitemap.xml": (("p", "page"), {200, 400, 404}),
    "/sitemap-statements.xml": (("p", "page"), {200, 400, 404}),
}
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run, so CI and a laptop agree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
    database=None,
)

TIMES: dict[str, list[float]] = defaultdict(list)
COUNTS = {"inputs": 0, "500s": 0}


# --- the archive they ask ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data and its index, built once for the module (these tests only read)."""
    with django_db_blocker.unblock():
        fresh_index()
        call_command("load_demo", stdout=io.StringIO())
        index_now()
        yield
        remove_archive_rows()
        fresh_index()
        write_times()


def write_times():
    if not TIMES:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {
        "inputs": COUNTS["inputs"],
        "server_errors": COUNTS["500s"],
        "slowest_seconds": {path: round(max(t), 3) for path, t in sorted(TIMES.items())},
        "median_seconds": {
            path: round(sorted(t)[len(t) // 2], 3) for path, t in sorted(TIMES.items())
        },
    }
    (ARTIFACTS / "hostile-input-times.json").write_text(json.dumps(summary, indent=2) + "\n")


@pytest.fixture
def visitor(demo_data, db, settings):
    settings.API_THROTTLE_RATE = "1000000/minute"  # hundreds of requests from one address
    cache.clear()
    return Client(raise_request_exception=False)


def ask(client: Client, path: str, data, *, label: str = "") -> tuple[int, bytes]:
    started = time.perf_counter()
    response = client.get(path, data)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    TIMES[label or path].append(time.perf_counter() - started)
    COUNTS["inputs"] += 1
    if response.status_code >= 500:
        COUNTS["500s"] += 1
    return response.status_code, body


def assert_fitting(path: str, data, status: int, body: bytes, allowed: set[int]) -> None:
    shown = {k: [v[:80] for v in vs] for k, vs in (data or {}).items()}
    assert status in allowed, f"{path} {shown} answered {status}: {body[:300]!r}"
    if status in (400, 404):
        assert body.strip(), f"{path} {shown}: a {status} without a message"


# --- properties ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(SURFACES))
def test_any_parameters_get_a_fitting_status(visitor, path):
    names, allowed = SURFACES[path]

    @HYPOTHESIS
    @given(data=params(*names))
    def check(data):
        status, body = ask(visitor, path, data)
        assert_fitting(path, data, status, body, allowed)

    check()


@HYPOTHESIS
@given(year=st.integers(0, 9999), data=params("page"))
def test_year_pages_answer_200_or_404(visitor, year, data):
    path = f"/years/{year:04d}/"
    status, body = ask(visitor, path, data, label="/years/<year>/")
    assert_fitting(path, data, status, body, {200, 400, 404})


@HYPOTHESIS
@given(
    kind=st.sampled_from(["speakers", "events", "topics", "countries", "statements"]),
    key=st.one_of(st.sampled_from(NASTY), st.text(max_size=300)),
)
def test_any_slug_in_a_path_is_a_page_or_a_404(visitor, kind, key):
    segment = quote(key, safe="")
    if not segment or segment in (".", ".."):
        return
    paths = [f"/{kind}/<key>/", f"/api/{kind}/<key>/"]
    if kind != "statements":
        paths.append(f"/feeds/{kind}/<key>/")
    else:
        paths += ["/statements/<key>/cite.bib", "/statements/<key>/cite.<key>"]
    for label in paths:
        path = label.replace("<key>", segment)
        status, body = ask(visitor, path, None, label=label)
        assert_fitting(path, None, status, body, {200, 301, 404})


@pytest.mark.parametrize(
    "q",
    [
        "water " * 833,  # 5,000 characters of words
        '"' + "border security " * 312 + '"',
        "speaker:Qahtani " * 312,
        "-" + " -water" * 700,
        "OR " * 1666,
        "ق" * 5000,
        "(" * 5000,
    ],
    ids=["words", "phrase", "fields", "negations", "operators", "arabic", "brackets"],
)
def test_a_five_thousand_character_query_is_answered_everywhere(visitor, q):
    q = q[:5000]
    for path in ("/search/", "/feeds/search/", "/api/statements/", "/exports/statements.csv",
                 "/search/autocomplete/"):
        status, body = ask(visitor, path, {"q": q}, label=f"{path} (5,000-character q)")
        assert_fitting(path, {"q": [q]}, status, body, {200, 400})


def test_the_searches_above_found_no_server_error(visitor):
    """A summary for the report (each test above fails on its own 500 as well)."""
    assert COUNTS["500s"] == 0


# --- forms and imports: a clear message, nothing half-saved -----------------------------------


def _statement_form(**overrides):
    data = {
        "title": "A statement (test)", "slug": "", "delivered_on": "2022-10-18",
        "kind": "statement", "language": "en", "status": "published", "country": "",
        "event": "", "summary": "", "body": "Text of the statement.", "source_name": "",
        "source_url": "", "original_text": "",
        "statement_speakers-TOTAL_FORMS": "1", "statement_speakers-INITIAL_FORMS": "0",
        "statement_speakers-MIN_NUM_FORMS": "0", "statement_speakers-MAX_NUM_FORMS": "1000",
        "statement_speakers-0-speaker": "", "statement_speakers-0-role": "Envoy",
        "statement_speakers-0-order": "0",
    }
    data.update(overrides)
    return data


def _counts():
    return (Statement.objects.count(), StatementSpeaker.objects.count(),
            Speaker.objects.count(), Event.objects.count(), IndexQueue.objects.count())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "x" * 501}, "title", "at most 500 characters"),
        ({"delivered_on": "2022-02-30"}, "delivered_on", "valid date"),
        ({"delivered_on": "31/31/2022"}, "delivered_on", "valid date"),
        ({"slug": "not a slug!"}, "slug", "Unicode letters, numbers, underscores, or hyphens"),
        ({"slug": "x" * 256}, "slug", "at most 255 characters"),
        ({"kind": "poem"}, "kind", "valid choice"),
        ({"language": "xx"}, "language", "valid choice"),
        ({"status": "secret"}, "status", "valid choice"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "valid URL"),
        ({"source_url": "https://" + "a" * 1000 + ".org/"}, "source_url", "at most 1000"),
        ({"country": "999999"}, "country", "valid choice"),
        ({"body": ""}, "body", "required"),
        ({"statement_speakers-0-speaker": "999999"}, None, "valid choice"),
        ({"statement_speakers-0-role": "r" * 401}, None, "at most 400 characters"),
        ({"statement_speakers-TOTAL_FORMS": "x"}, None, "ManagementForm data is missing"),
    ],
)
def test_a_bad_statement_form_says_what_is_wrong_and_saves_nothing(
    admin_client, overrides, field, message
):
    from archive.models import Country

    speaker = Speaker.objects.create(name="Form Speaker", slug="form-speaker")
    data = _statement_form(**{"statement_speakers-0-speaker": str(speaker.pk),
                              "country": str(Country.objects.get(code="QAT").pk)})
    data.update(overrides)
    before = _counts()
    response = admin_client.post("/admin/archive/statement/add/", data)
    assert response.status_code == 200, "the form comes back rather than saving or failing"
    text = response.content.decode()
    assert "errornote" in text or "errorlist" in text
    assert message in text, message
    assert _counts() == before


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("speaker", {"name": "n" * 201, "slug": "ok"}, "at most 200 characters"),
        ("speaker", {"name": "Name", "slug": "bad slug"}, "letters, numbers"),
        ("speaker", {"name": "Name", "slug": "ok", "honorific": "h" * 41}, "at most 40"),
        ("event", {"name": "E", "slug": "e", "kind": "conference", "start_date": "2022-05-05",
                   "end_date": "2022-05-01"}, "An event cannot end before it starts."),
        ("event", {"name": "E", "slug": "e", "kind": "party", "start_date": "2022-05-05"},
         "valid choice"),
        ("event", {"name": "E", "slug": "e", "kind": "conference", "start_date": "2022-02-30"},
         "valid date"),
        ("topic", {"name": "t" * 121, "slug": "t"}, "at most 120 characters"),
    ],
)
def test_bad_entity_forms_say_what_is_wrong_and_save_nothing(admin_client, path, data, message):
    from archive.models import Country, Topic

    before = (*_counts(), Topic.objects.count(), Country.objects.count())
    response = admin_client.post(f"/admin/archive/{path}/add/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "errornote" in text or "errorlist" in text
    assert message in text
    assert (*_counts(), Topic.objects.count(), Country.objects.count()) == before


record_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(NASTY[:60]), st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)
RECORD_FIELDS = ["slug", "title", "body", "delivered_on", "kind", "language", "status",
                 "country", "event", "speakers", "topics", "summary", "source_name",
                 "source_url", "import_key", "published_at"]


@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=st.lists(st.dictionaries(st.sampled_from(RECORD_FIELDS), record_value,
                                        max_size=8), min_size=1, max_size=4))
def test_any_import_record_is_imported_whole_or_reported(db, records):
    """Each record is saved with everything it says, or skipped with a line; never a crash."""
    from archive.importers.records import import_records, read_records

    good = {"slug": "hostile-good", "title": "Good (test)", "body": "Text.",
            "delivered_on": "2022-01-01"}
    lines = [json.dumps(good)] + [json.dumps(r, default=str) for r in records]
    before = Statement.objects.count()
    report = import_records(read_records(io.StringIO("\n".join(lines) + "\n"), fmt="jsonl"))
    handled = len(report.created) + len(report.updated) + len(report.unchanged)
    assert handled + len(report.skipped) == len(lines)
    assert Statement.objects.filter(slug="hostile-good").exists()
    assert Statement.objects.count() - before == len(report.created)
    for statement in Statement.objects.exclude(slug="hostile-good"):
        assert statement.title and statement.body and statement.delivered_on
    Statement.objects.all().delete()
