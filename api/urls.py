from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.routers import SimpleRouter

from . import docs, exports, feeds, research, views

app_name = "api"

router = SimpleRouter()
router.register("statements", views.StatementViewSet, basename="statement")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("events", views.EventViewSet, basename="event")
router.register("countries", views.CountryViewSet, basename="country")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("api/", docs.api_docs, name="docs"),
    path("api/schema/", docs.SchemaView.as_view(), name="schema"),
    path("api/", include(router.urls)),
    path("api/trends/", research.trends_view, name="trends"),
    path("api/who/", research.who_view, name="who"),
    path("api/kwic/", research.kwic_view, name="kwic"),
    path("api/compare/", research.compare_view, name="compare"),
    path("api/<path:rest>", extend_schema(exclude=True)(views.not_found)),
    path("feeds/statements/", feeds.LatestStatementsFeed(), name="feed-latest"),
    # <uslug:> (slugs in any script) is registered by archive/converters.py.
    path("feeds/speakers/<uslug:slug>/", feeds.SpeakerFeed(), name="feed-speaker"),
    path("feeds/events/<uslug:slug>/", feeds.EventFeed(), name="feed-event"),
    path("feeds/countries/<str:code>/", feeds.CountryFeed(), name="feed-country"),
    path("feeds/topics/<uslug:slug>/", feeds.TopicFeed(), name="feed-topic"),
    path("feeds/search/", feeds.search_feed, name="search-feed"),
    path(
        "exports/statements-excel.csv",
        exports.export,
        {"fmt": "csv", "excel": True},
        name="export-excel",
    ),
    path("exports/statements.<str:fmt>", exports.export, name="export"),
]
