"""URLs of the call log, its recordings and marks."""

from django.urls import path

from switchboard.records import views

app_name = "records"

urlpatterns = [
    path("calls/", views.call_log, name="call_log"),
    path("calls/<int:pk>/recording/", views.recording, name="recording"),
    path("calls/<int:pk>/mark/", views.mark, name="mark"),
]
