"""Telegram adapter (python-telegram-bot 22): a thin translator over the dialogue core.

Long polling when ``TELEGRAM_BOT_TOKEN`` is set and no webhook URL is (a
laptop needs no public address); webhook mode at ``POST /telegram/webhook``
when ``TELEGRAM_WEBHOOK_URL`` is set, registered with a secret token that
every request must carry. ``TELEGRAM_API_BASE_URL`` points the bot at another
Bot API server (self-hosted, or a local one in tests).

An update becomes an :class:`~bot.core.Incoming` (text, a button press, a
shared location, or a sticker/photo/voice/document); the core's reply goes
out as messages of at most 4096 characters, split on paragraph boundaries,
with the buttons as an inline keyboard on the last part and websites as link
buttons. Sending keeps to about one message per second per chat and 30 per
second overall; a ``RetryAfter`` is waited out and the message sent once.
A repeated ``update_id`` is answered once (the core drops a repeated message
id, kept in the database, so ids far below the last one are still served).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Optional, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.common import error, read_json, same_secret
from bot.channels.kakao import split_text
from bot.core import Accepted, DialogueCore, Incoming, StorageUnavailable
from bot.replies import Reply
from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import Settings
from hamkke.coordination import Coordinator
from hamkke.i18n import t

log = logging.getLogger(__name__)

TEXT_MAX = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
CALLBACK_DATA_MAX_BYTES = 64
PER_CHAT_INTERVAL_S = 1.0
GLOBAL_PER_SECOND = 30
MAX_SEND_ATTEMPTS = 5
BUTTONS_PER_ROW = 2
# Polling: how long an update waits for the database (restarting) to store it.
POLLING_STORE_PATIENCE_S = 120.0
# Long polling in one replica: the holder renews its lease every third of it.
POLLING_LEASE = "telegram-polling"
POLLING_LEASE_S = 9.0
# Updates a resident can send that are not text.
NON_TEXT_KINDS = ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation", "contact")

# The updates the bot asks for, by webhook or polling.
ALLOWED_UPDATES = ["message", "callback_query"]
MENU_COMMANDS = ("start", "help", "language", "staff", "forget")

router = APIRouter()
T = TypeVar("T")


def webhook_secret(settings: Settings) -> str:
    """The secret token Telegram must send back: configured, or derived from the bot token."""
    configured = settings.telegram_webhook_secret.get()
    if configured:
        return configured
    return hmac.new(settings.telegram_bot_token.get().encode(), b"hamkke-telegram-webhook",
                    hashlib.sha256).hexdigest()


def callback_data(label: str) -> str:
    """A button's callback data: its label, cut to Telegram's 64 bytes on a character boundary."""
    data = label.encode()[:CALLBACK_DATA_MAX_BYTES]
    return data.decode(errors="ignore")


class UnreadableUpdate(ValueError):
    """An update python-telegram-bot cannot read: acknowledged and ignored (Telegram would repeat it)."""


class Throttle:
    """About one message per second per chat, at most 30 per second overall, across the replicas.

    Each send reserves the chat's and the bot's next slots through the
    coordinator (Redis when the replicas share one, else this process). A
    ``RetryAfter`` from Telegram pauses that chat on every replica; the same
    request is sent again after it, so the message is delivered once; other
    chats go on meanwhile.
    """

    def __init__(self, coordinator: Optional[Coordinator] = None, per_chat_interval: float = PER_CHAT_INTERVAL_S,
                 per_second: int = GLOBAL_PER_SECOND) -> None:
        self.coordinator = coordinator or Coordinator()
        self.per_chat_interval = per_chat_interval
        self.per_second = per_second
        self._chat_locks: dict[int, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    async def send(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call`` (one Bot API request for ``chat_id``) within the limits."""
        chat = f"telegram:chat:{chat_id}"
        async with self._chat_locks[chat_id]:
            await self.coordinator.pace(chat, self.per_chat_interval)
            for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
                await self.coordinator.pace("telegram:bot", 1.0 / self.per_second)
                try:
                    result = await call()
                except RetryAfter as exc:
                    delay = exc.retry_after
                    seconds = delay.total_seconds() if isinstance(delay, dt.timedelta) else float(delay)
                    log.warning("Telegram asked to wait %.1f s (chat send attempt %d)", seconds, attempt)
                    if attempt == MAX_SEND_ATTEMPTS:
                        raise
                    await self.coordinator.pause(chat, seconds)
                    await self.coordinator.pace(chat, self.per_chat_interval)
                    continue
                # The chat's next message a whole interval after this one has gone.
                await self.coordinator.pause(chat, self.per_chat_interval)
                return result
        raise AssertionError("unreachable")


def incoming_from(update: Update) -> Optional[tuple[int, Incoming]]:
    """The chat to answer and the core's message for an update, or ``None`` to ignore it."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or not query.data:
            return None
        return chat.id, Incoming(
            channel="telegram", user_key=str(query.from_user.id), text=query.data,
            channel_message_id=f"u{update.update_id}", language_hint=_hint(query.from_user.language_code),
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    common: dict[str, Any] = {
        "channel": "telegram", "user_key": str(message.from_user.id),
        "channel_message_id": f"u{update.update_id}", "language_hint": _hint(message.from_user.language_code),
    }
    if message.text is not None:
        return message.chat.id, Incoming(text=message.text, **common)
    if message.location is not None:
        where = (message.location.latitude, message.location.longitude)
        return message.chat.id, Incoming(text="", kind="location", location=where, **common)
    kind = next((k for k in NON_TEXT_KINDS if getattr(message, k, None)), "other")
    return message.chat.id, Incoming(text=message.caption or "", kind=kind, **common)


def _hint(code: Optional[str]) -> Optional[str]:
    short = (code or "")[:2].lower()
    return short if short in SUPPORTED_LANGUAGES else None


def keyboard(reply: Reply) -> Optional[InlineKeyboardMarkup]:
    """Buttons as an inline keyboard (two per row), websites as link buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    buttons = [InlineKeyboardButton(b.label, callback_data=callback_data(b.label)) for b in reply.buttons]
    for start in range(0, len(buttons), BUTTONS_PER_ROW):
        rows.append(buttons[start:start + BUTTONS_PER_ROW])
    seen: set[str] = set()
    for card in reply.cards:
        if card.url and card.url not in seen and card.url.startswith(("https://", "http://")):
            seen.add(card.url)
            rows.append([InlineKeyboardButton(f"🔗 {card.title}"[:64], url=card.url)])
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramAdapter:
    """The bot: receives updates (polling or webhook), answers through the core."""

    def __init__(self, settings: Settings, core: DialogueCore) -> None:
        self.settings = settings
        self.core = core
        self.webhook = bool(settings.telegram_webhook_url)
        self.coordinator = core.coordinator
        self.throttle = Throttle(self.coordinator)
        self._leading: Optional[asyncio.Task[None]] = None
        self._chat_locks: dict[int, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._accepted: dict[int, Accepted] = {}  # webhook updates stored, waiting to be answered
        base = settings.telegram_api_base_url
        builder = (
            Application.builder()
            .token(settings.telegram_bot_token.get())
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(True)
        )
        if self.webhook:
            builder = builder.updater(None)
        self.app = builder.build()
        self.app.add_handler(TypeHandler(Update, self.on_update))
        self.app.add_error_handler(self.on_error)

    @property
    def bot(self) -> Bot:
        """The Bot API client."""
        return self.app.bot

    async def start(self) -> None:
        """Connect, then register the webhook or start long polling."""
        await self.app.initialize()
        await self.app.start()
        await self.set_menu()
        if self.webhook:
            await self.bot.set_webhook(self.settings.telegram_webhook_url, secret_token=webhook_secret(self.settings),
                                       allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram: webhook registered")
        else:
            await self._poll_if_leading()
            self._leading = asyncio.create_task(self._lead())

    async def _poll_if_leading(self) -> None:
        """Long polling in exactly one replica: the one holding the polling lease (always this one
        without Redis). A replica that loses the lease stops polling; when the holder dies its lease
        expires and another replica starts. While Redis is away each keeps its role."""
        updater = self.app.updater
        assert updater is not None
        held = await self.coordinator.lease(POLLING_LEASE, POLLING_LEASE_S)
        if held and not updater.running:
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10,
                                        poll_interval=0.0)
            log.info("Telegram: long polling (this replica holds the polling lease)")
        elif held is False and updater.running:
            await updater.stop()
            log.info("Telegram: another replica polls now")

    async def _lead(self) -> None:
        while True:
            await asyncio.sleep(POLLING_LEASE_S / 3)
            try:
                await self._poll_if_leading()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram or Redis briefly away: try again at the next renewal
                log.warning("Telegram polling lease: %s", type(exc).__name__)

    async def set_menu(self) -> None:
        """The command menu (/start, /help, /language, /staff) in each language, English by default."""
        for lang in (None, *SUPPORTED_LANGUAGES):
            commands = [BotCommand(name, t(f"command_{name}", lang or "en")) for name in MENU_COMMANDS]
            await self.bot.set_my_commands(commands, language_code=lang)

    async def stop(self) -> None:
        """Stop polling and the application (another replica may poll at once)."""
        if self._leading is not None:
            self._leading.cancel()
            try:
                await self._leading
            except asyncio.CancelledError:
                pass
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        if not self.webhook:
            await self.coordinator.give_up(POLLING_LEASE)

    async def feed(self, data: dict[str, Any]) -> None:
        """Store the message of an update that arrived by webhook, then queue it to be answered in the
        background: once Telegram has its 200, the message is in the database whatever happens next
        (a gateway killed now leaves it ``received``, and the sweep hands it to staff)."""
        try:
            update = Update.de_json(data, self.bot)
            parsed = incoming_from(update)
        except Exception as exc:  # untrusted input: whatever python-telegram-bot cannot read (a date out of range…)
            raise UnreadableUpdate(type(exc).__name__) from exc
        if parsed is not None:
            accepted = await self.core.accept(parsed[1])
            if accepted is None:
                return  # a repeated update: already stored (and answered or being answered)
            self._accepted[update.update_id] = accepted
        await self.app.update_queue.put(update)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update without its content."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed: %s", update_id, type(context.error).__name__)

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer one update: in order per chat, many chats at once."""
        parsed = incoming_from(update)
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError as exc:
                log.warning("answerCallbackQuery failed: %s", type(exc).__name__)
        if parsed is None:
            return
        chat_id, message = parsed
        accepted = self._accepted.pop(update.update_id, None)  # stored when the webhook took it
        async with self._chat_locks[chat_id]:
            if accepted is None:  # polling: nothing waits for an answer, so the database may take its time
                accepted = await self.core.accept(message, patience=POLLING_STORE_PATIENCE_S)
                if accepted is None:
                    return  # a repeated update
            reply = await self.core.handle(message, accepted)
            if reply is None:
                return  # a repeated update
            if reply.relayed and not reply.texts:
                return  # staff own the conversation: it is in the console, the bot stays quiet
            if query is not None and isinstance(query.message, Message) and query.message.text:
                # The buttons were used: take them off the old message.
                old = query.message
                await self.throttle.send(chat_id, lambda: self.bot.edit_message_text(
                    old.text or "", chat_id=chat_id, message_id=old.message_id))
            await self.send_reply(chat_id, reply)

    def _sender(self, chat_id: int, text: str, markup: Optional[InlineKeyboardMarkup]
                ) -> Callable[[], Awaitable[Message]]:
        async def send() -> Message:
            return await self.bot.send_message(chat_id, text, reply_markup=markup,
                                               link_preview_options=LinkPreviewOptions(is_disabled=True))
        return send

    async def deliver(self, user_key: str, reply: Reply) -> None:
        """Send a reply that did not come from an update (a staff member's), in the chat's order.

        Private chats have the resident's user id as their chat id.
        """
        chat_id = int(user_key)
        async with self._chat_locks[chat_id]:
            await self.send_reply(chat_id, reply)

    async def send_reply(self, chat_id: int, reply: Reply) -> None:
        """Send a reply as Telegram messages, in order."""
        parts: list[str] = []
        for text in reply.texts:
            parts.extend(split_text(text, TEXT_MAX))
        parts = parts or ["…"]
        markup = keyboard(reply)
        for index, part in enumerate(parts):
            await self.throttle.send(chat_id, self._sender(chat_id, part, markup if index == len(parts) - 1 else None))
        if reply.ask_location:
            location_keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(t("button_share_location", reply.language), request_location=True)]],
                resize_keyboard=True, one_time_keyboard=True)
            await self.throttle.send(chat_id, lambda: self.bot.send_message(
                chat_id, t("finder_share_location", reply.language), reply_markup=location_keyboard))


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(request: Request) -> JSONResponse:
    """Receive an update from Telegram; answer at once, work in the background."""
    adapter: Optional[TelegramAdapter] = getattr(request.app.state, "telegram", None)
    if adapter is None or not adapter.webhook:
        return error(404, "not found")
    if not same_secret(request.headers.get("x-telegram-bot-api-secret-token", ""), webhook_secret(adapter.settings)):
        return error(403, "forbidden")
    data = await read_json(request)
    if isinstance(data, JSONResponse):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) or isinstance(
            data.get("update_id"), bool):
        return error(400, "not an update")
    try:
        await adapter.feed(data)
    except StorageUnavailable:  # not stored: Telegram delivers the update again later
        return error(503, "try again")
    except UnreadableUpdate:
        log.warning("an update that could not be read was ignored")
        return JSONResponse({"ok": True, "ignored": True})
    return JSONResponse({"ok": True})
