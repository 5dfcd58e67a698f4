"""The async engine and sessions, created on first use (never at import)."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Optional

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
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
    """An async engine for ``url``; SQLite gets WAL mode, a busy timeout and one connection.

    One connection per process for SQLite: SQLite lets one writer in at a time, and with several
    pooled connections the writers waited in SQLite's busy handler, which sleeps in growing steps
    (up to 100 ms each) instead of queueing. Under ten concurrent residents that put 0.6–1.2 s on
    one message in twenty (``bench/run.py``). With one connection, sessions wait their turn in the
    pool, first come first served. Other processes (Rasa's actions, the worker) have their own.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 10}, pool_size=1, max_overflow=0,
                                     pool_timeout=SQLITE_POOL_TIMEOUT_S)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, pool_size=10, max_overflow=20)
    event.listen(engine.sync_engine.pool, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server closed (a restart, ``pg_terminate_backend``) is replaced at
    checkout, without a round trip: asyncpg saw the socket close. (``pool_pre_ping`` asked the server on every
    checkout, three round trips each, BEGIN, ``;``, ROLLBACK: half of the gateway's transactions.) A connection
    lost without the socket saying so fails its first statement; SQLAlchemy then replaces the whole pool, and
    the callers that store or answer a message try again or leave it to the sweep, as on any database error."""
    raw = getattr(dbapi_connection, "_connection", None)  # asyncpg's connection inside SQLAlchemy's adapter
    if raw is not None and raw.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


# How long a session waits for SQLite's one connection before giving up (a stuck holder, not load).
SQLITE_POOL_TIMEOUT_S = 60.0

# Sessions open, per task: with SQLite's one connection, a session opened inside another of the same
# task while that one holds the connection would wait for itself.
_open: weakref.WeakKeyDictionary[asyncio.Task[Any], list[AsyncSession]] = weakref.WeakKeyDictionary()


class NestedSession(RuntimeError):
    """A session opened while the same task's open session holds SQLite's single connection."""


def _holds_connection(session: AsyncSession) -> bool:
    transaction = session.sync_session.get_transaction()
    return bool(transaction is not None and getattr(transaction, "_connections", None))


class _Session(AsyncSession):
    """A session that refuses to wait for itself on a single-connection engine (see :func:`make_engine`)."""

    single_connection = False

    async def __aenter__(self) -> _Session:
        task = asyncio.current_task() if self.single_connection else None
        if task is not None:
            held = _open.setdefault(task, [])
            if any(other.bind is self.bind and _holds_connection(other) for other in held):
                raise NestedSession("a database session was opened while another one of the same task holds "
                                    "SQLite's one connection: finish the first session before opening the next")
            held.append(self)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await super().__aexit__(*exc)
        finally:
            task = asyncio.current_task() if self.single_connection else None
            held = _open.get(task) if task is not None else None
            if held is not None and self in held:
                held.remove(self)


class _SqliteSession(_Session):
    single_connection = True


class Database:
    """An engine with its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        kind = _SqliteSession if url.startswith("sqlite") else AsyncSession
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False, class_=kind)

    def session(self) -> AsyncSession:
        """A new session; use it as ``async with db.session() as s`` (not inside another session of the
        same task: with SQLite that raises :class:`NestedSession`)."""
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
