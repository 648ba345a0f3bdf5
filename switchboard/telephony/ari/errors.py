"""Errors raised by the ARI client.

Every failure is an :class:`AriError`: either the PBX could not be reached at all
(:class:`AriConnectionError`), or Asterisk answered with an HTTP error status
(:class:`AriHttpError` and its subclasses, one per status the product reacts to). The message
is Asterisk's own (``{"message": "Channel not found"}``) so it can be shown to a user as is.
"""

from __future__ import annotations


class AriError(Exception):
    """Something went wrong talking to ARI.

    ``message`` is the human-readable reason (Asterisk's own message when it sent one),
    ``status`` the HTTP status (None when no HTTP answer came), ``method`` and ``path`` the
    request that failed (None for the events websocket or a login check).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path

    def __str__(self) -> str:
        request = f"{self.method} {self.path}" if self.method and self.path else ""
        if self.status is not None and request:
            return f"{self.message} (HTTP {self.status} on {request})"
        if self.status is not None:
            return f"{self.message} (HTTP {self.status})"
        return self.message


class AriConnectionError(AriError):
    """No usable answer: connection refused, timeout, TLS failure, or not an ARI server."""


class AriAppReplaced(AriError):
    """Another client opened the events websocket of the same Stasis app on this PBX.

    Asterisk sends ``ApplicationReplaced`` to the older connection and then only feeds the
    newer one. The client stops its events loop instead of taking the app back, which would
    make the two clients steal events from each other.
    """


class AriHttpError(AriError):
    """Asterisk answered with an HTTP error status (``status`` is always set)."""


class AriBadRequest(AriHttpError):
    """400: a parameter is missing or invalid."""


class AriAuthError(AriHttpError):
    """401 (wrong user name or password) or 403 (the ARI user may not do this)."""


class AriNotFound(AriHttpError):
    """404: no such channel, bridge, recording... (or no such ARI resource)."""


class AriConflict(AriHttpError):
    """409: the resource is in the wrong state (e.g. the channel is not in Stasis)."""


class AriUnprocessable(AriHttpError):
    """422: a resource named in the request does not exist (e.g. the channel to bridge)."""


class AriServerError(AriHttpError):
    """5xx: Asterisk failed to do it (e.g. originate to an endpoint it cannot allocate)."""


_BY_STATUS: dict[int, type[AriHttpError]] = {
    400: AriBadRequest,
    401: AriAuthError,
    403: AriAuthError,
    404: AriNotFound,
    409: AriConflict,
    422: AriUnprocessable,
}


def error_for_status(
    status: int, message: str, *, method: str | None = None, path: str | None = None
) -> AriHttpError:
    """The :class:`AriHttpError` subclass matching an HTTP error ``status``."""
    cls = _BY_STATUS.get(status) or (AriServerError if status >= 500 else AriHttpError)
    return cls(message, status=status, method=method, path=path)
