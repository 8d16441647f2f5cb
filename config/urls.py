from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("search/", include("search.urls")),
    path("", include("archive.urls_reuse")),  # feeds, sitemaps, citations, robots
    path("", include("api.urls")),  # /api/, the search feed, result-set exports
    path("", include("archive.urls")),
]
