"""Custom actions run against recorded trackers and a real SQLite database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import hamkke.db.session as db_session
from actions.handoff import ActionRequestHuman
from actions.services import ActionServiceInfo
from bot.replies import render_message
from hamkke.config import get_settings
from hamkke.db.models import HandoffRequest, Resident
from hamkke.db.session import Database

TRACKERS = Path(__file__).parent / "trackers"


def tracker(name: str, **changes: Any) -> Tracker:
    state = json.loads((TRACKERS / f"{name}.json").read_text())
    state.update(changes)
    return Tracker.from_dict(state)


@pytest.fixture
async def action_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    """The actions' own database (``get_database()``) pointed at the test database."""
    monkeypatch.setenv("HAMKKE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    monkeypatch.setattr(db_session, "_db", None)
    database = db_session.get_database()
    yield database
    await database.dispose()
    get_settings.cache_clear()


async def test_service_info_answers_from_the_database(action_db: Database) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionServiceInfo().run(dispatcher, tracker("ask_immigration_contact_ru"), {})
    assert events == []
    (message,) = dispatcher.messages
    custom = message["custom"]
    assert custom["key"] == "service_card"
    assert custom["args"]["service"]["phone"] == "1345"
    text, _, _ = render_message(custom, "ru")
    assert "1345" in text and "Телефон" in text


async def test_service_info_without_a_record_offers_a_person(action_db: Database) -> None:
    dispatcher = CollectingDispatcher()
    state = json.loads((TRACKERS / "ask_immigration_contact_ru.json").read_text())
    state["latest_message"]["intent"]["name"] = "greet"
    await ActionServiceInfo().run(dispatcher, Tracker.from_dict(state), {})
    assert dispatcher.messages[0]["custom"]["key"] == "service_missing"


async def test_request_human_is_recorded_once_with_language_and_queue(action_db: Database) -> None:
    async with action_db.session() as session:
        for key in ("a", "b"):
            session.add(Resident(channel="kakao", channel_user_key=key))
        await session.commit()
    first = CollectingDispatcher()
    await ActionRequestHuman().run(first, tracker("request_human_vi"), {})
    assert [m["custom"]["key"] for m in first.messages] == ["handoff_recorded"]
    assert first.messages[0]["custom"]["args"] == {"handoff": True}

    # Resident 2 asks next: one person waits before them.
    second = CollectingDispatcher()
    await ActionRequestHuman().run(second, tracker("request_human_vi", sender_id="r2"), {})
    assert [m["custom"]["key"] for m in second.messages] == ["handoff_recorded", "handoff_queue"]
    assert second.messages[1]["custom"]["args"] == {"n": 1}

    # Asking again does not queue resident 1 twice.
    await ActionRequestHuman().run(CollectingDispatcher(), tracker("request_human_vi"), {})
    async with action_db.session() as session:
        rows = (await session.scalars(select(HandoffRequest).order_by(HandoffRequest.id))).all()
    assert [(r.resident_id, r.language, r.status) for r in rows] == [(1, "vi", "open"), (2, "vi", "open")]
