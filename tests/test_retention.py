"""Residents' data leaves every store: after the retention period (the worker's job), and at the
resident's word ("delete my data", confirmed). On SQLite and on PostgreSQL, with Rasa's tracker events
written by Rasa's own tracker store."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from bot.app import create_app
from bot.core import _FORGET_REQUEST
from hamkke.config import Settings
from hamkke.db.models import AuditEntry, Conversation, Message, MessageTranslation, Note, Resident, utcnow
from hamkke.db.session import Database
from hamkke.db.setup import migrate, seed
from hamkke.folding import fold
from hamkke.i18n import t
from hamkke.retention import expire, remaining
from tests.conftest import POSTGRES_ADMIN_URL, postgres_databases
from tests.console_client import query
from tests.helpers import Gateway, LocalServer, answer_texts, kakao_request
from tests.rasa_tracker import write_conversation


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The gateway's database and Rasa's tracker store, both on SQLite or both on PostgreSQL."""
    if request.param == "sqlite":
        yield dataclasses.replace(settings, rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}")
        return
    with postgres_databases("hamkke_ret", "hamkke_ret_rasa") as names:
        server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        url = f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{names[0]}"
        migrate(url)
        asyncio.run(seed(url))
        yield dataclasses.replace(settings, database_url=url, rasa_tracker_url=f"{server}/{names[1]}")


def _rasa(_method: str, _path: str, _body: Any) -> tuple[int, Any]:
    return 200, [{"custom": {"key": "greet"}}]


def _say(gw: Gateway, text: str, user: str) -> tuple[str, list[str]]:
    response = httpx.post(f"{gw.url}/kakao/skill", json=kakao_request(text, user), timeout=20)
    assert response.status_code == 200, response.text
    template = response.json()["template"]
    return ("\n".join(answer_texts(template["outputs"])),
            [q["label"] for q in template.get("quickReplies", [])])


def _resident(settings: Settings, user: str) -> int:
    (row,) = query(settings.database_url, select(Resident.id).where(Resident.channel_user_key == user))
    return int(row[0])


def _remaining(settings: Settings, resident_id: int) -> dict[str, int]:
    async def count() -> dict[str, int]:
        db = Database(settings.database_url)
        try:
            return await remaining(db, settings.rasa_tracker_url, resident_id, f"r{resident_id}")
        finally:
            await db.dispose()

    return asyncio.run(count())


def _staff_traces(settings: Settings, resident_id: int, closed_at: dt.datetime | None) -> None:
    """A hand-off with a staff note, and a machine translation of the resident's first message."""
    query(settings.database_url, insert(Conversation).values(
        resident_id=resident_id, open_resident_id=None if closed_at else resident_id,
        status="closed" if closed_at else "held", channel="kakao", centre="goryeoin-village", reason="requested",
        created_at=utcnow(), closed_at=closed_at, last_resident_at=utcnow()), commit=True)
    (conversation,) = query(settings.database_url, select(Conversation.id).where(
        Conversation.resident_id == resident_id))
    query(settings.database_url, insert(Note).values(conversation_id=conversation[0], text="called her back"),
          commit=True)
    (first,) = query(settings.database_url, select(Message.id).where(
        Message.resident_id == resident_id).order_by(Message.id).limit(1))
    query(settings.database_url, insert(MessageTranslation).values(
        message_id=first[0], target="ko", text="안녕하세요", provider="libre"), commit=True)


def test_the_retention_job_deletes_an_expired_conversation_from_every_store(stores: Settings) -> None:
    settings = stores
    with LocalServer(_rasa) as rasa, Gateway(create_app(dataclasses.replace(
            settings, rasa_url=rasa.url, actions_url=rasa.url))) as gw:
        for text in ("Здравствуйте", "где продлить визу?"):
            _say(gw, text, "old-resident")
        _say(gw, "hello", "recent-resident")
    old, recent = _resident(settings, "old-resident"), _resident(settings, "recent-resident")
    long_ago = utcnow() - dt.timedelta(days=200)
    _staff_traces(settings, old, closed_at=long_ago)
    query(settings.database_url, update(Message).where(Message.resident_id == old).values(created_at=long_ago),
          commit=True)
    query(settings.database_url, update(Resident).where(Resident.id == old).values(last_seen_at=long_ago),
          commit=True)
    write_conversation(settings.rasa_tracker_url, f"r{old}", long_ago.timestamp())
    write_conversation(settings.rasa_tracker_url, f"r{recent}", time.time())
    before = _remaining(settings, old)
    assert before["messages"] == 4 and before["notes"] == 1 and before["rasa_events"] == 5, before

    async def run() -> dict[str, int]:
        db = Database(settings.database_url)
        try:
            return (await expire(db, settings.rasa_tracker_url, days=180)).rows
        finally:
            await db.dispose()

    deleted = asyncio.run(run())
    assert set(_remaining(settings, old).values()) == {0}, _remaining(settings, old)
    kept = _remaining(settings, recent)
    assert kept["residents"] == 1 and kept["messages"] == 2 and kept["rasa_events"] == 5, kept
    # The audit log says what went, with counts, and no message text.
    (audit,) = query(settings.database_url, select(AuditEntry.detail).where(AuditEntry.action == "retention_expired"))
    assert audit[0]["deleted"] == deleted and "визу" not in str(audit[0])
    assert deleted["messages"] == 4 and deleted["rasa_events"] == 5


@pytest.mark.parametrize(("lang", "request_text"), [
    ("ru", "удалите мои данные пожалуйста"), ("en", "please delete my data"),
    ("vi", "xóa dữ liệu của tôi"), ("ko", "제 정보 삭제해 주세요")])
def test_a_resident_deletes_everything_at_their_word(stores: Settings, lang: str, request_text: str) -> None:
    settings = stores
    user = f"forget-{lang}"
    with LocalServer(_rasa) as rasa, Gateway(create_app(dataclasses.replace(
            settings, rasa_url=rasa.url, actions_url=rasa.url))) as gw:
        _say(gw, {"ru": "Здравствуйте", "en": "Hello", "vi": "Xin chào", "ko": "안녕하세요"}[lang], user)
        resident = _resident(settings, user)
        write_conversation(settings.rasa_tracker_url, f"r{resident}", time.time())
        _staff_traces(settings, resident, closed_at=None)  # staff hold the conversation now
        asked, buttons = _say(gw, request_text, user)
        assert asked == t("forget_ask", lang, days="180")
        assert buttons == [t("button_forget_yes", lang), t("button_forget_no", lang)]
        assert _remaining(settings, resident)["messages"] == 4  # nothing deleted before the confirmation
        done, _ = _say(gw, t("button_forget_yes", lang), user)
        assert done == t("forget_done", lang)
        assert set(_remaining(settings, resident).values()) == {0}, _remaining(settings, resident)
        # Writing again starts anew: nothing of before comes back.
        _say(gw, "hello", user)
        again = _remaining(settings, _resident(settings, user))
        assert again["messages"] == 2 and again["notes"] == again["conversations"] == 0, again
    (audit,) = query(settings.database_url, select(AuditEntry.detail).where(AuditEntry.action == "resident_forgotten"))
    assert audit[0]["deleted"]["rasa_events"] == 5 and audit[0]["deleted"]["notes"] == 1


def test_no_keeps_everything_and_a_bare_yes_deletes_nothing(settings: Settings) -> None:
    with LocalServer(_rasa) as rasa, Gateway(create_app(dataclasses.replace(
            settings, rasa_url=rasa.url, actions_url=rasa.url))) as gw:
        _say(gw, "Hello", "keeper")
        assert _say(gw, "/forget", "keeper")[0] == t("forget_ask", "en", days="180")
        assert _say(gw, t("button_forget_no", "en"), "keeper")[0] == t("forget_kept", "en")
        _say(gw, "/forget_confirm", "keeper")  # typed, not after the question: not a confirmation
        assert _remaining(settings, _resident(settings, "keeper"))["messages"] == 8


def test_the_request_is_recognised_in_four_languages_and_not_in_ordinary_questions() -> None:
    asks = ["delete my data", "Please erase all my messages", "forget me", "удалить мои данные",
            "Удалите, пожалуйста, всю мою переписку", "забудьте меня", "xoa du lieu cua toi", "Xóa tin nhắn của tôi",
            "내 정보 삭제", "제 기록 지워 주세요", "대화 내용 삭제해줘"]
    ordinary = ["where do I delete a wrong address on my visa form", "как удалить зуб", "my data plan phone",
                "xoá hình xăm ở đâu", "쓰레기 버리는 날", "how do I get my information card"]
    assert all(_FORGET_REQUEST.search(fold(text).lower()) for text in asks), \
        [text for text in asks if not _FORGET_REQUEST.search(fold(text).lower())]
    assert not any(_FORGET_REQUEST.search(fold(text).lower()) for text in ordinary), \
        [text for text in ordinary if _FORGET_REQUEST.search(fold(text).lower())]
