"""Rasa's lock store: Redis while it answers, this process's memory otherwise.

Loaded by Rasa (in its own environment), never by the gateway: ``endpoints.yml``
names this class. With ``HAMKKE_REDIS_URL`` set (the scaled topology), the Rasa
servers keep their conversation locks in Redis, as Rasa's own ``RedisLockStore``
does. Rasa's open-source ticket locks are issued with a
read-modify-write that is not atomic, so they are a second line only: the
gateway is what keeps one message of a conversation in flight at a time
(``hamkke.coordination``). When Redis does not answer within half a second,
this store says so once and keeps the locks in memory (each server orders its
own conversations) until Redis answers again, instead of failing every message
as Rasa's ``RedisLockStore`` would. Without the setting, it is Rasa's in-memory
store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Optional, TypeVar
from urllib.parse import urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

log = logging.getLogger(__name__)

RETRY_S = 3.0
T = TypeVar("T")


class SharedLockStore(LockStore):  # type: ignore[misc]
    """Redis when configured and answering, memory otherwise."""

    def __init__(self, endpoint_config: Any = None) -> None:
        super().__init__()
        url = (getattr(endpoint_config, "url", None) or "").strip()
        self.memory = InMemoryLockStore()
        self.redis: Optional[RedisLockStore] = None
        self.away_until = 0.0
        if url:
            parts = urlsplit(url)
            self.redis = RedisLockStore(
                host=parts.hostname or "localhost", port=parts.port or 6379,
                db=int((parts.path or "/0").strip("/") or 0), username=parts.username, password=parts.password,
                use_ssl=parts.scheme == "rediss", key_prefix="hamkkerasa", socket_timeout=0.5)

    def _either(self, shared: Callable[[RedisLockStore], T], alone: Callable[[InMemoryLockStore], T]) -> T:
        if self.redis is not None and time.monotonic() >= self.away_until:
            import redis

            try:
                result = shared(self.redis)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
                if not self.away_until:
                    log.warning("Redis is away (%s): conversation locks kept in this server's memory",
                                type(exc).__name__)
                self.away_until = time.monotonic() + RETRY_S
            else:
                if self.away_until:
                    log.warning("Redis is back: conversation locks shared again")
                    self.away_until = 0.0
                return result
        return alone(self.memory)

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The conversation's lock."""
        return self._either(lambda s: s.get_lock(conversation_id), lambda m: m.get_lock(conversation_id))

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the conversation's lock."""
        self._either(lambda s: s.delete_lock(conversation_id), lambda m: m.delete_lock(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Save the conversation's lock."""
        self._either(lambda s: s.save_lock(lock), lambda m: m.save_lock(lock))
