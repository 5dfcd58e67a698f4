"""Shared fixtures: a migrated SQLite database per test, settings for it."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import hamkke.db.session as db_session
from hamkke.config import Settings, get_settings
from hamkke.db.session import Database
from hamkke.db.setup import migrate, seed

POSTGRES_ADMIN_URL = os.environ.get("HAMKKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, migrated and seeded SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hamkke.db'}"
    migrate(url)
    import asyncio

    asyncio.run(seed(url))
    return url


@pytest.fixture
def settings(database_url: str) -> Iterator[Settings]:
    """Default settings (whatever the environment says) pointing at the test database."""
    yield dataclasses.replace(Settings(), database_url=database_url, rasa_timeout_s=3.0)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The test database, open."""
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def action_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    """The actions' own database (``get_database()``) pointed at the test database."""
    monkeypatch.setenv("HAMKKE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    monkeypatch.setattr(db_session, "_db", None)
    database = db_session.get_database()
    yield database
    await database.dispose()
    get_settings.cache_clear()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Freeze the assistant's clock (``hamkke.clock``) at an ISO date-time."""
    def freeze(moment: str) -> None:
        monkeypatch.setenv("HAMKKE_FROZEN_NOW", moment)
        get_settings.cache_clear()
    yield freeze
    get_settings.cache_clear()


def postgres_admin(sql: str) -> None:
    """Run one statement on the local PostgreSQL server's ``postgres`` database."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextmanager
def postgres_databases(*prefixes: str) -> Iterator[list[str]]:
    """New, empty databases on the local PostgreSQL server (one per prefix), dropped afterwards; the
    test is skipped with a reason when there is no server."""
    asyncpg = pytest.importorskip("asyncpg")
    names = [f"{prefix}_{uuid.uuid4().hex[:10]}" for prefix in prefixes]
    created: list[str] = []
    try:
        for name in names:
            postgres_admin(f'CREATE DATABASE "{name}"')
            created.append(name)
    except (OSError, asyncpg.PostgresError) as exc:
        for name in created:
            postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL}: {exc}")
    try:
        yield names
    finally:
        for name in names:
            postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped afterwards."""
    with postgres_databases("hamkke_test") as (name,):
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The whole assistant (real Rasa), shared by the end-to-end and browser tests."""
    from tests.stack import running_stack

    yield from running_stack(tmp_path_factory)
