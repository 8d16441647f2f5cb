"""Work out agreed language for the whole archive from nothing."""

from django.core.management.base import BaseCommand

from reuse.build import rebuild


class Command(BaseCommand):
    help = ("Shingle every published statement and find the passages each shares with "
            "others, in one transaction: pages show the old passages until it commits; on "
            "SQLite other writers wait meanwhile, so run it when the archive is quiet (after "
            "a bulk import, for instance).")

    def handle(self, *args, **options):
        report = rebuild(stdout=self.stdout if options["verbosity"] > 0 else None)
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Agreed language rebuilt: {report['statements']} statements, "
                f"{report['passages']} shared passages, boilerplate above "
                f"{report['boilerplate_limit']} statements, in {report['seconds']:.1f} s."
            )
