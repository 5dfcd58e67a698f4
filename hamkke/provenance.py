"""Who changed which content record, and the number that tells every gateway to reload.

An admin's edit of a service, event, programme, FAQ entry or canned reply
goes through :func:`record_edit`: it marks the record as edited (so importing
the repository's files never overwrites it silently: see
:mod:`hamkke.content`), keeps the source the admin gave for the fact, writes
the audit log and raises the content version. Gateways compare the version
with the one they loaded (:func:`current_version`, one indexed read) before
answering, so an edit is live for the next message on every channel and
every replica, without a restart or a retraining.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke.accounts import audit
from hamkke.db.models import ContentOrigin, ContentState, utcnow

KINDS = ("service", "event", "program", "faq", "canned")


def record_hash(values: dict[str, Any]) -> str:
    """A stable hash of a record's values (dates as ISO text, keys sorted)."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def origin(session: AsyncSession, kind: str, key: str) -> ContentOrigin:
    """The provenance row of one record (created when missing)."""
    row = await session.scalar(select(ContentOrigin).where(ContentOrigin.kind == kind, ContentOrigin.key == key))
    if row is None:
        row = ContentOrigin(kind=kind, key=key, retired=False)
        session.add(row)
        await session.flush()
    return row


async def bump_version(session: AsyncSession) -> int:
    """Raise the content version (in the caller's transaction); return the new number."""
    result = await session.execute(update(ContentState).where(ContentState.id == 1)
                                   .values(version=ContentState.version + 1, updated_at=utcnow()))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ContentState(id=1, version=1, updated_at=utcnow()))
        await session.flush()
        return 1
    return int(await session.scalar(select(ContentState.version).where(ContentState.id == 1)) or 0)


async def current_version(session: AsyncSession) -> int:
    """The content version (0 before any change)."""
    return int(await session.scalar(select(ContentState.version).where(ContentState.id == 1)) or 0)


async def record_edit(session: AsyncSession, kind: str, key: str, user_id: Optional[int], source: Optional[str],
                      action: str = "content_edited", **detail: Any) -> ContentOrigin:
    """Mark ``kind``/``key`` as edited by ``user_id`` with the fact's ``source``; audit it; raise
    the content version. The caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown content kind {kind!r}")
    row = await origin(session, kind, key)
    row.edited_by, row.edited_at = user_id, utcnow()
    if source:
        row.source = source
    await audit(session, user_id, action, kind=kind, key=key, source=source, **detail)
    await bump_version(session)
    return row
