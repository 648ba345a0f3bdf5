"""The callback and API pages for the project's access table
(switchboard/accounts/tests/test_access.py).

``callbacks_urls()`` makes one callback request without a queue. Administrators open every
page; the callback operator role opens the list and the form, but a request outside their
queues does not exist for them (404). The call / reschedule / close / revoke actions are
POST only (405 for a GET). The report is for administrators and the global statistics role.
The API answers 401 to every request without a token (a browser session is not a token);
its OpenAPI document is public. ``expected(name, who)`` gives the status, or None for names
that are not ours.
"""

from __future__ import annotations

POST_ONLY = (
    "callbacks:callback_call",
    "callbacks:callback_reschedule",
    "callbacks:callback_close",
    "api:token_revoke",
)
ROLE_PAGES = {
    "callbacks:callback_list": ("callback_operator",),
    "callbacks:callback_add": ("callback_operator",),
    "callbacks:report": ("global_statistics",),
}
OUT_OF_SCOPE = {"callbacks:callback_detail": ("callback_operator",)}
PUBLIC = {"api:openapi"}
TOKEN_ONLY = {"api:callbacks"}


def callbacks_urls() -> dict[str, str]:
    from switchboard.api.models import ApiToken
    from switchboard.callbacks.models import Callback

    callback, _ = Callback.objects.get_or_create(
        number="0612345678", defaults={"source": Callback.Source.WEB}
    )
    token = ApiToken.objects.first()
    if token is None:
        from switchboard.accounts.models import User

        owner, _ = User.objects.get_or_create(username="api-access")
        token = ApiToken(name="access", owner=owner)
        token.set_token()
        token.save()
    return {
        "callbacks:callback_list": "/callbacks/",
        "callbacks:callback_add": "/callbacks/add/",
        "callbacks:report": "/callbacks/report/",
        "callbacks:callback_detail": f"/callbacks/{callback.pk}/",
        "callbacks:callback_call": f"/callbacks/{callback.pk}/call/",
        "callbacks:callback_reschedule": f"/callbacks/{callback.pk}/reschedule/",
        "callbacks:callback_close": f"/callbacks/{callback.pk}/close/",
        "api:openapi": "/api/openapi.json",
        "api:callbacks": "/api/callbacks/",
        "api:token_list": "/admin/api-tokens/",
        "api:token_add": "/admin/api-tokens/add/",
        "api:token_revoke": f"/admin/api-tokens/{token.pk}/revoke/",
    }


def expected(name: str, who: str) -> int | str | None:
    if not name.startswith(("callbacks:", "api:")):
        return None
    if name in POST_ONLY:
        return 405
    if name in PUBLIC:
        return 200
    if name in TOKEN_ONLY:
        return 401
    if who == "anonymous":
        return "login"
    if who == "administrator" or who in ROLE_PAGES.get(name, ()):
        return 200
    if who in OUT_OF_SCOPE.get(name, ()):
        return 404
    return 403
