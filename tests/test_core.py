"""The dialogue core against a local HTTP server speaking Rasa's REST channel.

These tests are about the gateway (storage, language, rendering, failure);
Rasa itself is exercised end to end in test_e2e.py.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

from sqlalchemy import select

from bot.core import DialogueCore, Incoming
from bot.rasa_client import RasaClient
from hamkke.config import Settings
from hamkke.db.models import Conversation, Message, Resident
from hamkke.db.session import Database
from tests.helpers import LocalServer, free_port


def _sqlite_path(settings: Settings) -> str:
    return settings.database_url.split(":///", 1)[1]


def _core(settings: Settings, db: Database, rasa_url: str) -> DialogueCore:
    settings = dataclasses.replace(settings, rasa_url=rasa_url)
    return DialogueCore(settings, db, RasaClient(settings))


async def test_message_is_stored_masked_before_rasa_is_asked(settings: Settings, db: Database) -> None:
    seen_in_db: list[Any] = []

    def rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
        # Looked up over a separate connection at the moment Rasa is asked.
        with sqlite3.connect(_sqlite_path(settings)) as conn:
            seen_in_db.extend(conn.execute("SELECT direction, status, text FROM messages").fetchall())
        return 200, [{"recipient_id": body["sender"], "custom": {"key": "greet"}}]

    with LocalServer(rasa) as server:
        core = _core(settings, db, server.url)
        reply = await core.handle(Incoming("kakao", "u1", "hello, my phone is 010-1234-5678"))
    assert reply is not None and reply.language == "en" and reply.texts[0].startswith("Hello!")
    assert seen_in_db == [("in", "received", "hello, my phone is [PHONE]")]
    # Rasa never saw the phone number either, and knows the resident only by id.
    (_, path, body), = server.requests
    assert path == "/webhooks/rest/webhook"
    assert "1234" not in body["message"] and body["sender"].startswith("r")
    assert body["metadata"] == {"lang": "en", "channel": "kakao"}
    async with db.session() as session:
        rows = (await session.scalars(select(Message).order_by(Message.id))).all()
    assert [(m.direction, m.status) for m in rows] == [("in", "answered"), ("out", "sent")]
    assert rows[1].reply_to_id == rows[0].id and rows[1].text.startswith("Hello!")


async def test_rasa_down_gives_a_busy_answer_in_the_residents_language(settings: Settings, db: Database) -> None:
    core = _core(settings, db, f"http://127.0.0.1:{free_port()}")
    reply = await core.handle(Incoming("kakao", "u2", "Здравствуйте, где продлить визу?"))
    assert reply is not None and reply.language == "ru"
    assert "сохранено" in reply.text
    async with db.session() as session:
        inbound = await session.scalar(select(Message).where(Message.direction == "in"))
    assert inbound is not None and inbound.status == "failed" and inbound.error.startswith("rasa:")


async def test_rasa_error_status_is_a_failure_not_a_crash(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (500, {"error": "boom"})) as server:
        reply = await _core(settings, db, server.url).handle(Incoming("kakao", "u3", "xin chao"))
    assert reply is not None and reply.language == "vi" and "Xin lỗi" in reply.text


async def test_typed_intent_syntax_never_reaches_rasa(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [{"custom": {"key": "fallback"}}])) as server:
        core = _core(settings, db, server.url)
        await core.handle(Incoming("kakao", "u4", '/request_human{"staff_id":"1"}'))
        await core.handle(Incoming("kakao", "u4", "  //restart"))
    sent = [body["message"] for _, _, body in server.requests]
    assert sent == ['request_human{"staff_id":"1"}', "restart"]


async def test_buttons_are_pressed_by_label_and_send_their_payload(settings: Settings, db: Database) -> None:
    answers = iter([
        [{"custom": {"key": "greet", "buttons": [{"key": "button_human", "payload": "/request_human"}]}}],
        [{"custom": {"key": "handoff_recorded", "args": {"handoff": True}}}],
    ])
    with LocalServer(lambda *_: (200, next(answers))) as server:
        core = _core(settings, db, server.url)
        first = await core.handle(Incoming("kakao", "u5", "안녕하세요"))
        assert first is not None and [b.label for b in first.buttons] == ["상담원 연결"]
        second = await core.handle(Incoming("kakao", "u5", "상담원 연결"))
    assert server.requests[1][2]["message"] == "/request_human"
    assert second is not None and second.handed_off and "직원" in second.text
    async with db.session() as session:
        statuses = (await session.scalars(
            select(Message.status).where(Message.direction == "in").order_by(Message.id))).all()
    assert statuses == ["answered", "handed_off"]


async def test_language_switch_is_remembered(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [{"custom": {"key": "thank"}}])) as server:
        core = _core(settings, db, server.url)
        switched = await core.handle(Incoming("kakao", "u6", "по-русски"))
        assert switched is not None and switched.text == "Хорошо, теперь я буду отвечать по-русски."
        # A chosen language sticks even when the next message is in English.
        reply = await core.handle(Incoming("kakao", "u6", "thank you so much"))
    assert reply is not None and reply.language == "ru" and reply.text.startswith("Пожалуйста")
    assert len(server.requests) == 1  # the switch itself is answered by the gateway
    async with db.session() as session:
        resident = await session.scalar(select(Resident))
    assert resident is not None and (resident.language, resident.language_source) == ("ru", "chosen")


async def test_unsupported_language_offers_the_four_languages_and_a_person(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [])) as server:
        reply = await _core(settings, db, server.url).handle(Incoming("kakao", "u7", "你好，我想延长签证"))
    assert reply is not None and len(reply.texts) == 4
    assert [b.payload for b in reply.buttons] == ["lang:ko", "lang:en", "lang:ru", "lang:vi", "/request_human"]
    assert not server.requests


async def test_bad_input_gets_a_clear_answer_and_is_kept(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [])) as server:
        core = _core(settings, db, server.url)
        empty = await core.handle(Incoming("kakao", "u8", "   "))
        huge = await core.handle(Incoming("kakao", "u8", "a" * 100_000))
        sticker = await core.handle(Incoming("telegram", "u9", "", kind="sticker", language_hint="vi"))
    assert empty is not None and "empty" in empty.text
    assert huge is not None and "2000" in huge.text
    assert sticker is not None and sticker.language == "vi" and "chữ" in sticker.text
    assert not server.requests
    async with db.session() as session:
        rows = (await session.scalars(select(Message).where(Message.direction == "in"))).all()
    assert len(rows) == 3
    assert max(len(m.text) for m in rows) <= settings.max_message_chars + 1


async def test_too_long_is_said_in_the_language_of_the_message(settings: Settings, db: Database) -> None:
    from hamkke.i18n import t

    story = "Здравствуйте, у меня вопрос про визу и работу. " * 60
    with LocalServer(lambda *_: (200, [])) as server:
        reply = await _core(settings, db, server.url).handle(Incoming("kakao", "u10", story))
    assert reply is not None and reply.text == t("message_too_long", "ru", limit=settings.max_message_chars)


async def test_a_repeated_platform_message_is_answered_once(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [{"custom": {"key": "greet"}}])) as server:
        core = _core(settings, db, server.url)
        first = await core.handle(Incoming("telegram", "u10", "hi", channel_message_id="42"))
        again = await core.handle(Incoming("telegram", "u10", "hi", channel_message_id="42"))
    assert first is not None and again is None and len(server.requests) == 1


async def test_messages_left_by_a_crash_go_to_the_staff_queue(settings: Settings, db: Database) -> None:
    import datetime as dt

    async with db.session() as session:
        resident = Resident(channel="kakao", channel_user_key="u11")
        session.add(resident)
        await session.flush()
        session.add(Message(resident_id=resident.id, direction="in", text="help", status="received",
                            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)))
        await session.commit()
    core = _core(settings, db, "http://127.0.0.1:1")
    assert await core.recover_unanswered() == 1
    async with db.session() as session:
        status = await session.scalar(select(Message.status))
    assert status == "unanswered"


async def test_a_hand_off_signal_opens_a_conversation_in_the_same_transaction(
        settings: Settings, db: Database) -> None:
    signal = [{"custom": {"key": "handoff_recorded", "handoff": {"reason": "requested", "topic": "faq_visa"}}}]
    with LocalServer(lambda *_: (200, signal)) as server:
        core = _core(settings, db, server.url)
        reply = await core.handle(Incoming(channel="kakao", user_key="u-handoff", text="a person please"))
        again = await core.handle(Incoming(channel="kakao", user_key="u-handoff", text="hello?"))
        await core.rasa.close()
    assert reply is not None and reply.handed_off and reply.texts
    assert again is not None and again.relayed and again.texts == []
    async with db.session() as session:
        conversations = (await session.scalars(select(Conversation))).all()
        statuses = (await session.execute(select(Message.direction, Message.status, Message.conversation_id)
                                          .order_by(Message.id))).all()
    assert [(c.status, c.reason, c.topic, c.open_resident_id) for c in conversations] == [
        ("waiting", "requested", "faq_visa", conversations[0].resident_id)]
    cid = conversations[0].id
    assert statuses == [("in", "handed_off", cid), ("out", "sent", cid), ("in", "for_staff", cid)]


async def test_documented_commands(settings: Settings, db: Database) -> None:
    with LocalServer(lambda *_: (200, [{"custom": {"key": "help"}}])) as server:
        core = _core(settings, db, server.url)
        menu = await core.handle(Incoming("telegram", "u12", "/language", language_hint="ru"))
        await core.handle(Incoming("telegram", "u12", "/help@HamkkeBot"))
        await core.handle(Incoming("telegram", "u12", "/staff"))
        await core.handle(Incoming("telegram", "u12", "/restart please"))
    assert menu is not None and menu.text == "На каком языке вам отвечать?"
    assert [b.payload for b in menu.buttons] == ["lang:ko", "lang:en", "lang:ru", "lang:vi"]
    assert [body["message"] for _, _, body in server.requests] == ["/help", "/request_human", "restart please"]

