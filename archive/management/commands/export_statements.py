"""``manage.py export_statements``: every statement as JSON Lines or CSV records (schema:
docs/import-schema.md), which ``import_statements`` reads back."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from archive.importers.records import export_records


class Command(BaseCommand):
    help = "Export every statement (drafts included) as JSON Lines or CSV records."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "csv"],
                            help="default: from --output's extension, else jsonl")
        parser.add_argument("--output", "-o", help="a file to write (default: standard output)")

    def handle(self, *args, format, output, **options):
        fmt = format or ("csv" if output and output.lower().endswith(".csv") else "jsonl")
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as handle:
                count = export_records(handle, fmt=fmt)
            self.stderr.write(f"Exported {count} statements to {output}.")
        else:
            count = export_records(sys.stdout, fmt=fmt)
            self.stderr.write(f"Exported {count} statements.")
