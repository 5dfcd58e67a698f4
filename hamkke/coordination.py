"""What several gateway replicas share through Redis, with a one-process fallback.

One gateway on a laptop needs none of this: every lock, lease and pace lives in
the process. With ``HAMKKE_REDIS_URL`` set (the scaled topology), the replicas
share them through Redis:

- :meth:`Coordinator.lock`: one conversation's messages are processed one at a
  time across every replica (``SET NX PX`` with a random token, released only
  by its holder with a compare-and-delete script; the expiry frees the lock of a
  replica that died holding it).
- :meth:`Coordinator.lease`: one replica holds a role (Telegram's long polling)
  and renews it; when it dies the lease expires and another takes it over.
- :meth:`Coordinator.pace` and :meth:`Coordinator.pause`: Telegram's limits
  (one message per second per chat, 30 per second in all) and its ``RetryAfter``
  pauses, kept by every replica together: each send reserves the next free slot
  of a key in one script, on Redis's clock.

When Redis does not answer, the coordinator says so once in the log, works on
its own (the process's locks and paces: order is kept within each replica and,
through each conversation's Rasa server, within Rasa; Telegram's limits are kept
per replica) and tries Redis again every few seconds. Nothing waits on Redis
for longer than its socket timeout, so residents are answered all along.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Optional

log = logging.getLogger(__name__)

PREFIX = "hamkke:"
RETRY_S = 3.0
LOCK_TTL_S = 6.0
HEARTBEAT_TTL_S = 6.0
SOCKET_TIMEOUT_S = 0.5

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# Keep the lock while its holder still works on it.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# The messages held by replicas whose heartbeat has stopped (each handed out once).
_ORPHANS = """
local found = {}
for _, replica in ipairs(redis.call('smembers', KEYS[1])) do
  if replica ~= ARGV[1] and redis.call('exists', ARGV[2] .. 'replica:' .. replica) == 0 then
    for _, id in ipairs(redis.call('smembers', ARGV[2] .. 'holds:' .. replica)) do table.insert(found, id) end
    redis.call('del', ARGV[2] .. 'holds:' .. replica)
    redis.call('srem', KEYS[1], replica)
  end
end
return found
"""
# Take the lease, or renew it when this replica holds it already: 1 when held now.
_LEASE = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
# Reserve the key's next free slot, ARGV[1] ms after the previous one: the ms to wait for it.
_PACE = """
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot = tonumber(redis.call('get', KEYS[1]) or '0')
if slot < now then slot = now end
local interval = tonumber(ARGV[1])
redis.call('set', KEYS[1], slot + interval, 'PX', slot - now + interval + 1000)
return slot - now
"""
# Nothing on the key before ARGV[1] ms from now (a RetryAfter): the ms of the pause.
_PAUSE = """
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot = tonumber(redis.call('get', KEYS[1]) or '0')
local until_ = now + tonumber(ARGV[1])
if slot < until_ then slot = until_ end
redis.call('set', KEYS[1], slot, 'PX', slot - now + 1000)
return slot - now
"""


class Coordinator:
    """Locks, leases and paces shared by the replicas (Redis), or kept by this process alone."""

    def __init__(self, redis_url: str = "", retry_s: float = RETRY_S) -> None:
        self.redis_url = redis_url
        self.retry_s = retry_s
        self.replica = secrets.token_hex(8)
        self._redis: Any = None
        self._away_until = 0.0  # Redis failed: this process works alone until then
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._slots: dict[str, float] = {}
        self._leases: dict[str, float] = {}
        self._scripts: dict[str, Any] = {}

    # -- Redis, when there is one -----------------------------------------------------------------

    @property
    def shared(self) -> bool:
        """Whether replicas share their locks through Redis (a Redis address is set)."""
        return bool(self.redis_url)

    @property
    def degraded(self) -> bool:
        """Whether Redis is configured but away (the replicas work alone meanwhile)."""
        return self.shared and time.monotonic() < self._away_until

    def _client(self) -> Any:
        if not self.redis_url or time.monotonic() < self._away_until:
            return None
        if self._redis is None:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(
                self.redis_url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S,
                health_check_interval=10, decode_responses=True)
            self._scripts = {name: self._redis.register_script(body) for name, body in
                             (("release", _RELEASE), ("renew", _RENEW), ("lease", _LEASE), ("pace", _PACE),
                              ("pause", _PAUSE), ("orphans", _ORPHANS))}
        return self._redis

    def _away(self, exc: BaseException) -> None:
        if not self.degraded:
            log.warning("Redis is away (%s): each gateway replica works alone (conversation order kept per "
                        "replica, Telegram's limits per replica) until it is back", type(exc).__name__)
        self._away_until = time.monotonic() + self.retry_s

    async def _call(self, script: str, keys: list[str], args: list[Any]) -> Optional[int]:
        """Run one of the scripts; None when Redis is away."""
        result = await self._run(script, keys, args)
        return None if result is None else int(result)

    async def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        if self._client() is None:
            return None
        try:
            result = await self._scripts[script](keys=keys, args=args)
        except Exception as exc:  # redis.exceptions.* and OSError: Redis is away, work alone
            self._away(exc)
            return None
        if self._away_until:
            self._away_until = 0.0
            log.warning("Redis is back: the replicas share their locks again")
        return result

    async def _command(self, name: str, *args: Any) -> Any:
        """One Redis command; None when Redis is away."""
        client = self._client()
        if client is None:
            return None
        try:
            return await getattr(client, name)(*args)
        except Exception as exc:  # away
            self._away(exc)
            return None

    # -- which replica holds which message ---------------------------------------------------------

    async def heartbeat(self, ttl: float = HEARTBEAT_TTL_S) -> None:
        """Say that this replica is alive (every ``ttl / 3`` seconds): the messages it holds are its own
        until its heartbeat stops."""
        if self.shared:
            await self._command("set", PREFIX + "replica:" + self.replica, "1", None, int(ttl * 1000))
            await self._command("sadd", PREFIX + "replicas", self.replica)

    async def hold(self, message_id: int) -> None:
        """This replica has stored message ``message_id`` and answers it."""
        if self.shared:
            await self._command("sadd", PREFIX + "holds:" + self.replica, str(message_id))

    async def let_go(self, message_id: int) -> None:
        """The message is answered (or failed visibly)."""
        if self.shared:
            await self._command("srem", PREFIX + "holds:" + self.replica, str(message_id))

    async def orphans(self) -> list[int]:
        """Messages held by replicas that died (their heartbeat stopped), each returned once."""
        if not self.shared:
            return []
        found = await self._run("orphans", [PREFIX + "replicas"], [self.replica, PREFIX])
        return [int(x) for x in found or []]

    async def ping(self) -> bool:
        """Whether Redis answers now (always True without Redis)."""
        if not self.shared:
            return True
        client = self._client()
        if client is None:
            return False
        try:
            return bool(await client.ping())
        except Exception as exc:  # away
            self._away(exc)
            return False

    async def close(self) -> None:
        """Close the connection to Redis."""
        if self._redis is not None:
            try:
                await self._redis.aclose()
            except Exception:  # closing a broken connection  # noqa: S110
                pass
            self._redis = None

    # -- one conversation at a time ---------------------------------------------------------------

    @asynccontextmanager
    async def lock(self, key: str, ttl: float = LOCK_TTL_S) -> AsyncIterator[bool]:
        """Hold ``key`` (a conversation) while the block runs: in this process always, and across the
        replicas while Redis answers (renewed every ``ttl / 3`` seconds, so it expires ``ttl`` seconds
        after a holder died). Yields whether the lock is shared (False: this replica alone)."""
        self._waiting[key] = self._waiting.get(key, 0) + 1
        local = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with local:
                token = await self._acquire(key, ttl)
                renewing = asyncio.create_task(self._renew(key, token, ttl)) if token is not None else None
                try:
                    yield token is not None
                finally:
                    if renewing is not None:
                        renewing.cancel()
                    if token is not None:
                        await self._call("release", [PREFIX + "lock:" + key], [token])
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def _renew(self, key: str, token: str, ttl: float) -> None:
        """Keep the lock while the block runs (a replica that dies stops renewing: it expires)."""
        while True:
            await asyncio.sleep(ttl / 3)
            await self._call("renew", [PREFIX + "lock:" + key], [token, int(ttl * 1000)])

    async def _acquire(self, key: str, ttl: float, wait: float = 60.0) -> Optional[str]:
        """Take the shared lock; None when Redis is away. The lock of a replica that died expires
        within ``ttl`` seconds; after ``wait`` seconds this replica goes on alone (and says so)."""
        token = secrets.token_hex(8)
        pause, deadline = 0.005, time.monotonic() + wait
        while True:
            client = self._client()
            if client is None:
                return None
            try:
                if await client.set(PREFIX + "lock:" + key, token, nx=True, px=int(ttl * 1000)):
                    return token
            except Exception as exc:  # away: this replica's own lock holds
                self._away(exc)
                return None
            if time.monotonic() > deadline:
                log.warning("a conversation's lock was held longer than %.0f s; going on", wait)
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    # -- one replica in a role --------------------------------------------------------------------

    async def lease(self, name: str, ttl: float) -> Optional[bool]:
        """Take or renew the role ``name`` for ``ttl`` seconds: True when this replica holds it, False
        when another does, None when Redis is away (then the caller keeps its current role)."""
        if not self.shared:
            return True
        held = await self._call("lease", [PREFIX + "lease:" + name], [self.replica, int(ttl * 1000)])
        return None if held is None else held == 1

    async def give_up(self, name: str) -> None:
        """Let another replica take the role at once (a normal stop)."""
        if self.shared:
            await self._call("release", [PREFIX + "lease:" + name], [self.replica])

    # -- paces ------------------------------------------------------------------------------------

    async def pace(self, key: str, interval: float) -> None:
        """Wait for ``key``'s next slot: at most one per ``interval`` seconds, across the replicas."""
        wait_ms = await self._call("pace", [PREFIX + "pace:" + key], [max(1, int(interval * 1000))])
        if wait_ms is None:  # alone: the same rule in this process
            now = time.monotonic()
            slot = max(now, self._slots.get(key, 0.0))
            self._slots[key] = slot + interval
            wait = slot - now
        else:
            wait = wait_ms / 1000
        if wait > 0:
            await asyncio.sleep(wait)

    async def pause(self, key: str, seconds: float) -> None:
        """Nothing on ``key`` for ``seconds`` from now (Telegram's RetryAfter), on every replica."""
        now = time.monotonic()
        self._slots[key] = max(self._slots.get(key, 0.0), now + seconds)
        await self._call("pause", [PREFIX + "pace:" + key], [max(1, int(seconds * 1000))])
