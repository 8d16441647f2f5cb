"""System checks of the deployment itself."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def _missing_manifest() -> Path | None:
    """The manifest production's static storage needs, when it is not there (else None)."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None
    path = Path(storage.path(storage.manifest_name))
    return None if path.is_file() else path


def _advice(path: Path) -> str:
    return (
        f"The static files manifest {path} is missing, so every page would answer 500. Run "
        "`manage.py collectstatic --noinput` (with the same environment) before starting "
        "the server; see the README, Production."
    )


@register(Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs, **kwargs):
    path = _missing_manifest()
    if path is None:
        return []
    return [Error(_advice(path), id="site.E001")]


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        checks.Warning(
            "The default cache is per process: each gunicorn worker keeps its own count, so "
            "every rate limit, the API throttle included, is multiplied by the workers.",
            hint="Leave CACHE_URL unset (the database cache) or set it to redis://...",
            id="site.W001",
        )
    ]


def require_static_manifest() -> None:
    """Called by the WSGI entry point: a server without collected static files does not start
    (gunicorn reports the worker failed to boot) instead of failing every request."""
    path = _missing_manifest()
    if path is not None:
        raise ImproperlyConfigured(_advice(path))
