"""End to end in a real browser: Chromium (Debian's) driven by Playwright, against the archive
run as it is in production: gunicorn and ``index_worker`` as separate processes on a scratch
database (SQLite, also when the suite itself runs on PostgreSQL: these tests are about the
browser) with the demo data and a freshly built index.

Flows: a visitor searches, narrows by speaker, reads a statement and follows its event; uses
the autocomplete; pages through results; does all of it with the keyboard alone.  An editor
logs in to the admin, adds a statement with two speakers and a topic, publishes it, and finds
it in search a moment later (the worker indexes it).  A failing flow leaves a screenshot and
the page's HTML in tests/artifacts/.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.browser import screenshot_on_failure, skip_without_browser
from tests.e2e.site import ScratchSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR, PASSWORD = "e2e-editor", "e2e-editor-password-4821"
QAHTANI = "mutlaq-bin-majed-al-qahtani"
QATAR = "qatar-dushanbe-border-security-conference-2022"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("e2e-site"), postgres=False) as scratch:
        scratch.prepare(
            then=(
                "from django.contrib.auth.models import Group, User\n"
                f"user = User.objects.create_user({EDITOR!r}, password={PASSWORD!r},"
                " is_staff=True)\n"
                "user.groups.add(Group.objects.get(name='Editors'))\n"
            )
        )
        scratch.start_server()
        scratch.start_worker(poll=0.1)
        yield scratch


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Failed loads are reported with their address by the response handler below.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    page.errors = errors
    yield page
    context.close()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def result_titles(page) -> list[str]:
    return page.locator("ol.result-list li.result h3 a").all_inner_texts()


# --- a visitor --------------------------------------------------------------------------------


@screenshot_on_failure
def test_visitor_searches_narrows_by_speaker_reads_and_follows_the_event(page):
    page.goto("/search/")
    page.fill("#search-q", "Qahtani")
    page.press("#search-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Qahtani"))
    assert page.locator("ol.result-list li.result").count() >= 1
    assert page.locator("ol.result-list mark", has_text="Qahtani").count() >= 1

    speaker_facet = page.locator(
        "aside.facets a", has=page.locator(".label", has_text="Mutlaq bin Majed Al Qahtani")
    )
    count = int(speaker_facet.locator(".count").inner_text())
    speaker_facet.click()
    page.wait_for_url(re.compile(r"speaker=" + QAHTANI))
    assert query(page)["q"] == ["Qahtani"], "the facet link keeps the query"
    assert page.locator(".chips a.chip", has_text="Mutlaq bin Majed Al Qahtani").count() == 1
    assert page.locator("ol.result-list li.result").count() == count

    page.locator(f'ol.result-list a[href="/statements/{QATAR}/"]').click()
    page.wait_for_url(f"**/statements/{QATAR}/")
    assert "Dushanbe" in page.locator("h1").inner_text()
    event_link = page.locator("main a[href^='/events/']").first
    event_name = event_link.inner_text()
    event_link.click()
    page.wait_for_url(re.compile(r"/events/[-a-z0-9]+/$"))
    # The statement names the event by its short name; the event page gives both names.
    assert event_name.split(" (")[0][:20] in page.locator("main").inner_text()
    assert page.locator(f'a[href="/statements/{QATAR}/"]').count() >= 1
    assert page.errors == []


@screenshot_on_failure
def test_visitor_picks_a_suggestion_from_the_autocomplete(page):
    page.goto("/search/")
    page.locator("#search-q").press_sequentially("Qaht", delay=40)
    suggestion = page.locator("#search-q-suggestions a", has_text="Mutlaq bin Majed Al Qahtani")
    suggestion.wait_for(state="visible")
    # A named list of links, announced in a status line; the box stays a plain search box.
    assert page.locator("#search-q").get_attribute("aria-expanded") is None
    assert page.locator("#search-q").get_attribute("role") is None
    listing = page.locator("#search-q-suggestions ul")
    title = page.locator("#" + listing.get_attribute("aria-labelledby")).inner_text()
    assert title == "Suggestions"
    assert "suggestion" in page.locator("#search-q-status").inner_text()
    suggestion.click()
    page.wait_for_url(re.compile(r"speaker=" + QAHTANI))
    assert page.locator(f'ol.result-list a[href="/statements/{QATAR}/"]').count() == 1
    assert page.errors == []


@screenshot_on_failure
def test_visitor_pages_through_results_and_back(page):
    page.goto("/search/?sort=newest")
    heading = page.locator("#results-heading").inner_text()
    total = int(re.search(r"of (\d+) statements", heading).group(1))
    assert total > 20, "the demo data fills more than one page"
    first_page = result_titles(page)
    assert len(first_page) == 20

    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert query(page)["sort"] == ["newest"], "paging keeps the sort"
    assert page.locator("#results-heading").inner_text().startswith("21–")
    second_page = result_titles(page)
    assert second_page and not set(second_page) & set(first_page)
    assert "Page 2 of" in page.locator("nav.pagination").inner_text()

    page.locator("nav.pagination a[rel=prev]").click()
    page.wait_for_url(re.compile(r"page=1|sort=newest$"))
    assert result_titles(page) == first_page
    assert page.errors == []


@screenshot_on_failure
def test_keyboard_only_search_facet_suggestion_and_paging(page):
    page.goto("/search/")
    # Tab from the top of the page to the search box, as a keyboard user would.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-q":
            break
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.type("water")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=water"))
    hits = page.locator("#results-heading").inner_text()
    assert "of" in hits

    # Tab on to the first facet value and choose it with Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('aside.facets li')"):
            break
    else:
        pytest.fail("no facet value can be reached with Tab")
    focused_href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(focused_href.split("?")[1].split("&")[-1])))
    assert page.locator(".chips a.chip").count() >= 1

    # The autocomplete: arrow down into the suggestions, Enter on one.
    page.focus("#search-q")
    page.keyboard.press("Control+A")
    page.keyboard.type("Dusha", delay=40)
    page.locator("#search-q-suggestions a").first.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("!!document.activeElement.closest('#search-q-suggestions')")
    page.keyboard.press("Escape")
    assert page.locator("#search-q-suggestions").is_hidden()
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")  # closed list: nothing to move to, focus stays
    page.keyboard.type("n", delay=40)
    page.locator("#search-q-suggestions a").first.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).query == urlsplit(target).query)
    assert "event" in query(page)

    # Paging by keyboard: focus the next-page link and press Enter.
    page.goto("/search/?sort=newest")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('rel')") == "next":
            break
    else:
        pytest.fail("the next-page link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.errors == []


# --- an editor --------------------------------------------------------------------------------


def choose_in_select2(page, select_id: str, text: str, pick: str) -> None:
    """Type into the admin's autocomplete widget for ``select_id`` and click the ``pick``."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    field = page.locator(".select2-container--open .select2-search__field")
    if field.count() == 0:  # a multiple select keeps its search field inside the selection
        field = page.locator(f"#{select_id} + .select2 .select2-search__field")
    field.press_sequentially(text, delay=30)
    page.locator(".select2-results__option", has_text=pick).first.click()


@screenshot_on_failure
def test_editor_adds_a_statement_with_two_speakers_and_a_topic_and_finds_it(page, site):
    marker = f"Zephyrine{int(time.time())}"
    page.goto("/admin/login/?next=/admin/archive/statement/add/")
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/archive/statement/add/")

    page.fill("#id_title", f"Statement on {marker} water cooperation (e2e test)")
    page.fill("#id_delivered_on", "2023-04-05")
    page.select_option("#id_kind", "statement")
    page.select_option("#id_status", "published")
    page.fill("#id_body", f"First paragraph about {marker} and shared rivers.\n\nSecond one.")
    choose_in_select2(page, "id_topics", "border", "border security")
    choose_in_select2(page, "id_statement_speakers-0-speaker", "Qaht",
                      "Mutlaq bin Majed Al Qahtani")
    page.fill("#id_statement_speakers-0-role", "Minister of State")
    page.locator(".add-row a").click()
    choose_in_select2(page, "id_statement_speakers-1-speaker", "Amina", "Amina Sample")
    page.fill("#id_statement_speakers-1-role", "Envoy")
    saved_at = time.monotonic()
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/archive/statement/(\?.*)?$"))
    assert page.locator(".messagelist .success").count() == 1

    # The index worker picks the change up; search shows it within a few seconds.
    found_after = None
    deadline = saved_at + 10
    while time.monotonic() < deadline:
        page.goto(f"/search/?q={marker}")
        if page.locator("ol.result-list li.result").count() == 1:
            found_after = time.monotonic() - saved_at
            break
        time.sleep(0.25)
    assert found_after is not None, "the new statement never showed up in search"
    print(f"e2e: the published statement was searchable {found_after:.2f} s after saving")

    result = page.locator("ol.result-list li.result")
    assert "Mutlaq bin Majed Al Qahtani" in result.inner_text()
    assert "Amina Sample" in result.inner_text()
    facets = page.locator("aside.facets").inner_text()
    assert "border security" in facets and "Amina Sample" in facets
    result.locator("h3 a").click()
    assert "Minister of State" in page.locator("main").inner_text()
    assert page.errors == []
