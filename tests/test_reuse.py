"""Agreed language: passages of twelve words or more that statements share, found through the
one change path (services → queue → index worker → reuse) and by the full rebuild."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.test import TestCase, override_settings

from archive import services
from archive.models import Status
from reuse import shingles as sh
from reuse.build import rebuild
from reuse.models import ReuseQueue, SharedPassage, Shingle
from reuse.selectors import passages_for
from search.testing import fresh_index, index_now
from tests.factories import country

AGREED = ("we reaffirm the inalienable right of every people to safe drinking water "
          "and sanitation as a human right")
OTHER_WORDS = [
    "Fisheries policy remains a concern for coastal communities across the region.",
    "The delegation thanks the secretariat for its report on maritime boundaries.",
    "Our ministry will publish a review of regional trade agreements next spring.",
    "Education for girls is the surest investment a government can make today.",
]


def words(n: int, seed: str) -> str:
    """Filler text that shares no twelve-word run with any other filler."""
    return " ".join(f"{seed}{i}" for i in range(n))


class ShingleUnitTests(TestCase):
    def test_folding_makes_case_accents_and_punctuation_irrelevant(self):
        a = sh.words("Le DÉVELOPPEMENT durable, pour tous !")
        b = sh.words("le developpement durable pour tous")
        self.assertEqual(a.ids, b.ids)

    def test_rolling_hashes_equal_hashes_of_each_run(self):
        ids = sh.words(words(30, "w")).ids
        rolled = sh.shingles(ids, 12)
        self.assertEqual(len(rolled), 19)
        for i in (0, 7, 18):
            self.assertEqual(rolled[i], sh.shingles(ids[i : i + 12], 12)[0])
        self.assertEqual(len(set(rolled)), 19)
        self.assertEqual(sh.shingles(ids[:11], 12), [])

    def test_runs_merge_overlapping_shingles_only(self):
        self.assertEqual(sh.runs([0, 1, 2, 20], 12), [(0, 14), (20, 32)])
        self.assertEqual(sh.runs([0, 12], 12), [(0, 12), (12, 24)])

    def test_the_boilerplate_limit_has_a_floor_and_a_share(self):
        self.assertEqual(sh.boilerplate_limit(100, minimum=10, share=0.005), 10)
        self.assertEqual(sh.boilerplate_limit(9207, minimum=10, share=0.005), 46)


class ReuseTests(TestCase):
    def setUp(self):
        fresh_index()

    def publish(self, title, body, *, on=datetime.date(2020, 1, 1), status=Status.PUBLISHED,
                code="NOR"):
        statement = services.create_statement(
            title=title, body=body, delivered_on=on, status=status, country=country(code),
        )
        index_now()  # the worker's batch, and the reuse queue after it
        return statement

    def test_a_shared_passage_shows_its_first_use_and_later_ones_in_date_order(self):
        first = self.publish("First", f"{words(40, 'a')}. {AGREED}. {OTHER_WORDS[0]}",
                             on=datetime.date(2018, 5, 1))
        later = self.publish("Later", f"{OTHER_WORDS[1]} {AGREED}, {words(20, 'b')}",
                             on=datetime.date(2021, 9, 1), code="FRA")
        middle = self.publish("Middle", f"{words(15, 'c')} {AGREED.upper()}.",
                              on=datetime.date(2019, 3, 1), code="QAT")
        self.assertEqual(ReuseQueue.objects.count(), 0, "the worker applied the queue")
        [passage] = passages_for(later)
        self.assertEqual(passage.text.lower(), AGREED)
        self.assertEqual(passage.words, len(AGREED.split()))
        self.assertEqual(passage.first.statement, first)
        self.assertEqual([u.statement for u in passage.reuses], [middle, later])
        self.assertTrue(passage.reuses[1].is_this)
        [passage] = passages_for(first)
        self.assertTrue(passage.this_is_first)

    def test_eleven_shared_words_are_not_a_passage(self):
        eleven = " ".join(AGREED.split()[:11])
        a = self.publish("A", f"{words(20, 'a')} {eleven} {words(20, 'b')}")
        self.publish("B", f"{words(20, 'c')} {eleven} {words(20, 'd')}")
        self.assertEqual(passages_for(a), [])

    def test_drafts_are_never_compared_and_unpublishing_removes_everything(self):
        a = self.publish("A", f"{OTHER_WORDS[0]} {AGREED}")
        draft = self.publish("Draft", f"{OTHER_WORDS[1]} {AGREED}", status=Status.DRAFT)
        self.assertEqual(passages_for(a), [])
        self.assertFalse(Shingle.objects.filter(statement_id=draft.pk).exists())

        services.publish_statement(statement=draft)
        index_now()
        self.assertEqual(len(passages_for(a)), 1)

        services.unpublish_statement(statement=draft)
        index_now()
        self.assertEqual(passages_for(a), [])
        self.assertFalse(Shingle.objects.filter(statement_id=draft.pk).exists())
        self.assertFalse(SharedPassage.objects.filter(other_id=draft.pk).exists())

    def test_an_edit_that_removes_the_wording_removes_the_passage_on_both_sides(self):
        a = self.publish("A", f"{OTHER_WORDS[0]} {AGREED}")
        b = self.publish("B", f"{OTHER_WORDS[1]} {AGREED}")
        self.assertEqual(len(passages_for(a)), 1)
        services.update_statement(b, body=OTHER_WORDS[2])
        index_now()
        self.assertEqual(passages_for(a), [])
        self.assertEqual(passages_for(b), [])

    @override_settings(ARCHIVE_REUSE_BOILERPLATE_MIN=2, ARCHIVE_REUSE_BOILERPLATE_SHARE=0.0)
    def test_wording_in_more_statements_than_the_limit_is_boilerplate(self):
        greeting = ("mr president allow me to congratulate you on your election to the "
                    "presidency of this assembly")
        a = self.publish("A", f"{greeting}. {words(5, 'a')} {AGREED}.")
        self.publish("B", f"{greeting}. {words(5, 'b')} {AGREED}.")
        self.publish("C", f"{greeting}. {words(5, 'c')}")
        # After C, the greeting is in 3 statements (> 2): a rebuild counts it as boilerplate.
        self.assertEqual(len(passages_for(a)), 2, "before: A and B shared it alone")
        rebuild()
        [passage] = passages_for(a)
        self.assertIn("inalienable", passage.text)
        self.assertNotIn("congratulate", passage.text)

    def test_the_rebuild_finds_what_the_worker_found(self):
        a = self.publish("A", f"{OTHER_WORDS[0]} {AGREED} {words(12, 'x')}")
        b = self.publish("B", f"{words(12, 'x')} {OTHER_WORDS[3]} {AGREED}")
        incremental = sorted(SharedPassage.objects.values_list("statement", "other", "start",
                                                               "end", "words"))
        self.assertEqual(len(incremental), 4)  # two passages, on both sides
        call_command("rebuild_reuse", verbosity=0)
        rebuilt = sorted(SharedPassage.objects.values_list("statement", "other", "start",
                                                           "end", "words"))
        self.assertEqual(rebuilt, incremental)
        self.assertEqual(len(passages_for(a)), 2)
        self.assertEqual(len(passages_for(b)), 2)

    def test_the_rebuild_is_not_cut_short_by_the_sites_statement_timeout(self):
        from django.db import connection

        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL's statement_timeout")
        self.publish("A", f"{OTHER_WORDS[0]} {AGREED} {words(12, 'x')}")
        self.publish("B", f"{words(12, 'x')} {OTHER_WORDS[3]} {AGREED}")
        with connection.cursor() as cursor:
            # Far below what its index over every shingle takes, even on two statements.
            cursor.execute("SET statement_timeout = '1ms'")
        try:
            call_command("rebuild_reuse", verbosity=0)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        self.assertEqual(SharedPassage.objects.count(), 4)

    def test_the_statement_page_and_the_api_show_the_passages(self):
        first = self.publish("First <script>", f"{OTHER_WORDS[0]} {AGREED}",
                             on=datetime.date(2018, 1, 1))
        later = self.publish("Later", f"{OTHER_WORDS[1]} {AGREED} <b>bold</b>",
                             on=datetime.date(2022, 1, 1), code="FRA")
        page = self.client.get(later.get_absolute_url())
        self.assertContains(page, "Agreed language")
        self.assertContains(page, '<span class="reused">')
        self.assertContains(page, f'href="{first.get_absolute_url()}"')
        self.assertContains(page, "First &lt;script&gt;")

        response = self.client.get(f"/api/statements/{later.slug}/reuse/")
        self.assertEqual(response.status_code, 200)
        [passage] = response.json()["passages"]
        self.assertEqual(passage["text"].lower(), AGREED)
        self.assertEqual(passage["first"]["slug"], first.slug)
        self.assertEqual([u["slug"] for u in passage["reuses"]], [later.slug])
        self.assertTrue(passage["reuses"][0]["is_this"])
        self.assertEqual(passage["first"]["country"], {"code": "NOR", "name": "Norway"})
        self.assertTrue(passage["first"]["html_url"].endswith(first.get_absolute_url()))

        self.assertEqual(self.client.get("/api/statements/no-such/reuse/").status_code, 404)
        draft = self.publish("Draft", AGREED, status=Status.DRAFT)
        self.assertEqual(self.client.get(f"/api/statements/{draft.slug}/reuse/").status_code,
                         404)

    def test_the_passage_is_marked_inside_the_text_and_linked_to_its_entry(self):
        import re

        self.publish("First", f"{OTHER_WORDS[0]}\n\n{AGREED}", on=datetime.date(2018, 1, 1))
        later = self.publish("Later", f"{OTHER_WORDS[1]} {AGREED} and more.",
                             on=datetime.date(2022, 1, 1), code="FRA")
        [passage] = passages_for(later)
        html = self.client.get(later.get_absolute_url()).content.decode()
        text = html[html.index('class="statement__body"'):html.index('id="agreed-language"')]
        [inside] = re.findall(r'<span class="reused">(.*?)</span>', text, re.S)
        self.assertEqual(inside.lower(), passage.text.lower())
        self.assertIn('href="#reuse-1"', text)
        self.assertIn('id="reuse-1"', html)
        # A search word inside the passage is marked within it: the HTML still nests.
        word = AGREED.split()[3]
        text = self.client.get(later.get_absolute_url(), {"q": word}).content.decode()
        text = text[text.index('class="statement__body"'):text.index('id="agreed-language"')]
        pieces = re.findall(r'<span class="reused">(.*?)</span>', text, re.S)
        self.assertEqual(re.sub(r"</?mark>", "", "".join(pieces)).lower(), passage.text.lower())
        self.assertIn(f"<mark>{word}</mark>", "".join(pieces).lower())

    def test_a_statement_without_shared_passages_says_nothing(self):
        a = self.publish("Alone", OTHER_WORDS[0])
        self.assertNotContains(self.client.get(a.get_absolute_url()), "Agreed language")
        self.assertEqual(self.client.get(f"/api/statements/{a.slug}/reuse/").json(),
                         {"passages": []})
