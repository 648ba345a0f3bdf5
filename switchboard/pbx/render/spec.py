"""What the renderers need to know, as plain frozen data (built from the database by
``switchboard.pbx.services.site_spec``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhoneSpec:
    extension: str
    display_name: str
    secret: str
    fixed_address: str = ""  # host[:port] of a phone that does not register


@dataclass(frozen=True)
class SiteSpec:
    """Everything the portal configures on one PBX."""

    phones: tuple[PhoneSpec, ...] = ()
