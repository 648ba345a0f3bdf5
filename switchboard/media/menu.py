"""Menu entries of the media domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("Configuration"), _("Sounds"), "media:sound_list", "media.view_sound", icon="♪"),
    MenuEntry(
        _("Configuration"),
        _("Music on hold"),
        "media:musicclass_list",
        "media.view_musicclass",
        icon="♫",
    ),
    MenuEntry(
        _("Configuration"),
        _("Music of the classes"),
        "media:musicclassitem_list",
        "media.view_musicclassitem",
        icon="♬",
    ),
    MenuEntry(
        _("Configuration"), _("Playlists"), "media:playlist_list", "media.view_playlist", icon="▶"
    ),
    MenuEntry(
        _("Configuration"),
        _("Playlist items"),
        "media:playlistitem_list",
        "media.view_playlistitem",
        icon="≡",
    ),
    MenuEntry(
        _("Configuration"), _("Text to speech"), "media:speech", "media.use_speech", icon="🗣"
    ),
)
