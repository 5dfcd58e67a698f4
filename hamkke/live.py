"""Live updates for the staff console: a small publish/subscribe bus.

Whatever changes the queue or a conversation (a resident's message, a
hand-off, an assignment, a reply's delivery state) is published as a small
event; each open console page holds a subscription (server-sent events) and
refreshes the part that changed. One process shares one bus; replicas would
put Redis pub/sub behind the same two methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

QUEUE_MAX = 256


class LiveBus:
    """Fan-out of events to every subscriber; a slow subscriber loses old events, never blocks."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    def publish(self, kind: str, **data: Any) -> None:
        """Send ``{"type": kind, **data}`` to every subscriber."""
        event = {"type": kind, **data}
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
