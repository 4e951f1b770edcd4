from django.urls import path

from routing import views

app_name = "routing"
urlpatterns = [
    path("lokasi/", views.locate, name="locate"),
    path(
        "kelurahan.geojson",
        views.kelurahan_boundaries,
        name="kelurahan-boundaries",
    ),
]
