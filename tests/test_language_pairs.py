"""Every language pair (``tests/data/language_pairs.tsv``) checked on the search page.

For each pair a published statement holds the pair's text as its body; ``/search/?q=`` with
the pair's query must list that statement, or must not.  Nothing here knows which engine
answers: the page is asked, as a reader asks it, so the same test runs on every engine the
suite is configured with (``SEARCH_URL``).  The same file is checked at the analysis level in
``tests/test_text_analysis.py``.
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.test import Client

from archive import services
from archive.models import Status
from search.testing import fresh_index, index_now

from .cleanup import remove_archive_rows

PAIRS_FILE = Path(__file__).parent / "data" / "language_pairs.tsv"
PAGE_SIZE = 20


def load_pairs() -> list[dict]:
    with PAIRS_FILE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


PAIRS = load_pairs()


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.fixture(scope="module")
def pair_statements(django_db_setup, django_db_blocker):
    """One published statement per distinct text, indexed once: {text: statement slug}.

    Titles say nothing a query could match ("Pair" and a letter code), and the statements
    have no event, delegation or speaker, so only the body decides.
    """
    with django_db_blocker.unblock():
        fresh_index()
        slugs = {}
        for n, text in enumerate(dict.fromkeys(p["text"] for p in PAIRS)):
            code = "".join(chr(ord("a") + int(d)) for d in f"{n:03d}")
            statement = services.create_statement(
                title=f"Pair {code}", body=text, delivered_on=datetime.date(2024, 1, 1),
                language="ar" if _is_arabic(text) else "en", status=Status.PUBLISHED,
            )
            slugs[text] = statement.slug
        index_now()
        yield slugs
        remove_archive_rows()
        fresh_index()


def found_slugs(client: Client, query: str) -> tuple[list[str], int]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200, (query, response.status_code)
    body = response.content.decode()
    slugs = re.findall(r'<li class="result">\s*<h3><a href="/statements/([^/"]+)/', body)
    hits = re.search(r"of (\d+) statements?", body)
    return slugs, int(hits.group(1)) if hits else len(slugs)


def test_the_pairs_file_has_the_cases_of_the_issue():
    assert len(PAIRS) >= 30
    assert {p["expected"] for p in PAIRS} == {"found", "not found"}
    assert sum(p["expected"] == "not found" for p in PAIRS) >= 10
    assert sum(_is_arabic(p["query"]) for p in PAIRS) >= 30


@pytest.mark.django_db
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p['query']}|{p['note']}")
def test_language_pair_on_the_search_page(client, pair_statements, pair):
    target = pair_statements[pair["text"]]
    slugs, hits = found_slugs(client, pair["query"])
    assert hits <= PAGE_SIZE, f"{pair['query']!r} finds {hits}: the target may be on page 2"
    if pair["expected"] == "found":
        assert target in slugs, (pair["note"], pair["query"], pair["text"], slugs)
    else:
        assert target not in slugs, (pair["note"], pair["query"], pair["text"])
