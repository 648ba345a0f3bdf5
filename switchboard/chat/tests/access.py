"""The chat pages for the project's access table (switchboard/accounts/tests/test_access.py).

Every signed-in user chats: with everyone and with any active colleague.
"""

from __future__ import annotations

SIGNED_IN = {"chat:index", "chat:everyone", "chat:with_user"}


def chat_urls() -> dict[str, str]:
    from switchboard.accounts.models import User

    colleague, _ = User.objects.get_or_create(username="chat-colleague")
    return {
        "chat:index": "/chat/",
        "chat:everyone": "/chat/everyone/",
        "chat:with_user": f"/chat/{colleague.pk}/",
    }


def expected(name: str, who: str) -> int | str | None:
    """The status for the chat pages; None for names of other apps."""
    if name not in SIGNED_IN:
        return None
    return "login" if who == "anonymous" else 200
