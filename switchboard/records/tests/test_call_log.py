"""The call log (SPEC U3), its recordings (R4) and marks (R5): scope per role, masking,
search, keyset pages, recordings on disk and marks."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from switchboard.accounts.models import AuditEntry, Department
from switchboard.records import keyset, scoping
from switchboard.records.models import CallMark, CallRecord

D = CallRecord.Direction
_keys = itertools.count()


def at(hour: int, minute: int = 0, second: int = 0, day: int = 5) -> dt.datetime:
    """A moment of January 2026 in the site's time zone."""
    zone = timezone.get_current_timezone()
    return dt.datetime(2026, 1, day, hour, minute, second, tzinfo=zone)


def call(server, start, src, dst, direction=D.OTHER, **fields) -> CallRecord:
    fields.setdefault("disposition", CallRecord.Disposition.ANSWERED)
    return CallRecord.objects.create(
        server=server,
        key=f"k{next(_keys)}",
        start=start,
        src=src,
        dst=dst,
        direction=direction,
        **fields,
    )


@pytest.fixture
def site(make_user, tmp_path):
    """Two PBXs, two departments, one user per role, and calls each sees differently."""
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer

    recordings = tmp_path / "monitor"
    recordings.mkdir()
    pbx = PbxServer.objects.create(
        name="main", host="h", ami_user="u", ami_secret="s", recordings_dir=str(recordings)
    )
    other = PbxServer.objects.create(name="branch", host="h2", ami_user="u", ami_secret="s")
    sales = Department.objects.create(short_name="SALES", name="Sales")
    support = Department.objects.create(short_name="SUP", name="Support")
    users = {
        "alice": make_user("alice", "user", department=sales),
        "bob": make_user("bob", "user", department=sales),
        "carol": make_user("carol", "department_head", department=sales),
        "eve": make_user("eve", "department_head", department=support),
        "dave": make_user("dave", "call_log"),
        "root": make_user("root", "administrator"),
    }
    alice_phone = Phone.objects.create(
        server=pbx, extension="201", user=users["alice"], department=sales
    )
    Phone.objects.create(server=pbx, extension="202", user=users["bob"], department=sales)
    Phone.objects.create(server=pbx, extension="301", department=support)
    calls = {
        # alice's phone calls out: hers (phone), her department's
        "out": call(
            pbx, at(9), "201", "0612345678", D.OUTBOUND, phone=alice_phone, department=sales
        ),
        # a caller reaches bob: bob's by destination, sales'
        "in": call(pbx, at(10), "0698765432", "202", D.INBOUND, department=sales),
        # alice calls bob: both see it
        "internal": call(pbx, at(11), "201", "202", D.INTERNAL, phone=alice_phone),
        # support's phone calls out: support's head only (and all-seeing roles)
        "support": call(pbx, at(12), "301", "0140000000", D.OUTBOUND, department=support),
        # an extension 201 on another PBX is not alice's phone
        "branch": call(other, at(13), "201", "0155555555", D.OUTBOUND),
    }
    return {"pbx": pbx, "other": other, "users": users, "calls": calls, "dir": recordings}


VISIBLE = {
    "alice": {"out", "internal"},
    "bob": {"in", "internal"},
    "carol": {"out", "in"},  # her department's calls (the internal call has no department)
    "eve": {"support"},
    "dave": {"out", "in", "internal", "support", "branch"},
    "root": {"out", "in", "internal", "support", "branch"},
}


def shown_keys(client, site, query: str = "") -> list[str]:
    names = {c.pk: name for name, c in site["calls"].items()}
    page = client.get(f"/calls/{query}").content.decode()
    return [names[int(pk)] for pk in re.findall(r'data-call="(\d+)"', page)]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_sees_exactly_its_calls(client, site, who) -> None:
    user = site["users"][who]
    assert {c.key for c in scoping.calls_visible_to(user)} == {
        site["calls"][name].key for name in VISIBLE[who]
    }
    client.force_login(user)
    assert set(shown_keys(client, site)) == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_recordings_follow_the_same_scope(client, site, who) -> None:
    for name, record in site["calls"].items():
        (site["dir"] / f"{name}.wav").write_bytes(b"RIFF" + name.encode())
        CallRecord.objects.filter(pk=record.pk).update(recording=f"{name}.wav")
    client.force_login(site["users"][who])
    for name, record in site["calls"].items():
        response = client.get(f"/calls/{record.pk}/recording/")
        if name == "branch":  # that PBX has no recordings directory
            assert response.status_code == 404
            continue
        want = 200 if name in VISIBLE[who] else 404
        assert response.status_code == want, (who, name)
        if want == 200:
            assert b"".join(response.streaming_content) == b"RIFF" + name.encode()


def test_a_department_head_without_department_sees_only_their_own(make_user, site) -> None:
    from switchboard.pbx.models import Phone

    lone = make_user("lone", "department_head")
    Phone.objects.create(server=site["pbx"], extension="250", user=lone)
    mine = call(site["pbx"], at(14), "250", "201", D.INTERNAL)
    assert list(scoping.calls_visible_to(lone)) == [mine]


def test_external_digits_are_masked_for_users_and_department_heads(client, site, settings):
    settings.RECORDS_MASK_DIGITS = 4
    client.force_login(site["users"]["carol"])
    page = client.get("/calls/").content.decode()
    assert "061234xxxx" in page and "069876xxxx" in page
    assert "0612345678" not in page and "0698765432" not in page
    assert 'id="mask-note"' in page
    assert ">201<" in page and ">202<" in page  # internal sides whole

    for who in ("dave", "root"):
        client.force_login(site["users"][who])
        page = client.get("/calls/").content.decode()
        assert "0612345678" in page and "0698765432" in page and "xxxx" not in page

    settings.RECORDS_MASK_DIGITS = 0
    client.force_login(site["users"]["carol"])
    page = client.get("/calls/").content.decode()
    assert "0612345678" in page and 'id="mask-note"' not in page


def test_mask_is_pure_and_keeps_the_non_digits() -> None:
    assert scoping.mask("0612345678", 4) == "061234xxxx"
    assert scoping.mask("+33 6 12", 3) == "+33 x xx"
    assert scoping.mask("12", 4) == "xx"
    assert scoping.mask("0612345678", 0) == "0612345678"


def test_unknown_direction_masks_only_what_is_not_a_phone(client, site, settings) -> None:
    settings.RECORDS_MASK_DIGITS = 3
    odd = call(site["pbx"], at(15), "201", "0177777777", D.OTHER)
    client.force_login(site["users"]["alice"])
    page = client.get("/calls/").content.decode()
    row = page[page.index(f'data-call="{odd.pk}"') :].split("</tr>")[0]
    assert ">201<" in row and "0177777xxx" in row


def test_search_by_number_either_side_whole_or_beginning(client, site) -> None:
    client.force_login(site["users"]["root"])
    assert shown_keys(client, site, "?number=0612345678") == ["out"]
    assert set(shown_keys(client, site, "?number=201")) == {"out", "internal", "branch"}
    assert set(shown_keys(client, site, "?number=01*")) == {"support", "branch"}
    assert shown_keys(client, site, "?number=061234") == []  # whole numbers only without *
    assert shown_keys(client, site, "?caller=202") == []
    assert shown_keys(client, site, "?callee=202") == ["internal", "in"]
    assert shown_keys(client, site, "?direction=inbound") == ["in"]


def test_masked_users_cannot_find_hidden_digits(client, site, settings) -> None:
    settings.RECORDS_MASK_DIGITS = 4
    client.force_login(site["users"]["carol"])
    assert shown_keys(client, site, "?number=0612345678") == []  # would reveal the digits
    assert shown_keys(client, site, "?number=061234xxxx") == ["out"]  # as shown
    assert shown_keys(client, site, "?number=0612") == ["out"]  # its visible beginning
    assert shown_keys(client, site, "?number=202") == ["in"]  # internal side, whole
    assert shown_keys(client, site, "?callee=0612*") == ["out"]


def test_search_around_a_time_is_plus_or_minus_thirty_minutes(client, site) -> None:
    pbx = site["pbx"]
    inside = {
        "edge-before": call(pbx, at(15, 30), "201", "202", D.INTERNAL),
        "before": call(pbx, at(15, 45), "201", "202", D.INTERNAL),
        "after": call(pbx, at(16, 29, 59), "201", "202", D.INTERNAL),
        "edge-after": call(pbx, at(16, 30), "201", "202", D.INTERNAL),
    }
    outside = [
        call(pbx, at(15, 29, 59), "201", "202", D.INTERNAL),
        call(pbx, at(16, 30, 1), "201", "202", D.INTERNAL),
        call(pbx, at(16, day=6), "201", "202", D.INTERNAL),
    ]
    client.force_login(site["users"]["root"])
    page = client.get("/calls/?date_from=2026-01-05&time=16:00").content.decode()
    found = {int(pk) for pk in re.findall(r'data-call="(\d+)"', page)}
    assert found == {c.pk for c in inside.values()}
    assert not found & {c.pk for c in outside}


def test_search_by_period(client, site) -> None:
    late = call(site["pbx"], at(10, day=7), "201", "202", D.INTERNAL)
    client.force_login(site["users"]["root"])
    page = client.get("/calls/?date_from=2026-01-06&date_to=2026-01-07").content.decode()
    assert re.findall(r'data-call="(\d+)"', page) == [str(late.pk)]
    page = client.get("/calls/?date_to=2026-01-05").content.decode()
    assert str(late.pk) not in re.findall(r'data-call="(\d+)"', page)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?number=abc", "A number: digits"),
        ("?time=10:00", "Choose the day (From)"),
        ("?date_from=2026-01-05&date_to=2026-01-04", "The end date is before the start date."),
        ("?date_from=2026-01-05&date_to=2026-01-06&time=10:00", "leave To empty"),
    ],
)
def test_bad_search_shows_an_error_and_no_call(client, site, query, message) -> None:
    client.force_login(site["users"]["root"])
    page = client.get(f"/calls/{query}").content.decode()
    assert message in page and 'id="search-errors"' in page
    assert 'data-call="' not in page


def test_the_log_is_translated(client, site) -> None:
    user = site["users"]["root"]
    user.language = "fr"
    user.save()
    client.force_login(user)
    page = client.get("/calls/").content.decode()
    assert '<html lang="fr">' in page


# Keyset pages ---------------------------------------------------------------------------


@pytest.fixture
def many(site):
    """23 calls where most share their start second with others: ties are ordered by id."""
    CallRecord.objects.all().delete()
    pbx = site["pbx"]
    for n in range(23):
        call(pbx, at(8, 0, n // 4), "201", "202", D.INTERNAL)
    return list(CallRecord.objects.order_by("-start", "-id"))


@pytest.mark.parametrize("here", [False, True])
def test_next_pages_walk_every_row_once_in_order(many, here) -> None:
    seen, page = [], keyset.keyset_page(CallRecord.objects.all(), size=5, sort_here=here)
    assert not page.has_newer
    while True:
        seen += page.rows
        if not page.has_older:
            break
        page = keyset.keyset_page(
            CallRecord.objects.all(), keyset.NEXT, page.oldest_cursor, 5, sort_here=here
        )
        assert page.has_newer
    assert seen == many


@pytest.mark.parametrize("here", [False, True])
def test_previous_pages_walk_back_from_the_last_page(many, here) -> None:
    page = keyset.keyset_page(CallRecord.objects.all(), keyset.LAST, size=5, sort_here=here)
    assert page.rows == many[-5:] and page.has_newer and not page.has_older
    seen = list(page.rows)
    while page.has_newer:
        page = keyset.keyset_page(
            CallRecord.objects.all(), keyset.PREVIOUS, page.newest_cursor, 5, sort_here=here
        )
        seen = [r for r in page.rows if r not in seen] + seen
    assert seen == many
    assert page.rows == many[:5]  # the walk ends on the first page


@pytest.mark.parametrize("here", [False, True])
def test_a_middle_page_and_its_neighbours(many, here) -> None:
    middle = keyset.keyset_page(
        CallRecord.objects.all(), keyset.NEXT, keyset.cursor_of(many[9]), 5, sort_here=here
    )
    assert middle.rows == many[10:15] and middle.has_newer and middle.has_older
    back = keyset.keyset_page(
        CallRecord.objects.all(), keyset.PREVIOUS, middle.newest_cursor, 5, sort_here=here
    )
    assert back.rows == many[5:10]


@pytest.mark.parametrize("here", [False, True])
def test_a_bad_cursor_shows_the_first_page(many, here) -> None:
    page = keyset.keyset_page(
        CallRecord.objects.all(), keyset.NEXT, "'; drop table", 5, sort_here=here
    )
    assert page.rows == many[:5]


def test_pages_read_no_count_and_no_offset(client, many, site) -> None:
    client.force_login(site["users"]["carol"])
    with CaptureQueriesContext(connection) as queries:
        client.get("/calls/?page=last")
        client.get(f"/calls/?page=next&at={keyset.cursor_of(many[3])}")
    # The call records' queries; other parts of the page (the chat badge's capped unread
    # count) are not the log's pagination.
    sql = " ".join(
        q["sql"].upper()
        for q in queries.captured_queries
        if "RECORDS_CALLRECORD" in q["sql"].upper()
    )
    assert "RECORDS_CALLRECORD" in sql
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_page_links_of_the_log(client, many, site) -> None:
    client.force_login(site["users"]["root"])
    from switchboard.records import views

    size = views.PAGE_SIZE
    views.PAGE_SIZE = 10
    try:
        first = client.get("/calls/?direction=internal").content.decode()
        assert 'id="page-previous"' not in first and 'id="page-last"' in first
        ids = re.findall(r'data-call="(\d+)"', first)
        assert ids == [str(r.pk) for r in many[:10]]
        next_url = re.search(r'href="([^"]+)" id="page-next"', first)[1].replace("&amp;", "&")
        assert "direction=internal" in next_url  # the search is kept
        second = client.get(f"/calls/{next_url}").content.decode()
        assert re.findall(r'data-call="(\d+)"', second) == [str(r.pk) for r in many[10:20]]
        last = client.get("/calls/?direction=internal&page=last").content.decode()
        assert re.findall(r'data-call="(\d+)"', last) == [str(r.pk) for r in many[-10:]]
        assert 'id="page-next"' not in last and 'id="page-first"' in last
    finally:
        views.PAGE_SIZE = size


# Recordings -----------------------------------------------------------------------------


def test_recording_is_played_and_downloaded(client, site) -> None:
    out = site["calls"]["out"]
    (site["dir"] / "x.wav").write_bytes(b"RIFFdata")
    CallRecord.objects.filter(pk=out.pk).update(recording="x.wav")
    client.force_login(site["users"]["alice"])
    page = client.get("/calls/").content.decode()
    assert f'src="/calls/{out.pk}/recording/"' in page
    assert f'href="/calls/{out.pk}/recording/?download=1"' in page
    played = client.get(f"/calls/{out.pk}/recording/")
    assert played["Content-Type"] == "audio/wav"
    assert "attachment" not in played.get("Content-Disposition", "")
    downloaded = client.get(f"/calls/{out.pk}/recording/?download=1")
    assert downloaded["Content-Disposition"].startswith('attachment; filename="x.wav"')


@pytest.mark.parametrize("name", ["../secret.wav", "/etc/passwd", "link.wav", "notes.txt", ""])
def test_no_file_outside_the_recordings_directory(client, site, tmp_path, name) -> None:
    (tmp_path / "secret.wav").write_bytes(b"secret")
    (site["dir"] / "notes.txt").write_text("not audio")
    os.symlink(tmp_path / "secret.wav", site["dir"] / "link.wav")
    out = site["calls"]["out"]
    CallRecord.objects.filter(pk=out.pk).update(recording=name)
    client.force_login(site["users"]["root"])
    assert client.get(f"/calls/{out.pk}/recording/").status_code == 404
    assert "/recording/" not in client.get("/calls/").content.decode()


def test_supervisor_recordings_are_matched_by_channel_and_time(client, site) -> None:
    from switchboard.telephony.actions import ami_request

    out = site["calls"]["out"]
    CallRecord.objects.filter(pk=out.pk).update(
        channel="PJSIP/201-00000007",
        dstchannel="PJSIP/trunk-00000008",
        end=out.start + dt.timedelta(seconds=60),
        duration=60,
    )
    # The file name the live "record" action gives MixMonitor, at the call's 20th second.
    _name, fields = ami_request("record", {"channel": "PJSIP/trunk-00000008"})
    stamp = int((out.start + dt.timedelta(seconds=20)).timestamp())
    name = re.sub(r"-\d+\.wav$", f"-{stamp}.wav", fields["File"])
    (site["dir"] / name).write_bytes(b"RIFFsupervisor")
    # The same channel name, a day later (after an Asterisk restart): another call's.
    later = int((out.start + dt.timedelta(days=1)).timestamp())
    (site["dir"] / name.replace(str(stamp), str(later))).write_bytes(b"RIFFlater")
    client.force_login(site["users"]["alice"])
    response = client.get(f"/calls/{out.pk}/recording/")
    assert b"".join(response.streaming_content) == b"RIFFsupervisor"
    internal = site["calls"]["internal"]
    assert client.get(f"/calls/{internal.pk}/recording/").status_code == 404


def test_dialplan_recordings_are_matched_by_uniqueid(client, site) -> None:
    out = site["calls"]["out"]
    CallRecord.objects.filter(pk=out.pk).update(uniqueid="1767603600.42")
    (site["dir"] / "out-0612345678-201-20260105-090000-1767603600.42.wav").write_bytes(b"RIFF42")
    (site["dir"] / "out-0612345678-201-20260105-090000-1767603600.421.wav").write_bytes(b"no")
    client.force_login(site["users"]["root"])
    response = client.get(f"/calls/{out.pk}/recording/")
    assert b"".join(response.streaming_content) == b"RIFF42"


# Marks ------------------------------------------------------------------------------------


def mark(client, record, **data):
    return client.post(f"/calls/{record.pk}/mark/", {"next": "/calls/", **data})


def test_mark_change_and_remove(client, site) -> None:
    out = site["calls"]["out"]
    client.force_login(site["users"]["alice"])
    assert mark(client, out, flag="red", comment="call back").status_code == 302
    assert mark(client, out, flag="green", comment="done").status_code == 302
    marks = CallMark.objects.filter(record=out)
    assert [(m.user.username, m.flag, m.comment) for m in marks] == [("alice", "green", "done")]
    page = client.get("/calls/").content.decode()
    assert "flag-green" in page and "done" in page
    # Another user's mark on the same call is theirs alone.
    client.force_login(site["users"]["carol"])
    mark(client, out, flag="blue", comment="")
    assert CallMark.objects.filter(record=out).count() == 2
    assert "done" not in client.get("/calls/").content.decode()
    client.force_login(site["users"]["alice"])
    mark(client, out, remove="1")
    assert list(CallMark.objects.filter(record=out).values_list("user__username", flat=True)) == [
        "carol"
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="records.callmark")
        .order_by("id")
        .values_list("username", "action", "object_id")
    )
    alice_mark = actions[0][2]
    assert actions == [
        ("alice", "create", alice_mark),
        ("alice", "update", alice_mark),
        ("carol", "create", actions[2][2]),
        ("alice", "delete", alice_mark),
    ]


def test_a_call_outside_the_scope_cannot_be_marked(client, site) -> None:
    client.force_login(site["users"]["alice"])
    assert mark(client, site["calls"]["support"], flag="red").status_code == 404
    assert not CallMark.objects.exists()


def test_a_bad_mark_is_refused_and_changes_nothing(client, site) -> None:
    out = site["calls"]["out"]
    client.force_login(site["users"]["alice"])
    mark(client, out, flag="red", comment="keep")
    response = mark(client, out, flag="purple", comment="x" * 300)
    assert response.status_code == 302
    page = client.get("/calls/").content.decode()
    assert "The mark was not saved" in page
    assert CallMark.objects.get(record=out).comment == "keep"


def test_the_next_page_after_marking_stays_on_the_site(client, site) -> None:
    client.force_login(site["users"]["alice"])
    response = mark(client, site["calls"]["out"], flag="red", next="https://evil.example/")
    assert response["Location"] == "/calls/"


def test_filter_by_my_marks_and_flag(client, site) -> None:
    calls = site["calls"]
    client.force_login(site["users"]["root"])
    mark(client, calls["out"], flag="red")
    mark(client, calls["support"], flag="blue")
    client.force_login(site["users"]["dave"])
    mark(client, calls["in"], flag="red")  # dave's mark does not count for root
    client.force_login(site["users"]["root"])
    assert set(shown_keys(client, site, "?marked=any")) == {"out", "support"}
    assert shown_keys(client, site, "?marked=red") == ["out"]
    assert shown_keys(client, site, "?marked=blue&callee=0140000000") == ["support"]
    assert shown_keys(client, site, "?marked=green") == []


def test_the_call_log_is_in_every_users_menu(client, site) -> None:
    client.force_login(site["users"]["alice"])
    assert 'href="/calls/"' in client.get("/").content.decode()


def test_the_mask_setting_is_checked() -> None:
    from switchboard import config

    key = next(k for k in config.SCHEMA if k.dotted == "records.mask_digits")
    assert key.default == 4 and key.check(0) is None and key.check(-1)


def test_recordings_directory_missing_is_no_recording(site, tmp_path) -> None:
    from switchboard.records.recordings import matching_name

    out = site["calls"]["out"]
    assert matching_name(out, str(tmp_path / "nowhere")) == ""
    assert Path(site["dir"]).is_dir()


def test_a_users_number_search_pages_like_the_others(client, many, site) -> None:
    """A user's own scope searched by number is sorted outside the database: same pages."""
    from switchboard.records import views

    client.force_login(site["users"]["alice"])
    size, views.PAGE_SIZE = views.PAGE_SIZE, 10
    try:
        url, seen = "/calls/?number=202", []
        while url:
            page = client.get(url).content.decode()
            seen += [int(pk) for pk in re.findall(r'data-call="(\d+)"', page)]
            found = re.search(r'href="([^"]+)" id="page-next"', page)
            url = "/calls/" + found[1].replace("&amp;", "&") if found else ""
        assert seen == [r.pk for r in many]
        last = client.get("/calls/?number=202&page=last").content.decode()
        assert re.findall(r'data-call="(\d+)"', last) == [str(r.pk) for r in many[-10:]]
    finally:
        views.PAGE_SIZE = size
