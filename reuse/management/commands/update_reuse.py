"""Apply the agreed-language queue now (the index worker does it whenever it is idle)."""

from django.core.management.base import BaseCommand

from reuse.build import drain
from reuse.models import ReuseQueue


class Command(BaseCommand):
    help = "Work out the passages of every statement queued since its last change."

    def handle(self, *args, **options):
        taken = drain()
        left = ReuseQueue.objects.count()
        self.stdout.write(f"Compared {taken} queued statement(s); {left} left (failing).")
