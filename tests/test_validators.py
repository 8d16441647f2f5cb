"""Independent validators on the served site, as a visitor's and an editor's browser gets it.

* axe-core, injected with Playwright into Debian's Chromium, on the public pages (at a
  phone's and a laptop's width, and with the search box's suggestions open) and on the
  admin's lists and forms: no critical and no serious violation.
* The W3C Nu HTML checker (vnu.jar) on the public pages: no error.

Both come from the npm registry, pinned in tests/validators/package.json and its lock file
(`npm ci --ignore-scripts --prefix tests/validators`, which .ci/run does); the checker runs
on the machine's Java.  Where they, Chromium or Java are missing, the tests skip and say
what to install.  The site is the production setup (gunicorn, its own scratch database with
the demo data and a fresh index), as in tests/test_e2e_browser.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest

from tests.e2e.browser import skip_without_browser
from tests.e2e.site import ROOT, ScratchSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VALIDATORS = ROOT / "tests" / "validators" / "node_modules"
AXE = VALIDATORS / "axe-core" / "axe.min.js"
VNU = VALIDATORS / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = "npm ci --ignore-scripts --prefix tests/validators"
EDITOR, PASSWORD = "validator-editor", "validator-editor-password-5531"
QATAR = "qatar-dushanbe-border-security-conference-2022"
BLOCKING = ("critical", "serious")

PUBLIC_PAGES = [
    "/",
    "/statements/",
    "/statements/?year=2022",
    f"/statements/{QATAR}/",
    "{arabic}",
    f"/search/related/{QATAR}/",
    "/speakers/",
    "/speakers/mutlaq-bin-majed-al-qahtani/",
    "/speakers/amina-sample/",
    "/events/",
    "/events/dushanbe-border-security-conference-2022/",
    "/countries/",
    "/countries/QAT/",
    "/topics/",
    "/topics/border-security/",
    "/years/",
    "/years/2022/",
    "/search/",
    "/search/?q=border+security",
    "/search/?q=water&country=KEN&sort=newest",
    "/search/?q=zzqqxxnothing",
    "/search/?year=2023&topic=water-security",
    # The research tools: a chart with its table, a ranking, lines in context, a comparison.
    "/trends/?q=fictional&also=border",
    "/who/?q=fictional&min_words=0",
    "/kwic/?q=fictional",
    "/compare/?a=country%3ANOR&b=country%3AKEN",
    "/api/",
    "/no-such-page/",
    # The Arabic interface (right to left) and an Arabic statement in either interface.
    "/ar/",
    f"/ar/statements/{QATAR}/",
    "/statements/sample-2020-jordan-migration-routes-ar/",
    "/ar/statements/sample-2020-jordan-migration-routes-ar/",
    "/ar/speakers/karim-al-namudhaj/",
    "/ar/events/",
    "/ar/search/?q=border+security",
    "/ar/no-such-page/",
]

ADMIN_PAGES = [
    "/admin/",
    "/admin/archive/statement/",
    "/admin/archive/statement/add/",
    "/admin/archive/statement/{statement_id}/change/",
    "/admin/archive/statement/{statement_id}/history/",
    "/admin/archive/event/",
    "/admin/archive/event/add/",
    "/admin/archive/event/{event_id}/change/",
    "/admin/archive/speaker/",
    "/admin/archive/speaker/add/",
    "/admin/archive/speaker/{speaker_id}/change/",
    "/admin/archive/topic/",
    "/admin/archive/topic/add/",
    "/admin/archive/country/",
    "/admin/archive/statement/import-page/",
]


def _require(path, what: str) -> None:
    if not path.exists():
        pytest.skip(f"{what} is not installed ({path}): run `{INSTALL}`")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("validators-site"), postgres=False) as scratch:
        scratch.prepare(
            then=(
                "from django.contrib.auth.models import Group, User\n"
                f"user = User.objects.create_user({EDITOR!r}, password={PASSWORD!r},"
                " is_staff=True)\n"
                "user.groups.add(Group.objects.get(name='Editors'))\n"
            )
        )
        scratch.start_server()
        scratch.ids = {
            "arabic": "/statements/{}/".format(
                scratch.scalar(
                    "SELECT slug FROM archive_statement WHERE language = 'ar' "
                    "AND status = 'published' ORDER BY id LIMIT 1"
                )
            ),
            "statement_id": scratch.scalar(
                f"SELECT id FROM archive_statement WHERE slug = '{QATAR}'"
            ),
            "event_id": scratch.scalar(
                "SELECT id FROM archive_event WHERE slug = "
                "'dushanbe-border-security-conference-2022'"
            ),
            "speaker_id": scratch.scalar(
                "SELECT id FROM archive_speaker WHERE slug = 'mutlaq-bin-majed-al-qahtani'"
            ),
        }
        yield scratch


def _pages(site, pages: list[str]) -> list[str]:
    return [page.format(**site.ids) for page in pages]


def _axe(page) -> list[str]:
    """The critical and serious violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


def _context(browser, site, width: int, height: int):
    # Injecting axe is an inline script, which the site's Content-Security-Policy forbids.
    context = browser.new_context(
        base_url=site.url, viewport={"width": width, "height": height}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    return context


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_axe_finds_nothing_critical_or_serious_on_the_public_pages(browser, site, width, height):
    _require(AXE, "axe-core")
    context = _context(browser, site, width, height)
    page = context.new_page()
    found = []
    for url in _pages(site, PUBLIC_PAGES):
        page.goto(url)
        found += [f"{url}: {problem}" for problem in _axe(page)]
    # The search box with its suggestions open, on the search page and the home page.
    for url in ("/search/", "/"):
        page.goto(url)
        page.locator("input[data-autocomplete]").press_sequentially("Qaht", delay=30)
        page.locator(".suggestions a").first.wait_for(state="visible")
        found += [f"{url} (suggestions open): {problem}" for problem in _axe(page)]
    context.close()
    assert found == [], "\n".join(found)


def test_axe_finds_nothing_critical_or_serious_in_the_admin(browser, site):
    _require(AXE, "axe-core")
    context = _context(browser, site, 1366, 900)
    page = context.new_page()
    page.goto("/admin/login/")
    found = [f"/admin/login/: {problem}" for problem in _axe(page)]
    page.fill("#id_username", EDITOR)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for url in _pages(site, ADMIN_PAGES):
        page.goto(url)
        found += [f"{url}: {problem}" for problem in _axe(page)]
    # The statement form in use: an event being chosen, a second speaker row added.
    page.goto("/admin/archive/statement/add/")
    page.locator("#id_event + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially("Dush")
    page.locator(".select2-results__option", has_text="Dushanbe").first.wait_for()
    found += [f"statement form, event dropdown open: {p}" for p in _axe(page)]
    page.keyboard.press("Escape")
    page.locator(".add-row a").click()
    found += [f"statement form, row added: {p}" for p in _axe(page)]
    context.close()
    assert found == [], "\n".join(found)


def test_the_nu_html_checker_finds_no_error_on_the_public_pages(site, tmp_path):
    _require(VNU, "The Nu HTML checker (vnu-jar)")
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed: `apt-get install -y default-jre-headless`")
    files = {}
    for n, url in enumerate(_pages(site, PUBLIC_PAGES)):
        request = urllib.request.Request(site.url + url)
        try:
            body = urllib.request.urlopen(request, timeout=30).read()
        except urllib.error.HTTPError as error:  # the 404 page is checked as well
            body = error.read()
        path = tmp_path / f"page-{n:02d}.html"
        path.write_bytes(body)
        files[str(path)] = url
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always",
         *files],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(run.stdout)["messages"]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}"
        f" line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert len(files) == len(PUBLIC_PAGES)
    assert errors == [], "\n".join(errors)
