"""Compare the database with the index: counts and the differences (and repair them).

Exits with status 1 (a ``CommandError``) when the index is missing or differs from the
database (after ``--repair``: when differences remain), or was built by an older text
analysis, so it can serve as a health check.  Arabic names added since the index was built
(which it does not protect from the stemmer yet) are reported, not counted as a difference:
documents and queries still agree, and the next ``rebuild_index`` protects them.
"""

from django.core.management.base import BaseCommand, CommandError

from search.engine import get_engine
from search.errors import SearchUnavailable
from search.freshness import difference_count, differences, drain, repair


class Command(BaseCommand):
    help = (
        "Report published vs indexed statements, the queue, and missing/extra/stale "
        "documents; exit 1 if there is any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Queue and index differences.")
        parser.add_argument(
            "--quick", action="store_true", help="Skip the content check (stale documents)."
        )

    def handle(self, *args, **options):
        engine = get_engine()
        check_content = not options["quick"]
        try:
            diff = differences(check_content=check_content, engine=engine)
        except SearchUnavailable as exc:
            raise CommandError(f"{exc}") from exc
        self._report(diff)
        if options["repair"] and difference_count(diff):
            queued = repair(diff)
            taken = drain(engine=engine)
            self.stdout.write(f"Repair: queued {queued}, indexed {taken} change(s).")
            diff = differences(check_content=check_content, engine=engine)
            self._report(diff)
        if not diff["analysis_current"]:
            raise CommandError(
                "The index was built by an older version of the text analysis: run "
                "`manage.py rebuild_index`."
            )
        count = difference_count(diff)
        if count:
            hint = "" if options["repair"] else " Run `manage.py search_status --repair`."
            raise CommandError(
                f"{count} difference(s) between the database and the index.{hint}"
            )

    def _report(self, diff):
        def sample(ids):
            return (" e.g. " + ", ".join(map(str, ids[:10]))) if ids else ""

        self.stdout.write(f"published statements: {diff['published']}")
        self.stdout.write(f"indexed documents:    {diff['indexed']}")
        self.stdout.write(f"queued changes:       {diff['queued']} ({diff['failing']} failing)")
        self.stdout.write(f"missing from index:   {len(diff['missing'])}{sample(diff['missing'])}")
        self.stdout.write(f"extra in index:       {len(diff['extra'])}{sample(diff['extra'])}")
        self.stdout.write(f"stale in index:       {len(diff['stale'])}{sample(diff['stale'])}")
        new = diff["protected_new"]
        self.stdout.write(
            f"protected words:      {diff['protected']}"
            + (f"; {len(new)} more from names added since the index was built"
               f"{sample(new)} (`manage.py rebuild_index` protects them)" if new else "")
        )
        if not diff["analysis_current"]:
            self.stdout.write("text analysis:        older than this code's")
