from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import views
from .sitemaps import SITEMAPS


class YearConverter:
    """Exactly four digits, so /years/22/ and /years/20222/ are 404s rather than odd years."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class CountryCodeConverter:
    """Two or three letters in either case; the view looks the code up in upper case."""

    regex = "[A-Za-z]{2,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(YearConverter, "yyyy")
register_converter(CountryCodeConverter, "country_code")

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement-detail"),
    path("speakers/", views.speaker_list, name="speaker-list"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("countries/", views.country_list, name="country-list"),
    path("countries/<country_code:code>/", views.country_detail, name="country-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("years/", views.year_list, name="year-list"),
    path("years/<yyyy:year>/", views.year_detail, name="year-detail"),
    path("statements/<slug:slug>/cite.<str:fmt>", views.citation_download, name="cite"),
    # Not cached: an unpublished statement must leave the sitemap at once.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "archive:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
]
