"""URLs of the core app."""

from django.urls import path

from switchboard.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
]
