"""Rebuild the index beside the live one and swap it in (replaces haystack's command).

Haystack's own rebuild_index deletes the live index first, so search is empty until it
finishes; this one keeps answering from the old index meanwhile.
"""

from django.core.management.base import BaseCommand

from search.freshness import rebuild


class Command(BaseCommand):
    help = "Build a fresh search index from the published statements and switch to it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_true", help="Accepted for compatibility."
        )
        parser.add_argument(
            "--processes", type=int, default=None,
            help="Processes to build with (default: SEARCH_REBUILD_PROCESSES, else one per core).",
        )

    def handle(self, *args, processes=None, verbosity=1, **options):
        report = rebuild(processes=processes)
        if verbosity:
            details = "".join(f", {value} {name}" for name, value in report.details.items())
            self.stdout.write(
                f"Indexed {report.documents} published statement(s) in {report.seconds} s"
                f"{details}, into {report.where}."
            )
            if report.failed:
                self.stdout.write(
                    f"{len(report.failed)} statement(s) failed to index and were queued "
                    "for retry (see Search > Index queue in the admin)."
                )
