"""musiconhold.conf of the portal: one class per music class or playlist made in the web.

Each class plays the files of one directory. The directory is relative, which Asterisk
takes relative to its astdatadir, so ``sounds/switchboard/moh/<hash>`` is found in the
sounds directory where the apply deploys the files, whatever the PBX's own paths are.
The files are numbered, so ``sort = alpha`` plays them in the order given.
"""

from __future__ import annotations

from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import join_sections, section


def render_moh(site: SiteSpec) -> str:
    sections = []
    for music in sorted(site.music_classes, key=lambda m: m.name):
        lines = [
            ("mode", "files"),
            ("directory", music.directory),
            ("sort", "random" if music.random else "alpha"),
        ]
        comment = f"Music class {music.name}" + (
            f": {' '.join(music.description.split())}" if music.description else ""
        )
        sections.append(section(music.name, lines, comment))
    return join_sections(sections)
