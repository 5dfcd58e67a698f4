"""Input an attacker would send to the Kakao skill: a 4xx or a polite answer, never a 5xx, and what is
stored is what can be stored (no NUL, no lone UTF-16 surrogate)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.channels.kakao import _callback_url
from hamkke.config import Settings
from hamkke.db.models import Message, Resident
from tests.console_client import query
from tests.helpers import Gateway, LocalServer, kakao_request


@pytest.fixture
def gateway(settings: Settings) -> Iterator[tuple[Gateway, Settings]]:
    with LocalServer(lambda _m, _p, _b: (200, [{"custom": {"key": "greet"}}])) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url, kakao_bot_id="bot-1")
        with Gateway(create_app(configured)) as gw:
            yield gw, configured


def post(gw: Gateway, raw: str) -> httpx.Response:
    return httpx.post(f"{gw.url}/kakao/skill", content=raw, headers={"content-type": "application/json"},
                      timeout=20)


def test_a_deeply_nested_body_is_refused(gateway: tuple[Gateway, Settings]) -> None:
    gw, _settings = gateway
    for deep in ("[" * 50_000 + "]" * 50_000, '{"a":' * 30_000 + "1" + "}" * 30_000):
        response = post(gw, deep)
        assert response.status_code == 400 and "nested" in response.json()["error"]


def test_lone_surrogates_in_the_utterance_the_user_id_or_the_bot_id(gateway: tuple[Gateway, Settings]) -> None:
    gw, settings = gateway

    def body(utterance: str, user: str, bot: str) -> str:
        request = kakao_request(utterance, user)
        request["bot"] = {"id": bot}
        # json.dumps would escape a real surrogate; write the escape as an attacker would.
        return json.dumps(request).replace("@S@", "\\ud800")

    answered = post(gw, body("Hello @S@", "sur-1", "bot-1"))
    assert answered.status_code == 200 and answered.json()["template"]["outputs"]
    answered = post(gw, body("Hello", "sur-@S@-2", "bot-1"))
    assert answered.status_code == 200
    refused = post(gw, body("Hello", "sur-3", "bot-1@S@"))  # not this bot: refused, not a server error
    assert refused.status_code == 403
    rows = query(settings.database_url, select(Resident.channel_user_key, Message.text).join(
        Message, Message.resident_id == Resident.id).where(Message.direction == "in"))
    assert sorted(rows) == [("sur-1", "Hello \ufffd"), ("sur-\ufffd-2", "Hello")]


def test_a_callback_url_must_be_https_except_to_this_machine() -> None:
    hosts = ("kakao.com", "127.0.0.1")

    def url(value: str) -> dict[str, object]:
        return {"userRequest": {"callbackUrl": value}}

    assert _callback_url(url("https://bot-api.kakao.com/callback/1"), hosts) == "https://bot-api.kakao.com/callback/1"
    assert _callback_url(url("http://bot-api.kakao.com/callback/1"), hosts) is None
    assert _callback_url(url("https://evil.example/callback"), hosts) is None
    assert _callback_url(url("http://127.0.0.1:9/callback"), hosts) == "http://127.0.0.1:9/callback"
