"""Load the demo data set (``archive/demo/statements.jsonl``) through ``import_statements``.

The demo is plain records in the archive's own import schema (docs/import-schema.md), so
loading it exercises the importer and the services exactly as a real import does: every
new statement is announced to the search queue.  Loading is idempotent: records are
matched by their ``import_key`` (``demo:<n>``) and a second run writes nothing.

One record is real: Qatar's statement at the 2022 Dushanbe border-security conference,
told as a neutral summary written for this archive (never the ministry's own sentences).
Every other person, event and statement is a fictional sample, labelled "(fictional)" or
"(fictional sample)" in its name or title and "fictional sample" in its notes and source.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "statements.jsonl"


class Command(BaseCommand):
    help = "Load the demo data set: one real, neutrally summarised record and fictional samples."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo data from {DEMO_FILE.relative_to(DEMO_FILE.parents[2])}:")
        call_command("import_statements", str(DEMO_FILE), stdout=self.stdout,
                     stderr=self.stderr, verbosity=options.get("verbosity", 1))
