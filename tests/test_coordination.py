"""The replicas' shared locks, leases and paces, on a real Redis server of the test's own, and what
happens when that Redis stops and comes back (each replica works alone meanwhile)."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from hamkke.coordination import Coordinator
from tests.helpers import RedisServer


def test_a_conversation_is_processed_by_one_replica_at_a_time() -> None:
    with RedisServer() as redis:
        async def run() -> tuple[int, list[str]]:
            replicas = [Coordinator(redis.url), Coordinator(redis.url)]
            inside, most, order = 0, 0, []

            async def message(replica: Coordinator, name: str) -> None:
                nonlocal inside, most
                async with replica.lock("resident:7") as shared:
                    assert shared
                    inside += 1
                    most = max(most, inside)
                    order.append(name)
                    await asyncio.sleep(0.02)
                    inside -= 1

            # Another resident's lock is independent: it never waits for resident 7's.
            async with replicas[0].lock("resident:8"):
                await asyncio.gather(*(message(replicas[i % 2], f"m{i}") for i in range(12)))
            for replica in replicas:
                await replica.close()
            return most, order

        most, order = asyncio.run(run())
        assert most == 1
        assert sorted(order) == sorted(f"m{i}" for i in range(12))


def test_one_replica_holds_the_polling_lease_and_another_takes_it_when_it_stops_renewing() -> None:
    with RedisServer() as redis:
        async def run() -> None:
            a, b = Coordinator(redis.url), Coordinator(redis.url)
            assert await a.lease("telegram-polling", 0.6) is True
            assert await b.lease("telegram-polling", 0.6) is False
            assert await a.lease("telegram-polling", 0.6) is True  # renewed
            await asyncio.sleep(0.8)  # a died: its lease expires
            assert await b.lease("telegram-polling", 0.6) is True
            assert await a.lease("telegram-polling", 0.6) is False
            await b.give_up("telegram-polling")  # a normal stop hands it over at once
            assert await a.lease("telegram-polling", 0.6) is True
            await a.close()
            await b.close()

        asyncio.run(run())


def test_telegram_paces_are_kept_by_the_replicas_together() -> None:
    with RedisServer() as redis:
        async def run() -> list[float]:
            a, b = Coordinator(redis.url), Coordinator(redis.url)
            times: list[float] = []

            async def send(replica: Coordinator) -> None:
                await replica.pace("telegram:chat:5", 0.2)
                times.append(time.monotonic())

            await asyncio.gather(*(send(a if i % 2 else b) for i in range(6)))
            # A RetryAfter seen by one replica holds the chat on the other too.
            await a.pause("telegram:chat:6", 0.5)
            before = time.monotonic()
            await b.pace("telegram:chat:6", 0.2)
            times.append(time.monotonic() - before)
            await a.close()
            await b.close()
            return times

        times = asyncio.run(run())
        sent = sorted(times[:6])
        gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
        assert min(gaps) > 0.15, gaps  # one slot per 0.2 s between both replicas
        assert times[6] > 0.4


def test_without_redis_the_replica_works_alone_and_shares_again_when_redis_is_back() -> None:
    redis = RedisServer()
    redis.start()
    try:
        async def run() -> None:
            replica = Coordinator(redis.url, retry_s=0.3)
            assert await replica.ping()
            async with replica.lock("resident:1") as shared:
                assert shared
            redis.stop()
            started = time.monotonic()
            async with replica.lock("resident:1") as shared:
                assert not shared  # alone: this process's lock only
            await replica.pace("telegram:chat:1", 0.01)
            assert await replica.lease("telegram-polling", 1) is None  # keep the current role
            assert time.monotonic() - started < 5  # nothing waited on the dead Redis for long
            assert replica.degraded and not await replica.ping()
            redis.start()
            await asyncio.sleep(0.4)
            assert await replica.ping()
            async with replica.lock("resident:1") as shared:
                assert shared
            assert not replica.degraded
            await replica.close()

        asyncio.run(run())
    finally:
        redis.stop()


def test_without_a_redis_address_everything_is_this_process_s() -> None:
    async def run() -> None:
        alone = Coordinator("")
        assert not alone.shared and await alone.ping()
        async with alone.lock("resident:1") as shared:
            assert not shared
        assert await alone.lease("telegram-polling", 1) is True
        started = time.monotonic()
        await alone.pace("telegram:chat:1", 0.1)
        await alone.pace("telegram:chat:1", 0.1)
        assert time.monotonic() - started >= 0.09

    asyncio.run(run())


def test_the_messages_of_a_replica_that_died_are_handed_over_once() -> None:
    with RedisServer() as redis:
        async def run() -> None:
            a, b = Coordinator(redis.url), Coordinator(redis.url)
            await a.heartbeat(ttl=0.4)
            await b.heartbeat(ttl=5)
            for message_id in (5, 6):
                await a.hold(message_id)
            await a.let_go(6)  # answered
            assert await b.orphans() == []  # a is alive
            await asyncio.sleep(0.6)  # a died: its heartbeat stopped
            assert await b.orphans() == [5]
            assert await b.orphans() == []  # handed over once
            await a.close()
            await b.close()

        asyncio.run(run())


def test_a_lock_whose_holder_died_frees_itself_and_a_live_holder_keeps_it() -> None:
    with RedisServer() as redis:
        async def run() -> None:
            a, b = Coordinator(redis.url), Coordinator(redis.url)
            entered = asyncio.Event()

            async def slow() -> None:
                async with a.lock("resident:3", ttl=0.3):
                    entered.set()
                    await asyncio.sleep(1.0)  # longer than the ttl: renewed meanwhile

            holder = asyncio.create_task(slow())
            await entered.wait()
            started = time.monotonic()
            async with b.lock("resident:3", ttl=0.3):
                waited = time.monotonic() - started
            await holder
            assert waited > 0.8  # it waited for the live holder, renewed past its ttl
            # A holder that dies (its token left in Redis, never renewed) holds it ttl seconds at most.
            client = a._client()
            await client.set("hamkke:lock:resident:4", "dead", px=300)
            started = time.monotonic()
            async with b.lock("resident:4", ttl=0.3) as shared:
                assert shared
            assert time.monotonic() - started < 3
            await a.close()
            await b.close()

        asyncio.run(run())


def test_production_needs_one_link_secret_for_every_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import create_app
    from hamkke.config import load_settings

    monkeypatch.setenv("HAMKKE_ENV", "production")
    monkeypatch.setenv("KAKAO_SKILL_SECRET", "kakao-secret")
    monkeypatch.delenv("HAMKKE_LINK_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="HAMKKE_LINK_SECRET"):
        create_app(load_settings())
    monkeypatch.setenv("HAMKKE_LINK_SECRET", "shared")
    assert create_app(load_settings()) is not None
