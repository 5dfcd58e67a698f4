"""The whole assistant as ``make run`` starts it, for the end-to-end and browser tests.

One stack serves the whole test session (Rasa takes 20-40 s to load): the
real Rasa server, action server and gateway (bot.launcher) on free ports with
their own SQLite databases, a local Telegram Bot API server, a local
LibreTranslate stand-in for the console's machine translation, a local server
taking Kakao callbacks, and two console accounts. Between the gateway and
Rasa sits a recording proxy that looks into the database at the moment Rasa
is asked, so a test sees that a message is stored before it is processed.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import httpx
import pytest

from bot.launcher import Assistant
from hamkke.config import PROJECT_ROOT
from tests.console_client import make_user
from tests.helpers import LocalServer, answer_texts, free_port, kakao_request
from tests.libretranslate import LibreTranslate
from tests.telegram_api import TOKEN, BotAPI

MODEL = PROJECT_ROOT / "models" / "hamkke.tar.gz"
FROZEN_NOW = "2026-03-10T10:00:00+09:00"
STAFF = (("minji", "staff", "ko"), ("sasha", "staff", "en"), ("admin", "admin", "ko"))


class Stack:
    """A running assistant and what the test needs to look into it."""

    def __init__(self, assistant: Assistant, db_path: Path, proxy: LocalServer, seen: list[Any]) -> None:
        self.assistant = assistant
        self.db_path = db_path
        self.proxy = proxy
        self.seen_at_rasa = seen
        self.client = httpx.Client(base_url=assistant.gateway_url, timeout=30)
        self.telegram: BotAPI
        # Telegram forgets updates below the offset: every test takes its update ids from here.
        self.update_ids = itertools.count(1000)
        self.translate: LibreTranslate
        self.callbacks: LocalServer

    def kakao(self, body: Any, **kwargs: Any) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return self.client.post("/kakao/skill", content=body, headers={"content-type": "application/json"})
        return self.client.post("/kakao/skill", json=body, **kwargs)

    def say(self, text: str, user: str) -> tuple[str, list[str]]:
        response = self.kakao(kakao_request(text, user))
        assert response.status_code == 200, response.text
        template = response.json()["template"]
        texts = answer_texts(template["outputs"])
        return "\n\n".join(texts), [q["label"] for q in template.get("quickReplies", [])]

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, args).fetchall()


def running_stack(tmp_path_factory: pytest.TempPathFactory, frozen_now: str = FROZEN_NOW,
                  extra_env: Optional[dict[str, str]] = None) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    work = tmp_path_factory.mktemp("e2e")
    db_path = work / "hamkke.db"
    rasa_port = free_port()
    seen: list[Any] = []

    def forward(method: str, path: str, body: Any) -> tuple[int, Any]:
        if path.startswith("/webhooks/rest/webhook") and isinstance(body, dict):
            with sqlite3.connect(db_path) as conn:
                seen.append((body.get("message"), conn.execute(
                    "SELECT text, status FROM messages WHERE direction='in' ORDER BY id DESC LIMIT 1").fetchone()))
        headers = {k: v for k, v in proxy.local.headers.items() if k.lower() in ("authorization", "content-type")}
        request = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None, headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError):  # Rasa still starting
            return 502, b'{"error": "rasa unreachable"}'

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "HAMKKE_PORT": str(free_port()),
        "HAMKKE_DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "HAMKKE_RASA_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "HAMKKE_ACTIONS_URL": f"http://127.0.0.1:{free_port()}",
        "HAMKKE_LOG_LEVEL": "INFO",
        # Dates decide eligibility, events and "open now": a Tuesday morning
        # in March 2026, when every 2026 application period is open.
        "HAMKKE_FROZEN_NOW": frozen_now,
        "KAKAO_CALLBACK_HOSTS": "127.0.0.1",
        "HAMKKE_TRANSLATION_PROVIDER": "libre",
        "HAMKKE_TRANSLATION_TIMEOUT": "3",
        **(extra_env or {}),
    }
    with LocalServer(forward) as proxy, BotAPI() as telegram, LibreTranslate() as translate, \
            LocalServer(lambda _method, _path, _body: (200, {"ok": True})) as callbacks:
        env["HAMKKE_TRANSLATION_URL"] = translate.url
        # The gateway talks to Rasa through the recording proxy, to Telegram through a local Bot API server.
        env["HAMKKE_RASA_URL"] = proxy.url
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        env["TELEGRAM_API_BASE_URL"] = telegram.url
        assistant = Assistant(model=MODEL, env=env, log_dir=work / "logs", rasa_listen_port=rasa_port)
        assistant.setup_database()
        for name, role, language in STAFF:
            make_user(env["HAMKKE_DATABASE_URL"], name, role, ui_language=language)
        with serving(assistant):
            running = Stack(assistant, db_path, proxy, seen)
            running.telegram = telegram
            running.translate = translate
            running.callbacks = callbacks
            yield running
            running.client.close()


@contextmanager
def serving(assistant: Assistant) -> Iterator[Assistant]:
    """Start ``assistant`` and wait until it answers; as make run does, a process that dies is started
    again; everything is stopped afterwards."""
    assistant.start()
    watching = threading.Event()

    def watch() -> None:
        while not watching.wait(0.5):
            assistant.restart_dead()

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        assistant.wait_ready()
        watcher.start()
        yield assistant
    finally:
        watching.set()
        if watcher.is_alive():
            watcher.join(5)
        assistant.stop()
