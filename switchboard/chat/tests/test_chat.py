"""The staff chat without a browser: pages, limits, unread counts, the websocket."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from switchboard.chat import services
from switchboard.chat.models import MAX_LENGTH, ChatMessage

pytestmark = pytest.mark.django_db(transaction=True)
HOST = (b"host", b"localhost")


@pytest.fixture
def people(make_user):
    return (
        make_user("anne", "user", first_name="Anne", last_name="Martin"),
        make_user("bob", "user", first_name="Bob"),
        make_user("carol", "user"),
    )


def test_person_to_person_history_and_read(client, people) -> None:
    anne, bob, carol = people
    client.force_login(anne)
    response = client.post(f"/chat/{bob.pk}/", {"text": "  Hello Bob  "})
    assert response.status_code == 302 and response["Location"] == f"/chat/{bob.pk}/"
    message = ChatMessage.objects.get()
    assert (message.sender, message.recipient, message.text) == (anne, bob, "Hello Bob")
    assert services.unread_count(bob) == 1 and services.unread_count(carol) == 0
    assert services.unread_count(anne) == 0

    # Carol sees nothing of it; Bob's header badge says 1 until he opens the conversation.
    client.force_login(carol)
    assert "Hello Bob" not in client.get(f"/chat/{anne.pk}/").content.decode()
    client.force_login(bob)
    home = client.get("/").content.decode()
    assert 'id="chat-unread" data-count="1"' in home
    page = client.get(f"/chat/{anne.pk}/").content.decode()
    assert "Hello Bob" in page
    assert services.unread_count(bob) == 0
    assert 'data-count="0"' in client.get("/").content.decode()
    # Oneself and unknown people are no conversation.
    assert client.get(f"/chat/{bob.pk}/").status_code == 404
    assert client.get("/chat/999999/").status_code == 404


def test_empty_and_too_long_messages_are_refused(client, people) -> None:
    anne, bob, _carol = people
    client.force_login(anne)
    response = client.post(f"/chat/{bob.pk}/", {"text": "   "})
    assert response.status_code == 200
    assert "Write a message before sending it." in response.content.decode()
    response = client.post("/chat/everyone/", {"text": "x" * (MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert f"at most {MAX_LENGTH} characters" in response.content.decode()
    assert not ChatMessage.objects.exists()
    client.post("/chat/everyone/", {"text": "x" * MAX_LENGTH})
    assert ChatMessage.objects.get().recipient is None


def test_messages_to_everyone_are_read_per_person(client, people) -> None:
    anne, _bob, carol = people
    client.force_login(anne)
    client.post("/chat/everyone/", {"text": "Coffee at 10"})
    assert [services.unread_count(p) for p in people] == [0, 1, 1]
    client.force_login(carol)
    assert "Coffee at 10" in client.get("/chat/everyone/").content.decode()
    assert [services.unread_count(p) for p in people] == [0, 1, 0]
    index = client.get("/chat/").content.decode()
    assert "Everyone" in index and "Anne Martin" in index


def test_history_is_paged(client, people) -> None:
    anne, bob, _carol = people
    for n in range(services.PAGE_SIZE + 5):
        ChatMessage.objects.create(sender=anne, recipient=bob, text=f"message number {n:03d}")
    client.force_login(bob)
    page = client.get(f"/chat/{anne.pk}/").content.decode()
    assert "message number 034" in page and "message number 004" not in page
    older = ChatMessage.objects.order_by("pk")[5].pk
    assert f"?before={older}" in page
    page = client.get(f"/chat/{anne.pk}/?before={older}").content.decode()
    assert "message number 004" in page and "message number 000" in page
    assert "message number 005" not in page
    assert services.unread_count(bob) == 0


def _application():
    from switchboard.asgi import application

    return application


async def _connect(client, user) -> WebsocketCommunicator:
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        _application(), "/ws/chat/", headers=[HOST, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_websocket_delivers_and_marks_read(settings, people) -> None:
    from django.test import Client

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    anne, bob, carol = people
    bob_socket = await _connect(Client(), bob)
    carol_socket = await _connect(Client(), carol)
    assert await bob_socket.receive_json_from(timeout=5) == {"unread": 0}
    assert await carol_socket.receive_json_from(timeout=5) == {"unread": 0}

    await sync_to_async(services.send)(anne, bob, "Are you there?")
    pushed = await bob_socket.receive_json_from(timeout=5)
    assert pushed["unread"] == 1 and pushed["message"]["text"] == "Are you there?"
    assert pushed["message"]["sender"] == anne.pk
    assert await carol_socket.receive_nothing(timeout=0.3)

    await bob_socket.send_json_to({"read": anne.pk, "up_to": pushed["message"]["id"]})
    assert await bob_socket.receive_json_from(timeout=5) == {"unread": 0}
    # A read request for someone else's message or nonsense changes nothing.
    await carol_socket.send_json_to({"read": anne.pk, "up_to": "all"})
    assert await carol_socket.receive_nothing(timeout=0.3)

    await sync_to_async(services.send)(anne, None, "To all")
    for socket in (bob_socket, carol_socket):
        pushed = await socket.receive_json_from(timeout=5)
        assert pushed["unread"] == 1 and pushed["message"]["recipient"] is None
    await carol_socket.send_json_to({"read": "everyone", "up_to": pushed["message"]["id"]})
    assert await carol_socket.receive_json_from(timeout=5) == {"unread": 0}
    assert await sync_to_async(services.unread_count)(bob) == 1
    await bob_socket.disconnect()
    await carol_socket.disconnect()


async def test_websocket_refuses_anonymous() -> None:
    communicator = WebsocketCommunicator(_application(), "/ws/chat/", headers=[HOST])
    connected, code = await communicator.connect()
    assert not connected and code == 4401


def test_unread_badge_stops_at_99_plus(client, people) -> None:
    anne, bob, _carol = people
    ChatMessage.objects.bulk_create(
        ChatMessage(sender=anne, recipient=None if n % 2 else bob, text=f"m{n}")
        for n in range(services.UNREAD_CAP + 20)
    )
    assert services.unread_count(bob) == services.UNREAD_CAP
    client.force_login(bob)
    assert ">99+</span>" in client.get("/").content.decode()
    client.get(f"/chat/{anne.pk}/")  # the newest page of the person's messages is read
    assert services.unread_count(bob) == services.UNREAD_CAP // 2 + 10
