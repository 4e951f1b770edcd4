from django.urls import path

from transparency.api import HeadlineAPI, StatsAPI

urlpatterns = [
    path("stats/", StatsAPI.as_view(), name="stats"),
    path("stats/headline/", HeadlineAPI.as_view(), name="stats-headline"),
]
