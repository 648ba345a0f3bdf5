"""URLs of the voicemail domain."""

from django.urls import path

from switchboard.voicemail import messages_views, views

app_name = "voicemail"

MESSAGE = "voicemail/<int:pk>/<str:msg_id>/"

urlpatterns = [
    path("voicemail/", messages_views.my_voicemail, name="mine"),
    path(f"{MESSAGE}audio/", messages_views.audio, name="audio"),
    path(f"{MESSAGE}move/", messages_views.move, name="move"),
    path(f"{MESSAGE}delete/", messages_views.delete, name="delete"),
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
