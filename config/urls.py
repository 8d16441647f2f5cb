from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from search.views import healthz

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("search/", include("search.urls")),
    path("", include("research.urls")),  # trends, who says it most, compare two, KWIC
    path("", include("api.urls")),  # /api/, the Atom feeds, result-set exports
    path("", include("archive.urls")),
]
