"""Benchmark: from an AMI event to the websocket message at the browsers, 100 clients watching.

    .venv/bin/python bench/live_latency.py [--clients 100] [--events 200] [--gap 0.1]

Everything is real: the sandbox Asterisk 22 of the test harness (needs root, as the tests),
the portal served by uvicorn as ``make run`` serves it (embedded telephony worker, in-memory
channel layer), ``--clients`` websocket clients signed in and watching the queue supervision
view. The benchmark pauses a queue member through its own AMI connection with a new reason
each time; Asterisk emits ``QueueMemberPause``; the worker applies it and publishes the queue
view; each client notes when it sees the new reason. The latency counted for each
(event, client) pair is from the moment the action was *sent* to the PBX to the moment the
client has decoded the message, so it includes Asterisk's own processing: an upper bound of
event-to-client. Clients run in this process (one event loop), so their own decoding counts
too. Prints p50, p90, p99 and the maximum.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets

from switchboard.telephony.ami.client import AmiClient
from switchboard.testing.asterisk import ensure_chroot
from switchboard.testing.portal import asterisk_entry, run_portal
from switchboard.testing.sandbox import start_call_center

MEMBER = "PJSIP/201"


class Client:
    """One browser tab watching the queues view; records when each reason first shows."""

    def __init__(self, url: str, session: str, server: int) -> None:
        self.url = url.replace("http://", "ws://") + "/ws/live/"
        self.origin = url
        self.session = session
        self.server = server
        self.seen: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        async with websockets.connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.session}"},
            max_size=2**24,
        ) as socket:
            await socket.send(json.dumps({"watch": [{"server": self.server, "view": "queues"}]}))
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), 0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                received = time.time()
                self.ready.set()
                for queue in message.get("data", {}).get("queues", []):
                    for member in queue["members"]:
                        reason = member["paused_reason"]
                        if member["interface"] == MEMBER and reason and reason not in self.seen:
                            self.seen[reason] = received


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(portal, pbx, clients_count: int, events: int, gap: float) -> list[float]:
    url = portal.url
    with portal.session() as http:
        session = http.cookies["sessionid"]
    clients = [Client(url, session, 1) for _ in range(clients_count)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(client.run(stop)) for client in clients]
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 60)
    ami = AmiClient(
        "127.0.0.1",
        pbx.ami_port,
        pbx.credentials.ami_username,
        pbx.credentials.ami_secret,
        name="bench",
        events=False,
    )
    await ami.start()
    sent: dict[str, float] = {}
    try:
        for number in range(events):
            reason = f"bench-{number}"
            sent[reason] = time.time()
            await ami.action(
                "QueuePause", Queue="sales", Interface=MEMBER, Paused="true", Reason=reason
            )
            await asyncio.sleep(gap)
        await asyncio.sleep(1.0)
    finally:
        await ami.close()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies = []
    missing = 0
    for client in clients:
        for reason, at in sent.items():
            if reason in client.seen:
                latencies.append((client.seen[reason] - at) * 1000)
            else:
                missing += 1
    if missing:
        print(f"warning: {missing} (event, client) pairs never arrived")
    firsts = [
        min(c.seen[r] for c in clients if r in c.seen) - at
        for r, at in sent.items()
        if any(r in c.seen for c in clients)
    ]
    lasts = [
        max(c.seen[r] for c in clients if r in c.seen) - at
        for r, at in sent.items()
        if any(r in c.seen for c in clients)
    ]
    print(
        f"  first client of each event: p50 {statistics.median(firsts) * 1000:.1f} ms, "
        f"p99 {percentile(firsts, 0.99) * 1000:.1f} ms; last client: "
        f"p50 {statistics.median(lasts) * 1000:.1f} ms, p99 {percentile(lasts, 0.99) * 1000:.1f} ms"
    )
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between two events")
    options = parser.parse_args()
    center = start_call_center(ensure_chroot())
    try:
        with (
            tempfile.TemporaryDirectory() as data,
            run_portal(Path(data) / "var", [asterisk_entry(center.pbx)]) as portal,
        ):
            time.sleep(2)  # the worker connects and builds its model
            latencies = asyncio.run(
                measure(portal, center.pbx, options.clients, options.events, options.gap)
            )
    finally:
        center.stop()
    print(
        f"AMI event -> websocket client, {options.clients} clients, {options.events} events "
        f"every {options.gap * 1000:.0f} ms: {len(latencies)} deliveries"
    )
    print(
        f"  p50 {statistics.median(latencies):.1f} ms   p90 {percentile(latencies, 0.9):.1f} ms"
        f"   p99 {percentile(latencies, 0.99):.1f} ms   max {max(latencies):.1f} ms"
        "   (goal: p99 < 100 ms)"
    )


if __name__ == "__main__":
    main()
