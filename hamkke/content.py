"""Readable content files (``data/*.yml``) and their idempotent seeding.

``services.yml``, ``events.yml`` and ``programs.yml`` are the source of the
services, events and benefit programmes. Seeding matches a record by its
slug (programmes by slug and year) and updates it, so it can run on every
start. Every record carries its source address and the date it was verified.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.db.models import Base, CannedReply, Event, Program, Service
from hamkke.eligibility import load_programs
from hamkke.hours import HoursError, parse

DATA_DIR = PROJECT_ROOT / "data"

CATEGORIES = ("visa", "labour", "health", "family", "legal", "korean_classes", "emergency",
              "community", "welfare")
DISTRICTS = ("dong-gu", "seo-gu", "nam-gu", "buk-gu", "gwangsan-gu")
EVENT_TOPICS = ("community", "culture", "commemoration", "education", "human_rights", "festival")


class ContentError(ValueError):
    """A content file that breaks the rules (a missing language, a missing source)."""


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _check_common(record: dict[str, Any], required: Sequence[str], translated: Sequence[str]) -> None:
    slug = record.get("slug", "?")
    missing = [key for key in required if not record.get(key)]
    if missing:
        raise ContentError(f"{slug}: missing {', '.join(missing)}")
    for name in translated:
        value = record.get(name)
        if value is None:
            continue
        absent = [lang for lang in SUPPORTED_LANGUAGES if not (isinstance(value, dict) and value.get(lang))]
        if absent:
            raise ContentError(f"{slug}.{name}: no {', '.join(absent)}")
    if record["confidence"] not in ("H", "M", "L"):
        raise ContentError(f"{slug}: confidence must be H, M or L")
    record["verified_on"] = _as_date(record["verified_on"])
    if record.get("district") not in (None, *DISTRICTS):
        raise ContentError(f"{slug}: unknown district {record['district']!r}")


def _unique(records: list[dict[str, Any]]) -> None:
    slugs = [r["slug"] for r in records]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise ContentError(f"duplicate slugs: {', '.join(sorted(duplicates))}")


def load_services(path: Path = DATA_DIR / "services.yml") -> list[dict[str, Any]]:
    """Read and check the services file."""
    records: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for record in records:
        if "categories" not in record and record.get("category"):
            record["categories"] = [record["category"]]
        _check_common(record, ("slug", "categories", "name", "description", "source_url", "verified_on",
                               "confidence"), ("name", "description", "address", "hours", "fee"))
        unknown = [c for c in record["categories"] if c not in CATEGORIES]
        if unknown:
            raise ContentError(f"{record['slug']}: unknown categories {unknown}")
        record["category"] = record["categories"][0]
        try:
            parse(record.get("opening_hours") or [])
        except HoursError as exc:
            raise ContentError(f"{record['slug']}: {exc}") from exc
        if record["confidence"] == "L" and not record.get("confirm_phone"):
            raise ContentError(f"{record['slug']}: confidence L needs a confirm_phone")
    _unique(records)
    return records


def load_events(path: Path = DATA_DIR / "events.yml") -> list[dict[str, Any]]:
    """Read and check the events file."""
    records: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for record in records:
        _check_common(record, ("slug", "topics", "start_date", "name", "description", "source_url",
                               "verified_on", "confidence"), ("name", "description", "venue"))
        record["start_date"] = _as_date(record["start_date"])
        record["end_date"] = _as_date(record.get("end_date") or record["start_date"])
        if record["end_date"] < record["start_date"]:
            raise ContentError(f"{record['slug']}: ends before it starts")
        if record.get("date_precision", "exact") not in ("exact", "approximate"):
            raise ContentError(f"{record['slug']}: date_precision must be exact or approximate")
        unknown = [topic for topic in record["topics"] if topic not in EVENT_TOPICS]
        if unknown:
            raise ContentError(f"{record['slug']}: unknown topics {unknown}")
    _unique(records)
    return records


_SERVICE_COLUMNS = (
    "category", "categories", "district", "phone", "website", "name", "description", "address", "hours",
    "opening_hours", "latitude", "longitude", "languages_served", "aliases", "fee", "confidence", "confirm_phone",
    "source_url", "verified_on",
)
_EVENT_COLUMNS = (
    "topics", "aliases", "start_date", "end_date", "start_time", "date_precision", "district", "phone", "website",
    "name", "description", "venue", "confidence", "source_url", "verified_on",
)
_PROGRAM_COLUMNS = (
    "apply_from", "apply_until", "phone", "website", "rules", "confidence", "source_url", "verified_on",
)


async def _upsert(session: AsyncSession, model: type[Base], records: list[dict[str, Any]],
                  key: Sequence[str], columns: Sequence[str]) -> int:
    existing = {tuple(getattr(row, k) for k in key): row for row in (await session.scalars(select(model))).all()}
    changed = 0
    for record in records:
        values = {column: record.get(column) for column in columns}
        if "date_precision" in values and values["date_precision"] is None:
            values["date_precision"] = "exact"
        row = existing.get(tuple(record[k] for k in key))
        if row is None:
            session.add(model(**{k: record[k] for k in key}, **values))
            changed += 1
        elif any(getattr(row, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(row, column, value)
            changed += 1
    return changed


async def seed_services(session: AsyncSession, records: list[dict[str, Any]]) -> int:
    """Insert or update every service by slug. Returns how many rows changed."""
    changed = await _upsert(session, Service, records, ("slug",), _SERVICE_COLUMNS)
    await session.commit()
    return changed


def load_canned_replies(path: Path = DATA_DIR / "canned_replies.yml") -> list[dict[str, Any]]:
    """The canned replies file, checked: every text in all four languages, a title in ko and en."""
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for record in records:
        slug = record.get("slug", "?")
        texts, title = record.get("texts") or {}, record.get("title") or {}
        absent = [lang for lang in SUPPORTED_LANGUAGES if not texts.get(lang)]
        if absent or not all(title.get(lang) for lang in ("ko", "en")):
            raise ContentError(f"canned reply {slug}: needs texts in {', '.join(SUPPORTED_LANGUAGES)} "
                               f"and a title in ko and en")
    _unique(records)
    return list(records)


async def seed_canned_replies(session: AsyncSession) -> int:
    """Add canned replies whose slug is new; never overwrite one edited in the console."""
    known = set((await session.scalars(select(CannedReply.slug))).all())
    added = 0
    for record in load_canned_replies():
        if record["slug"] not in known:
            session.add(CannedReply(slug=record["slug"], title=record["title"], texts=record["texts"]))
            added += 1
    return added


async def seed_content(session: AsyncSession) -> int:
    """Seed services, events and programmes from the data files. Returns rows changed."""
    changed = await _upsert(session, Service, load_services(), ("slug",), _SERVICE_COLUMNS)
    changed += await _upsert(session, Event, load_events(), ("slug",), _EVENT_COLUMNS)
    # Rules as JSON stores them (keys become strings), so an unchanged file changes nothing.
    programs = [{**r, "rules": json.loads(json.dumps(r["rules"]))} for r in load_programs()]
    changed += await _upsert(session, Program, programs, ("slug", "year"), _PROGRAM_COLUMNS)
    changed += await seed_canned_replies(session)
    await session.commit()
    return changed


def intent_to_service() -> dict[str, str]:
    """Which service answers which intent (``intent:`` in services.yml)."""
    return {r["intent"]: r["slug"] for r in load_services() if r.get("intent")}
