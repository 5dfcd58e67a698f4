"""Bring a database to the newest schema and seed its content.

``python -m hamkke.db.setup`` does both; ``make run`` calls it on start.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config

from hamkke.config import PROJECT_ROOT, get_settings
from hamkke.content import conflicts, seed_content
from hamkke.db.session import Database

log = logging.getLogger(__name__)


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for ``database_url``."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    return cfg


def _sqlite_path(url: str) -> Optional[Path]:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            return Path(path)
    return None


def owner_only(path: Path) -> None:
    """Make a SQLite database and its journal files readable by their owner only (0600): they hold
    residents' messages."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


def migrate(database_url: str) -> None:
    """Apply every Alembic migration to ``database_url`` (a new SQLite file is made readable by its
    owner only)."""
    path = _sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
    command.upgrade(alembic_config(database_url), "head")
    if path is not None:
        owner_only(path)


async def seed(database_url: str) -> int:
    """Seed the content files into ``database_url``."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            changed = await seed_content(session)
            waiting = await conflicts(session)
            if waiting:
                log.warning("%d content records changed in the repository after an admin's edit and wait for an "
                            "admin to choose (the admin's values are served meanwhile): %s", len(waiting),
                            ", ".join(f"{o.kind} {o.key}" for o in waiting))
            return changed
    finally:
        await db.dispose()


def setup_database(database_url: Optional[str] = None) -> None:
    """Migrate, then seed. Safe to run any number of times."""
    url = database_url or get_settings().database_url
    migrate(url)
    changed = asyncio.run(seed(url))
    log.info("database ready (%d content rows changed)", changed)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    setup_database()
