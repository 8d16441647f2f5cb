"""Emptying the archive after a module-scoped fixture (tests only)."""

from django.apps import apps
from django.db.models import ProtectedError

from archive.models import Country, Statement
from search.models import IndexQueue


def remove_archive_rows() -> None:
    """Delete every archive row but the seeded countries, and the index queue."""
    Statement.objects.all().delete()
    models = [m for m in apps.get_app_config("archive").get_models() if m is not Country]
    for _attempt in range(5):  # the protected foreign keys decide the order
        blocked = False
        for model in models:
            try:
                model._default_manager.all().delete()
            except ProtectedError:
                blocked = True
        if not blocked:
            break
    IndexQueue.objects.all().delete()
    # What other apps derive from statements (agreed language, research statistics, alerts
    # sent): a raw emptying bypasses the change path that keeps them in step.
    for label in ("reuse", "research", "alerts"):
        if apps.is_installed(label):
            for model in apps.get_app_config(label).get_models():
                model._default_manager.all().delete()
