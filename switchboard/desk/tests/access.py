"""The desk's pages for the project's access table (switchboard/accounts/tests/test_access.py).

The desk, its history, parked calls and "add a number to a contact" are open to every
signed-in user (each sees only their own calls); call control is a POST; an interaction
answers only to its operator and to administrators (others get 404, as if it did not
exist); teams are configured by administrators.
"""

from __future__ import annotations

SIGNED_IN = {"desk:desk", "desk:history", "desk:parked", "desk:link_number", "desk:new_contact"}
POST_ONLY = ("desk:action",)
OWN_PAGES = {"desk:interaction_edit"}
NOT_VISIBLE = 404


def desk_urls() -> dict[str, str]:
    import datetime

    from switchboard.desk.models import Interaction, Team
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="desk-access", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    team, _ = Team.objects.get_or_create(name="Desk access team")
    interaction, _ = Interaction.objects.get_or_create(
        server=server,
        uniqueid="desk-access.1",
        operator=None,
        defaults={
            "number": "0612345678",
            "started": datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        },
    )
    return {
        "desk:desk": "/desk/",
        "desk:action": "/desk/action/",
        "desk:parked": "/desk/parked/",
        "desk:history": "/desk/history/?number=0612345678",
        "desk:interaction_edit": f"/desk/interactions/{interaction.pk}/",
        "desk:link_number": "/desk/link-number/?number=0612345678",
        "desk:new_contact": "/desk/new-contact/?number=0612345678",
        "desk:team_list": "/admin/teams/",
        "desk:team_add": "/admin/teams/add/",
        "desk:team_edit": f"/admin/teams/{team.pk}/",
        "desk:team_delete": f"/admin/teams/{team.pk}/delete/",
    }


def expected(name: str, who: str) -> int | str | None:
    """The status of a desk page for ``who`` (None: not a desk page)."""
    if not name.startswith("desk:"):
        return None
    if name in POST_ONLY:
        return 405
    if who == "anonymous":
        return "login"
    if name in SIGNED_IN:
        return 200
    if name in OWN_PAGES:
        return 200 if who == "administrator" else NOT_VISIBLE
    return 200 if who == "administrator" else 403
