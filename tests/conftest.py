"""Shared fixtures: a migrated SQLite database per test, settings for it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

import hamkke.db.session as db_session
from hamkke.config import Settings, get_settings
from hamkke.db.session import Database
from hamkke.db.setup import migrate, seed


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
