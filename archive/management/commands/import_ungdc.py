"""``manage.py import_ungdc PATH``: import the UN General Debate Corpus (idempotent)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from archive.importers.ungdc import import_ungdc, parse_sessions
from archive.models import Status


class Command(BaseCommand):
    help = (
        "Import the UN General Debate Corpus from its release .tgz or unpacked folder "
        "(TXT/Session NN - YYYY/CODE_NN_YYYY.txt and Speakers_by_session.xlsx). Re-runs "
        "update changed speeches and leave the rest alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the release .tgz, or the folder it unpacks to")
        parser.add_argument("--dry-run", action="store_true",
                            help="do everything, report what would change, write nothing")
        parser.add_argument("--limit", type=int, metavar="N",
                            help="import only the first N speech files")
        parser.add_argument("--sessions", metavar="RANGE",
                            help='only these sessions, e.g. "70-78" or "1-3,25"')
        status = parser.add_mutually_exclusive_group()
        status.add_argument("--publish", dest="status", action="store_const",
                            const=Status.PUBLISHED,
                            help="new statements are published (the default)")
        status.add_argument("--draft", dest="status", action="store_const", const=Status.DRAFT,
                            help="new statements are drafts for review")
        parser.add_argument("--batch-size", type=int, default=250,
                            help="statements per transaction (default 250)")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar even on a terminal")

    def handle(self, *args, path, dry_run, limit, sessions, status, batch_size, no_progress,
               **options):
        try:
            selected = parse_sessions(sessions) if sessions else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if limit is not None and limit < 0:
            raise CommandError("--limit must be zero or more")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")

        bar = None
        show_bar = not no_progress and sys.stderr.isatty()

        def on_total(total: int) -> None:
            nonlocal bar
            if show_bar:
                from tqdm import tqdm

                bar = tqdm(total=total, unit="speech", desc="Importing", file=sys.stderr)

        started = time.monotonic()
        try:
            report = import_ungdc(
                path,
                sessions=selected,
                limit=limit,
                status=status or Status.PUBLISHED,
                dry_run=dry_run,
                batch_size=batch_size,
                progress=(lambda n: bar.update(n)) if show_bar else None,
                on_total=on_total,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        for line in report.lines(verbose=options["verbosity"] >= 2):
            self.stdout.write(line)
        if not dry_run:
            analyse_archive_tables()
        self.stdout.write(f"Finished in {time.monotonic() - started:.1f} s.")


def analyse_archive_tables() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): until autovacuum gets to it,
    the planner takes a table of 100,000 new statements for a few dozen rows and picks plans
    for that (a hash of every published statement to label one series: 350 ms)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("archive_statement", "archive_statementspeaker", "archive_speaker",
                      "archive_event", "archive_statement_topics"):
            cursor.execute(f"ANALYZE {table}")
