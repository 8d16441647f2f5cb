from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self):
        # The path converters (<uslug:>...) exist before any URLconf is read, whichever app's
        # URLs come first.
        from . import converters  # noqa: F401
