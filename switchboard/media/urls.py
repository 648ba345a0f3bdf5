"""URLs of the media domain (sounds, music on hold, playlists, text to speech)."""

from django.urls import path

from switchboard.media import views

app_name = "media"


def crud(prefix: str, name: str, list_view, edit_view, delete_view) -> list:  # type: ignore[no-untyped-def]
    return [
        path(f"admin/{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"admin/{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"admin/{prefix}/<int:pk>/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"admin/{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


urlpatterns = [
    *crud("sounds", "sound", views.SoundListView, views.SoundEditView, views.SoundDeleteView),
    path("admin/sounds/<int:pk>/<str:which>/", views.sound_file, name="sound_file"),
    *crud(
        "music-classes",
        "musicclass",
        views.MusicClassListView,
        views.MusicClassEditView,
        views.MusicClassDeleteView,
    ),
    *crud(
        "music-class-items",
        "musicclassitem",
        views.MusicClassItemListView,
        views.MusicClassItemEditView,
        views.MusicClassItemDeleteView,
    ),
    *crud(
        "playlists",
        "playlist",
        views.PlaylistListView,
        views.PlaylistEditView,
        views.PlaylistDeleteView,
    ),
    *crud(
        "playlist-items",
        "playlistitem",
        views.PlaylistItemListView,
        views.PlaylistItemEditView,
        views.PlaylistItemDeleteView,
    ),
    path("admin/speech/", views.speech_page, name="speech"),
    path("admin/speech/<int:pk>/audio/", views.speech_audio, name="speech_audio"),
]
