"""Live updates for the staff console: a small publish/subscribe bus.

Whatever changes the queue or a conversation (a resident's message, a
hand-off, an assignment, a reply's delivery state) is published as a small
event; each open console page holds a subscription (server-sent events) and
refreshes the part that changed. One process shares one bus. On PostgreSQL,
:class:`PostgresRelay` carries every event to the other gateway replicas
through ``LISTEN/NOTIFY`` on the same database (no other service needed), so a
message received by one replica appears in a console served by another.
Events carry ids and kinds only, never message text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, Optional

log = logging.getLogger(__name__)

QUEUE_MAX = 256
CHANNEL = "hamkke_live"


class LiveBus:
    """Fan-out of events to every subscriber; a slow subscriber loses old events, never blocks."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.relay: Optional[PostgresRelay] = None

    def publish(self, kind: str, **data: Any) -> None:
        """Send ``{"type": kind, **data}`` to every subscriber (and, with a relay, every replica's)."""
        event = {"type": kind, **data}
        self.fan_out(event)
        if self.relay is not None:
            self.relay.send(event)

    def fan_out(self, event: dict[str, Any]) -> None:
        """Hand one event to this process's subscribers."""
        for queue in list(self._subscribers):
            if queue.full():
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    pass
            queue.put_nowait(event)

    async def subscribe(self, heartbeat: float = 15.0) -> AsyncIterator[dict[str, Any]]:
        """Events as they come; ``{"type": "ping"}`` after ``heartbeat`` quiet seconds."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_MAX)
        self._subscribers.add(queue)
        try:
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), heartbeat)
                except asyncio.TimeoutError:
                    yield {"type": "ping"}
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        """How many pages listen now."""
        return len(self._subscribers)


def asyncpg_dsn(database_url: str) -> Optional[str]:
    """The plain ``postgresql://`` address of a SQLAlchemy PostgreSQL URL; None for another database."""
    scheme, _, rest = database_url.partition("://")
    return f"postgresql://{rest}" if scheme.split("+")[0] in ("postgresql", "postgres") and rest else None


class PostgresRelay:
    """Carries a bus's events to the buses of other processes on the same PostgreSQL database.

    Two connections: one listens, one notifies (from a queue, so ``publish``
    stays synchronous and never waits for the database). A dropped connection
    (PostgreSQL restarted) is opened again every few seconds; meanwhile each
    replica's consoles still get their own replica's events, and the page's
    periodic refresh catches up.
    """

    def __init__(self, bus: LiveBus, dsn: str, retry_s: float = 2.0) -> None:
        self.bus, self.dsn, self.retry_s = bus, dsn, retry_s
        self.origin = uuid.uuid4().hex
        self.outgoing: asyncio.Queue[str] = asyncio.Queue(1000)
        self._listen: Any = None
        self._notify: Any = None
        self._task: Optional[asyncio.Task[None]] = None

    async def start(self) -> None:
        """Connect and start relaying."""
        await self._connect()
        self._task = asyncio.create_task(self._run())
        self.bus.relay = self

    async def _connect(self) -> None:
        import asyncpg

        self._listen = await asyncpg.connect(self.dsn, timeout=5)
        await self._listen.add_listener(CHANNEL, self._received)
        self._notify = await asyncpg.connect(self.dsn, timeout=5)

    def send(self, event: dict[str, Any]) -> None:
        """Queue an event for the other replicas (dropped when the queue is full: pages refresh anyway)."""
        try:
            self.outgoing.put_nowait(json.dumps({"o": self.origin, "e": event}, default=str))
        except asyncio.QueueFull:
            pass

    def _received(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            item = json.loads(payload)
        except ValueError:
            return
        if isinstance(item, dict) and item.get("o") != self.origin and isinstance(item.get("e"), dict):
            self.bus.fan_out(item["e"])

    async def _run(self) -> None:
        while True:
            try:
                if self._listen is None or self._listen.is_closed() or self._notify is None or \
                        self._notify.is_closed():
                    await self._close()
                    await self._connect()
                    log.info("live updates relayed through PostgreSQL again")
                try:
                    payload = await asyncio.wait_for(self.outgoing.get(), self.retry_s)
                except asyncio.TimeoutError:
                    continue
                await self._notify.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: this replica's own events still flow
                log.warning("live updates not relayed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(self.retry_s)

    async def _close(self) -> None:
        for connection in (self._listen, self._notify):
            if connection is not None and not connection.is_closed():
                try:
                    await connection.close(timeout=2)
                except Exception:  # closing a broken connection
                    connection.terminate()
        self._listen = self._notify = None

    async def stop(self) -> None:
        """Stop relaying and close the connections."""
        self.bus.relay = None
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._close()
