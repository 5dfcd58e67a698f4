"""Schema migrations and content seeding, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, inspect, select

from bot.core import DialogueCore, Incoming
from bot.rasa_client import RasaClient
from hamkke.config import Settings
from hamkke.content import ContentError, load_services, seed_services
from hamkke.db.models import Message, Resident, Service
from hamkke.db.session import Database, NestedSession
from hamkke.db.setup import migrate, seed
from tests.conftest import POSTGRES_ADMIN_URL
from tests.helpers import LocalServer


def test_seeding_twice_changes_nothing(database_url: str) -> None:
    assert asyncio.run(seed(database_url)) == 0


async def test_seeded_services_carry_four_languages_and_a_source(db: Database) -> None:
    async with db.session() as session:
        services = (await session.scalars(select(Service))).all()
    slugs = {s.slug for s in services}
    assert slugs >= {"immigration-contact-center", "danuri-helpline", "gwangju-international-center"}
    for service in services:
        assert set(service.name) == {"ko", "en", "ru", "vi"} and set(service.description) == {"ko", "en", "ru", "vi"}
        assert service.source_url.startswith("http") and service.verified_on.year >= 2019


async def test_seeding_updates_a_changed_record(db: Database) -> None:
    records = load_services()
    records[0]["phone"] = "1345 (changed)"
    async with db.session() as session:
        assert await seed_services(session, records) == 1
        assert await session.scalar(select(Service.phone).where(Service.slug == records[0]["slug"])) == "1345 (changed)"


def test_a_record_missing_a_language_is_refused(tmp_path: Path) -> None:
    records = load_services()
    del records[0]["description"]["vi"]
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True))
    with pytest.raises(ContentError, match="description: no vi"):
        load_services(path)


def test_an_alias_yaml_reads_as_a_number_is_refused(tmp_path: Path) -> None:
    # An unquoted 5.18 is the number 5.18 to YAML: an alias must be quoted ('5.18'), or matching breaks.
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(load_services(), allow_unicode=True).replace("  - '120'\n", "  - 5.18\n", 1))
    with pytest.raises(ContentError, match="aliases must be text"):
        load_services(path)


def test_migrations_create_every_table(database_url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(database_url.replace("+aiosqlite", ""))
    assert set(inspect(engine).get_table_names()) >= {"residents", "messages", "conversations", "services",
                                                       "alembic_version"}
    engine.dispose()


def test_postgresql_takes_over(postgres_url: str) -> None:
    """The same migrations, seeding and dialogue core run on PostgreSQL."""
    migrate(postgres_url)
    assert asyncio.run(seed(postgres_url)) >= 3
    assert asyncio.run(seed(postgres_url)) == 0

    async def conversation() -> tuple[int, list[str]]:
        db = Database(postgres_url)
        settings = Settings(database_url=postgres_url)
        with LocalServer(lambda *_: (200, [{"custom": {"key": "greet"}}])) as rasa:
            import dataclasses

            settings = dataclasses.replace(settings, rasa_url=rasa.url)
            core = DialogueCore(settings, db, RasaClient(settings))
            await asyncio.gather(*(core.handle(Incoming("kakao", f"pg{i % 3}", "hello")) for i in range(12)))
            await core.handle(Incoming("telegram", "pg-dup", "hi", channel_message_id="7"))
            assert await core.handle(Incoming("telegram", "pg-dup", "hi", channel_message_id="7")) is None
        async with db.session() as session:
            count = await session.scalar(select(func.count()).select_from(Message))
            statuses = (await session.scalars(select(Message.status).where(Message.direction == "in"))).all()
        await db.dispose()
        return int(count or 0), list(statuses)

    count, statuses = asyncio.run(conversation())
    assert count == 26 and set(statuses) == {"answered"}


def test_directory_and_rules_on_postgresql(postgres_url: str) -> None:
    """Services, events and programme rules read the same from PostgreSQL."""
    import datetime as dt

    from hamkke.directory import ServiceQuery, events_between, find_services, program_records
    from hamkke.eligibility import Answers, evaluate

    migrate(postgres_url)
    asyncio.run(seed(postgres_url))

    async def read() -> tuple[list[str], list[str], str]:
        db = Database(postgres_url)
        async with db.session() as session:
            services = await find_services(session, ServiceQuery(category="health", language="vi"))
            events = await events_between(session, dt.date(2026, 9, 1), dt.date(2026, 11, 30))
            records = await program_records(session)
        await db.dispose()
        result = evaluate("integrated-care", Answers(household_size=2, monthly_income_krw=4_199_292,
                                                     nationality="korean"), dt.date(2026, 3, 1), records)
        return [s.slug for s in services], [e.slug for e in events], f"{result.result}/{result.copay_percent}"

    services, events, care = asyncio.run(read())
    assert services and all(isinstance(slug, str) for slug in services)
    assert any("biennale" in slug for slug in events)
    assert care == "eligible/30"


async def test_sqlite_sessions_share_one_connection_first_come_first_served(db: Database) -> None:
    """SQLite lets one writer in at a time: 30 concurrent writing sessions queue for the one connection
    instead of sleeping in SQLite's busy handler, and every one of them is stored."""
    assert db.engine.pool.size() == 1  # type: ignore[attr-defined]
    async with db.session() as session:
        resident = Resident(channel="kakao", channel_user_key="queue-test")
        session.add(resident)
        await session.commit()

    async def write(n: int) -> None:
        async with db.session() as session:
            session.add(Message(resident_id=resident.id, direction="in", sender="resident", text=f"queued {n}",
                                status="received"))
            await asyncio.sleep(0)  # let the others ask for the connection meanwhile
            await session.commit()

    await asyncio.gather(*(write(n) for n in range(30)))
    async with db.session() as session:
        stored = (await session.scalars(select(Message.text).where(Message.text.like("queued %")))).all()
    assert sorted(stored) == sorted(f"queued {n}" for n in range(30))


async def test_a_session_inside_one_holding_the_sqlite_connection_is_refused_not_left_waiting(db: Database) -> None:
    async with db.session() as outer:
        async with db.session() as inner:  # the outer one holds nothing yet: no wait
            assert await inner.scalar(select(func.count(Service.id)))
        assert await outer.scalar(select(func.count(Service.id)))
        with pytest.raises(NestedSession):
            async with db.session():
                pass
        await outer.rollback()  # gives the connection back
        async with db.session() as inner:
            assert await inner.scalar(select(func.count(Service.id)))


def test_a_postgresql_connection_the_server_closed_is_replaced_without_asking_the_server(postgres_url: str) -> None:
    """A restart (here ``pg_terminate_backend``) closes the pooled connections; the next session gets a new
    one instead of an error (without ``pool_pre_ping``'s three round trips per checkout, it would fail)."""
    import asyncpg
    from sqlalchemy import event, text

    name = postgres_url.rsplit("/", 1)[1]

    async def run() -> tuple[list[str], int]:
        db = Database(postgres_url)
        statements: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: statements.append(statement))
        async with db.session() as session:
            assert await session.scalar(text("SELECT 1")) == 1
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            ended = await admin.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
        finally:
            await admin.close()
        await asyncio.sleep(0.2)  # the socket's end reaches the event loop
        statements.clear()
        async with db.session() as session:
            assert await session.scalar(text("SELECT 2")) == 2
        await db.dispose()
        return statements, int(ended or 0)

    statements, ended = asyncio.run(run())
    assert ended >= 1
    assert statements == ["SELECT 2"]


def test_a_residents_messages_arriving_at_once_on_postgresql_reach_rasa_in_the_order_stored(postgres_url: str) -> None:
    """Five messages of one resident at the same moment (PostgreSQL, concurrent transactions): each is stored
    after the one before it is (the resident's row is held while storing), so each waits for the ones before,
    and Rasa hears them in the order of their ids, however slowly the first is answered."""
    import dataclasses
    import time as clock_time

    migrate(postgres_url)
    asyncio.run(seed(postgres_url))

    def rasa(_method: str, _path: str, body: Any) -> tuple[int, Any]:
        if body.get("message") == "m0":
            clock_time.sleep(0.3)
        return 200, [{"custom": {"key": "greet"}}]

    async def run(server: LocalServer) -> list[str]:
        db = Database(postgres_url)
        settings = dataclasses.replace(Settings(database_url=postgres_url), rasa_url=server.url)
        core = DialogueCore(settings, db, RasaClient(settings))
        await asyncio.gather(*(core.handle(Incoming("kakao", "at-once", f"m{i}")) for i in range(5)))
        async with db.session() as session:
            stored = (await session.scalars(select(Message.text).where(Message.direction == "in")
                                            .order_by(Message.id))).all()
        await db.dispose()
        return list(stored)

    with LocalServer(rasa) as server:
        stored = asyncio.run(run(server))
        heard = [body["message"] for method, path, body in server.requests if path.endswith("/webhook")]
    assert sorted(stored) == [f"m{i}" for i in range(5)]
    assert heard == stored


def test_a_late_answer_is_not_given_once_the_resident_is_writing_again_on_postgresql(postgres_url: str) -> None:
    """Rasa is back and the sweep answers a message that got "busy" (:meth:`DialogueCore.answer_late`) at the
    moment the resident's next message is being stored, on another replica. The claim holds the resident's
    row, as storing a message does, so it waits for that message and sees it: the old message is not
    answered late (its answer would have come after the new one's, out of order), and the new one is
    answered. Without the row, the claim ran between "nothing older unanswered" and the commit."""
    import dataclasses

    from sqlalchemy import update

    migrate(postgres_url)
    asyncio.run(seed(postgres_url))

    async def run(server: LocalServer) -> tuple[list[Any], list[tuple[str, str, Any]]]:
        db = Database(postgres_url)
        settings = dataclasses.replace(Settings(database_url=postgres_url), rasa_url=server.url)
        core = DialogueCore(settings, db, RasaClient(settings))
        users = [f"late-{n}" for n in range(4)]
        firsts = [await core.accept(Incoming("kakao", user, f"old {user}")) for user in users]
        ids = [accepted.inbound.id for accepted in firsts if accepted is not None]
        async with db.session() as session:  # as Rasa's failure left them
            await session.execute(update(Message).where(Message.id.in_(ids))
                                  .values(status="failed", error="rasa: unreachable"))
            await session.commit()
        refresh = core.content.refresh

        async def slowly(session: Any) -> Any:  # the moment between "nothing older" and the commit, widened
            await asyncio.sleep(0.5)
            return await refresh(session)

        core.content.refresh = slowly  # type: ignore[method-assign]
        handling = [asyncio.create_task(core.handle(Incoming("kakao", user, f"new {user}"))) for user in users]
        await asyncio.sleep(0.2)  # each new message is being stored, its resident's row held
        late = await asyncio.gather(*(core.answer_late(i) for i in ids))
        await asyncio.gather(*handling)
        async with db.session() as session:
            rows = (await session.execute(select(Message.text, Message.status, Message.reply_to_id)
                                          .where(Message.direction == "in").order_by(Message.id))).all()
        await db.dispose()
        return late, [tuple(row) for row in rows]

    with LocalServer(lambda *_: (200, [{"custom": {"key": "greet"}}])) as server:
        late, rows = asyncio.run(run(server))
        heard = [body["message"] for method, path, body in server.requests if path.endswith("/webhook")]
    assert late == [None] * 4
    assert {text: status for text, status, _ in rows} == {
        **{f"old late-{n}": "failed" for n in range(4)}, **{f"new late-{n}": "answered" for n in range(4)}}
    assert sorted(heard) == [f"new late-{n}" for n in range(4)]
