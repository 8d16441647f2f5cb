"""What a person meets, measured in Chromium at a phone's size (390x844) and a laptop's
(1366x900): the first search result on the first screen of a phone, a statement's text near
the top, every admin list column on a 1366 px screen, no page wider than its window (320 px
too, for reflow); and `make run` stopping quietly on Ctrl-C, or refusing a busy port in one
sentence.  Failures leave a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from config.ports import port_problem
from tests.e2e.browser import screenshot_on_failure, skip_without_browser
from tests.e2e.site import ROOT, ScratchSite, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR, PASSWORD = "layout-editor", "layout-editor-password-7713"
QATAR = "qatar-dushanbe-border-security-conference-2022"
PHONE, LAPTOP = (390, 844), (1366, 900)

PAGES = [
    "/",
    "/statements/",
    f"/statements/{QATAR}/",
    "/speakers/",
    "/speakers/mutlaq-bin-majed-al-qahtani/",
    "/events/",
    "/events/dushanbe-border-security-conference-2022/",
    "/countries/QAT/",
    "/topics/border-security/",
    "/years/2022/",
    "/search/",
    "/search/?q=border+security",
    "/api/",
]
ADMIN_LISTS = [
    "/admin/archive/statement/",
    "/admin/archive/event/",
    "/admin/archive/speaker/",
    "/admin/archive/topic/",
    "/admin/archive/country/",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("layout-site"), postgres=False) as scratch:
        scratch.prepare(
            then=(
                "from django.contrib.auth.models import User\n"
                f"User.objects.create_superuser({EDITOR!r}, 'e@example.org', {PASSWORD!r})\n"
            )
        )
        scratch.start_server()
        yield scratch


def _page(browser, site, size):
    context = browser.new_context(
        base_url=site.url, viewport={"width": size[0], "height": size[1]}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def phone(browser, site):
    page = _page(browser, site, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def laptop(browser, site):
    page = _page(browser, site, LAPTOP)
    yield page
    page.context.close()


def _top(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("el => el.getBoundingClientRect().top")


@screenshot_on_failure
def test_on_a_phone_the_first_result_is_on_the_first_screen(phone):
    page = phone
    for url in ("/search/?q=border+security", "/search/", "/search/?q=water&sort=newest"):
        page.goto(url)
        first = page.locator("ol.result-list li.result").first
        box = first.bounding_box()
        assert box is not None, url
        # Its title and the first line of its details, not just its top edge.
        title = first.locator("h3").bounding_box()
        assert title["y"] + title["height"] <= PHONE[1], f"{url}: first result at {box['y']}"
        # The filters fold into one line above the results, and open on demand.
        assert page.locator("aside.facets").is_hidden()
        page.locator("details.filters > summary").click()
        assert page.locator("aside.facets").is_visible()


@screenshot_on_failure
def test_on_a_phone_each_result_is_compact(phone):
    page = phone
    page.goto("/search/?q=border+security")
    for meta in page.locator("ol.result-list li.result .meta").all():
        lines = meta.evaluate(
            "el => Math.round(el.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(el).lineHeight))"
        )
        assert lines <= 3, f"result metadata takes {lines} lines"


@screenshot_on_failure
def test_on_a_phone_a_statement_starts_on_the_first_screen(phone):
    page = phone
    page.goto(f"/statements/{QATAR}/")
    # The summary (or, without one, the text) begins within the first screen.
    text = page.locator(".statement__summary p, .statement__body p").first
    assert text.bounding_box()["y"] < PHONE[1]
    assert _top(page, "h1") < 200, "the header and breadcrumb take most of the screen"


@screenshot_on_failure
def test_on_a_laptop_the_filters_are_a_sidebar(laptop):
    page = laptop
    page.goto("/search/?q=border+security")
    assert page.locator("aside.facets").is_visible()
    assert page.locator("details.filters > summary").is_hidden()
    facets = page.locator("aside.facets").bounding_box()
    results = page.locator("#results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"], "side by side"


@pytest.mark.parametrize("size", [(320, 640), PHONE, LAPTOP], ids=["320", "phone", "laptop"])
def test_no_page_is_wider_than_its_window(browser, site, size):
    page = _page(browser, site, size)
    wide = {}
    for url in PAGES:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size[0]:
            wide[url] = width
    page.context.close()
    assert wide == {}, f"pages wider than {size[0]} px: {wide}"


@screenshot_on_failure
def test_every_admin_list_column_is_visible_at_1366(laptop):
    page = laptop
    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    hidden = {}
    for url in ADMIN_LISTS:
        page.goto(url)
        edges = page.evaluate(
            "() => [...document.querySelectorAll('#result_list thead th')]"
            ".map(th => [th.textContent.trim(), th.getBoundingClientRect().right])"
        )
        assert edges, url
        beyond = [name for name, right in edges if right > LAPTOP[0]]
        scrolls = page.evaluate(
            "() => { const r = document.querySelector('.results');"
            " return r ? r.scrollWidth > r.clientWidth + 1 : false; }"
        )
        if beyond or scrolls:
            hidden[url] = beyond or "the table scrolls sideways"
    # Titles wrap to a few lines, not five.
    page.goto("/admin/archive/statement/")
    tallest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('#result_list td.field-title, "
        "#result_list th.field-title')].map(td => td.getBoundingClientRect().height))"
    )
    assert hidden == {}
    assert tallest < 5 * 20, f"a title cell is {tallest} px high"


# --- `make run` -------------------------------------------------------------------------------


def _make_env(folder) -> dict:
    # What a user's terminal would not have: a parent make's variables (the suite may run
    # under `make test`; they would make this make a sub-make announcing directories), and
    # pytest-django's settings module (the test settings give each process a throwaway index).
    dropped = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "DJANGO_SETTINGS_MODULE"}
    inherited = {k: v for k, v in os.environ.items() if k not in dropped}
    return {
        **inherited,
        "ARCHIVE_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'archive.sqlite3'}",
        "SEARCH_URL": f"whoosh:{folder / 'whoosh'}",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }


def _skip_without_make():
    if not (ROOT / ".venv" / ".installed").exists() or subprocess.run(
        ["make", "--version"], capture_output=True
    ).returncode:
        pytest.skip("make and an installed .venv (make install) are needed to run `make run`")


def test_make_run_stops_quietly_on_ctrl_c(tmp_path):
    _skip_without_make()
    port = free_port()
    make = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=ROOT, env=_make_env(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            assert make.poll() is None, make.stdout.read()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("make run did not start serving")
        # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
        os.killpg(make.pid, signal.SIGINT)
        output, _ = make.communicate(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    # make passes the interrupt on to itself, as a shell expects of Ctrl-C; nothing failed.
    assert make.returncode in (0, -signal.SIGINT), output
    for noise in ("Segmentation", "Terminated", "Traceback", "Error", "Interrupt", "***"):
        assert noise not in output, output
    assert "make editor" in output, "make run says how to create an editor account"
    # The server let go of its port (nothing listens; TIME_WAIT leftovers do not count).
    assert port_problem("127.0.0.1", port) == ""
    # The index worker is gone too: a new one may take the index's single writer lock.
    worker = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "index_worker", "--once"],
        cwd=ROOT, env={**_make_env(tmp_path), "DJANGO_DEBUG": "1"}, capture_output=True,
        text=True, timeout=120,
    )
    assert worker.returncode == 0, worker.stderr


def test_make_run_on_a_busy_port_says_so_once(tmp_path):
    _skip_without_make()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            ["make", "run", f"PORT={port}"], cwd=ROOT, env=_make_env(tmp_path),
            capture_output=True, text=True, timeout=60,
        )
    assert run.returncode != 0
    said = (run.stdout + run.stderr).strip().splitlines()
    assert len(said) == 1, said
    assert f"Port {port}" in said[0] and "PORT=" in said[0]
    assert not (tmp_path / "archive.sqlite3").exists(), "nothing was done before the check"
