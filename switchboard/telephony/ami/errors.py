"""Errors raised by the AMI protocol layer and client.

Every failure is an :class:`AmiError`, so callers that only need "it did not work" catch one
class. The subclasses say what went wrong in a way the caller can act on: the PBX could not be
reached or the link dropped (:class:`AmiConnectionError`), the credentials were refused
(:class:`AmiLoginError`), Asterisk answered an action with ``Response: Error``
(:class:`AmiActionError`), no answer came in time (:class:`AmiTimeout`), or the byte stream is
not AMI (:class:`ProtocolError`). Messages are plain English; when Asterisk gave a reason
(its ``Message:`` header) it is part of the message, as is.
"""

from __future__ import annotations


class AmiError(Exception):
    """Something went wrong talking to the Asterisk Manager Interface.

    ``message`` is the human-readable reason (Asterisk's own ``Message:`` when it sent one).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ProtocolError(AmiError):
    """The peer sent something that is not AMI, or a message beyond the size limit."""


class AmiConnectionError(AmiError):
    """The PBX is unreachable, the connection timed out, or an established link was lost."""


class AmiLoginError(AmiConnectionError):
    """Asterisk refused the login (wrong user name or secret, or a forbidden address).

    A subclass of :class:`AmiConnectionError`: either way there is no usable link, and code
    that reconnects treats both alike; ``message`` is Asterisk's own reason.
    """


class AmiTimeout(AmiError):
    """An action got no (complete) answer within its timeout; the link may still be fine."""


class AmiActionError(AmiError):
    """Asterisk answered an action with ``Response: Error``.

    ``action`` is the action's name and ``message`` Asterisk's reason, e.g. ``QueueAdd`` /
    ``Unable to add interface: Already there``.
    """

    def __init__(self, action: str, message: str) -> None:
        super().__init__(message)
        self.action = action

    def __str__(self) -> str:
        return f"{self.action}: {self.message}" if self.message else f"{self.action} failed"
