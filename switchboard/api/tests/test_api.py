"""The JSON API: bearer tokens (hashed, shown once, revocable), 401 / 403 / 400 / 201, the
list scoped like the page, translated errors, and the OpenAPI document."""

from __future__ import annotations

import datetime
import json

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.api.models import ApiToken, digest
from switchboard.callbacks.models import Callback
from switchboard.pbx.models import Queue
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    token = ApiToken(name="site", owner=user)
    secret = token.set_token()
    token.save()
    return secret


def post(client, secret: str | None, body, **headers):
    if secret:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/callbacks/", data=data, content_type="application/json", **headers)


@pytest.fixture
def queue() -> Queue:
    pbx = PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")
    return Queue.objects.create(server=pbx, name="sales", number="500")


def test_the_admin_creates_a_token_shown_once_then_revokes_it(client, admin_user, make_user):
    owner = make_user("website", "callback_operator")
    client.force_login(admin_user)
    response = client.post("/admin/api-tokens/add/", {"name": "Web site", "owner": owner.pk})
    assert response.status_code == 200
    import re

    secret = re.search(r'<code id="token">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.hashed_secret == digest(secret) and secret not in token.hashed_secret
    listing = client.get("/admin/api-tokens/").content.decode()
    assert token.prefix in listing and secret not in listing
    entry = AuditEntry.objects.get(object_type="api.apitoken", action="create")
    assert secret not in json.dumps(entry.after) and token.hashed_secret not in json.dumps(
        entry.after
    )
    client.logout()
    assert post(client, secret, {"number": "0612345678"}).status_code == 201
    client.force_login(admin_user)
    client.post(f"/admin/api-tokens/{token.pk}/revoke/")
    client.logout()
    response = post(client, secret, {"number": "0612345678"})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert Callback.objects.count() == 1


def test_post_creates_a_request_and_bad_input_changes_nothing(client, make_user, queue):
    owner = make_user("website", "callback_operator")
    secret = token_for(owner)
    response = post(
        client,
        secret,
        {
            "number": "+33 6 12 34 56 78",
            "name": "Anne",
            "queue": "500",
            "not_before": "2030-01-02T10:00:00+01:00",
            "note": "About my order",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "+33612345678" and data["queue"] == "500"
    assert data["source"] == "api" and data["status"] == "open"
    when = datetime.datetime.fromisoformat(data["not_before"])
    assert when == datetime.datetime(2030, 1, 2, 9, 0, tzinfo=datetime.UTC)
    callback = Callback.objects.get()
    assert callback.created_by == owner and callback.queue == queue
    assert ApiToken.objects.get().last_used is not None

    for body, field in (
        ({"number": "abc"}, "number"),
        ({"number": "0612", "queue": "nope"}, "queue"),
        ({"number": "0612", "not_before": "tomorrow"}, "not_before"),
        ({"number": "0612", "name": "x" * 121}, "name"),
        ({"number": "0612", "colour": "red"}, "unknown"),
    ):
        response = post(client, secret, body)
        assert response.status_code == 400, body
        assert field in response.json()["fields"], response.json()
    for raw in ("not json", "[1, 2]", ""):
        response = post(client, secret, raw)
        assert response.status_code == 400 and response.json()["error"]
    assert Callback.objects.count() == 1


def test_errors_are_in_the_language_asked(client, make_user):
    """Errors go through gettext in the request's language (Accept-Language); the catalogs
    themselves are filled by the project's translation step."""
    from django.utils import translation

    secret = token_for(make_user("website", "callback_operator"))
    english = post(client, secret, {"number": "abc"}).json()["error"]
    response = post(client, secret, {"number": "abc"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and response["Content-Language"] == "fr"
    with translation.override("fr"):
        assert response.json()["error"] == translation.gettext(english)
    response = post(client, None, {"number": "0612"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 401 and response["Content-Language"] == "ru"


def test_401_without_a_valid_token_and_403_without_the_right(client, make_user, admin_user):
    assert post(client, None, {"number": "0612"}).status_code == 401
    assert post(client, "sb_wrong", {"number": "0612"}).status_code == 401
    response = client.post(
        "/api/callbacks/",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic abc",
    )
    assert response.status_code == 401
    # A browser session is not a token.
    client.force_login(admin_user)
    assert client.get("/api/callbacks/").status_code == 401
    client.logout()
    plain = token_for(make_user("plain", "user"))
    assert post(client, plain, {"number": "0612"}).status_code == 403
    assert client.get("/api/callbacks/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 403
    inactive = make_user("gone", "callback_operator", is_active=False)
    assert post(client, token_for(inactive), {"number": "0612"}).status_code == 401
    assert not Callback.objects.exists()
    assert client.put("/api/callbacks/").status_code == 405


def test_get_lists_the_owners_requests_page_by_page(client, make_user, admin_user, queue):
    for index in range(5):
        Callback.objects.create(number=f"061234567{index}", source="web", queue=queue)
    Callback.objects.create(number="0699999999", source="web")  # no queue
    Callback.objects.create(number="0688888888", source="web", queue=queue, status="done")
    secret = token_for(admin_user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    data = client.get("/api/callbacks/?limit=4", **auth).json()
    assert [c["number"] for c in data["results"]] == [f"061234567{i}" for i in range(4)]
    data = client.get(f"/api/callbacks/?limit=4&after={data['next_after']}", **auth).json()
    assert [c["number"] for c in data["results"]] == ["0612345674", "0699999999"]
    assert data["next_after"] is None
    data = client.get("/api/callbacks/?status=done", **auth).json()
    assert [c["number"] for c in data["results"]] == ["0688888888"]
    assert client.get("/api/callbacks/?status=bogus", **auth).status_code == 400
    # A callback operator of no queue sees nothing (the page's scope).
    operator = token_for(make_user("olga", "callback_operator"))
    data = client.get("/api/callbacks/", HTTP_AUTHORIZATION=f"Bearer {operator}").json()
    assert data["results"] == []


def test_the_openapi_document_describes_the_api(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    operations = document["paths"]["/api/callbacks/"]
    assert set(operations) == {"get", "post"}
    for operation in operations.values():
        assert {"401", "403", "400"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["NewCallback"]
    assert schema["required"] == ["number"]
    assert set(schema["properties"]) == {"number", "name", "not_before", "queue", "note"}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # Every $ref resolves.
    text = json.dumps(document)
    import re

    for ref in set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', text)):
        assert ref in document["components"]["schemas"]
