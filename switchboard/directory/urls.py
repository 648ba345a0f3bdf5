"""URLs of the directory."""

from django.urls import path

from switchboard.directory import views

app_name = "directory"

urlpatterns = [
    path("directory/", views.contact_list, name="contact_list"),
    path("directory/add/", views.contact_add, name="contact_add"),
    path("directory/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("directory/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("directory/call/", views.call, name="call"),
]
