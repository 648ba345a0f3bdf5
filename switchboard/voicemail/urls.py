"""URLs of the voicemail domain."""

from django.urls import path

from switchboard.voicemail import views

app_name = "voicemail"

urlpatterns = [
    path("admin/voicemail/", views.VoicemailBoxListView.as_view(), name="voicemailbox_list"),
    path("admin/voicemail/add/", views.VoicemailBoxEditView.as_view(), name="voicemailbox_add"),
    path(
        "admin/voicemail/<int:pk>/",
        views.VoicemailBoxEditView.as_view(),
        name="voicemailbox_edit",
    ),
    path(
        "admin/voicemail/<int:pk>/delete/",
        views.VoicemailBoxDeleteView.as_view(),
        name="voicemailbox_delete",
    ),
]
