"""A small, hand-built call center day for the statistics tests (figures worked out by hand
in the tests that use it)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 3)  # a Monday and a Tuesday


def at(day: int, hh: int, mm: int, ss: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hh, mm, ss, tzinfo=timezone.get_current_timezone())


def build() -> dict[str, object]:
    from switchboard.pbx.models import Phone, Queue, QueueMember
    from switchboard.records.models import CallRecord, QueueLogEntry
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.create(name="stats", host="h", ami_user="u", ami_secret="s")
    alice = Phone.objects.create(server=server, extension="201", display_name="Alice")
    bob = Phone.objects.create(server=server, extension="202", display_name="Bob")
    sales = Queue.objects.create(server=server, name="sales", number="500")
    support = Queue.objects.create(server=server, name="support", number="501")
    QueueMember.objects.create(queue=sales, phone=alice)
    QueueMember.objects.create(queue=sales, phone=bob)
    QueueMember.objects.create(queue=support, phone=alice)

    lines = [
        # (time, callid, queue, agent, event, data1..data5)
        (at(2, 8, 0), "NONE", "sales", "Bob", "ADDMEMBER"),
        (at(2, 9, 0), "c1", "sales", "NONE", "ENTERQUEUE", "", "0611111111", "1"),
        (at(2, 9, 0, 10), "c1", "sales", "Alice", "CONNECT", "10", "c1.2", "3"),
        (at(2, 9, 2, 10), "c1", "sales", "Alice", "COMPLETECALLER", "10", "120", "1"),
        (at(2, 9, 10), "c2", "sales", "NONE", "ENTERQUEUE", "", "0622222222", "1"),
        (at(2, 9, 10, 45), "c2", "sales", "NONE", "ABANDON", "1", "1", "45"),
        (at(2, 9, 40), "c3", "sales", "NONE", "ENTERQUEUE", "", "0633333333", "1"),
        (at(2, 9, 40, 35), "c3", "sales", "Bob", "RINGNOANSWER", "15000"),
        (at(2, 9, 40, 35), "c3", "sales", "Bob", "CONNECT", "35", "c3.2", "2"),
        (at(2, 9, 41, 35), "c3", "sales", "Bob", "TRANSFER", "300", "internal", "35", "60", "1"),
        (at(2, 10, 5), "c4", "sales", "NONE", "ENTERQUEUE", "", "0644444444", "1"),
        (at(2, 10, 7), "c4", "sales", "NONE", "EXITWITHTIMEOUT", "1", "1", "120"),
        (at(2, 10, 20), "c5", "sales", "NONE", "FULL", "0"),
        (at(2, 10, 35), "c6", "sales", "NONE", "ENTERQUEUE", "", "0666666666", "1"),
        (at(2, 10, 35, 20), "c6", "sales", "NONE", "EXITWITHKEY", "5", "1", "1", "20"),
        (at(2, 11, 0), "NONE", "sales", "Alice", "PAUSE", "lunch"),
        (at(2, 11, 15), "NONE", "sales", "Alice", "UNPAUSE", ""),
        (at(2, 12, 0), "NONE", "sales", "Bob", "REMOVEMEMBER"),
        (at(2, 17, 0), "NONE", "sales", "Alice", "REMOVEMEMBER"),
        (at(3, 14, 0), "s1", "support", "NONE", "ENTERQUEUE", "", "0677777777", "1"),
        (at(3, 14, 0, 5), "s1", "support", "Alice", "CONNECT", "5", "s1.2", "2"),
        (at(3, 14, 1, 5), "s1", "support", "Alice", "COMPLETEAGENT", "5", "60", "1"),
        # Outside the period: never counted.
        (at(4, 9, 0), "x1", "sales", "NONE", "ENTERQUEUE", "", "0688888888", "1"),
        (at(1, 23, 59), "x0", "sales", "NONE", "ABANDON", "1", "1", "5"),
    ]
    for number, (time, callid, queue, agent, event, *data) in enumerate(lines):
        data += [""] * (5 - len(data))
        QueueLogEntry.objects.create(
            server=server,
            key=f"q{number}",
            time=time,
            callid=callid,
            queue=queue,
            agent=agent,
            event=event,
            data1=data[0],
            data2=data[1],
            data3=data[2],
            data4=data[3],
            data5=data[4],
        )
    cdrs = [
        # (start, src, dst, billsec, direction)
        (at(15, 10, 30, month=1), "203", "0140000000", 60, "outbound"),
        (at(2, 9, 20), "201", "0611111111", 30, "outbound"),
        (at(2, 15, 5), "201", "0622222222", 50, "outbound"),
        (at(2, 9, 0), "0611111111", "500", 120, "inbound"),
        (at(3, 14, 0), "202", "203", 0, "internal"),
    ]
    for number, (start, src, dst, billsec, direction) in enumerate(cdrs):
        CallRecord.objects.create(
            server=server,
            key=f"c{number}",
            start=start,
            src=src,
            dst=dst,
            billsec=billsec,
            duration=billsec + 5,
            disposition="ANSWERED" if billsec else "NO ANSWER",
            direction=direction,
        )
    return {"server": server, "sales": sales, "support": support}
