"""Shared fixtures: a migrated SQLite database per test, settings for it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hamkke.config import Settings
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
