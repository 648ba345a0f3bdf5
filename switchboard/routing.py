"""Websocket routes of every domain app."""

from django.urls import path

from switchboard.agents.consumers import ColleaguesConsumer
from switchboard.chat.consumers import ChatConsumer
from switchboard.core.consumers import PingConsumer
from switchboard.desk.consumers import DeskConsumer
from switchboard.telephony.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),  # staff chat (switchboard.chat)
    path("ws/desk/", DeskConsumer.as_asgi()),  # the operator desk (switchboard.desk)
    path("ws/live/", LiveConsumer.as_asgi()),
    path("ws/colleagues/", ColleaguesConsumer.as_asgi()),
]
