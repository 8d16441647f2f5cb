"""``manage.py messages``: refresh the interface's catalogues and compile them (``make messages``).

``--check`` changes nothing: it collects the strings into a scratch copy of the project and
reports what the committed catalogue lacks, no longer uses, leaves untranslated or fuzzy, and
whether the committed .mo was compiled from the .po; it exits 1 when any of that is found.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config import i18n


class Command(BaseCommand):
    help = "Collect the interface's marked strings into locale/ and compile them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true",
            help="report a stale, untranslated or uncompiled catalogue; change nothing",
        )

    def handle(self, *args, check=False, **options):
        if check:
            return self.check_catalogues()
        call_command(*i18n.makemessages_args(), verbosity=options["verbosity"])
        call_command("compilemessages", locale=list(i18n.CATALOGUE_LANGUAGES),
                     ignore=list(i18n.IGNORE),
                     verbosity=options["verbosity"])
        for language in i18n.CATALOGUE_LANGUAGES:
            left = i18n.untranslated(i18n.read_po(i18n.po_path(language))[1])
            if left:
                self.stdout.write(f"{language}: {len(left)} string(s) to translate in "
                                  f"{i18n.po_path(language)}, then run this again.")

    def check_catalogues(self):
        problems = []
        for language in i18n.CATALOGUE_LANGUAGES:
            committed = i18n.read_po(i18n.po_path(language))[1]
            missing, unused = i18n.stale_keys(committed, i18n.fresh_catalogue(language))
            problems += [f"{language}: not in the catalogue: {key[1]!r}" for key in missing]
            problems += [f"{language}: no longer in the source: {key[1]!r}" for key in unused]
            problems += [f"{language}: untranslated or fuzzy: {e.msgid!r}"
                         for e in i18n.untranslated(committed)]
            problems += [f"{language}: the .mo differs from the .po at {msgid!r}"
                         for msgid in i18n.compiled_differences(language)]
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError("The catalogues are not current: run `make messages`, translate, "
                               "and run it again.")
        self.stdout.write("The catalogues are current.")
