"""Feeds, sitemaps, citations and discovery files (issue 7, "Reuse")."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views_reuse
from .sitemaps import SITEMAPS

# <uslug:> (slugs in any script) is registered by archive/converters.py.
app_name = "reuse"

urlpatterns = [
    path("feeds/statements/", feeds.LatestStatementsFeed(), name="feed-latest"),
    path("feeds/speakers/<uslug:slug>/", feeds.SpeakerFeed(), name="feed-speaker"),
    path("feeds/events/<uslug:slug>/", feeds.EventFeed(), name="feed-event"),
    path("feeds/countries/<str:code>/", feeds.CountryFeed(), name="feed-country"),
    path("feeds/topics/<uslug:slug>/", feeds.TopicFeed(), name="feed-topic"),
    path(
        "statements/<uslug:slug>/cite.<str:fmt>",
        views_reuse.citation_download,
        name="cite",
    ),
    # Not cached: an unpublished statement must leave the sitemap at once.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "reuse:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views_reuse.robots_txt, name="robots"),
    path("opensearch.xml", views_reuse.opensearch, name="opensearch"),
]
# The JSON API, the search feed and the exports live in the `api` app (api/urls.py, mounted
# beside this module): they depend on search, and archive never imports search.
