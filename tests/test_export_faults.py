"""Exports never hide a database failure behind a 200 (issue 13, item 2).

The database really fails here, with the driver's own operational error: on SQLite the
statement table is renamed away ("no such table"); on PostgreSQL another connection holds
an exclusive lock on it and this one gives up waiting ("lock timeout").  Both are undone
after the test.  Before the first batch is read, that is a 503; part-way through the stream,
the download ends with a marker no data row can be mistaken for, and the stream is cut
short.
"""

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection

from api import exports
from archive.models import Statement
from search.testing import fresh_index, index_now

from .factories import StatementFactory

# Committed rows (another connection must be able to lock the table on PostgreSQL).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TABLE = Statement._meta.db_table


@pytest.fixture
def archive():
    cache.clear()  # the API's budget, spent by earlier tests from the same address
    fresh_index()
    for n in range(9):
        StatementFactory(title=f"Water statement {n}", body=f"Water and rivers, part {n}.")
    index_now()


@pytest.fixture
def break_the_database():
    undo = contextlib.ExitStack()

    def break_it():
        if connection.vendor == "postgresql":
            import psycopg2

            settings = connection.settings_dict
            other = psycopg2.connect(
                dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None,
            )
            undo.callback(other.close)
            undo.callback(other.rollback)
            with other.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
            undo.callback(_reset_lock_timeout)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{TABLE}_gone"')
            undo.callback(_rename_back)

    with undo:
        yield break_it


def _reset_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def _rename_back():
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{TABLE}_gone" RENAME TO "{TABLE}"')


def small_batches():
    return mock.patch.multiple(exports, FIRST_BATCH=3, EXPORT_BATCH=3)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_database_that_fails_before_the_first_rows_is_a_503(client, archive, fmt,
                                                             break_the_database):
    break_the_database()
    response = client.get(f"/exports/statements.{fmt}", {"q": "water"})
    assert response.status_code == 503
    assert not response.streaming


def test_a_csv_export_that_fails_part_way_ends_with_a_marker_and_is_cut(
    client, archive, break_the_database
):
    with small_batches():
        response = client.get("/exports/statements.csv", {"q": "water"})
        assert response.status_code == 200 and response.streaming
        chunks, stream = [], iter(response.streaming_content)
        for _ in range(4):  # the header row and the first batch, read before the headers
            chunks.append(next(stream).decode())
        break_the_database()
        with pytest.raises(exports.ExportInterrupted):
            for chunk in stream:
                chunks.append(chunk.decode())
    lines = "".join(chunks).splitlines()
    assert lines[0].startswith("date,title")
    assert len(lines) == 5 and lines[-1].startswith(exports.INCOMPLETE_MARKER)
    assert "stopped after 3 rows" in lines[-1]


def test_a_json_export_that_fails_part_way_says_it_is_incomplete(
    client, archive, break_the_database
):
    with small_batches():
        response = client.get("/exports/statements.json", {"q": "water"})
        chunks, stream = [], iter(response.streaming_content)
        for _ in range(4):  # the opening and the first batch
            chunks.append(next(stream).decode())
        break_the_database()
        with pytest.raises(exports.ExportInterrupted):
            for chunk in stream:
                chunks.append(chunk.decode())
    data = json.loads("".join(chunks))  # still a JSON document ...
    assert data["complete"] is False and data["exported"] == 3  # ... that says what it is
    assert len(data["statements"]) == 3 and data["found"] == 9


def test_a_whole_export_says_it_is_complete(client, archive):
    response = client.get("/exports/statements.json", {"q": "water"})
    data = json.loads(b"".join(response.streaming_content))
    assert data["complete"] is True and data["exported"] == len(data["statements"]) == 9
