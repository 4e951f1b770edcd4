from django.urls import path

from routing.api import AreaViewSet, UnitViewSet

urlpatterns = [
    path("areas/", AreaViewSet.as_view({"get": "list"}), name="area-list"),
    path(
        "areas/<str:code>/",
        AreaViewSet.as_view({"get": "retrieve"}),
        name="area-detail",
    ),
    path("units/", UnitViewSet.as_view({"get": "list"}), name="unit-list"),
    path(
        "units/<str:code>/",
        UnitViewSet.as_view({"get": "retrieve"}),
        name="unit-detail",
    ),
]
