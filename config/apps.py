"""The project's own configuration as an app: its system checks and the cache table."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def create_cache_tables(sender, using="default", verbosity=1, **kwargs):
    """``migrate`` also creates the database cache's table (``createcachetable`` is a no-op when
    it exists), so no deployment can forget the step that keeps rate limits shared."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class SiteConfig(AppConfig):
    name = "config"
    label = "site"
    verbose_name = "Site configuration"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        # Once per migrate: post_migrate is sent per app with models, and archive has some.
        post_migrate.connect(
            create_cache_tables, sender=apps.get_app_config("archive"),
            dispatch_uid="config.create_cache_tables",
        )
