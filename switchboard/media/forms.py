"""Forms of the media domain: uploads are converted while the form is checked, so a file
that cannot be decoded is refused with a form error and nothing is stored."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.media import audio, tts
from switchboard.media.models import (
    MusicClass,
    MusicClassItem,
    Playlist,
    PlaylistItem,
    Sound,
)

EXTENSIONS = (".mp3", ".wav", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".flac")
MAX_UPLOAD = 50 * 1024 * 1024


class SoundForm(RequestModelForm):
    upload = forms.FileField(
        label=_("Audio file"),
        required=False,
        help_text=_("mp3, wav, ogg or m4a; converted for the PBX (8 kHz mono)."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    class Meta:
        model = Sound
        fields = ["name", "kind", "comment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.converted: bytes | None = None
        self.original: bytes | None = None
        if not self.instance.pk:
            self.fields["upload"].required = True
        else:
            self.fields["upload"].help_text = _("Empty: the current file stays.")

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return upload
        extension = Path(upload.name).suffix.lower()
        if extension not in EXTENSIONS:
            raise forms.ValidationError(
                _("This kind of file is not accepted; send mp3, wav, ogg or m4a.")
            )
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        data = b"".join(upload.chunks())
        with tempfile.TemporaryDirectory(prefix="sb-upload-") as work:
            source = Path(work) / f"upload{extension}"
            source.write_bytes(data)
            try:
                self.converted = audio.convert(source)
            except audio.AudioError as error:
                raise forms.ValidationError(
                    _("This file could not be read as audio (%(reason)s)."),
                    params={"reason": str(error)[:200]},
                ) from error
        self.original = data
        return upload

    def save(self, commit: bool = True) -> Sound:
        sound: Sound = super().save(commit=False)
        upload = self.cleaned_data.get("upload")
        if upload and self.converted is not None and self.original is not None:
            extension = Path(upload.name).suffix.lower()
            sound.original_name = Path(upload.name).name[:255]
            sound.original_extension = extension
            sound.original_digest = audio.store_original(self.original, extension)
            sound.digest = audio.store_converted(self.converted)
            sound.duration = round(audio.duration_of(self.converted), 2)
        if commit:
            sound.save()
        return sound


class MusicClassForm(RequestModelForm):
    class Meta:
        model = MusicClass
        fields = ["name", "description", "order"]


class MusicClassItemForm(RequestModelForm):
    class Meta:
        model = MusicClassItem
        fields = ["music_class", "sound", "position"]


class PlaylistForm(RequestModelForm):
    class Meta:
        model = Playlist
        fields = ["name", "description", "order", "queues", "position_every"]
        widgets = {"queues": forms.CheckboxSelectMultiple}

    def clean_queues(self) -> Any:
        queues = self.cleaned_data.get("queues")
        for queue in queues or ():
            others = queue.playlists.exclude(pk=self.instance.pk or 0)
            if others.exists():
                raise forms.ValidationError(
                    _("The queue %(queue)s already has the playlist %(playlist)s."),
                    params={"queue": queue, "playlist": others.first()},
                )
        return queues


class PlaylistItemForm(RequestModelForm):
    language = forms.ChoiceField(label=_("language"), choices=tts.LANGUAGES, required=False)

    class Meta:
        model = PlaylistItem
        fields = ["playlist", "position", "kind", "sound", "text", "language"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == PlaylistItem.Kind.SOUND:
            if not cleaned.get("sound"):
                self.add_error("sound", _("Choose the sound to play."))
            cleaned["text"], cleaned["language"] = "", ""
        elif kind == PlaylistItem.Kind.SPEECH:
            cleaned["sound"] = None
            text, language = cleaned.get("text", "").strip(), cleaned.get("language")
            if not text:
                self.add_error("text", _("Type the text to speak."))
            elif not language:
                self.add_error("language", _("Choose the language of the text."))
            else:
                from switchboard.media.services import speech_clip

                try:
                    speech_clip(text, language)  # synthesised now, ready for the next apply
                except tts.SpeechError as error:
                    self.add_error(
                        "text", _("The text could not be spoken: %(error)s") % {"error": error}
                    )
        elif kind == PlaylistItem.Kind.POSITION:
            cleaned["sound"], cleaned["text"], cleaned["language"] = None, "", ""
        return cleaned


class SpeechForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=tts.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    language = forms.ChoiceField(label=_("Language"), choices=tts.LANGUAGES)
