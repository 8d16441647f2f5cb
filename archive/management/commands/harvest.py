"""``manage.py harvest PATH|URL``: one draft per page of a folder, ZIP, WARC file, RSS/Atom
feed or sitemap, each waiting in the admin's review queue.  Idempotent by address and text."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from archive.intake import harvest


class Command(BaseCommand):
    help = (
        "Harvest ministry pages as drafts for review: a folder or .zip of .html/.txt pages, "
        "a .warc(.gz) file, or an RSS/Atom feed or sitemap (a file or an http(s) address). "
        "Pages harvested before (same address or same text) are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="a folder, .zip, .warc, feed or sitemap, or a URL")
        parser.add_argument("--limit", type=int, metavar="N", help="at most N pages")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar even on a terminal")

    def handle(self, *args, target, limit, no_progress, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        bar = None
        if not no_progress and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(unit="page", desc="Harvesting", file=sys.stderr)
        started = time.monotonic()
        try:
            report = harvest(target, limit=limit,
                             progress=(lambda origin: bar.update(1)) if bar else None)
        finally:
            if bar is not None:
                bar.close()
        for line in report.lines(verbose=options["verbosity"] >= 2):
            self.stdout.write(line)
        self.stdout.write(f"Finished in {time.monotonic() - started:.1f} s. The new drafts "
                          "wait in the admin's review queue.")
        if report.total and len(report.skipped) == report.total and not report.unchanged:
            raise CommandError("nothing could be harvested")
