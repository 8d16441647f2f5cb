"""``manage.py research_stats``: compute the research tools' statistics of every published
statement that lacks them (after a bulk import; readers otherwise compute them on demand)."""

from django.core.management.base import BaseCommand

from research import stats
from research.models import StatementStats, StatementWords


class Command(BaseCommand):
    help = "Compute the per-statement statistics of the research tools (trends, who, KWIC)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="drop every row first and compute them all again")

    def handle(self, *args, all=False, **options):
        if all:
            StatementWords.objects.all().delete()
            StatementStats.objects.all().delete()
        todo = stats.missing()
        made = stats.compute(todo)
        self.stdout.write(f"Computed the statistics of {made} statement(s); "
                          f"{StatementStats.objects.count()} kept in all.")
