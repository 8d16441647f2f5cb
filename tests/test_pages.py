"""The public browsing pages: status codes, drafts, escaping, links and query counts."""

import datetime

import pytest
from django.db import connection
from django.template.loader import get_template
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from archive.models import StatementSlugHistory, Status
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    UserFactory,
    country,
)

pytestmark = pytest.mark.django_db

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)"
DRAFT_BANNER = "Draft — not public"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def archive():
    """A small archive: one speaker with three published statements and a draft between them,
    a second speaker and event, and a draft whose speaker, event and topic are otherwise empty."""
    event = EventFactory(
        name="Sample Border Conference", slug="sample-border-conference", city="Dushanbe",
        country=country("TJK"), series="Sample Process",
    )
    speaker = SpeakerFactory(name="Aoife O'Sample-Test", slug="aoife-osample", honorific="Dr.")
    topic = TopicFactory(name="border security", slug="border-security")
    rows = {}
    for key, day, status in [
        ("first", datetime.date(2021, 5, 1), Status.PUBLISHED),
        ("middle", datetime.date(2022, 10, 18), Status.PUBLISHED),
        ("hidden", datetime.date(2022, 12, 1), Status.DRAFT),
        ("last", datetime.date(2023, 3, 9), Status.PUBLISHED),
    ]:
        statement = StatementFactory(
            title=f"Statement {key}", slug=f"statement-{key}", delivered_on=day, event=event,
            draft=status == Status.DRAFT,
        )
        statement.topics.add(topic)
        StatementSpeakerFactory(statement=statement, speaker=speaker, role=f"Role in {day.year}")
        rows[key] = statement

    other_speaker = SpeakerFactory(name="Émile Exemple", slug="emile-exemple")
    other_event = EventFactory(name="Sample Summit", slug="sample-summit", kind="summit")
    other = StatementFactory(
        title="Joint statement on rivers", slug="joint-rivers", event=other_event,
        country=country("NOR"), delivered_on=datetime.date(2020, 2, 2), kind="joint_statement",
    )
    StatementSpeakerFactory(statement=other, speaker=other_speaker, role="Minister", order=0)
    StatementSpeakerFactory(statement=other, speaker=speaker, role="Envoy", order=1)
    rows["other"] = other

    secret_speaker = SpeakerFactory(name="Secret Speaker", slug="secret-speaker")
    secret_event = EventFactory(name="Secret Meeting", slug="secret-meeting")
    secret_topic = TopicFactory(name="secret topic", slug="secret-topic")
    secret = StatementFactory(
        title="Secret draft", slug="secret-draft", event=secret_event, draft=True,
        country=country("ISL"), delivered_on=datetime.date(2019, 1, 1),
    )
    secret.topics.add(secret_topic)
    StatementSpeakerFactory(statement=secret, speaker=secret_speaker)
    rows["secret"] = secret
    return {
        "statements": rows, "speaker": speaker, "event": event, "topic": topic,
        "other_speaker": other_speaker,
    }


@pytest.fixture
def staff_client_factory():
    from django.test import Client

    def make():
        from django.contrib.auth.models import Group

        # Drafts are previewed with the view permission (the Editors group has it), never
        # with the staff flag alone (tests/test_draft_permission.py).
        editor = UserFactory(username="editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        staff = Client()
        staff.force_login(editor)
        return staff

    return make


@pytest.fixture
def staff_client(staff_client_factory):
    return staff_client_factory()


PUBLIC_PAGES = [
    "/",
    "/statements/",
    "/statements/?year=2022",
    "/statements/statement-middle/",
    "/statements/joint-rivers/",
    "/speakers/",
    "/speakers/aoife-osample/",
    "/events/",
    "/events/?kind=summit",
    "/events/?series=Sample+Process",
    "/events/sample-border-conference/",
    "/countries/",
    "/countries/QAT/",
    "/countries/qat/",
    "/topics/",
    "/topics/border-security/",
    "/years/",
    "/years/2022/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_renders_with_layout(client, archive, url):
    response = client.get(url)
    assert response.status_code == 200
    page = html(response)
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in page
    assert '<span aria-current="page">' in page  # the trail ends at this page
    assert "<title>" in page and "<h1" in page
    assert '<meta name="description"' in page
    # Drafts leak through no public page, not even by title, speaker, event or topic.
    for secret in ("Statement hidden", "Secret draft", "Secret Speaker", "Secret Meeting",
                   "secret topic"):
        assert secret not in page


@pytest.mark.parametrize("url", [
    "/statements/no-such-statement/",
    "/statements/statement-hidden/",
    "/statements/secret-draft/",
    "/speakers/nobody/",
    "/speakers/secret-speaker/",
    "/events/no-such-event/",
    "/events/secret-meeting/",
    "/countries/XYZ/",
    "/countries/QATAR/",
    "/topics/no-such-topic/",
    "/topics/secret-topic/",
    "/years/1999/",
    "/years/2019/",  # only a draft that year
    "/years/0000/",
    "/years/22/",
    "/statements/?page=0",
    "/statements/?page=2",
    "/statements/?page=abc",
    "/statements/?page=1.5",
    "/speakers/aoife-osample/?page=99",
])
def test_missing_or_unpublished_is_404_with_plain_page(client, archive, url):
    response = client.get(url)
    assert response.status_code == 404
    page = html(response)
    assert "Page not found" in page
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in page
    assert "Traceback" not in page


@pytest.mark.parametrize(("url", "message"), [
    ("/statements/?year=abc", "four digits"),
    ("/statements/?year=22", "four digits"),
    ("/statements/?year=0000", "four digits"),
    ("/statements/?year=%00", "cannot contain"),
    ("/events/?kind=nonsense", "Accepted kinds: conference"),
    ("/events/?series=%00", "cannot contain"),
])
def test_malformed_filters_are_400_with_a_message(client, archive, url, message):
    response = client.get(url)
    assert response.status_code == 400
    page = html(response)
    assert 'role="alert"' in page
    assert message in page


def test_pages_only_answer_get_and_head(client, archive):
    assert client.head("/statements/").status_code == 200
    assert client.post("/statements/").status_code == 405


def test_year_filter_lists_only_that_year(client, archive):
    page = html(client.get("/statements/?year=2021"))
    assert "Statement first" in page
    assert "Statement middle" not in page


def test_statement_list_paginates_twenty_and_keeps_the_filter(client, archive):
    event = archive["event"]
    for _ in range(21):
        StatementFactory(delivered_on=datetime.date(2022, 1, 1), event=event)
    first = html(client.get("/statements/?year=2022"))
    assert "Page 1 of 2" in first
    assert 'href="?year=2022&amp;page=2"' in first
    second = client.get("/statements/?year=2022&page=2")
    assert second.status_code == 200
    assert "Page 2 of 2" in html(second)
    assert client.get("/statements/?year=2022&page=3").status_code == 404


def test_draft_is_previewed_by_staff_under_a_banner(staff_client, archive):
    response = staff_client.get("/statements/statement-hidden/")
    assert response.status_code == 200
    page = html(response)
    assert DRAFT_BANNER in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    published = html(staff_client.get("/statements/statement-middle/"))
    assert DRAFT_BANNER not in published


def test_a_signed_in_user_who_is_not_staff_cannot_see_a_draft(client, archive):
    client.force_login(UserFactory(username="reader"))
    assert client.get("/statements/statement-hidden/").status_code == 404


def test_staff_see_empty_speaker_page_with_a_notice(staff_client, archive):
    response = staff_client.get("/speakers/secret-speaker/")
    assert response.status_code == 200
    assert "Not public" in html(response)


def test_statement_page_shows_every_fact_with_links(client, archive):
    statement = archive["statements"]["middle"]
    page = html(client.get(statement.get_absolute_url()))
    assert "Statement middle" in page
    assert "18 October 2022" in page
    assert "Dr. Aoife O&#x27;Sample-Test" in page
    assert "Role in 2022" in page
    assert f'href="{archive["speaker"].get_absolute_url()}"' in page
    assert f'href="{archive["event"].get_absolute_url()}"' in page
    assert "Dushanbe" in page and "18–19 October 2022" in page
    assert 'href="/countries/TJK/"' in page  # host country
    assert 'href="/countries/QAT/"' in page  # delegation
    assert 'href="/topics/border-security/"' in page
    assert '<p id="p1">First paragraph of a sample statement.</p>' in page
    assert '<p id="p2">Second paragraph about border security.</p>' in page
    assert 'rel="bookmark"' in page and "http://testserver/statements/statement-middle/" in page


def test_previous_and_next_skip_drafts_and_follow_the_first_speaker(client, archive):
    rows = archive["statements"]
    page = html(client.get(rows["middle"].get_absolute_url()))
    assert f'href="{rows["first"].get_absolute_url()}" rel="prev"' in page
    assert f'href="{rows["last"].get_absolute_url()}" rel="next"' in page
    # The draft of 1 December 2022 sits between middle and last: staff see it, the public not.
    assert "Statement hidden" not in page
    # On the joint statement the first speaker is someone else: no neighbours of Aoife's.
    joint = html(client.get(rows["other"].get_absolute_url()))
    assert 'rel="prev"' not in joint and 'rel="next"' not in joint


def test_staff_neighbours_include_the_draft(staff_client, archive):
    rows = archive["statements"]
    page = html(staff_client.get(rows["middle"].get_absolute_url()))
    assert f'href="{rows["hidden"].get_absolute_url()}" rel="next"' in page


def test_speaker_page_lists_roles_events_and_a_search_within_box(client, archive):
    page = html(client.get("/speakers/aoife-osample/"))
    for role in ("Role in 2021", "Role in 2022", "Role in 2023", "Envoy"):
        assert role in page
    assert "Role in 2022" in page and "18 October 2022" in page
    assert "Sample Border Conference" in page and "Sample Summit" in page
    assert 'action="/search/"' in page
    assert 'name="q"' in page
    assert '<input type="hidden" name="speaker" value="aoife-osample">' in page
    assert '<label for="q-speaker">' in page


def test_event_page_groups_statements_by_delegation_with_search_within(client, archive):
    response = client.get("/events/sample-border-conference/")
    page = html(response)
    assert '<input type="hidden" name="event" value="sample-border-conference">' in page
    assert [c.name for c, _ in response.context["delegations"]] == ["Qatar"]
    assert "Sample Process" in page


def test_speaker_index_groups_by_initial_with_counts(client, archive):
    response = client.get("/speakers/")
    groups = dict(response.context["groups"])
    assert [s.slug for s in groups["A"]] == ["aoife-osample"]
    assert [s.slug for s in groups["E"]] == ["emile-exemple"]  # É is filed under E
    aoife = groups["A"][0]
    assert aoife.statement_count == 4  # three of her own, one joint; not the draft
    assert "secret-speaker" not in html(response)


def test_speaker_index_files_accents_and_other_scripts_sensibly(client):
    for name in ["Zoe Last", "Émile Accent", "Emil Plain", "كريم النموذج", "'t Hooft"]:
        StatementSpeakerFactory(speaker=SpeakerFactory(name=name))
    groups = client.get("/speakers/").context["groups"]
    assert [letter for letter, _ in groups] == ["E", "Z", "ك", "#"]
    assert [s.name for s in dict(groups)["E"]] == ["Emil Plain", "Émile Accent"]


def test_index_counts_never_include_drafts(client, archive):
    topics = {t.slug: t.statement_count for t in client.get("/topics/").context["topics"]}
    assert topics == {"border-security": 3}
    countries = {c.code: c.statement_count for c in client.get("/countries/").context["countries"]}
    assert countries == {"QAT": 3, "NOR": 1}
    totals = client.get("/").context["totals"]
    assert totals == {"statements": 4, "speakers": 2, "events": 2, "countries": 2}
    years = {r["year"]: r["statement_count"] for r in client.get("/years/").context["years"]}
    assert years == {2020: 1, 2021: 1, 2022: 1, 2023: 1}


def test_country_code_is_case_insensitive_with_a_canonical_link(client, archive):
    page = html(client.get("/countries/qat/"))
    assert '<link rel="canonical" href="http://testserver/countries/QAT/">' in page
    assert "Statement middle" in page


def test_former_slug_redirects_permanently(client, archive):
    statement = archive["statements"]["middle"]
    StatementSlugHistory.objects.create(old_slug="old-title", statement=statement)
    response = client.get("/statements/old-title/")
    assert response.status_code == 301
    assert response["Location"] == statement.get_absolute_url()
    hidden = archive["statements"]["hidden"]
    StatementSlugHistory.objects.create(old_slug="old-draft-title", statement=hidden)
    assert client.get("/statements/old-draft-title/").status_code == 404


def test_home_has_search_form_latest_and_frequent(client, archive):
    page = html(client.get("/"))
    assert 'action="/search/"' in page and 'name="q"' in page
    assert '<label for="q-home">' in page
    assert "Statement last" in page
    assert "Most frequent speakers" in page and "Most frequent events" in page


# --- escaping ---------------------------------------------------------------------------


def test_stored_text_is_escaped_everywhere(client):
    nasty = f"{XSS_SCRIPT} {XSS_IMG}"
    event = EventFactory(name=f"Event {nasty}", slug="nasty-event", short_name="",
                         organiser=nasty, series=nasty, city=nasty)
    speaker = SpeakerFactory(name=f"Name {nasty}", slug="nasty-speaker", honorific=XSS_IMG,
                             aliases=nasty, notes=nasty)
    topic = TopicFactory(name=f"Topic {nasty}", slug="nasty-topic")
    statement = StatementFactory(
        title=f"Title {nasty}", slug="nasty", event=event, summary=nasty,
        body=f"Body {nasty}\n\nSecond {nasty}", source_name=nasty,
    )
    statement.topics.add(topic)
    StatementSpeakerFactory(statement=statement, speaker=speaker, role=nasty)
    for url in ["/", "/statements/", "/statements/nasty/", "/speakers/",
                "/speakers/nasty-speaker/", "/events/", "/events/nasty-event/",
                "/topics/", "/topics/nasty-topic/", "/countries/QAT/", "/years/2022/"]:
        page = html(client.get(url))
        assert XSS_SCRIPT not in page, url
        assert XSS_IMG not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
    "vbscript:msgbox", "//evil.example/x", "http:/no-host", "java\nscript:alert(1)",
])
def test_only_http_source_urls_become_links(client, url):
    StatementFactory(slug="s", source_name="The source", source_url=url)
    page = html(client.get("/statements/s/"))
    assert "The source" in page
    assert 'href="javascript' not in page.lower()
    assert "<a href=\"" + url not in page
    assert "not a web link" in page


def test_http_source_url_is_a_link(client):
    StatementFactory(slug="s", source_name="The source", source_url="https://example.org/a?b=1&c=2")
    page = html(client.get("/statements/s/"))
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer external" ' \
        'dir="auto">The source</a>' in page


def test_arabic_statement_is_marked_right_to_left(client):
    StatementFactory(slug="ar", title="بيان تجريبي", language="ar", body="نص تجريبي")
    page = html(client.get("/statements/ar/"))
    assert '<article class="statement" lang="ar">' in page
    assert '<h1 lang="ar" dir="rtl">بيان تجريبي</h1>' in page


# --- error pages ------------------------------------------------------------------------


def test_500_page_renders_without_a_request_context():
    assert "Something went wrong" in get_template("500.html").render({})
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_503_page_renders_with_or_without_a_message():
    assert "Temporarily unavailable" in get_template("503.html").render({})
    assert "Index rebuilding" in get_template("503.html").render({"message": "Index rebuilding"})


# --- query counts -----------------------------------------------------------------------

# Measured for an anonymous reader (staff add the session, the user and at most one check of
# whether a speaker/event/topic has published statements).  A page that grows a query per row
# fails the equality below before it reaches the budget.
# The preview permission (archive.view_statement) costs two queries once per request: the
# user's own permissions and those of their groups.
STAFF_EXTRA = 5
# Paginated pages read the page's keys first, then its rows (archive.views.KeysFirstPaginator):
# one query more than a plain page, so that a deep page stays cheap.
QUERY_BUDGET = {
    "home": 5,
    "statement-list": 5,
    "statement-list-year": 5,
    "statement-detail": 7,  # + agreed language: its passages, and the statements they name
    "speaker-list": 1,
    "speaker-detail": 9,  # + the topics spoken on and the recent passages
    "event-list": 4,
    "event-list-kind": 4,
    "event-detail": 3,
    "country-list": 1,
    "country-detail": 6,
    "topic-list": 1,
    "topic-detail": 5,
    "year-list": 1,
    "year-detail": 4,
}


def _grow(main_speaker, main_event, main_topic, start: int, stop: int) -> None:
    """Statements by the main speaker at the main event, each with its own co-speaker,
    extra topic, delegation and (every third) an event of its own, so that every index grows."""
    codes = ["QAT", "NOR", "JPN", "BRA", "KEN", "JOR", "EGY", "CHE", "DEU", "CAN"]
    for n in range(start, stop):
        event = main_event if n % 3 else EventFactory(slug=f"grow-event-{n}")
        statement = StatementFactory(
            slug=f"grow-{n}", delivered_on=datetime.date(2022, 1, 1) + datetime.timedelta(n),
            event=event, country=country(codes[n % len(codes)]),
        )
        statement.topics.add(main_topic, TopicFactory(slug=f"grow-topic-{n}",
                                                     name=f"grow topic {n}"))
        StatementSpeakerFactory(statement=statement, speaker=main_speaker, order=0)
        StatementSpeakerFactory(statement=statement, order=1)


def _count_queries(client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_rows(client, staff_client_factory):
    speaker = SpeakerFactory(slug="main")
    event = EventFactory(slug="main-event", kind="summit")
    topic = TopicFactory(slug="main-topic", name="main topic")
    _grow(speaker, event, topic, 0, 3)
    urls = {
        "home": "/",
        "statement-list": "/statements/",
        "statement-list-year": "/statements/?year=2022",
        "statement-detail": "/statements/grow-1/",
        "speaker-list": "/speakers/",
        "speaker-detail": "/speakers/main/",
        "event-list": "/events/",
        "event-list-kind": "/events/?kind=summit",
        "event-detail": "/events/main-event/",
        "country-list": "/countries/",
        "country-detail": "/countries/QAT/",
        "topic-list": "/topics/",
        "topic-detail": "/topics/main-topic/",
        "year-list": "/years/",
        "year-detail": "/years/2022/",
    }
    staff = staff_client_factory()
    few, few_staff = _count_queries(client, urls), _count_queries(staff, urls)
    _grow(speaker, event, topic, 3, 30)
    many, many_staff = _count_queries(client, urls), _count_queries(staff, urls)
    assert few == many
    assert few_staff == many_staff
    # The figures for the record (pytest -s shows them).
    print("queries per page (anonymous, staff):", {k: (many[k], many_staff[k]) for k in urls})
    over_budget = {name: n for name, n in many.items() if n > QUERY_BUDGET[name]}
    assert not over_budget, f"over budget: {over_budget} (budget {QUERY_BUDGET})"
    over_budget = {
        name: n for name, n in many_staff.items() if n > QUERY_BUDGET[name] + STAFF_EXTRA
    }
    assert not over_budget, f"staff over budget: {over_budget}"


def test_reverse_names_match_the_models_urls(archive):
    statement = archive["statements"]["middle"]
    expected = reverse("archive:statement-detail", args=[statement.slug])
    assert statement.get_absolute_url() == expected
    assert reverse("archive:year-detail", args=[2022]) == "/years/2022/"
    assert country("QAT").get_absolute_url() == "/countries/QAT/"
