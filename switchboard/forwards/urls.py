"""URLs of the call forwards."""

from django.urls import path

from switchboard.forwards import views

app_name = "forwards"

urlpatterns = [
    path("forwards/", views.my_forwards, name="mine"),
    path("forwards/<int:pk>/", views.edit_forwards, name="edit"),
    path("admin/forwards/", views.all_forwards, name="all"),
]
