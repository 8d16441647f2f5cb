"""Send the email digests that are due: run it from cron (README, "Email alerts")."""

from django.core.management.base import BaseCommand, CommandError

from alerts.services import send_due


class Command(BaseCommand):
    help = "Mail every daily or weekly alert digest that is due, each statement once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", default=None,
            help="The site's address for links in the mail (default: ARCHIVE_SITE_URL).",
        )

    def handle(self, *args, site_url=None, **options):
        try:
            report = send_due(base_url=site_url, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if report.failed:
            raise CommandError(f"{report.failed} digest(s) could not be sent; see the log.")
