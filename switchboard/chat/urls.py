"""URLs of the staff chat."""

from django.urls import path

from switchboard.chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.index, name="index"),
    path("chat/everyone/", views.everyone, name="everyone"),
    path("chat/<int:pk>/", views.with_user, name="with_user"),
]
