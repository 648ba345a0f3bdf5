"""The callback requests page: scope, due / later filter, reschedule, close, add, report."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from switchboard.accounts.models import AuditEntry, Role
from switchboard.callbacks.models import Callback, CallbackAttempt
from switchboard.callbacks.tests.access import callbacks_urls, expected
from switchboard.pbx.models import Phone, Queue
from switchboard.telephony.access import queue_role_code
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "user",
    "department_head",
    "accounting",
    "call_log",
    "global_statistics",
    "external_forward",
    "incident_supervisor",
    "callback_operator",
    "administrator",
]


@pytest.fixture
def pbx() -> PbxServer:
    return PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")


@pytest.fixture
def queues(pbx) -> tuple[Queue, Queue]:
    return (
        Queue.objects.create(server=pbx, name="sales", number="500"),
        Queue.objects.create(server=pbx, name="support", number="501"),
    )


@pytest.fixture
def operator(make_user, queues):
    """A callback operator who is an agent of the sales queue only."""
    user = make_user("olga", "callback_operator")
    user.groups.add(Role.objects.get(code=queue_role_code("sales", "agent")))
    return user


def make(number: str, **fields) -> Callback:
    return Callback.objects.create(number=number, source=Callback.Source.WEB, **fields)


def listed(client, query: str = "") -> list[str]:
    page = client.get(f"/callbacks/{query}").content.decode()
    import re

    return re.findall(r'data-number="([^"]+)"', page)


@pytest.mark.parametrize("who", ROLES)
def test_each_page_for_each_role(client, make_user, who: str) -> None:
    if who != "anonymous":
        client.force_login(make_user(f"u-{who}", *([who] if who != "anonymous" else [])))
    failures = []
    for name, url in callbacks_urls().items():
        response = client.get(url)
        got = response.status_code
        if got == 302 and response["Location"].startswith("/login/?next="):
            got = "login"
        if got != expected(name, who):
            failures.append(f"{name} {url}: {got} instead of {expected(name, who)}")
    assert not failures, "\n".join(failures)


def test_operators_see_their_queues_due_requests_only(client, operator, queues, admin_user):
    sales, support = queues
    now = timezone.now()
    make("0611111111", queue=sales)
    make("0622222222", queue=sales, not_before=now + datetime.timedelta(hours=2))
    make("0633333333", queue=support)
    make("0644444444")  # no queue: only those who handle every request
    make("0655555555", queue=sales, not_before=now - datetime.timedelta(minutes=1))
    make("0666666666", queue=sales, status=Callback.Status.DONE)
    client.force_login(operator)
    assert listed(client) == ["0611111111", "0655555555"]
    assert listed(client, "?show=later") == ["0622222222"]
    assert listed(client, "?show=closed") == ["0666666666"]
    assert listed(client, "?show=all&q=0655") == ["0655555555"]
    other = Callback.objects.get(number="0633333333")
    assert client.get(f"/callbacks/{other.pk}/").status_code == 404
    assert client.post(f"/callbacks/{other.pk}/close/", {"status": "done"}).status_code == 404
    client.force_login(admin_user)
    assert listed(client) == ["0611111111", "0633333333", "0644444444", "0655555555"]


def test_reschedule_hides_the_request_until_then_and_refuses_the_past(client, operator, queues):
    callback = make("0611111111", queue=queues[0])
    client.force_login(operator)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/callbacks/{callback.pk}/reschedule/", {"not_before": past})
    callback.refresh_from_db()
    assert callback.not_before is None
    page = client.get("/callbacks/").content.decode()
    assert "Choose a date and time in the future." in page
    later = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/callbacks/{callback.pk}/reschedule/", {"not_before": later, "note": "After lunch"}
    )
    assert response.status_code == 302
    callback.refresh_from_db()
    assert callback.not_before > timezone.now() and callback.note == "After lunch"
    assert listed(client) == []
    assert listed(client, "?show=later") == ["0611111111"]
    entry = AuditEntry.objects.filter(object_type="callbacks.callback", action="update").last()
    assert entry is not None and entry.username == "olga"


def test_close_with_the_outcome_of_the_last_call(client, operator, queues):
    callback = make("0611111111", queue=queues[0])
    attempt = CallbackAttempt.objects.create(callback=callback, operator=operator, phone="201")
    client.force_login(operator)
    response = client.post(f"/callbacks/{callback.pk}/close/", {"status": "bogus"})
    callback.refresh_from_db()
    assert callback.status == Callback.Status.OPEN
    response = client.post(
        f"/callbacks/{callback.pk}/close/",
        {"status": "done", "outcome": "answered", "note": "Sorted"},
    )
    assert response.status_code == 302
    callback.refresh_from_db()
    attempt.refresh_from_db()
    assert callback.status == Callback.Status.DONE and callback.closed_by == operator
    assert attempt.outcome == CallbackAttempt.Outcome.ANSWERED
    assert listed(client) == []
    # Closed is closed: no second close, no reschedule, no call.
    client.post(f"/callbacks/{callback.pk}/close/", {"status": "closed"})
    callback.refresh_from_db()
    assert callback.status == Callback.Status.DONE


def test_call_without_a_phone_or_a_reachable_pbx_says_why(client, operator, queues, pbx):
    callback = make("0611111111", queue=queues[0])
    client.force_login(operator)
    client.post(f"/callbacks/{callback.pk}/call/")
    assert "You have no phone to call from." in client.get("/callbacks/").content.decode()
    assert not callback.attempts.exists()
    # A phone on a PBX that does not answer: the attempt is recorded as failed, with why.
    PbxServer.objects.filter(pk=pbx.pk).update(host="127.0.0.1", ami_port=9)
    Phone.objects.create(server=pbx, extension="201", user=operator)
    client.post(f"/callbacks/{callback.pk}/call/")
    attempt = callback.attempts.get()
    assert attempt.outcome == CallbackAttempt.Outcome.FAILED and attempt.phone == "201"
    assert attempt.detail


def test_an_operator_adds_a_request_for_their_queue(client, operator, queues):
    client.force_login(operator)
    sales, support = queues
    response = client.post(
        "/callbacks/add/", {"number": "06 12", "name": "X", "queue": str(sales.pk)}
    )
    assert response.status_code == 200 and not Callback.objects.exists()
    response = client.post("/callbacks/add/", {"number": "0612345678", "queue": str(support.pk)})
    assert response.status_code == 200 and not Callback.objects.exists()
    response = client.post(
        "/callbacks/add/", {"number": "0612345678", "name": "Anne", "queue": str(sales.pk)}
    )
    assert response.status_code == 302
    callback = Callback.objects.get()
    assert callback.source == "web" and callback.created_by == operator


def test_report_per_operator_with_exports(client, make_user, operator, queues):
    other = make_user("oleg", "callback_operator")
    first = make("0611111111", queue=queues[0])
    second = make("0622222222", queue=queues[0])
    third = make("0633333333", queue=queues[0])
    now = timezone.now()
    CallbackAttempt.objects.create(callback=first, operator=operator, outcome="answered")
    CallbackAttempt.objects.create(callback=first, operator=operator, outcome="no_answer")
    CallbackAttempt.objects.create(callback=second, operator=operator, outcome="failed")
    CallbackAttempt.objects.create(callback=third, operator=other, outcome="answered")
    Callback.objects.filter(pk=first.pk).update(status="done", closed_by=operator, closed_at=now)
    Callback.objects.filter(pk=third.pk).update(status="closed", closed_by=other, closed_at=now)
    # Outside the period: not counted.
    old = make("0644444444")
    CallbackAttempt.objects.create(
        callback=old, operator=operator, at=now - datetime.timedelta(days=400)
    )
    client.force_login(make_user("stat", "global_statistics"))
    today = timezone.localdate().isoformat()
    page = client.get(f"/callbacks/report/?start={today}&end={today}").content.decode()
    assert "olga" in page and "oleg" in page
    response = client.get(f"/callbacks/report/?start={today}&end={today}&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Callbacks per operator"] and rows[2][1] == "Callback requests"
    assert rows[5] == ["Operator", "Requests handled", "Calls made", "Answered", "Done", "Closed"]
    # olga: requests 1 and 2 handled, 2 calls (the failed one is no call), 1 answered, 1 done.
    assert rows[6] == ["oleg", "1", "1", "1", "0", "1"]
    assert rows[7] == ["olga", "2", "2", "1", "1", "0"]
    assert rows[8] == ["Total", "3", "3", "2", "1", "1"]
    response = client.get(f"/callbacks/report/?start={today}&end={today}&export=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[7][:6] == ["olga", 2, 2, 1, 1, 0]
    bad = client.get(f"/callbacks/report/?start={today}&end=2000-01-01").content.decode()
    assert "The start of the period is after its end." in bad


def test_menu_entries_follow_the_rights(client, make_user, operator):
    client.force_login(operator)
    page = client.get("/").content.decode()
    assert "/callbacks/" in page and "/callbacks/report/" not in page
    client.force_login(make_user("plain", "user"))
    assert "/callbacks/" not in client.get("/").content.decode()


def test_the_report_is_on_the_s5_reports_page(client, make_user):
    client.force_login(make_user("stat", "global_statistics"))
    page = client.get("/stats/reports/").content.decode()
    assert 'action="/callbacks/report/"' in page
    today = timezone.localdate().isoformat()
    # The page's form sends start, end, export=xlsx and the table.
    response = client.get(
        f"/callbacks/report/?export=xlsx&start={today}&end={today}&table=callbacks"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
