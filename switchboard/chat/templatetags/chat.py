"""``{% chat_unread %}``: the signed-in user's unread chat messages (for the header badge)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_unread(context: template.Context) -> int:
    from switchboard.chat.services import unread_count

    user = getattr(context.get("request"), "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
