"""Two editors on one statement, in Chromium (issue 13, item 4): both open the change form, the
first saves, the second saves and gets the conflict page (409) with both versions and what
they typed still in the form; they choose to keep theirs and save again.  gunicorn and a
scratch SQLite database with the demo data, as in tests/test_e2e_browser.py."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import ARTIFACTS, launch, skip_without_browser
from tests.e2e.site import ScratchSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "e2e-conflict-password-5930"
QATAR = "qatar-dushanbe-border-security-conference-2022"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("e2e-conflict"), postgres=False) as scratch:
        scratch.prepare(
            then=(
                "from django.contrib.auth.models import Group, User\n"
                "for name in ('first-editor', 'second-editor'):\n"
                f"    user = User.objects.create_user(name, password={PASSWORD!r},"
                " is_staff=True)\n"
                "    user.groups.add(Group.objects.get(name='Editors'))\n"
            )
        )
        scratch.start_server()
        yield scratch


def signed_in(browser, site, username):
    context = browser.new_context(base_url=site.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return context, page


def test_the_second_editor_sees_the_conflict_keeps_what_they_typed_and_saves_theirs(site):
    from playwright.sync_api import sync_playwright

    pk = site.scalar(f"SELECT id FROM archive_statement WHERE slug = '{QATAR}'")
    change = f"/admin/archive/statement/{pk}/change/"
    typed = "Summary typed by the second editor while the first one saved."
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            first_context, first = signed_in(browser, site, "first-editor")
            second_context, second = signed_in(browser, site, "second-editor")
            first.goto(change)
            second.goto(change)
            original_title = second.input_value("#id_title")

            first.fill("#id_title", "Qatar at the Dushanbe conference (retitled by the first)")
            first.click("input[name=_save]")
            first.wait_for_url(re.compile(r"/admin/archive/statement/(\?.*)?$"))

            second.fill("#id_summary", typed)
            with second.expect_response(lambda r: r.request.method == "POST") as answer:
                second.click("input[name=_save]")
            assert answer.value.status == 409
            panel = second.locator("#edit-conflict")
            panel.wait_for()
            ARTIFACTS.mkdir(exist_ok=True)
            second.screenshot(path=str(ARTIFACTS / "edit-conflict.png"), full_page=False)
            assert "Another editor saved this statement" in panel.inner_text()
            assert "retitled by the first" in panel.inner_text()
            assert original_title in panel.inner_text()
            assert typed in panel.inner_text()
            assert second.input_value("#id_summary") == typed, "what they typed is kept"
            assert second.input_value("#id_title") == original_title
            # Speakers are part of the form they keep.
            assert second.locator("#id_statement_speakers-0-role").input_value()

            # They choose theirs: save the same form again.
            second.click("input[name=_save]")
            second.wait_for_url(re.compile(r"/admin/archive/statement/(\?.*)?$"))
            assert second.locator(".messagelist .success").count() == 1
            first_context.close()
            second_context.close()
        finally:
            browser.close()
    assert site.scalar(f"SELECT summary FROM archive_statement WHERE id = {pk}") == typed
    assert site.scalar(f"SELECT title FROM archive_statement WHERE id = {pk}") == original_title
    assert site.scalar(f"SELECT version FROM archive_statement WHERE id = {pk}") == 3
    speakers = site.scalar(f"SELECT COUNT(*) FROM archive_statementspeaker "
                           f"WHERE statement_id = {pk}")
    assert speakers >= 1
