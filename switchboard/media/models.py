"""Sounds, music-on-hold classes, playlists and the speech cache (SPEC A8, A9, A10)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.media import audio


class Sound(models.Model):
    """An uploaded audio file: the original as sent, and its Asterisk-ready conversion."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message")
        MUSIC = "music", _("music")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    comment = models.TextField(_("comment"), blank=True)
    original_name = models.CharField(_("original file"), max_length=255)
    original_digest = models.CharField(max_length=64, editable=False)
    original_extension = models.CharField(max_length=10, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    duration = models.FloatField(_("duration (s)"), default=0, editable=False)
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sound")
        verbose_name_plural = _("sounds")

    def __str__(self) -> str:
        return self.name

    @property
    def asterisk_name(self) -> str:
        return audio.asterisk_name(self.digest)

    @property
    def original_path(self):  # type: ignore[no-untyped-def]
        return audio.originals_store() / f"{self.original_digest}{self.original_extension}"

    @property
    def converted_path(self):  # type: ignore[no-untyped-def]
        return audio.converted_path(self.digest)


class Order(models.TextChoices):
    IN_ORDER = "order", _("in order")
    RANDOM = "random", _("random")


class MusicClass(models.Model):
    """A music-on-hold class: music sounds played in order or at random while callers wait."""

    name = models.CharField(
        _("name"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9_-]*$", _("Lower-case letters, digits, - and _ only."))
        ],
        help_text=_("Used by queues; “default” is the PBX's own class."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.CharField(
        _("order"), max_length=10, choices=Order.choices, default=Order.IN_ORDER
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("music class")
        verbose_name_plural = _("music classes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name == "default" or self.name.startswith("playlist-"):
            raise ValidationError({"name": _("This name is reserved.")})


class MusicClassItem(models.Model):
    music_class = models.ForeignKey(
        MusicClass, on_delete=models.CASCADE, related_name="items", verbose_name=_("music class")
    )
    sound = models.ForeignKey(
        Sound,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": Sound.Kind.MUSIC},
        verbose_name=_("sound"),
    )
    position = models.PositiveIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["music_class", "position", "pk"]
        verbose_name = _("music of a class")
        verbose_name_plural = _("music of the classes")

    def __str__(self) -> str:
        return f"{self.music_class} #{self.position}: {self.sound}"


class Playlist(models.Model):
    """What callers waiting in the attached queues hear (SPEC A9)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.CharField(
        _("order"), max_length=10, choices=Order.choices, default=Order.IN_ORDER
    )
    queues = models.ManyToManyField(
        "pbx.Queue",
        blank=True,
        related_name="playlists",
        verbose_name=_("queues"),
        help_text=_("A queue takes at most one playlist."),
    )
    position_every = models.PositiveIntegerField(
        _("announce the position every (s)"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text=_("How often a “position in queue” item is said."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("playlist")
        verbose_name_plural = _("playlists")

    def __str__(self) -> str:
        return self.name

    @property
    def music_class_name(self) -> str:
        return f"playlist-{self.pk}"


class PlaylistItem(models.Model):
    class Kind(models.TextChoices):
        SOUND = "sound", _("sound")
        SPEECH = "speech", _("spoken text")
        POSITION = "position", _("position in queue")

    playlist = models.ForeignKey(
        Playlist, on_delete=models.CASCADE, related_name="items", verbose_name=_("playlist")
    )
    position = models.PositiveIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SOUND)
    sound = models.ForeignKey(
        Sound, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sound")
    )
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)

    class Meta:
        ordering = ["playlist", "position", "pk"]
        verbose_name = _("playlist item")
        verbose_name_plural = _("playlist items")

    def __str__(self) -> str:
        if self.kind == self.Kind.SOUND:
            what = str(self.sound)
        elif self.kind == self.Kind.SPEECH:
            what = f"“{self.text[:40]}” ({self.language})"
        else:
            what = str(self.get_kind_display())
        return f"{self.playlist} #{self.position}: {what}"


class SpeechClip(models.Model):
    """A synthesised text, kept once per (engine, voice, text) (SPEC A10)."""

    engine = models.CharField(max_length=40)
    voice = models.CharField(max_length=40)
    text = models.TextField()
    language = models.CharField(max_length=5)
    digest = models.CharField(max_length=64)
    duration = models.FloatField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("spoken text")
        verbose_name_plural = _("spoken texts")
        constraints = [
            models.UniqueConstraint(fields=["engine", "voice", "text"], name="speech_once")
        ]
        permissions = [("use_speech", _("Type texts and listen to them spoken"))]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def asterisk_name(self) -> str:
        return audio.asterisk_name(self.digest)
