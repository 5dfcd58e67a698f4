"""One outbound path per channel for what staff write to a resident.

A staff reply is stored first (``pending``), then delivered: on Telegram at
once, through the adapter's per-chat order, rate limits and ``RetryAfter``
handling; on KakaoTalk through the resident's callbackUrl while one is valid
(one use, within Kakao's minute), otherwise it stays ``pending`` and goes out
with the resident's next message (:func:`bot.channels.kakao._with_pending`).
A reply is marked ``sent`` only once the channel has taken it, ``failed``
(with the reason, shown in the console) when it refused it.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from sqlalchemy import select, update

from bot.channels.kakao import post_to_callback
from bot.core import DialogueCore
from bot.replies import Reply
from hamkke.db.models import Conversation, Message, MessageStatus, Resident, utcnow
from hamkke.i18n import t

log = logging.getLogger(__name__)


class Outbox:
    """Stores and delivers staff replies."""

    def __init__(self, core: DialogueCore, telegram: Any = None) -> None:
        self.core = core
        self.telegram = telegram  # the TelegramAdapter, when Telegram is on

    async def store(self, conversation: Conversation, staff_id: int, text: str, language: str,
                    source_text: Optional[str], source_language: Optional[str], mode: str) -> int:
        """Store a staff reply as ``pending``; returns its id."""
        async with self.core.db.session() as session:
            message = Message(
                resident_id=conversation.resident_id, direction="out", sender="staff", text=text,
                language=language, status=MessageStatus.PENDING.value, conversation_id=conversation.id,
                staff_id=staff_id, source_text=source_text, source_language=source_language,
                payload={"mode": mode},
            )
            session.add(message)
            await session.commit()
            return message.id

    async def notify(self, conversation: Conversation, key: str) -> str:
        """Tell the resident something from the catalog in their language (the bot speaks)."""
        lang = conversation.language or self.core.settings.default_language
        async with self.core.db.session() as session:
            message = Message(resident_id=conversation.resident_id, direction="out", sender="bot",
                              text=t(key, lang), language=lang, status=MessageStatus.PENDING.value,
                              conversation_id=conversation.id)
            session.add(message)
            await session.commit()
            message_id = message.id
        return await self.deliver(message_id)

    async def deliver(self, message_id: int) -> str:
        """Deliver a stored staff reply; returns its delivery state."""
        async with self.core.db.session() as session:
            row = (await session.execute(
                select(Message, Resident).join(Resident, Resident.id == Message.resident_id)
                .where(Message.id == message_id))).first()
        if row is None:
            return MessageStatus.FAILED.value
        message, resident = row
        lang = message.language or resident.language or self.core.settings.default_language
        text = f"{t('staff_reply_label', lang)}\n{message.text}" if message.sender == "staff" else message.text
        reply = Reply(language=lang, texts=[text])
        state, error = MessageStatus.PENDING.value, None
        if resident.channel == "telegram":
            if self.telegram is None:
                state, error = MessageStatus.FAILED.value, "Telegram is not connected"
            else:
                try:
                    await self.telegram.deliver(resident.channel_user_key, reply)
                    state = MessageStatus.SENT.value
                except Exception as exc:  # the Bot API refused it: staff see why
                    log.warning("staff reply %s not delivered: %s", message_id, type(exc).__name__)
                    state, error = MessageStatus.FAILED.value, f"telegram: {type(exc).__name__}"
        elif resident.channel == "kakao":
            url = await self.core.claim_callback(resident.id)
            if url and await post_to_callback(url, reply, self.core.settings):
                state = MessageStatus.SENT.value
        else:  # channels that only answer requests (make chat): with the next message
            state = MessageStatus.PENDING.value
        async with self.core.db.session() as session:
            await session.execute(update(Message).where(
                Message.id == message_id, Message.status == MessageStatus.PENDING.value).values(
                status=state, error=error, answered_at=utcnow() if state == MessageStatus.SENT.value else None))
            await session.commit()
        self.core.live.publish("conversation", id=message.conversation_id)
        return state
