"""Rows in RUM's order with ties broken by id: the one way pages and related statements read
a ranked scan.

RUM's distance is the only key its index scan can order by (a second key would make
PostgreSQL read and sort every match's vector); equal distances come back in whatever order
the scan meets them (the table's physical order), so two requests paging the same search
could disagree.  Rows beyond the ones wanted are read and the ties broken by id here, which
keeps the scan ordered and the order total: enough rows that the last one read is farther
than the last one wanted, so that no row tied with it is left unread (a few more when a tie
runs past them, up to TIE_LIMIT more: each row read costs its vector, and statements that tie
by the thousand, as generated ones do, are then ordered within what was read).
"""

from __future__ import annotations

TIE_MARGIN = 50
TIE_LIMIT = 1000


def tie_ordered(cursor, sql: str, params: list, wanted: int) -> list[tuple]:
    """The first ``wanted`` rows of ``sql``, which orders by RUM distance, selects that
    distance last and the document's id third, and ends in ``LIMIT %s`` (the rows to read,
    given here); the distance column is left out of the rows returned."""
    fetch = wanted + TIE_MARGIN
    while True:
        cursor.execute(sql, [*params, fetch])
        rows = cursor.fetchall()
        if (len(rows) < fetch or not wanted or rows[-1][-1] > rows[wanted - 1][-1]
                or fetch >= wanted + TIE_LIMIT):
            break
        fetch = min(fetch * 4, wanted + TIE_LIMIT)
    rows.sort(key=lambda row: (row[-1], row[2]))
    return [row[:-1] for row in rows[:wanted]]
