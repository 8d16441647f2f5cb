"""``manage.py readable_slugs``: statements whose slug lost its title's script get a new one."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive.services import readable_statement_slugs


class Command(BaseCommand):
    help = (
        "Give statements whose slug was made by the ASCII-only rule (an Arabic title left only "
        "its date) a slug in their title's script; the old slug keeps redirecting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the changes only")

    def handle(self, *args, dry_run, **options):
        changed = readable_statement_slugs(apply=not dry_run)
        for old, new in changed:
            self.stdout.write(f"{old} -> {new}")
        verb = "Would change" if dry_run else "Changed"
        self.stderr.write(f"{verb} {len(changed)} statement slugs.")
