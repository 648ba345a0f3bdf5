"""The Asterisk REST Interface: REST calls (httpx) and the Stasis events websocket."""

from switchboard.telephony.ari.client import AriClient, check_login
from switchboard.telephony.ari.errors import AriAuthError, AriConnectionError, AriError

__all__ = ["AriAuthError", "AriClient", "AriConnectionError", "AriError", "check_login"]
