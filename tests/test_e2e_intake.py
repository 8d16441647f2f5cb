"""End to end in Chromium: an editor pastes a ministry page with heavy chrome into the admin's
"Import a press release", sees the title, speaker and event suggested with the sentences they
came from, saves the draft, publishes it, and finds it in search; pasting the same release
again, or an agency's repost of it, is flagged as a duplicate before anything is saved.

The archive runs as real processes (gunicorn on a scratch SQLite database, tests/e2e/site.py);
the index queue is drained with ``manage.py index_worker --once``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.browser import screenshot_on_failure, skip_without_browser
from tests.e2e.site import ScratchSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR, PASSWORD = "e2e-intake-editor", "e2e-intake-password-7311"
PAGE = Path(__file__).parent / "data" / "intake" / "en" / "01_mission_role_after.txt"
TITLE = "Envoy Calls for Protection of Health Workers in Conflict Zones"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("e2e-intake"), postgres=False) as scratch:
        scratch.prepare(
            demo=False,
            then=(
                "from django.contrib.auth.models import Group, User\n"
                f"user = User.objects.create_user({EDITOR!r}, password={PASSWORD!r},"
                " is_staff=True)\n"
                "user.groups.add(Group.objects.get(name='Editors'))\n"
            ),
        )
        scratch.start_server()
        yield scratch


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    page.errors = errors
    yield page
    context.close()


def paste(page, text: str) -> None:
    page.goto("/admin/archive/statement/import-page/")
    page.fill("#id_text", text)
    page.click("input[type=submit]")
    page.wait_for_selector("#id_title")


def repost_of(text: str) -> str:
    """The release as an agency reposts it: its own chrome and headline, a dateline, the
    last paragraph trimmed."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("HE Dr. Salwa"))
    body = lines[start: start + 3]
    return "\n".join([
        "Gulf Wire", "World | Region | Business | Sport", "Search",
        "Qatari envoy urges protection for medical staff in wars", "By Wire Staff",
        "5 March 2024",
        "GENEVA, March 4 (QNA) -- " + body[0], *body[1:], "Most read", "Markets rally",
    ])


@screenshot_on_failure
def test_editor_imports_a_heavy_chrome_page_publishes_it_and_finds_it(page, site):
    page.goto("/admin/login/?next=/admin/archive/statement/")
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/archive/statement/")
    page.click("text=Import a press release")
    page.wait_for_url("**/import-page/")

    text = PAGE.read_text()
    paste(page, text)
    assert page.input_value("#id_title") == TITLE
    assert page.input_value("#id_speaker_0_name") == "Salwa Nasser Al Mahmoud"
    assert page.input_value("#id_speaker_0_honorific") == "HE Dr."
    assert page.input_value("#id_new_event_name") == "55th session of the Human Rights Council"
    assert page.input_value("#id_new_event_city") == "Geneva"
    # The evidence: the sentence each suggestion came from, visible under its field.
    title_evidence = page.locator('.intake-evidence[data-field="title"]')
    assert title_evidence.is_visible() and TITLE in title_evidence.inner_text()
    speaker_evidence = page.locator('.intake-evidence[data-field="speaker_0_name"]')
    assert "the Special Envoy of the Minister" in speaker_evidence.inner_text()
    event_evidence = page.locator('.intake-evidence[data-field="new_event_name"]')
    assert "55th session of the Human Rights Council" in event_evidence.inner_text()
    body = page.input_value("#id_body")
    assert "Share this" not in body and "Related news" not in body and "©" not in body
    # The whole title is visible: a wide box, not a 140 px one.
    assert page.locator("#id_title").bounding_box()["width"] > 500

    page.click("input[name=_save_draft]")
    page.wait_for_url(re.compile(r"/admin/archive/statement/\d+/change/"))
    assert page.locator(".messagelist .success").count() == 1
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/archive/statement/(\?.*)?$"))

    site.manage("index_worker", "--once")
    page.goto("/search/?q=Mahmoud")
    result = page.locator("ol.result-list li.result")
    assert result.count() == 1 and TITLE in result.inner_text()

    # The same release pasted again, and the agency's repost of it: flagged before saving.
    paste(page, text)
    warning = page.locator(".intake-duplicates")
    assert warning.is_visible() and "the same text" in warning.inner_text()
    paste(page, repost_of(text))
    assert page.input_value("#id_title") != TITLE
    warning = page.locator(".intake-duplicates")
    assert warning.is_visible() and "nearly the same text" in warning.inner_text()
    assert page.errors == []
