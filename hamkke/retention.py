"""What is kept about residents, for how long, and how it is deleted (PIPA).

Two ways out of every store (the gateway's database and Rasa's tracker store):

- :func:`expire`: everything older than the retention period
  (``HAMKKE_RETENTION_DAYS``, 180 by default) is deleted: messages with their
  translations, the misunderstood-inbox items and "did not help" marks made
  from them, hand-offs closed before the cut-off with their notes, Rasa's
  tracker events, and residents not seen since (their whole record). The
  worker runs it every hour (``HAMKKE_RETENTION_EVERY_SECONDS``); nothing to
  set up by hand. ``python -m hamkke.retention`` runs it once.
- :func:`forget`: everything about one resident, at their word ("delete my
  data", ``/forget``), after they confirm; a conversation staff hold is closed
  first.

The audit log keeps who did what and when, with counts, never message text.
Admins' example questions taken from the inbox are content (masked, reviewed
and deliberately kept), not a resident's record.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from hamkke.config import get_settings
from hamkke.db.models import (
    AuditEntry,
    Conversation,
    Feedback,
    InboxItem,
    Message,
    MessageTranslation,
    Note,
    Resident,
    as_utc,
    utcnow,
)
from hamkke.db.session import Database

log = logging.getLogger(__name__)


# The table Rasa's SQLTrackerStore keeps its events in (the columns used here).
RASA_EVENTS = Table("events", MetaData(), Column("id", Integer), Column("sender_id", String(255)),
                    Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Deleted:
    """How many rows went, per store and table."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        if count:
            self.rows[name] = self.rows.get(name, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def async_tracker_url(url: str) -> Optional[str]:
    """Rasa's (synchronous) tracker-store URL as an async SQLAlchemy URL; None when it is not SQL, or a
    SQLite file Rasa has not made yet (nothing to delete there)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    base = scheme.split("+")[0]
    if base == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if not path or not Path(path).exists():
            return None
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    return None


async def _delete_messages(session: AsyncSession, ids: list[int], deleted: Deleted) -> None:
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        await session.execute(update(Message).where(Message.reply_to_id.in_(chunk)).values(reply_to_id=None))
        for name, table, column in (("message_translations", MessageTranslation, MessageTranslation.message_id),
                                    ("inbox_items", InboxItem, InboxItem.message_id),
                                    ("feedback", Feedback, Feedback.message_id),
                                    ("messages", Message, Message.id)):
            deleted.add(name, _count(await session.execute(delete(table).where(column.in_(chunk)))))


async def _delete_conversations(session: AsyncSession, ids: list[int], deleted: Deleted) -> None:
    if not ids:
        return
    await session.execute(update(Message).where(Message.conversation_id.in_(ids)).values(conversation_id=None))
    deleted.add("notes", _count(await session.execute(delete(Note).where(Note.conversation_id.in_(ids)))))
    deleted.add("conversations", _count(await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))))


async def forget_in_database(session: AsyncSession, resident_id: int, deleted: Deleted) -> None:
    """Delete one resident's whole record from the gateway's database (the caller commits)."""
    ids = list((await session.scalars(select(Message.id).where(Message.resident_id == resident_id))).all())
    await _delete_messages(session, ids, deleted)
    deleted.add("feedback", _count(await session.execute(delete(Feedback).where(Feedback.resident_id == resident_id))))
    conversations = list((await session.scalars(
        select(Conversation.id).where(Conversation.resident_id == resident_id))).all())
    await _delete_conversations(session, conversations, deleted)
    deleted.add("residents", _count(await session.execute(delete(Resident).where(Resident.id == resident_id))))


@asynccontextmanager
async def _rasa_events(tracker_url: str) -> AsyncIterator[Optional[AsyncConnection]]:
    """A transaction on Rasa's tracker store; None when there is nothing there (not a SQL store, no
    SQLite file yet, or Rasa has not made its events table)."""
    url = async_tracker_url(tracker_url)
    if url is None:
        yield None
        return
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            made = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, RASA_EVENTS.name))
            yield conn if made else None
    finally:
        await engine.dispose()


async def delete_tracker_events(tracker_url: str, senders: list[str], before: Optional[dt.datetime] = None,
                                deleted: Optional[Deleted] = None) -> int:
    """Delete Rasa's tracker events of ``senders`` (all of them, or those older than ``before``); with
    ``senders`` empty and ``before`` set, every conversation's events older than ``before``."""
    if not senders and before is None:
        return 0
    count = 0
    async with _rasa_events(tracker_url) as conn:
        if conn is not None:
            query = delete(RASA_EVENTS)
            if senders:
                query = query.where(RASA_EVENTS.c.sender_id.in_(senders))
            if before is not None:
                query = query.where(RASA_EVENTS.c.timestamp < before.timestamp())
            count = _count(await conn.execute(query))
    if deleted is not None:
        deleted.add("rasa_events", count)
    return count


async def forget(db: Database, tracker_url: str, resident_id: int, by: Optional[int] = None,
                 reason: str = "resident_request") -> Deleted:
    """Everything about one resident, in every store; audited with counts only."""
    deleted = Deleted()
    async with db.session() as session:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            return deleted
        sender = resident.conversation_id
        channel = resident.channel
        await forget_in_database(session, resident_id, deleted)
        await session.commit()
    await delete_tracker_events(tracker_url, [sender], deleted=deleted)
    async with db.session() as session:
        session.add(AuditEntry(user_id=by, action="resident_forgotten",
                               detail={"reason": reason, "channel": channel, "deleted": deleted.rows}))
        await session.commit()
    log.info("a resident's data was deleted (%s): %s", reason, deleted.rows)
    return deleted


async def expire(db: Database, tracker_url: str, days: float, now: Optional[dt.datetime] = None) -> Deleted:
    """Delete what is older than ``days`` in every store; audited with counts only."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    deleted = Deleted()
    async with db.session() as session:
        gone = list((await session.scalars(select(Resident.id).where(Resident.last_seen_at < cutoff))).all())
        senders = [f"r{resident_id}" for resident_id in gone]
        for resident_id in gone:
            await forget_in_database(session, resident_id, deleted)
        old = list((await session.scalars(select(Message.id).where(Message.created_at < cutoff))).all())
        await _delete_messages(session, old, deleted)
        closed = list((await session.scalars(select(Conversation.id).where(
            Conversation.closed_at.is_not(None), Conversation.closed_at < cutoff))).all())
        await _delete_conversations(session, closed, deleted)
        await session.commit()
    await delete_tracker_events(tracker_url, senders, deleted=deleted)
    await delete_tracker_events(tracker_url, [], before=cutoff, deleted=deleted)
    if deleted.total:
        async with db.session() as session:
            session.add(AuditEntry(action="retention_expired",
                                   detail={"days": days, "cutoff": as_utc(cutoff).isoformat(),
                                           "deleted": deleted.rows}))
            await session.commit()
        log.info("retention (%g days): deleted %s", days, deleted.rows)
    return deleted


async def remaining(db: Database, tracker_url: str, resident_id: int, sender: str) -> dict[str, int]:
    """Rows still held about one resident in every store (for tests and the privacy officer)."""
    counts: dict[str, int] = {}
    async with db.session() as session:
        message_ids = select(Message.id).where(Message.resident_id == resident_id)
        conversation_ids = select(Conversation.id).where(Conversation.resident_id == resident_id)
        for name, query in (
            ("residents", select(Resident.id).where(Resident.id == resident_id)),
            ("messages", message_ids),
            ("message_translations", select(MessageTranslation.id).where(
                MessageTranslation.message_id.in_(message_ids))),
            ("inbox_items", select(InboxItem.id).where(InboxItem.message_id.in_(message_ids))),
            ("feedback", select(Feedback.id).where(or_(Feedback.resident_id == resident_id,
                                                        Feedback.message_id.in_(message_ids)))),
            ("conversations", conversation_ids),
            ("notes", select(Note.id).where(Note.conversation_id.in_(conversation_ids))),
        ):
            counts[name] = len((await session.scalars(query)).all())
    async with _rasa_events(tracker_url) as conn:
        if conn is not None:
            counts["rasa_events"] = int((await conn.execute(
                select(func.count()).select_from(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == sender))).scalar() or 0)
    return counts


def _iso(value: Optional[dt.datetime]) -> Optional[str]:
    return as_utc(value).isoformat() if value is not None else None


async def export(db: Database, tracker_url: str, resident_id: int) -> Optional[dict[str, Any]]:
    """Everything stored about one resident, readable (an access request under PIPA); None if unknown."""
    async with db.session() as session:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            return None
        messages = (await session.scalars(select(Message).where(Message.resident_id == resident_id)
                                          .order_by(Message.id))).all()
        ids = [m.id for m in messages]
        translations = (await session.scalars(select(MessageTranslation).where(
            MessageTranslation.message_id.in_(ids)).order_by(MessageTranslation.id))).all() if ids else []
        conversations = (await session.scalars(select(Conversation).where(
            Conversation.resident_id == resident_id).order_by(Conversation.id))).all()
        notes = (await session.scalars(select(Note).where(Note.conversation_id.in_(
            [c.id for c in conversations])).order_by(Note.id))).all() if conversations else []
        feedback = (await session.scalars(select(Feedback).where(Feedback.resident_id == resident_id))).all()
        inbox = (await session.scalars(select(InboxItem).where(InboxItem.message_id.in_(ids)))).all() if ids else []
        record: dict[str, Any] = {
            "resident": {"id": resident.id, "channel": resident.channel, "channel_user_key": resident.channel_user_key,
                         "language": resident.language, "created_at": _iso(resident.created_at),
                         "last_seen_at": _iso(resident.last_seen_at), "context": resident.context},
            "messages": [{"id": m.id, "at": _iso(m.created_at), "direction": m.direction, "sender": m.sender,
                          "text": m.text, "language": m.language, "status": m.status} for m in messages],
            "translations": [{"message_id": x.message_id, "language": x.target, "text": x.text,
                              "provider": x.provider} for x in translations],
            "conversations_with_staff": [{"id": c.id, "status": c.status, "reason": c.reason, "topic": c.topic,
                                          "created_at": _iso(c.created_at), "closed_at": _iso(c.closed_at)}
                                         for c in conversations],
            "staff_notes": [{"conversation_id": n.conversation_id, "at": _iso(n.created_at), "text": n.text}
                            for n in notes],
            "did_not_help": [{"message_id": f.message_id, "at": _iso(f.created_at)} for f in feedback],
            "misunderstood_inbox": [{"message_id": i.message_id, "text": i.text, "status": i.status}
                                    for i in inbox],
        }
    record["assistant_memory"] = await _tracker_events(tracker_url, resident.conversation_id)
    record["retention"] = {"days": get_settings().retention_days}
    return record


async def _tracker_events(tracker_url: str, sender: str) -> list[dict[str, Any]]:
    """Rasa's events of one conversation, as Rasa stored them."""
    events = RASA_EVENTS.c
    async with _rasa_events(tracker_url) as conn:
        if conn is None:
            return []
        rows = (await conn.execute(select(events.type_name, events.timestamp, events.data)
                                   .where(events.sender_id == sender).order_by(events.id))).all()
    out = []
    for type_name, timestamp, data in rows:
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        out.append({"type": type_name, "at": dt.datetime.fromtimestamp(timestamp or 0, dt.timezone.utc).isoformat(),
                    "data": parsed})
    return out


async def run_every(db: Database, tracker_url: str, days: float, every_s: float) -> None:
    """Expire what is past the retention period now and every ``every_s`` seconds (the worker's task)."""
    while True:
        try:
            await expire(db, tracker_url, days)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be briefly away: the next round deletes it
            log.warning("the retention job failed; it runs again in %.0f s", every_s, exc_info=True)
        await asyncio.sleep(every_s)


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m hamkke.retention [--days N]``: delete what is past the retention period, once."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=float, default=None, help="the retention period (default: the setting)")
    args = parser.parse_args(argv)
    settings = get_settings()
    days = settings.retention_days if args.days is None else args.days
    tracker = settings.rasa_tracker_url

    async def run() -> Deleted:
        db = Database(settings.database_url)
        try:
            return await expire(db, tracker, days)
        finally:
            await db.dispose()

    deleted = asyncio.run(run())
    print(f"deleted (older than {days:g} days): {deleted.rows or 'nothing'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
