"""Drafts never leak: one walk over every public surface as an anonymous visitor.

Two private statements carry marker words found nowhere else: a draft that was never
published, and a statement that was published, seen everywhere (caches warmed), then
unpublished.  Each has its own speaker, topic, event, series and delegation; the draft also
shares a speaker and a topic with published statements and sits between two of them in
time, so that "related statements", previous/next links, facet counts and year charts have a
chance to show it.  The walk follows every link it finds from the home page, search pages and
lists, then asks the surfaces no page links to (API, autocomplete, feeds, exports, citations,
sitemaps) directly.  A marker, a private slug or a private-only year in any answer is a leak.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from archive import services
from archive.models import Country, Kind, Status
from search.related import related_statements
from search.testing import fresh_index, index_now
from tests.e2e.walk import crawl, fetch

pytestmark = pytest.mark.django_db

DRAFT_MARK = "zqxdraftmark"
UNPUB_MARK = "zqxunpubmark"
MARKERS = (DRAFT_MARK, UNPUB_MARK)
PRIVATE_YEAR = 1987  # only the draft was delivered in it


def make_archive():
    qat, fra = Country.objects.get(code="QAT"), Country.objects.get(code="FRA")
    tuv, nru = Country.objects.get(code="TUV"), Country.objects.get(code="NRU")
    common = services.create_speaker(name="Amal Common", country=qat)
    other = services.create_speaker(name="Bruno Other", country=fra)
    water = services.get_or_create_topic(name="Water")
    summit = services.create_event(
        name="Open Water Summit", start_date=datetime.date(2021, 3, 1), series="Water Series",
        city="Geneva",
    )
    published = []
    for i, (day, speaker) in enumerate(
        [(datetime.date(2021, 3, 1), common), (datetime.date(2021, 3, 3), common),
         (datetime.date(2020, 6, 1), other), (datetime.date(2019, 1, 9), other),
         (datetime.date(2021, 3, 2), other)]
    ):
        published.append(services.create_statement(
            title=f"Open statement {i} on water security", delivered_on=day,
            body=f"Water security and river basins, shared reservoirs and dams ({i}).\n\n"
                 "Cooperation on transboundary water is a matter of peace.",
            summary="Water cooperation.", country=qat if i % 2 else fra, event=summit,
            speakers=[services.SpeakerRole(speaker, "Minister")], topics=[water],
            status=Status.PUBLISHED, kind=Kind.SPEECH,
        ))

    # The draft: a marker everywhere, own entities, and close to the published ones.
    own_speaker = services.create_speaker(
        name=f"Hidden {DRAFT_MARK.title()}", country=tuv, aliases=[f"{DRAFT_MARK} alias"],
        notes=f"{DRAFT_MARK} note",
    )
    own_topic = services.get_or_create_topic(name=f"{DRAFT_MARK.title()} topic")
    own_event = services.create_event(
        name=f"{DRAFT_MARK.title()} Conference", short_name=f"{DRAFT_MARK.upper()}",
        series=f"{DRAFT_MARK.title()} Process", city=f"{DRAFT_MARK.title()}ville",
        organiser=f"{DRAFT_MARK} office", start_date=datetime.date(PRIVATE_YEAR, 5, 5),
        country=tuv,
    )
    draft = services.create_statement(
        title=f"Water security {DRAFT_MARK} statement",
        delivered_on=datetime.date(2021, 3, 2),
        body=f"Water security and river basins, shared reservoirs and dams {DRAFT_MARK}.\n\n"
             f"Cooperation on transboundary water is a matter of peace {DRAFT_MARK}.",
        summary=f"{DRAFT_MARK} summary", source_name=f"{DRAFT_MARK} source",
        source_url=f"https://example.org/{DRAFT_MARK}", country=tuv, event=own_event,
        speakers=[services.SpeakerRole(common, f"{DRAFT_MARK} role"),
                  services.SpeakerRole(own_speaker, "Envoy")],
        topics=[water, own_topic], kind=Kind.LETTER, language="tg",
    )
    # A second draft alone in its year, so the year itself must not show anywhere public.
    lonely = services.create_statement(
        title=f"Lonely {DRAFT_MARK} draft", delivered_on=datetime.date(PRIVATE_YEAR, 5, 5),
        body=f"Nothing public {DRAFT_MARK}.", event=own_event, country=tuv,
        speakers=[services.SpeakerRole(own_speaker, "Envoy")], topics=[own_topic],
    )

    # Published, then unpublished later in the test.
    unpub_speaker = services.create_speaker(name=f"Former {UNPUB_MARK.title()}", country=nru)
    unpub_topic = services.get_or_create_topic(name=f"{UNPUB_MARK.title()} topic")
    unpub_event = services.create_event(
        name=f"{UNPUB_MARK.title()} Forum", series=f"{UNPUB_MARK.title()} Series",
        start_date=datetime.date(2018, 2, 2), country=nru,
    )
    withdrawn = services.create_statement(
        title=f"Withdrawn {UNPUB_MARK} statement on water", delivered_on=datetime.date(2018, 2, 2),
        body=f"Water security and river basins {UNPUB_MARK}.", summary=f"{UNPUB_MARK} summary",
        country=nru, event=unpub_event,
        speakers=[services.SpeakerRole(unpub_speaker, "Delegate")],
        topics=[water, unpub_topic], status=Status.PUBLISHED,
    )
    return {
        "published": published, "draft": draft, "lonely": lonely, "withdrawn": withdrawn,
        "entities": {
            "speaker": [own_speaker.slug, unpub_speaker.slug],
            "topic": [own_topic.slug, unpub_topic.slug],
            "event": [own_event.slug, unpub_event.slug],
            "country": ["TUV", "NRU"],
        },
    }


def direct_surfaces(data) -> list[str]:
    """Addresses no page necessarily links to, including the private records' own."""
    urls = [
        "/sitemap.xml", "/robots.txt", "/opensearch.xml", "/feeds/statements/",
        "/api/statements/", "/api/speakers/", "/api/events/", "/api/countries/",
        "/api/topics/", "/api/statements/?page=2", "/exports/statements.csv",
        "/exports/statements.json", f"/years/{PRIVATE_YEAR}/",
        f"/statements/?year={PRIVATE_YEAR}", f"/search/?year={PRIVATE_YEAR}",
        "/search/?kind=letter", "/search/?language=tg", "/search/?q=water&sort=oldest",
        "/search/autocomplete/?q=tuv", "/search/autocomplete/?q=nauru",
    ]
    for section in ("statements", "speakers", "events", "countries", "topics", "pages"):
        urls.append(f"/sitemap-{section}.xml")
    for marker in (*MARKERS, "water", "Hidden", "Former", "Zqx", "zq"):
        query = urlencode({"q": marker})
        urls += [
            f"/search/?{query}", f"/search/autocomplete/?{query}", f"/api/statements/?{query}",
            f"/feeds/search/?{query}", f"/exports/statements.csv?{query}",
            f"/exports/statements.json?{query}",
        ]
    for name, keys in data["entities"].items():
        for key in keys:
            urls += [f"/search/?{name}={key}", f"/api/statements/?{name}={key}"]
            plural = {"country": "countries"}.get(name, name + "s")
            urls += [f"/{plural}/{key}/", f"/feeds/{plural}/{key}/", f"/api/{plural}/{key}/"]
    for statement in (data["draft"], data["lonely"], data["withdrawn"]):
        slug = statement.slug
        urls += [f"/statements/{slug}/", f"/api/statements/{slug}/"]
        urls += [f"/statements/{slug}/cite.{fmt}" for fmt in ("bib", "ris", "json")]
    for statement in data["published"]:
        urls += [f"/statements/{statement.slug}/", f"/api/statements/{statement.slug}/"]
    return urls


def secrets_of(mark: str) -> list[str]:
    """Phrases only a private record holds (the bare marker may be echoed from the query)."""
    return [
        f"hidden {mark}", f"former {mark}", f"{mark} topic", f"{mark} conference",
        f"{mark} forum", f"{mark} process", f"{mark} series", f"{mark}ville", f"{mark} office",
        f"{mark} role", f"{mark} summary", f"{mark} source", f"{mark} alias", f"{mark} note",
        f"dams {mark}", f"peace {mark}", f"basins {mark}", f"{mark} statement", f"{mark} draft",
    ]


def leaks(pages: dict, secrets: list[str]) -> list[tuple[str, str]]:
    """(address, secret) for every secret an answer shows.  An answer may show back what the
    address holds: a search box its query, an error page the address asked for."""
    found = []
    for url, (status, body) in pages.items():
        text = body.decode("utf-8", "replace")
        # JSON may escape non-ASCII; read it back so that every answer is compared as text.
        if url.startswith(("/api/", "/search/autocomplete/", "/exports/statements.json")):
            with contextlib.suppress(ValueError):
                text = json.dumps(json.loads(body), ensure_ascii=False)
        text, address = text.lower(), url.lower()
        for secret in secrets:
            secret = secret.lower()
            if secret in address and (secret in MARKERS or status >= 400):
                continue
            if secret in text:
                found.append((url, secret))
    return found


def year_leaks(pages: dict) -> list[str]:
    year = str(PRIVATE_YEAR)
    return [
        url for url, (_status, body) in pages.items()
        if year in body.decode("utf-8", "replace") and year not in url
    ]


def walk(client: Client, data) -> dict:
    seeds = ["/", "/statements/", "/speakers/", "/events/", "/countries/", "/topics/",
             "/years/", "/search/", "/search/?q=water", "/api/"]
    pages = {url: answer[:2] for url, answer in crawl(client, seeds).items()}
    for url in direct_surfaces(data):
        if url not in pages:
            pages[url] = fetch(client, url)[:2]
    return pages


def test_no_private_statement_shows_on_any_public_surface(settings):
    settings.API_THROTTLE_RATE = "100000/minute"  # one client asks for hundreds of answers
    cache.clear()
    fresh_index()
    data = make_archive()
    index_now()
    client = Client()

    # While published, the withdrawn statement is everywhere: the walk can see it (so the
    # walk itself reaches the surfaces), and every cache has it.
    before = walk(client, data)
    withdrawn_secrets = [*secrets_of(UNPUB_MARK), data["withdrawn"].slug]
    seen_while_published = {url for url, _ in leaks(before, withdrawn_secrets)}
    assert {"/search/?q=" + UNPUB_MARK, "/feeds/statements/", "/api/statements/",
            f"/statements/{data['withdrawn'].slug}/"} <= seen_while_published
    assert any(url.startswith("/sitemap-statements") for url in seen_while_published)
    draft_secrets = [DRAFT_MARK, *secrets_of(DRAFT_MARK), data["draft"].slug,
                     data["lonely"].slug]
    assert leaks(before, draft_secrets) == [], leaks(before, draft_secrets)

    services.unpublish_statement(statement=data["withdrawn"])
    index_now()
    after = walk(client, data)
    print(f"drafts walk: {len(before)} answers before, {len(after)} after unpublishing")

    secrets = [*draft_secrets, UNPUB_MARK, *secrets_of(UNPUB_MARK), data["withdrawn"].slug]
    assert len(after) > 150, "the walk should reach most of the site"
    assert leaks(after, secrets) == [], leaks(after, secrets)
    assert year_leaks(after) == [], year_leaks(after)

    # Countries are reference data with pages of their own, but a delegation with only
    # private statements is in no list, facet or API answer.
    for url in ("/countries/", "/search/?q=water", "/api/countries/", "/sitemap-countries.xml",
                "/search/autocomplete/?q=tuv", "/search/autocomplete/?q=nauru"):
        text = after[url][1].decode()
        assert "Tuvalu" not in text and "Nauru" not in text, url

    # The counts agree with the published statements only: facets, lists, API totals.
    water = client.get("/search/", {"q": "water"}).content.decode()
    assert "of 5 statements" in water
    assert json.loads(client.get("/api/statements/", {"q": "water"}).content)["count"] == 5
    assert json.loads(client.get("/api/statements/").content)["count"] == 5
    topic = client.get("/search/", {"topic": "water"}).content.decode()
    assert re.search(r'<bdi class="label">Water</bdi> <span class="count">5</span>', topic)
    # The draft's neighbours in its first speaker's record skip it.
    first, third = sorted(
        (s for s in data["published"] if s.statement_speakers.first().speaker.name
         == "Amal Common"), key=lambda s: s.delivered_on
    )
    page = client.get(f"/statements/{first.slug}/").content.decode()
    assert f'href="/statements/{third.slug}/"' in page
    # "Related statements" (the search app's {% related_statements %}; no page shows it yet):
    # the published neighbours, never a private statement, however similar.
    private = {data["draft"].pk, data["lonely"].pk, data["withdrawn"].pk}
    for statement in data["published"]:
        related = {s.pk for s in related_statements(statement)}
        assert len(related) == 4 and not related & private

def test_staff_preview_still_sees_the_draft(admin_client):
    """The other side of the walk: the draft exists and is reachable for staff."""
    fresh_index()
    data = make_archive()
    response = admin_client.get(f"/statements/{data['draft'].slug}/")
    assert response.status_code == 200
    assert DRAFT_MARK in response.content.decode()
