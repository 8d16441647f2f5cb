from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("trends/", views.trends_page, name="trends"),
    path("trends/export.csv", views.trends_csv, name="trends-csv"),
    path("who/", views.who_page, name="who"),
    path("who/export.csv", views.who_csv, name="who-csv"),
    path("kwic/", views.kwic_page, name="kwic"),
    path("kwic/export.csv", views.kwic_csv, name="kwic-csv"),
    path("compare/", views.compare_page, name="compare"),
    path("compare/export.csv", views.compare_csv, name="compare-csv"),
]
