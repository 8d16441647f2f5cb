from django.urls import path

from . import views

# <uslug:>, <yyyy:> and <country_code:> are registered by archive/converters.py (apps.ready).

app_name = "archive"

# The pages people read, in every interface language (config/urls.py puts them under
# i18n_patterns: /statements/ in English, /ar/statements/ in Arabic).  What programs read
# about the site (the sitemap, robots.txt, OpenSearch) is in archive/discovery_urls.py.

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<uslug:slug>/", views.statement_detail, name="statement-detail"),
    path("speakers/", views.speaker_list, name="speaker-list"),
    path("speakers/<uslug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("events/", views.event_list, name="event-list"),
    path("events/<uslug:slug>/", views.event_detail, name="event-detail"),
    path("countries/", views.country_list, name="country-list"),
    path("countries/<country_code:code>/", views.country_detail, name="country-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<uslug:slug>/", views.topic_detail, name="topic-detail"),
    path("years/", views.year_list, name="year-list"),
    path("years/<yyyy:year>/", views.year_detail, name="year-detail"),
    path("statements/<uslug:slug>/cite.<str:fmt>", views.citation_download, name="cite"),
]
