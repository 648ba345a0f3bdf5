"""URLs of the call history import (administrators)."""

from django.urls import path

from switchboard.records import import_views

app_name = "records_import"

urlpatterns = [
    path("admin/call-import/", import_views.run_list, name="run_list"),
    path("admin/call-import/<int:pk>/", import_views.run_detail, name="run_detail"),
]
