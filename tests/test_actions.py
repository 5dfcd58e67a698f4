"""Custom actions run against recorded trackers and a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRequestHuman
from actions.services import ActionServiceInfo
from bot.replies import render_message
from hamkke.db.session import Database

TRACKERS = Path(__file__).parent / "trackers"


def tracker(name: str, **changes: Any) -> Tracker:
    state = json.loads((TRACKERS / f"{name}.json").read_text())
    state.update(changes)
    return Tracker.from_dict(state)




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


async def test_request_human_signals_the_hand_off_in_a_typed_field() -> None:
    """The action writes nothing: the gateway, the conversation's only writer, records the hand-off."""
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(dispatcher, tracker("request_human_vi"), {})
    assert events == []
    ((message),) = dispatcher.messages
    custom = message["custom"]
    assert custom["key"] == "handoff_recorded" and "args" not in custom
    assert custom["handoff"]["reason"] == "requested"
    assert custom["handoff"]["summary"]["language"] == "vi"


def _fallback_tracker(previous_intent: str | None) -> Tracker:
    parse = {
        "text": "vé xe buýt",
        "intent": {"name": "nlu_fallback", "confidence": 0.55},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.55},
            {"name": "faq_driving_transport", "confidence": 0.35},
            {"name": "greet", "confidence": 0.2},
            {"name": "ask_gic", "confidence": 0.15},
            {"name": "faq_job_search", "confidence": 0.1},
            {"name": "faq_garbage", "confidence": 0.04},
        ],
        "metadata": {"lang": "vi"},
    }
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    if previous_intent:
        events += [{"event": "user", "text": "?", "parse_data": {"intent": {"name": previous_intent}}},
                   {"event": "action", "name": "action_suggest_topics"}]
    events += [{"event": "user", "text": parse["text"], "parse_data": parse}]
    return Tracker.from_dict({"sender_id": "r1", "slots": {}, "latest_message": parse, "events": events,
                              "paused": False, "followup_action": None, "active_loop": {},
                              "latest_action_name": "action_listen"})


async def test_unsure_model_offers_the_likeliest_topics() -> None:
    from actions.fallback import ActionSuggestTopics

    dispatcher = CollectingDispatcher()
    await ActionSuggestTopics().run(dispatcher, _fallback_tracker("greet"), {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["key"] == "fallback_suggest"
    assert [b["payload"] for b in custom["buttons"]] == ["/faq_driving_transport", "/ask_gic", "/faq_job_search",
                                                         "/request_human"]
    _, buttons, _ = render_message(custom, "vi")
    assert buttons[0].label == "Bằng lái xe" and all(len(b.label) <= 14 for b in buttons)


async def test_a_second_miss_in_a_row_offers_a_person() -> None:
    from actions.fallback import ActionSuggestTopics

    dispatcher = CollectingDispatcher()
    await ActionSuggestTopics().run(dispatcher, _fallback_tracker("nlu_fallback"), {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["key"] == "fallback_again" and custom["buttons"][0]["payload"] == "/request_human"


def test_a_failing_action_says_nothing_of_what_failed(tmp_path: Path) -> None:
    """The action server as the launcher starts it, on a database without its tables: the action fails
    with an SQL error naming the query and its parameters. The answer to Rasa and the server's log hold
    neither that nor the resident's words, and the server listens on localhost only."""
    import os
    import subprocess
    import sys
    import time

    import httpx
    import psutil

    from hamkke.config import PROJECT_ROOT
    from tests.helpers import free_port

    port = free_port()
    log = tmp_path / "actions.log"
    env = {**os.environ, "HAMKKE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}",
           "ACTION_SERVER_SANIC_WORKERS": "1"}
    env.pop("SANIC_HOST", None)
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "actions.server", "-p", str(port)], cwd=PROJECT_ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()
            time.sleep(0.3)
        listening = {c.laddr.ip for c in psutil.Process(server.pid).net_connections("tcp") if c.status == "LISTEN"}
        assert listening == {"127.0.0.1"}
        state = json.loads((TRACKERS / "ask_immigration_contact_ru.json").read_text())
        state["latest_message"]["text"] = "Меня зовут Зябликова, где миграционная служба?"
        answer = httpx.post(f"http://127.0.0.1:{port}/webhook", timeout=30, json={
            "next_action": "action_service_info", "sender_id": state["sender_id"], "tracker": state,
            "domain": {}, "version": "3.6.2"})
        assert answer.status_code == 500
        assert answer.json() == {"error": "the action failed"}
        assert "Access-Control-Allow-Origin" not in answer.headers
    finally:
        server.terminate()
        server.wait(10)
    logged = log.read_text()
    assert "an action failed: OperationalError" in logged, logged
    for leak in ("SELECT", "parameters", "Зябликова", "no such table"):
        assert leak not in logged and leak not in answer.text, leak
