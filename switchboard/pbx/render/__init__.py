"""Pure renderers: a :class:`~switchboard.pbx.render.spec.SiteSpec` in, configuration text out.

Nothing here reads the database, the clock or the disk: the same spec always gives the same
files, which golden-file tests pin down. ``render_all`` gives every file the portal owns.
"""

from switchboard.pbx.render.files import MODULE_OF_FILE, render_all

__all__ = ["MODULE_OF_FILE", "render_all"]
