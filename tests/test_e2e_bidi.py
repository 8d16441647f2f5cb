"""Right-to-left pages and mixed lines in a real browser (issue 14): Debian's Chromium through
Playwright, against the archive served by gunicorn with the demo data.

What is checked is what a reader sees: the computed direction, where boxes land (the start of
an Arabic page is its right edge), and the visual order of a line that mixes a name in Latin
letters with Arabic (each part isolated, so neither reorders the other).  Screenshots of the
Arabic statement page, the Arabic search page and an English page with names in both scripts
are written to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import ARTIFACTS, screenshot_on_failure, skip_without_browser
from tests.e2e.site import ScratchSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARABIC_STATEMENT = "/statements/sample-2020-jordan-migration-routes-ar/"
ENGLISH_STATEMENT = "/statements/sample-2022-jordan-grain-imports/"  # same speaker, in English
LATIN_NAME = "Karim Al-Namudhaj (fictional)"
ARABIC_NAME = "كريم النموذج (اسم خيالي)"
ARABIC_ROLE = "وزير الخارجية"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("e2e-bidi"), postgres=False) as scratch:
        scratch.prepare()
        scratch.start_server()
        yield scratch


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def direction(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).direction")


def box(locator) -> dict:
    result = locator.bounding_box()
    assert result is not None, f"{locator} is not displayed"
    return result


def text_box(locator, needle: str) -> dict:
    """The on-screen box of ``needle`` inside the element (a DOM Range over its text)."""
    rect = locator.evaluate(
        """(el, needle) => {
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(needle);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            const r = range.getBoundingClientRect();
            return {x: r.x, right: r.right, y: r.y, width: r.width};
          }
          return null;
        }""",
        needle,
    )
    assert rect is not None, f"{needle!r} is not in {locator}"
    return rect


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@screenshot_on_failure
def test_an_arabic_statement_reads_right_to_left_in_the_english_interface(page):
    page.goto(ARABIC_STATEMENT)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert direction(page.locator("html")) == "ltr"
    title = page.locator("article h1")
    body = page.locator("section.statement__body")
    assert direction(title) == "rtl" and direction(body) == "rtl"
    assert title.get_attribute("lang") == "ar" and body.get_attribute("lang") == "ar"
    # The text starts at the right edge of its column and leaves room on the left.
    paragraph = body.locator("p").first
    first_word = paragraph.inner_text().split()[0]
    word, column = text_box(paragraph, first_word), box(body)
    assert abs(word["right"] - (column["x"] + column["width"])) < 4
    assert word["x"] > column["x"] + column["width"] / 2
    # The interface's own labels around it stay left to right.
    label = page.locator("dl.facts dt").first
    assert direction(label) == "ltr" and label.inner_text() == "Date"


@screenshot_on_failure
def test_the_arabic_interface_is_laid_out_right_to_left(page):
    page.goto("/")
    page.get_by_role("button", name="العربيّة").click()  # the switcher, no JavaScript needed
    page.wait_for_url("**/ar/")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert direction(page.locator("html")) == "rtl"
    # The header's start (the site's name) is on the right, its end (the switcher) on the left.
    name, switch = box(page.locator(".site-title")), box(page.locator(".language-switch"))
    assert name["x"] > switch["x"] + switch["width"]
    assert page.locator(".site-title").inner_text() == "أرشيف البيانات الدبلوماسية"

    page.goto("/ar/search/?q=%D8%A7%D9%84%D9%85%D9%8A%D8%A7%D9%87")  # المياه
    assert page.locator("h1").inner_text() == "البحث في البيانات"
    # The filters (first in the page) sit right of the results on a wide screen.
    filters, results = box(page.locator("#filters")), box(page.locator("#results"))
    assert filters["x"] > results["x"] + results["width"] - 1
    # A result's title starts at the right edge of the results column.
    first = page.locator(".result h3 a").first
    assert direction(first.locator("span")) == "rtl"
    shoot(page, "arabic-search.png")
    # The switcher brings the same search back in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/search/?q=*")
    assert "/ar/" not in page.url and direction(page.locator("html")) == "ltr"


@screenshot_on_failure
def test_a_latin_name_beside_an_arabic_role_keeps_its_order_on_an_arabic_page(page):
    page.goto(f"/ar{ARABIC_STATEMENT}")
    assert direction(page.locator("html")) == "rtl"
    line = page.locator("li.speaker-line")
    name = line.locator("a")
    other, role = line.locator("bdi.other-script"), line.locator("bdi.role")
    # Isolated in the DOM: the name decides its own direction, the others are <bdi>.
    assert name.get_attribute("dir") == "auto" and direction(name) == "ltr"
    assert other.inner_text() == ARABIC_NAME and role.inner_text() == ARABIC_ROLE
    assert direction(other) == "rtl"
    # In a right-to-left line the parts come right to left in their logical order...
    assert box(name)["x"] > box(other)["x"] > text_box(role, ARABIC_ROLE.split()[-1])["x"]
    # ...while the Latin name inside still reads left to right, its brackets in place.
    assert LATIN_NAME in name.inner_text()
    assert text_box(name, "Karim")["x"] < text_box(name, "Al-Namudhaj")["x"] \
        < text_box(name, "(fictional)")["x"]
    shoot(page, "arabic-statement.png")


@screenshot_on_failure
def test_an_arabic_name_in_an_english_speaker_line_keeps_its_order(page):
    page.goto(ENGLISH_STATEMENT)
    line = page.locator("li.speaker-line")
    name, other = line.locator("a"), line.locator("bdi.other-script")
    role = line.locator("bdi.role")
    assert direction(line) == "ltr" and direction(other) == "rtl"
    assert role.inner_text() == "Minister for Foreign Affairs"
    # Left to right in logical order: name, the Arabic name, the role (which may wrap, so its
    # first word is measured)...
    assert box(name)["x"] < box(other)["x"] < text_box(role, "Minister")["x"]
    # ...and the Arabic name reads right to left inside its own box.
    assert text_box(other, "كريم")["x"] > text_box(other, "النموذج")["x"] \
        > text_box(other, "خيالي")["x"]
    # The same names on a search result row.
    page.goto("/search/?q=grain&speaker=karim-al-namudhaj")
    speaker = page.locator(".result .speaker").first
    assert box(speaker.locator("bdi.name"))["x"] < box(speaker.locator("bdi.other-script"))["x"]
    page.goto(ENGLISH_STATEMENT)
    shoot(page, "english-mixed-names.png")
