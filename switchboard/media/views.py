"""Pages of the media domain: sounds (listen, download), music classes, playlists, speech."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.media import audio, tts
from switchboard.media.forms import (
    MusicClassForm,
    MusicClassItemForm,
    PlaylistForm,
    PlaylistItemForm,
    SoundForm,
    SpeechForm,
)
from switchboard.media.models import (
    MusicClass,
    MusicClassItem,
    Playlist,
    PlaylistItem,
    Sound,
    SpeechClip,
)


def _player(sound: Sound) -> str:
    url = reverse("media:sound_file", args=[sound.pk, "listen"])
    return format_html('<audio controls preload="none" src="{}"></audio>', url)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class SoundListView(ObjectListView):
    model = Sound
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda s: s.get_kind_display()),
        Column(
            "duration",
            gettext_lazy("Duration"),
            sort="duration",
            value=lambda s: _duration(s.duration),
        ),
        Column("comment", gettext_lazy("Comment")),
        Column("original_name", gettext_lazy("Original file")),
        Column("player", gettext_lazy("Listen"), value=_player),
    )
    search_fields = ("name", "comment", "original_name")
    default_sort = "name"


class SoundEditView(ObjectEditView):
    model = Sound
    form_class = SoundForm
    template_name = "media/sound_edit.html"


class SoundDeleteView(ObjectDeleteView):
    model = Sound


FILE_KINDS = ("listen", "original", "converted")


@login_required
def sound_file(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The converted file to play in the page, or either file to download."""
    if not request.user.has_perm("media.view_sound"):
        raise PermissionDenied
    if which not in FILE_KINDS:
        raise Http404
    sound = get_object_or_404(Sound, pk=pk)
    stem = sound.name.replace("/", "-")
    if which == "original":
        path, name = sound.original_path, f"{stem}{sound.original_extension}"
    else:
        path, name = sound.converted_path, f"{stem}.wav"
    if not path.exists():
        raise Http404(_("The file is missing from the portal's data directory."))
    return FileResponse(
        path.open("rb"),
        as_attachment=which != "listen",
        filename=name,
        content_type="audio/wav" if which != "original" else None,
    )


class MusicClassListView(ObjectListView):
    model = MusicClass
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("description", gettext_lazy("Description")),
        Column("order", gettext_lazy("Order"), value=lambda m: m.get_order_display()),
        Column("items", gettext_lazy("Music"), value=lambda m: m.items.count()),
    )
    search_fields = ("name", "description")
    default_sort = "name"


class MusicClassEditView(ObjectEditView):
    model = MusicClass
    form_class = MusicClassForm


class MusicClassDeleteView(ObjectDeleteView):
    model = MusicClass


class MusicClassItemListView(ObjectListView):
    model = MusicClassItem
    columns = (
        Column("music_class", gettext_lazy("Music class"), sort="music_class__name", link=True),
        Column("position", gettext_lazy("Position"), sort="position"),
        Column("sound", gettext_lazy("Sound"), sort="sound__name"),
    )
    search_fields = ("music_class__name", "sound__name")
    default_sort = "music_class"

    def get_queryset(self) -> QuerySet[MusicClassItem]:
        return super().get_queryset().select_related("music_class", "sound")


class MusicClassItemEditView(ObjectEditView):
    model = MusicClassItem
    form_class = MusicClassItemForm


class MusicClassItemDeleteView(ObjectDeleteView):
    model = MusicClassItem


class PlaylistListView(ObjectListView):
    model = Playlist
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("description", gettext_lazy("Description")),
        Column("order", gettext_lazy("Order"), value=lambda p: p.get_order_display()),
        Column(
            "queues", gettext_lazy("Queues"), value=lambda p: ", ".join(map(str, p.queues.all()))
        ),
        Column("items", gettext_lazy("Items"), value=lambda p: p.items.count()),
    )
    search_fields = ("name", "description")
    default_sort = "name"


class PlaylistEditView(ObjectEditView):
    model = Playlist
    form_class = PlaylistForm


class PlaylistDeleteView(ObjectDeleteView):
    model = Playlist


class PlaylistItemListView(ObjectListView):
    model = PlaylistItem
    columns = (
        Column("playlist", gettext_lazy("Playlist"), sort="playlist__name", link=True),
        Column("position", gettext_lazy("Position"), sort="position"),
        Column("kind", gettext_lazy("Kind"), value=lambda i: i.get_kind_display()),
        Column("what", gettext_lazy("Content"), value=lambda i: i.sound or i.text),
        Column("language", gettext_lazy("Language")),
    )
    search_fields = ("playlist__name", "sound__name", "text")
    default_sort = "playlist"

    def get_queryset(self) -> QuerySet[PlaylistItem]:
        return super().get_queryset().select_related("playlist", "sound")


class PlaylistItemEditView(ObjectEditView):
    model = PlaylistItem
    form_class = PlaylistItemForm


class PlaylistItemDeleteView(ObjectDeleteView):
    model = PlaylistItem


@login_required
def speech_page(request: HttpRequest) -> HttpResponse:
    """Type a text, pick the language, listen to it spoken by the configured engine."""
    if not request.user.has_perm("media.use_speech"):
        raise PermissionDenied
    from switchboard.media.services import speech_clip

    clip = None
    form = SpeechForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clip = speech_clip(form.cleaned_data["text"], form.cleaned_data["language"])
        except tts.SpeechError as error:
            form.add_error("text", _("The text could not be spoken: %(error)s") % {"error": error})
    return render(
        request,
        "media/speech.html",
        {
            "title": _("Text to speech"),
            "form": form,
            "clip": clip,
            "recent": SpeechClip.objects.all()[:10],
        },
    )


@login_required
def speech_audio(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("media.use_speech"):
        raise PermissionDenied
    clip = get_object_or_404(SpeechClip, pk=pk)
    path = audio.converted_path(clip.digest)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type="audio/wav", filename=f"speech-{pk}.wav")
