"""The interface in Arabic and bidirectional text (issue 14).

English pages keep their addresses (no prefix) and Arabic ones live under /ar/; the switcher
moves between them without JavaScript; the addresses programs read (API, feeds, sitemap,
robots.txt, health) have no language; every page's <html> carries the interface's language
and direction; an Arabic statement is laid out right to left in either interface; names and
titles of either script are isolated so a mixed line keeps its order.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from archive import services
from archive.bidi import FSI, PDI, isolate
from archive.models import Status, Topic
from search.testing import fresh_index, index_now
from tests.factories import EventFactory, country

DAY = datetime.date(2023, 5, 20)
LATIN, ARABIC = "Hamad Al-Sample", "حمد العينة"
ARABIC_ROLE = "وزير الدولة للشؤون الخارجية"
ARABIC_TITLE = "بيان حول أمن الحدود"


def html_tag(body: str) -> str:
    return re.search(r"<html[^>]*>", body).group(0)


@pytest.fixture
def archive(db):
    """An English and an Arabic statement by a speaker known in both scripts, indexed."""
    fresh_index()
    speaker = services.create_speaker(name=LATIN, name_ar=ARABIC)
    event = EventFactory(name="Sample Border Forum", slug="sample-border-forum",
                         start_date=DAY, end_date=DAY, city="Doha", country=country("QAT"))
    topic = Topic.objects.create(name="Border security", slug="border-security")
    common = {"delivered_on": DAY, "status": Status.PUBLISHED, "event": event,
              "country": country("QAT"), "topics": [topic]}
    english = services.create_statement(
        title="Statement on border security", body="Border security matters to the region.",
        language="en", speakers=[services.SpeakerRole(speaker=speaker, role="Special Envoy")],
        **common,
    )
    arabic = services.create_statement(
        title=ARABIC_TITLE, body="أمن الحدود مسؤولية مشتركة بين دول المنطقة.", language="ar",
        speakers=[services.SpeakerRole(speaker=speaker, role=ARABIC_ROLE)], **common,
    )
    index_now()
    return {"speaker": speaker, "event": event, "topic": topic, "english": english,
            "arabic": arabic}


def public_pages(objects) -> list[str]:
    return [
        reverse("archive:home"), reverse("archive:statement-list"),
        objects["english"].get_absolute_url(), objects["arabic"].get_absolute_url(),
        reverse("archive:speaker-list"), objects["speaker"].get_absolute_url(),
        reverse("archive:event-list"), objects["event"].get_absolute_url(),
        reverse("archive:country-list"), reverse("archive:country-detail", args=["QAT"]),
        reverse("archive:topic-list"), objects["topic"].get_absolute_url(),
        reverse("archive:year-list"), reverse("archive:year-detail", args=[2023]),
        reverse("search:search") + "?q=border", reverse("search:related",
                                                        args=[objects["english"].slug]),
    ]


def test_every_public_page_speaks_english_unprefixed_and_arabic_under_ar(client, archive):
    with translation.override("ar"):
        arabic_pages = public_pages(archive)
    english_pages = public_pages(archive)
    assert all(p.startswith("/ar/") for p in arabic_pages)
    assert not any(p.startswith("/ar/") for p in english_pages)
    for en, ar in zip(english_pages, arabic_pages, strict=True):
        body = client.get(en).content.decode()
        assert html_tag(body) == '<html lang="en" dir="ltr">', en
        assert ">Speakers</a>" in body, en
        response = client.get(ar)
        assert response.status_code == 200, ar
        body = response.content.decode()
        assert html_tag(body) == '<html lang="ar" dir="rtl">', ar
        assert "أرشيف البيانات الدبلوماسية" in body and ">المتحدثون</a>" in body, ar
        assert ">Speakers</a>" not in body, ar
        # Links stay in the reader's language.
        assert 'href="/statements/"' not in body, ar
        assert 'href="/ar/statements/"' in body, ar


def test_arabic_pages_write_dates_numbers_and_plurals_in_arabic(client, archive):
    body = client.get("/ar/statements/").content.decode()
    assert "20 مايو 2023" in body
    assert "2 بيانان، الأحدث أولًا." in body  # the dual form of Arabic's six plural forms
    assert "20 May 2023" in client.get("/statements/").content.decode()


def test_the_arabic_search_page_names_its_filters_and_sorts_in_arabic(client, archive):
    body = client.get("/ar/search/", {"q": "border"}).content.decode()
    headings = re.findall(r'<h2 id="facet-[a-z]+">([^<]+)</h2>', body)
    assert len(headings) >= 5
    assert all(re.search(r"[\u0600-\u06FF]", h) for h in headings), headings
    assert ">الأحدث</a>" in body and "اللغة" in body


def test_the_switcher_is_a_form_that_keeps_the_page_and_its_query(client, archive):
    body = client.get("/statements/?year=2023").content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', body, re.S).group(0)
    assert 'action="/i18n/setlang/"' in form and 'method="post"' in form
    assert 'name="next" value="/statements/?year=2023"' in form
    assert '<button type="submit" name="language" value="ar" lang="ar" dir="rtl">العربيّة' in form
    assert "csrfmiddlewaretoken" not in form  # no token, so no cookie on every public page
    assert "Set-Cookie" not in str(client.get("/statements/").headers)

    to_arabic = client.post("/i18n/setlang/", {"language": "ar", "next": "/statements/?year=2023"})
    assert to_arabic.status_code == 302 and to_arabic["Location"] == "/ar/statements/?year=2023"
    arabic = client.get("/ar/statements/?year=2023").content.decode()
    assert '<button type="submit" name="language" value="en" lang="en" dir="ltr">English' in arabic
    with translation.override("en"):  # the request above left Arabic active in this thread
        slug_page = archive["arabic"].get_absolute_url()
    with translation.override("ar"):
        arabic_slug_page = archive["arabic"].get_absolute_url()
    back = client.post("/ar/i18n/setlang/", {"language": "en", "next": arabic_slug_page})
    assert back.status_code == 302 and back["Location"] == slug_page


def test_pages_in_one_language_only_have_no_switcher(client, archive):
    assert 'class="language-switch"' in client.get("/").content.decode()
    assert 'class="language-switch"' not in client.get("/api/").content.decode()
    assert 'class="language-switch"' not in client.get("/no-such-page/").content.decode()


def test_the_switcher_never_sends_a_reader_to_another_site(client, archive):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")


def test_addresses_for_programs_have_no_language(client, archive):
    for path in ("/api/", "/api/statements/", "/feeds/statements/", "/sitemap.xml",
                 "/robots.txt", "/opensearch.xml", "/healthz"):
        assert client.get(path).status_code in (200, 503), path
        assert client.get(f"/ar{path}").status_code == 404, path
    sitemap = client.get(f"/sitemap-{'statements'}.xml").content.decode()
    assert "/ar/" not in sitemap
    # The API answers in English whatever the reader's language preferences say.
    client.cookies["django_language"] = "ar"
    bad = client.get("/api/statements/", {"from": "2023-12-31", "to": "2023-01-01"},
                     HTTP_ACCEPT_LANGUAGE="ar")
    assert bad.status_code == 400
    assert "The “from” date is after the “to” date." in bad.json()["detail"]


def test_old_addresses_stay_english_whatever_the_browser_prefers(client, archive):
    client.cookies["django_language"] = "ar"
    response = client.get("/statements/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 200
    assert html_tag(response.content.decode()) == '<html lang="en" dir="ltr">'


def test_errors_speak_the_language_of_the_address(client, archive):
    arabic = client.get("/ar/search/", {"from": "2023-12-31", "to": "2023-01-01"})
    assert arabic.status_code == 400
    assert "تاريخ «from» يقع بعد تاريخ «to»." in arabic.content.decode()
    assert html_tag(arabic.content.decode()) == '<html lang="ar" dir="rtl">'
    bad_year = client.get("/ar/statements/", {"year": "20"})
    assert bad_year.status_code == 400 and "تُكتب السنة بأربعة أرقام" in bad_year.content.decode()
    missing = client.get("/ar/statements/no-such-statement/")
    assert missing.status_code == 404 and "الصفحة غير موجودة" in missing.content.decode()


def test_an_arabic_statement_is_right_to_left_in_the_english_interface(client, archive):
    body = client.get(archive["arabic"].get_absolute_url()).content.decode()
    assert html_tag(body) == '<html lang="en" dir="ltr">'
    assert f'<h1 lang="ar" dir="rtl">{ARABIC_TITLE}</h1>' in body
    assert re.search(r'<section class="statement__body"[^>]* lang="ar" dir="rtl">', body)
    # The interface's own words around it stay English and left to right.
    assert '<dl class="facts" lang="en" dir="ltr">' in body
    assert '<footer class="statement__footer" lang="en" dir="ltr">' in body
    # ...and are Arabic in the Arabic interface, the text still right to left.
    with translation.override("ar"):
        url = archive["arabic"].get_absolute_url()
    arabic = client.get(url).content.decode()
    assert '<dl class="facts" lang="ar" dir="rtl">' in arabic
    assert f'<h1 lang="ar" dir="rtl">{ARABIC_TITLE}</h1>' in arabic


def test_an_english_statement_is_left_to_right_in_the_arabic_interface(client, archive):
    with translation.override("ar"):
        url = archive["english"].get_absolute_url()
    body = client.get(url).content.decode()
    assert '<h1 lang="en" dir="ltr">Statement on border security</h1>' in body
    assert re.search(r'<section class="statement__body"[^>]* lang="en" dir="ltr">', body)


def test_mixed_script_lines_isolate_each_name_and_role(client, archive):
    body = client.get(archive["arabic"].get_absolute_url()).content.decode()
    line = re.search(r'<li class="speaker-line">.*?</li>', body, re.S).group(0)
    assert f'dir="auto">{LATIN}</a> <bdi class="other-script">{ARABIC}</bdi>' in line
    assert f'<bdi class="role">{ARABIC_ROLE}</bdi>' in line
    assert f'<bdi>{ARABIC_TITLE}</bdi></span>' in body  # the breadcrumb's last step
    # The reference keeps its English order; the Arabic title inside it is isolated.
    assert f"“<bdi>{ARABIC_TITLE}</bdi>.”" in body
    # The search page: names, roles, facet labels and chips.
    results = client.get("/search/", {"q": "border", "speaker": archive["speaker"].slug})
    text = results.content.decode()
    assert f'<bdi class="name">{LATIN}</bdi> <bdi class="other-script">{ARABIC}</bdi>' in text
    assert f'<bdi class="role">{ARABIC_ROLE}</bdi>' in text
    assert f'<bdi class="label">{LATIN}</bdi>' in text  # the facet
    assert f"Speaker: <bdi>{LATIN}</bdi>" in text  # the chip


def test_titles_without_markup_isolate_the_other_direction_only(client, archive):
    body = client.get(archive["arabic"].get_absolute_url()).content.decode()
    assert f"<title>{FSI}{ARABIC_TITLE}{PDI} · Diplomatic Statements Archive</title>" in body
    english = client.get(archive["english"].get_absolute_url()).content.decode()
    assert "<title>Statement on border security · Diplomatic" in english
    with translation.override("ar"):
        url = archive["english"].get_absolute_url()
    arabic_ui = client.get(url).content.decode()
    assert f"<title>{FSI}Statement on border security{PDI} · أرشيف" in arabic_ui
    assert isolate("Doha", "ltr") == "Doha" and isolate("الدوحة", "rtl") == "الدوحة"
    assert isolate(f"{LATIN} {ARABIC}", "ltr") == f"{FSI}{LATIN} {ARABIC}{PDI}"


def test_citations_and_permalinks_are_the_same_in_every_interface(client, archive):
    with translation.override("ar"):
        url = archive["arabic"].get_absolute_url()
    with translation.override("en"):
        permalink = f"http://testserver{archive['arabic'].get_absolute_url()}"
    body = client.get(url).content.decode()
    assert f'<a href="{permalink}" rel="bookmark" dir="ltr">' in body
    assert "20 May 2023" in body  # the reference is in the English style
    assert f'<link rel="canonical" href="http://testserver{url}">' in body
    with translation.override("ar"):
        cite = reverse("archive:cite", args=[archive["arabic"].slug, "ris"])
    ris = client.get(cite).content.decode()
    assert f"UR  - {permalink}" in ris and "مايو" not in ris


def test_feed_titles_isolate_a_name_in_arabic_script(client, archive):
    speaker = services.create_speaker(name=ARABIC)
    statement = archive["arabic"]
    services.set_statement_speakers(statement=statement,
                                    speakers=[services.SpeakerRole(speaker=speaker, role="")])
    feed = client.get(reverse("api:feed-speaker", args=[speaker.slug])).content.decode()
    assert f"<title>Statements by {FSI}{ARABIC}{PDI} · Diplomatic Statements" in feed
