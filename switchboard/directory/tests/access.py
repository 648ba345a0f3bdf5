"""The directory pages for the project's access table
(switchboard/accounts/tests/test_access.py).

``directory_urls()`` makes a shared contact created by someone else. Every signed-in user
opens the directory and adds (private) contacts; a shared contact's edit and delete pages
answer only to directory editors and administrators (403 for others); click-to-call is a POST.
"""

from __future__ import annotations

SIGNED_IN = {"directory:contact_list", "directory:contact_add"}
ROLE_PAGES = {
    "directory:contact_edit": ("directory_editor",),
    "directory:contact_delete": ("directory_editor",),
}
POST_ONLY = ("directory:call",)


def directory_urls() -> dict[str, str]:
    from switchboard.accounts.models import User
    from switchboard.directory.models import Contact

    owner, _ = User.objects.get_or_create(username="directory-owner")
    contact = Contact.objects.create(owner=owner, company="ACME", number1="0140000000")
    return {
        "directory:contact_list": "/directory/",
        "directory:contact_add": "/directory/add/",
        "directory:contact_edit": f"/directory/{contact.pk}/",
        "directory:contact_delete": f"/directory/{contact.pk}/delete/",
        "directory:call": "/directory/call/",
    }


def expected(name: str, who: str) -> int | str | None:
    """The status of a directory page for ``who``; None for pages of other apps."""
    if not name.startswith("directory:"):
        return None
    if name in POST_ONLY:
        return 405
    if who == "anonymous":
        return "login"
    if name in SIGNED_IN or who in ("administrator", *ROLE_PAGES.get(name, ())):
        return 200
    return 403
