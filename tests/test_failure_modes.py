"""What the site does when what it stands on fails: the database unreachable, the index
folder deleted or corrupted while the site serves."""

import datetime
import io
import json
import textwrap

from django.core.management import CommandError, call_command
from django.test import TestCase

from archive import services
from archive.models import Status
from search.engine import get_engine
from search.testing import fresh_index, index_now
from tests.engines import destroy_index, whoosh_only

from .test_security import run_python

# Port 1 on the loopback: nothing listens there, so every connection is refused at once.
UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/archive"

REQUESTS_WITHOUT_A_DATABASE = textwrap.dedent(
    """
    import json
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.test import Client

    client = Client()  # raises any exception a view lets through, as the test client does
    answers = {}
    for url in ["/", "/statements/", "/speakers/", "/statements/some-statement/",
                "/api/statements/", "/admin/login/"]:
        response = client.get(url)
        answers[url] = [response.status_code, response.get("Retry-After"),
                        response.content.decode()]
    response = client.post("/admin/login/", {"username": "editor", "password": "secret"})
    answers["POST /admin/login/"] = [response.status_code, response.get("Retry-After"),
                                     response.content.decode()]
    print(json.dumps(answers))
    """
)


class DatabaseUnreachableTests(TestCase):
    def test_every_page_that_needs_the_database_is_a_plain_503_not_a_traceback(self):
        result = run_python(
            REQUESTS_WITHOUT_A_DATABASE,
            env={
                "DJANGO_SETTINGS_MODULE": "config.settings_test",
                "DATABASE_URL": UNREACHABLE_POSTGRES,
            },
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        answers = json.loads(result.stdout.strip().splitlines()[-1])
        for url, (status, retry_after, body) in answers.items():
            if url == "/admin/login/":
                continue  # the empty sign-in form needs no database
            with self.subTest(url=url):
                self.assertEqual(status, 503)
                self.assertEqual(retry_after, "30")
                self.assertIn("database cannot be reached", body)
                if url.startswith("/api/"):
                    self.assertIn("database cannot be reached", json.loads(body)["detail"])
                else:
                    self.assertIn("<h1>Temporarily unavailable</h1>", body)
                self.assertNotIn("Traceback", body)
                self.assertNotIn("OperationalError", body)
                self.assertNotIn("127.0.0.1", body)  # no connection details leak
        self.assertEqual(answers["/admin/login/"][0], 200)
        # One log line per failed request, not a traceback each.
        self.assertIn("Database unavailable for /statements/", result.stderr)
        self.assertNotIn("Traceback", result.stderr)


A_SAVE_WITHOUT_A_DATABASE = textwrap.dedent(
    r"""
    import json
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = "a" * 32  # a signed-in editor: the session is in the database
    fields = {
        "title": "Statement on the <b>border</b> & the \"ceasefire\"",
        "body": "First paragraph.\n\nSecond paragraph <img src=x onerror=alert(1)",
        "topics": ["3", "7"],
        "password": "never shown",
        "csrfmiddlewaretoken": "kept-token",
        "_save": "Save",
    }
    response = client.post("/admin/archive/statement/add/?_changelist_filters=status", fields)
    print(json.dumps([response.status_code, response.get("Cache-Control"),
                      response.content.decode()]))
    """
)


class RefusedSaveTests(TestCase):
    def test_a_save_refused_for_a_lost_database_comes_back_with_everything_typed(self):
        import html as html_module

        result = run_python(
            A_SAVE_WITHOUT_A_DATABASE,
            env={
                "DJANGO_SETTINGS_MODULE": "config.settings_test",
                "DATABASE_URL": UNREACHABLE_POSTGRES,
            },
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        status, cache_control, body = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(status, 503)
        self.assertEqual(cache_control, "no-store")  # the page holds the editor's text
        self.assertIn("Nothing was saved, and nothing you typed is lost", body)
        # A form that sends the same request again, to the same address...
        self.assertIn(
            '<form method="post" action="/admin/archive/statement/add/?_changelist_filters='
            'status" enctype="multipart/form-data">', body)
        hidden = {
            (html_module.unescape(name), html_module.unescape(value))
            for name, value in __import__("re").findall(
                r'<input type="hidden" name="([^"]*)" value="([^"]*)">', body)
        }
        self.assertEqual(hidden, {
            ("title", 'Statement on the <b>border</b> & the "ceasefire"'),
            ("body", "First paragraph.\n\nSecond paragraph <img src=x onerror=alert(1)"),
            ("topics", "3"), ("topics", "7"),
            ("csrfmiddlewaretoken", "kept-token"), ("_save", "Save"),
        })
        # ...every value escaped (no markup of the editor's runs in the page)...
        self.assertNotIn("<img src=x", body)
        self.assertNotIn("<b>border</b>", body)
        self.assertIn("Second paragraph &lt;img src=x onerror=alert(1)", body)
        # ...and no password written back into a page.
        self.assertNotIn("never shown", body)
        self.assertIn("enter it again (password)", body)


class IndexLostTests(TestCase):
    """The index folder disappears or is damaged under a running site."""

    def setUp(self):
        fresh_index()
        for n, title in enumerate(["Statement on water cooperation", "Water and peace"]):
            services.create_statement(
                title=title, body=f"Shared rivers need shared rules ({n}).",
                delivered_on=datetime.date(2022, 10, 18 + n), status=Status.PUBLISHED,
            )
        index_now()
        self.statement_url = "/statements/"

    def hits(self, response) -> int:
        return response.context["outcome"].hits

    def assert_search_unavailable_but_browsing_works(self):
        response = self.client.get("/search/", {"q": "water"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "60")
        self.assertContains(response, "Search is unavailable", status_code=503)
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertContains(self.client.get("/statements/"), "Water and peace")
        detail = self.client.get("/statements/water-and-peace-2022-10-19/")
        self.assertEqual(detail.status_code, 200)
        self.assertEqual(self.client.get("/speakers/").status_code, 200)

    def test_a_deleted_index_folder_gives_503_on_search_and_rebuild_index_restores_it(self):
        self.assertEqual(self.hits(self.client.get("/search/", {"q": "water"})), 2)
        destroy_index()

        self.assert_search_unavailable_but_browsing_works()
        with self.assertRaisesMessage(CommandError, "rebuild_index"):
            call_command("search_status", "--quick", stdout=io.StringIO())

        call_command("rebuild_index", "--noinput", stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(self.hits(self.client.get("/search/", {"q": "water"})), 2)
        out = io.StringIO()
        call_command("search_status", stdout=out)
        self.assertIn("missing from index:   0", out.getvalue())

    @whoosh_only  # PostgreSQL's tables are not files a crash leaves half-written
    def test_a_corrupted_index_gives_503_on_search_and_rebuild_index_restores_it(self):
        self.assertEqual(self.hits(self.client.get("/search/", {"q": "water"})), 2)
        live = get_engine().live_directory()
        tocs = sorted(live.glob("_MAIN_*.toc"))
        self.assertTrue(tocs)
        for path in live.iterdir():
            # Replaced, not truncated in place: Whoosh maps segment files into memory, and
            # shrinking a mapped file under a live process kills it with SIGBUS.
            path.unlink()
            path.write_bytes(b"\x00garbage\x00" * 3)
        # A newer table of contents that is garbage too: a commit cut short by a full disk
        # or a crash, which every searcher meets when it next checks for changes.
        newest = max(int(p.stem.rsplit("_", 1)[1]) for p in tocs)
        (live / f"_MAIN_{newest + 1}.toc").write_bytes(b"\x00garbage\x00")

        self.assert_search_unavailable_but_browsing_works()

        call_command("rebuild_index", "--noinput", stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(self.hits(self.client.get("/search/", {"q": "water"})), 2)
