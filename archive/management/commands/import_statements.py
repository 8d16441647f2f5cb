"""``manage.py import_statements FILE``: create or update statements from JSON Lines or CSV
records (schema: docs/import-schema.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.importers.records import import_records, read_records


class Command(BaseCommand):
    help = "Import statements from JSON Lines (.jsonl) or CSV (.csv) records; see " \
           "docs/import-schema.md. Bad records are reported by line and skipped."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .jsonl or .csv file")
        parser.add_argument("--format", choices=["jsonl", "csv"],
                            help="the file's format (default: from its extension)")
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and report only; write nothing")
        parser.add_argument("--batch-size", type=int, default=250)

    def handle(self, *args, file, format, dry_run, batch_size, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        fmt = format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        # newline="" lets the csv module see line breaks inside quoted cells.
        with path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as handle:
            try:
                report = import_records(
                    read_records(handle, fmt=fmt), dry_run=dry_run, batch_size=batch_size
                )
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        for line in report.lines(verbose=options["verbosity"] >= 2):
            self.stdout.write(line)
        if report.skipped and not (report.created or report.updated or report.unchanged):
            raise CommandError("no record could be imported")
