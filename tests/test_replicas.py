"""Two gateway replicas on one PostgreSQL database: what one receives, the other's consoles see.

Both gateways run in uvicorn against the local PostgreSQL server (skipped
with a reason when there is none); Rasa is a local server speaking its REST
channel. A resident asks for a person through replica A; a staff member whose
console is served by replica B sees the queue change at once (the live bus
relayed through PostgreSQL's LISTEN/NOTIFY), and an admin's answer edit made
on B is what A answers with next.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import queue
import socket
import threading
import time
from typing import Any

import httpx
from sqlalchemy import select

from bot.app import create_app
from hamkke.config import Settings
from hamkke.db.models import FaqEntry
from hamkke.db.setup import migrate, seed
from hamkke.live import CHANNEL, LiveBus, PostgresRelay, asyncpg_dsn
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, kakao_request


def rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path.startswith("/webhooks/rest/webhook"):
        if isinstance(body, dict) and ("person" in str(body.get("message"))
                                       or "request_human" in str(body.get("message"))):
            return 200, [{"custom": {"key": "handoff_recorded", "handoff": {"reason": "requested"}}}]
        return 200, [{"custom": {"key": "faq_visa_extension"}}]
    return 200, {}


def test_the_relay_carries_events_between_buses_and_not_back_to_their_sender(postgres_url: str) -> None:
    dsn = asyncpg_dsn(postgres_url)
    assert dsn is not None and asyncpg_dsn("sqlite+aiosqlite:///x.db") is None

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        first, second = LiveBus(), LiveBus()
        relays = [PostgresRelay(first, dsn), PostgresRelay(second, dsn)]
        for relay in relays:
            await relay.start()
        got_first: list[dict[str, Any]] = []
        got_second: list[dict[str, Any]] = []

        async def listen(bus: LiveBus, into: list[dict[str, Any]]) -> None:
            async for event in bus.subscribe(heartbeat=0.2):
                if event["type"] != "ping":
                    into.append(event)

        tasks = [asyncio.create_task(listen(first, got_first)), asyncio.create_task(listen(second, got_second))]
        await asyncio.sleep(0.2)
        first.publish("queue")
        first.publish("conversation", id=7)
        second.publish("conversation", id=8)
        await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        for relay in relays:
            await relay.stop()
        return got_first, got_second

    got_first, got_second = asyncio.run(run())
    # Each bus gets its own events once and the other's once: none echoed back twice.
    assert got_first == [{"type": "queue"}, {"type": "conversation", "id": 7}, {"type": "conversation", "id": 8}]
    assert sorted(json.dumps(e) for e in got_second) == sorted(json.dumps(e) for e in got_first)
    assert CHANNEL == "hamkke_live"


def test_a_hand_off_received_by_one_replica_appears_in_a_console_served_by_another(
        settings: Settings, postgres_url: str) -> None:
    migrate(postgres_url)
    asyncio.run(seed(postgres_url))
    make_user(postgres_url, "kim", "staff")
    make_user(postgres_url, "park", "admin")
    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, database_url=postgres_url, rasa_url=server.url,
                                         actions_url=server.url)
        with Gateway(create_app(configured)) as replica_a, Gateway(create_app(configured)) as replica_b:
            console = Console(replica_b.url)
            assert console.sign_in("kim").status_code == 303
            events: queue.Queue[str] = queue.Queue()
            stop = threading.Event()

            def follow() -> None:
                try:
                    with console.client.stream("GET", "/staff/events", timeout=30) as stream:
                        for line in stream.iter_lines():
                            if line.startswith("event: "):
                                events.put(line[7:])
                            if stop.is_set():
                                return
                except (httpx.HTTPError, RuntimeError):  # the client closed under the stream: done
                    return

            reader = threading.Thread(target=follow, daemon=True)
            reader.start()
            time.sleep(0.5)
            started = time.monotonic()
            response = httpx.post(f"{replica_a.url}/kakao/skill",
                                  json=kakao_request("can I talk to a person please", "replica-user"), timeout=20)
            assert response.status_code == 200
            seen = events.get(timeout=10)
            print(f"\nreplica A's hand-off seen in replica B's console after {time.monotonic() - started:.3f} s")
            assert seen in ("queue", "conversation")
            stop.set()
            console.close()

            # An admin edits an answer on replica B; replica A answers with it at once.
            entry = query(postgres_url, select(FaqEntry).where(FaqEntry.intent == "faq_visa_extension"))[0][0]
            admin = Console(replica_b.url)
            assert admin.sign_in("park").status_code == 303
            fields = {f"answer_{lang}": text for lang, text in entry.answers.items()}
            fields["answer_en"] = entry.answers["en"] + " Edited on replica B."
            saved = admin.client.post("/admin/faq/faq_visa_extension", data={
                **fields, "csrf": admin.csrf, "status": "published", "source": "replica test",
                "key_facts": "\n".join(entry.key_facts or [])})
            assert saved.status_code == 303, saved.text
            admin.close()
            answer = httpx.post(f"{replica_a.url}/kakao/skill", json=kakao_request("visa extension", "replica-2"),
                                timeout=20).json()["template"]["outputs"][0]["simpleText"]["text"]
            assert answer.endswith("Edited on replica B."), answer


def test_replicas_sharing_the_port_answer_without_nagle_delays() -> None:
    """uvicorn takes a socket passed with --fd for a Unix socket and sets no TCP_NODELAY on what it
    accepts (every answer then waited ~40 ms for a delayed ACK); the launcher's shared-port socket
    carries the option, which the connections accepted from it inherit."""
    from bot.launcher import _reuse_port_socket

    listening = _reuse_port_socket("127.0.0.1", 0)
    listening.listen()
    client = socket.create_connection(listening.getsockname()[:2])
    accepted, _ = listening.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        for s in (accepted, client, listening):
            s.close()
