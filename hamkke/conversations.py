"""Who answers a resident: the conversation state machine and its queries.

A resident with no open :class:`~hamkke.db.models.Conversation` is answered
by the bot. A hand-off opens one (``waiting``); a staff member assigns it to
themselves (``held``), may transfer it, and resolves it; the resident may
cancel it. The gateway is the only writer: actions only signal a hand-off
in a typed field of their message, and the dialogue core records it in the
same transaction as the message that caused it.

Every transition is one conditional ``UPDATE`` (``… WHERE status = 'waiting'``),
so when two staff members press "assign" at the same moment exactly one
row changes and exactly one of them gets the conversation, on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke.db.models import (
    OPEN_STATUSES,
    Conversation,
    ConversationStatus,
    Resident,
    StaffUser,
    as_utc,
    utcnow,
)

WAITING = ConversationStatus.WAITING.value
HELD = ConversationStatus.HELD.value
RESOLVED = ConversationStatus.RESOLVED.value
CANCELLED = ConversationStatus.CANCELLED.value
DEFAULT_WAIT_MINUTES = 10
WAIT_SAMPLE = 20


@dataclass(frozen=True)
class HandoffSignal:
    """An action's request to hand the conversation to staff (the typed field of its message)."""

    reason: str = "requested"
    topic: Optional[str] = None
    summary: Optional[dict[str, Any]] = None

    @classmethod
    def from_message(cls, value: Any) -> Optional[HandoffSignal]:
        """The signal in a bot message's ``handoff`` field, if there is one."""
        if value is True:
            return cls()
        if not isinstance(value, dict):
            return None
        summary = value.get("summary")
        topic = value.get("topic")
        return cls(reason=str(value.get("reason") or "requested")[:32],
                   topic=topic[:64] if isinstance(topic, str) else None,
                   summary=summary if isinstance(summary, dict) else None)


async def open_conversation(session: AsyncSession, resident_id: int) -> Optional[Conversation]:
    """The resident's waiting or held conversation, if any."""
    found: Optional[Conversation] = await session.scalar(
        select(Conversation).where(Conversation.open_resident_id == resident_id))
    return found


async def hand_off(session: AsyncSession, resident: Resident, signal: HandoffSignal, language: Optional[str],
                   centre: str) -> Conversation:
    """Open a waiting conversation for ``resident`` (or return the open one). The caller commits."""
    existing = await open_conversation(session, resident.id)
    if existing is not None:
        return existing
    conversation = Conversation(
        resident_id=resident.id, open_resident_id=resident.id, status=WAITING, channel=resident.channel,
        language=language, centre=centre, reason=signal.reason, topic=signal.topic, summary=signal.summary,
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def position(session: AsyncSession, conversation: Conversation) -> int:
    """The conversation's place in the queue (1 = next); 0 when it is held."""
    if conversation.status != WAITING:
        return 0
    ahead = await session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.status == WAITING, Conversation.id < conversation.id))
    return int(ahead or 0) + 1


async def expected_wait_minutes(session: AsyncSession, place: int) -> int:
    """A wait estimate: the median time to assignment of the last conversations, times the place."""
    since = utcnow() - dt.timedelta(days=14)
    rows = (await session.execute(
        select(Conversation.created_at, Conversation.assigned_at)
        .where(Conversation.assigned_at.is_not(None), Conversation.created_at > since)
        .order_by(Conversation.id.desc()).limit(WAIT_SAMPLE))).all()
    waits = [max(0.0, (as_utc(a) - as_utc(c)).total_seconds() / 60) for c, a in rows if a is not None]
    per_place = statistics.median(waits) if waits else DEFAULT_WAIT_MINUTES
    return max(1, min(24 * 60, round(per_place * max(1, place))))


async def assign(session: AsyncSession, conversation_id: int, user_id: int) -> bool:
    """Take a waiting conversation. ``False`` when someone else got it first (committed)."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == WAITING)
        .values(status=HELD, assignee_id=user_id, assigned_at=utcnow()))
    await session.commit()
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def take_over(session: AsyncSession, conversation_id: int, user_id: int) -> Optional[int]:
    """Take a conversation held by a colleague; returns the colleague's id, or ``None`` if not held."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.status != HELD:
        return None
    previous = conversation.assignee_id
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == HELD,
               Conversation.assignee_id == previous)
        .values(assignee_id=user_id))
    await session.commit()
    return previous if int(result.rowcount or 0) == 1 else None  # type: ignore[attr-defined]


async def transfer(session: AsyncSession, conversation_id: int, from_user: int, to_user: int) -> bool:
    """Hand a held conversation to a colleague (an active account)."""
    colleague = await session.get(StaffUser, to_user)
    if colleague is None or not colleague.active:
        return False
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == HELD,
               Conversation.assignee_id == from_user)
        .values(assignee_id=to_user))
    await session.commit()
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def close(session: AsyncSession, conversation_id: int, status: str,
                held_by: Optional[int] = None) -> bool:
    """Resolve (staff) or cancel (the resident) an open conversation; the bot answers again."""
    query = update(Conversation).where(Conversation.id == conversation_id,
                                       Conversation.status.in_(OPEN_STATUSES))
    if held_by is not None:
        query = query.where(Conversation.status == HELD, Conversation.assignee_id == held_by)
    result = await session.execute(query.values(status=status, open_resident_id=None, closed_at=utcnow()))
    await session.commit()
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def open_for_staff(session: AsyncSession, resident: Resident, user_id: int, centre: str) -> Conversation:
    """A staff member takes up a resident whose message failed: a conversation held by them (committed)."""
    conversation = await hand_off(session, resident, HandoffSignal(reason="error"), resident.language, centre)
    if conversation.status == WAITING:
        conversation.status, conversation.assignee_id, conversation.assigned_at = HELD, user_id, utcnow()
    await session.commit()
    return conversation
