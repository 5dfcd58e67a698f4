"""Readable content files (``data/*.yml``) and their idempotent seeding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.db.models import Service

DATA_DIR = PROJECT_ROOT / "data"
_TRANSLATED = ("name", "description", "address", "hours")
_REQUIRED = ("slug", "category", "name", "description", "source_url", "verified_on", "confidence")


class ContentError(ValueError):
    """A content file that breaks the rules (a missing language, a missing source)."""


def load_services(path: Path = DATA_DIR / "services.yml") -> list[dict[str, Any]]:
    """Read and check the services file."""
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    slugs: set[str] = set()
    for record in records:
        missing = [key for key in _REQUIRED if not record.get(key)]
        if missing:
            raise ContentError(f"{record.get('slug', '?')}: missing {', '.join(missing)}")
        if record["slug"] in slugs:
            raise ContentError(f"{record['slug']}: duplicate slug")
        slugs.add(record["slug"])
        for field in _TRANSLATED:
            value = record.get(field)
            if value is None:
                continue
            absent = [lang for lang in SUPPORTED_LANGUAGES if not value.get(lang)]
            if absent:
                raise ContentError(f"{record['slug']}.{field}: no {', '.join(absent)}")
        if record["confidence"] not in ("H", "M", "L"):
            raise ContentError(f"{record['slug']}: confidence must be H, M or L")
        if not isinstance(record["verified_on"], dt.date):
            record["verified_on"] = dt.date.fromisoformat(str(record["verified_on"]))
    return records


_COLUMNS = (
    "category", "district", "phone", "website", "name", "description", "address", "hours",
    "languages_served", "confidence", "confirm_phone", "source_url", "verified_on",
)


async def seed_services(session: AsyncSession, records: list[dict[str, Any]]) -> int:
    """Insert or update every record by slug. Returns how many rows changed."""
    existing = {s.slug: s for s in (await session.scalars(select(Service))).all()}
    changed = 0
    for record in records:
        values = {column: record.get(column) for column in _COLUMNS}
        row = existing.get(record["slug"])
        if row is None:
            session.add(Service(slug=record["slug"], **values))
            changed += 1
            continue
        if any(getattr(row, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(row, column, value)
            changed += 1
    await session.commit()
    return changed


def intent_to_service() -> dict[str, str]:
    """Which service answers which intent (``intent:`` in services.yml)."""
    return {r["intent"]: r["slug"] for r in load_services() if r.get("intent")}
