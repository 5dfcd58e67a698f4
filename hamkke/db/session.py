"""The async engine and sessions, created on first use (never at import)."""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from hamkke.config import get_settings


def _away_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [DBAPIError, OSError]
    try:  # a refused connection can surface as asyncpg's own error (from the pool's pre-ping)
        import asyncpg

        errors += [asyncpg.PostgresError, asyncpg.InterfaceError]
    except ImportError:  # pragma: no cover - asyncpg is in app.lock
        pass
    return tuple(errors)


# What a database that is away (restarting, refusing connections) raises: callers that can wait or
# say so catch these. An IntegrityError is a DBAPIError too: catch it first where it means something.
DATABASE_AWAY: tuple[type[BaseException], ...] = _away_errors()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL mode and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """An engine with its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A new session; use it as ``async with db.session() as s``."""
        return self.sessions()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


_db: Optional[Database] = None


def get_database() -> Database:
    """The process's database, created on first use from the settings."""
    global _db
    if _db is None:
        _db = Database(get_settings().database_url)
    return _db


def sync_url(url: str) -> str:
    """The synchronous driver URL matching an async one (for Alembic's CLI)."""
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg2")
