"""``manage.py health``: the database, the index and the queue; exit 1 if any is failing."""

from django.core.management.base import BaseCommand, CommandError

from search import health


class Command(BaseCommand):
    help = "Check the database, the search index and the change queue (exit 1 if unhealthy)."

    def handle(self, *args, **options):
        report = health.check()
        for line in health.as_text(report):
            self.stdout.write(line)
        if not report["healthy"]:
            raise CommandError("The archive is not healthy (see above).")
