"""Messages a crash left unanswered reach the staff queue while the gateway runs, not only at a start."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from sqlalchemy import insert, select

from bot import app as gateway_app
from bot.app import create_app
from hamkke.config import Settings
from hamkke.db.models import Message, Resident, utcnow
from tests.console_client import query
from tests.helpers import Gateway, LocalServer


def test_a_message_left_received_is_handed_to_staff_by_the_periodic_sweep(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway_app, "SWEEP_EVERY_S", 0.2)
    now = utcnow()
    query(settings.database_url, insert(Resident).values(
        id=77, channel="kakao", channel_user_key="crash", created_at=now, last_seen_at=now), commit=True)
    with LocalServer(lambda _m, _p, _b: (200, [])) as rasa:
        with Gateway(create_app(dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url))):
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
