"""Faults the one-machine assistant survives: a crash's leftovers swept while it runs; NUL characters on PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from sqlalchemy import insert, select

from bot.app import create_app
from hamkke.config import Settings
from hamkke.db.models import Message, Resident, utcnow
from tests.console_client import query
from tests.helpers import Gateway, LocalServer


def test_a_message_left_received_is_handed_to_staff_by_the_periodic_sweep(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    now = utcnow()
    query(settings.database_url, insert(Resident).values(
        id=77, channel="kakao", channel_user_key="crash", created_at=now, last_seen_at=now), commit=True)
    with LocalServer(lambda _m, _p, _b: (200, [])) as rasa:
        with Gateway(create_app(dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url,
                                                    sweep_s=0.2))):
            # After the start's own recovery: one left by a crash (another replica's), one being answered now.
            for minutes, channel_id in ((5, "old"), (0, "young")):
                query(settings.database_url, insert(Message).values(
                    resident_id=77, direction="in", sender="resident", text="где продлить визу", status="received",
                    channel_message_id=channel_id, created_at=now - dt.timedelta(minutes=minutes)), commit=True)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                rows = dict(query(settings.database_url, select(Message.channel_message_id, Message.status)))
                if rows["old"] == "unanswered":
                    break
                time.sleep(0.1)
    assert rows == {"old": "unanswered", "young": "received"}


def test_nul_characters_are_not_a_server_error_on_postgresql(settings: Settings, postgres_url: str) -> None:
    """PostgreSQL's text columns refuse NUL, which SQLite stores: the gateway drops them first."""
    import httpx

    from hamkke.db.setup import migrate, seed
    from tests.helpers import kakao_request

    migrate(postgres_url)
    import asyncio

    asyncio.run(seed(postgres_url))
    configured = dataclasses.replace(settings, database_url=postgres_url)
    with LocalServer(lambda _m, _p, _b: (200, [{"custom": {"key": "greet"}}])) as rasa:
        with Gateway(create_app(dataclasses.replace(configured, rasa_url=rasa.url, actions_url=rasa.url))) as gw:
            for text, user in (("hel\x00lo", "nul-text"), ("hello", "nul\x00user"), ("\x00", "only-nul")):
                response = httpx.post(f"{gw.url}/kakao/skill", json=kakao_request(text, user), timeout=20)
                assert response.status_code == 200, (text, user, response.text)
    stored = query(postgres_url, select(Message.text).where(Message.direction == "in"))
    assert ("hello",) in stored and all("\x00" not in row[0] for row in stored)
