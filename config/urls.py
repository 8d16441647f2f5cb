from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from archive.admin_import import import_page_view
from search.views import healthz

urlpatterns = [
    path(
        f"{settings.ADMIN_PATH}archive/statement/import-page/",
        import_page_view,
        name="admin-import-page",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("search/", include("search.urls")),
    path("", include("api.urls")),  # /api/, the Atom feeds, result-set exports
    path("", include("archive.urls")),
]
