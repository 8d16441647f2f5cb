"""Haystack's update_index, routed through the queue (one writer; see search_status)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Bring the index in line with the database (same as `search_status --repair`)."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--remove", action="store_true", help="Always done; accepted.")

    def handle(self, *args, **options):
        call_command("search_status", repair=True, stdout=self.stdout)
