from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from search.views import healthz

# Addresses read by programs, and the admin, have one address whatever the interface
# language: the JSON API, the feeds, the exports, the sitemap, robots.txt and OpenSearch.
urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("api.urls")),  # /api/, the Atom feeds, result-set exports
    path("", include("archive.discovery_urls")),
]

# The pages people read keep their language in the address: English without a prefix (so
# every address published before the Arabic interface still works), Arabic under /ar/.
#
# The language switcher's form posts to Django's set_language, which sends the reader back to
# the same page under the chosen language's prefix.  It sits among the prefixed addresses
# because it must resolve the page it came from (/ar/... resolves only while Arabic is
# active).  Without a CSRF token: the worst a forged post can do is switch a reader's
# interface language, and a token would put a cookie on every public page and keep shared
# caches from storing them.
urlpatterns += i18n_patterns(
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("search/", include("search.urls")),
    path("alerts/", include("alerts.urls")),
    path("", include("research.urls")),  # trends, who says it most, compare two, KWIC
    path("", include("archive.urls")),
    prefix_default_language=False,
)
