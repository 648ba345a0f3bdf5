"""Websocket routes of every domain app."""

from django.urls import path

from switchboard.core.consumers import PingConsumer
from switchboard.telephony.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/live/", LiveConsumer.as_asgi()),
]
