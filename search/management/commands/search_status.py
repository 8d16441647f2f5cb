"""Compare the database with the index: counts and the differences (and repair them)."""

from django.core.management.base import BaseCommand, CommandError

from search.backends import SearchUnavailable
from search.indexer import drain, get_backend, index_differences, repair


class Command(BaseCommand):
    help = "Report published vs indexed statements, the queue, and missing/extra/stale documents."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Queue and index differences.")
        parser.add_argument(
            "--quick", action="store_true", help="Skip the content check (stale documents)."
        )

    def handle(self, *args, **options):
        backend = get_backend()
        try:
            diff = index_differences(check_content=not options["quick"], backend=backend)
        except SearchUnavailable as exc:
            raise CommandError(f"{exc} Run `manage.py rebuild_index`.") from exc
        self._report(diff)
        if options["repair"]:
            queued = repair(diff)
            taken = drain(backend=backend)
            self.stdout.write(f"Repair: queued {queued}, indexed {taken} change(s).")
            diff = index_differences(check_content=not options["quick"], backend=backend)
            self._report(diff)
        differences = len(diff["missing"]) + len(diff["extra"]) + len(diff["stale"])
        if differences and not options["repair"]:
            self.stdout.write("Run `manage.py search_status --repair` to fix the differences.")

    def _report(self, diff):
        def sample(ids):
            return (" e.g. " + ", ".join(map(str, ids[:10]))) if ids else ""

        self.stdout.write(f"published statements: {diff['published']}")
        self.stdout.write(f"indexed documents:    {diff['indexed']}")
        self.stdout.write(f"queued changes:       {diff['queued']} ({diff['failing']} failing)")
        self.stdout.write(f"missing from index:   {len(diff['missing'])}{sample(diff['missing'])}")
        self.stdout.write(f"extra in index:       {len(diff['extra'])}{sample(diff['extra'])}")
        self.stdout.write(f"stale in index:       {len(diff['stale'])}{sample(diff['stale'])}")
