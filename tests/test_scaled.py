"""The scaled topology under faults: two gateways and two Rasa servers on PostgreSQL and Redis.

One stack for the module, started as ``make run-scaled`` starts it (bot.launcher with two gateway
replicas and two Rasa servers), except that each gateway listens on a port of its own so that the
test can play the load balancer (round robin, and another replica when one refuses the connection,
as HAProxy's redispatch does) and Telegram (webhook updates delivered again until a replica answers
200). The gateway's database and Rasa's tracker store are new databases on the local PostgreSQL;
Redis is a server of the test's own, so that it can be stopped. Skipped with a reason when there is
no PostgreSQL server.

- Mixed Kakao and Telegram traffic in four languages; in the middle one gateway and one Rasa server
  are SIGKILLed. Every message acknowledged is stored, every stored message ends answered, handed
  to staff or visible to staff, none is answered twice, each resident's answers come in the order
  of their messages, and every resident is answered after the kill (on the surviving Rasa).
- Redis stops: every message is still answered (each replica alone), /healthz says Redis is away;
  it comes back and the replicas share their locks again.
- PostgreSQL refuses connections for a while (as during a restart): Kakao residents are told to
  send again, Telegram updates are refused and delivered again; afterwards every acknowledged
  message is stored and answered.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
import pytest

from bot.launcher import Assistant
from hamkke.i18n import t
from tests.conftest import POSTGRES_ADMIN_URL, postgres_admin, postgres_databases
from tests.helpers import RedisServer, answer_texts, free_port, kakao_request
from tests.stack import FROZEN_NOW, MODEL, serving
from tests.telegram_api import TOKEN, BotAPI, message_update

pytestmark = pytest.mark.e2e

SECRET = "scaled-webhook-secret"
TURNS = {
    "ru": ["Здравствуйте", "где продлить визу?", "а адрес?", "мне не платят зарплату", "спасибо"],
    "vi": ["xin chào", "Tôi bị nợ lương thì làm sao", "o dau vay", "gia han visa o dau", "cam on"],
    "ko": ["안녕하세요", "비자 연장 어디서 해요?", "주소 알려주세요", "월급을 못 받았어요", "감사합니다"],
    "en": ["hello", "where do I extend my visa?", "address?", "my employer has not paid my wages", "thanks"],
}
FINAL = ("answered", "handed_off", "for_staff", "failed", "unanswered", "rejected")


def _query(dsn: str, sql: str, *args: Any) -> list[Any]:
    import asyncpg

    async def run() -> list[Any]:
        conn = await asyncpg.connect(dsn, timeout=5)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


@dataclass
class Scaled:
    assistant: Assistant
    dsn: str
    databases: tuple[str, str]
    redis: RedisServer
    telegram: BotAPI
    urls: list[str]
    update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(5000))
    turn: Iterator[int] = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rows(self, sql: str, *args: Any) -> list[Any]:
        return _query(self.dsn, sql, *args)

    def kakao(self, text: str, user: str) -> tuple[str, str]:
        """One Kakao request through the load balancer: ``("ok", answer)``, ``("cut", error)`` when the
        replica died holding it (Kakao shows the resident an error), never a refused connection."""
        with self.lock:
            first = next(self.turn) % len(self.urls)
        for url in self.urls[first:] + self.urls[:first]:
            try:
                response = httpx.post(f"{url}/kakao/skill", json=kakao_request(text, user), timeout=30)
            except httpx.ConnectError:
                continue  # refused: the balancer sends it to another replica
            except httpx.TransportError as exc:
                return "cut", type(exc).__name__
            assert response.status_code == 200, response.text
            outputs = response.json()["template"]["outputs"]
            return "ok", "\n".join(answer_texts(outputs))
        return "cut", "every replica refused"

    def telegram_update(self, user_id: int, text: str, lang: str) -> int:
        """Deliver one update as Telegram does: again (to whichever replica) until one answers 200."""
        update_id = next(self.update_ids)
        body = message_update(update_id, user_id, lang, text=text)
        deadline = time.monotonic() + 60
        for attempt in itertools.count():
            url = self.urls[(update_id + attempt) % len(self.urls)]
            try:
                response = httpx.post(f"{url}/telegram/webhook", json=body, timeout=30,
                                      headers={"x-telegram-bot-api-secret-token": SECRET})
                if response.status_code == 200:
                    return update_id
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no replica took the update for a minute"
            time.sleep(0.5)
        raise AssertionError("unreachable")

    def health(self, url: str) -> dict[str, Any]:
        return dict(httpx.get(f"{url}/healthz", timeout=10).json())

    def rasa_servers(self) -> list[psutil.Process]:
        family = psutil.Process(self.assistant.procs["worker"].pid).children(recursive=True)
        return [p for p in family if "bot.rasa_run" in " ".join(p.cmdline())]

    def wait_settled(self, timeout: float = 150.0) -> None:
        """Until no resident's message is left ``received`` (the sweep takes what a dead gateway left)
        and the late answers owed after a Rasa failure have gone out."""
        deadline, quiet = time.monotonic() + timeout, 0
        while quiet < 5:  # five seconds in a row (sweeps every two): a late answer takes one back a moment
            waiting = self.rows("SELECT id FROM messages WHERE direction = 'in' AND status = 'received'")
            quiet = 0 if waiting else quiet + 1
            assert time.monotonic() < deadline, f"messages stayed 'received': {waiting}"
            time.sleep(1)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    pytest.importorskip("asyncpg")
    if not MODEL.exists():
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    with postgres_databases("hamkke_scaled", "hamkke_scaled_rasa") as names:
        server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        work = tmp_path_factory.mktemp("scaled")
        ports = [str(free_port()), str(free_port())]
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
            "HAMKKE_GATEWAYS": "2", "HAMKKE_GATEWAY_PORTS": ",".join(ports), "HAMKKE_PORT": ports[0],
            "HAMKKE_RASA_SERVERS": "2",
            "HAMKKE_DATABASE_URL": f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{names[0]}",
            "HAMKKE_RASA_TRACKER_URL": f"{server}/{names[1]}",
            "HAMKKE_ACTIONS_URL": f"http://127.0.0.1:{free_port()}",
            "HAMKKE_RASA_URL": f"http://127.0.0.1:{free_port()}",
            "HAMKKE_FROZEN_NOW": FROZEN_NOW, "HAMKKE_LOG_LEVEL": "INFO",
            "HAMKKE_SWEEP_SECONDS": "2", "HAMKKE_STALE_SECONDS": "40",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://hamkke.example/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET, "KAKAO_CALLBACK_HOSTS": "127.0.0.1",
        }
        with RedisServer() as redis, BotAPI() as telegram:
            env["HAMKKE_REDIS_URL"] = redis.url
            env["TELEGRAM_API_BASE_URL"] = telegram.url
            assistant = Assistant(model=MODEL, env=env, log_dir=work / "logs")
            assistant.setup_database()
            with serving(assistant):
                stack = Scaled(assistant, f"{server}/{names[0]}", (names[0], names[1]), redis, telegram,
                               [f"http://127.0.0.1:{port}" for port in ports])
                deadline = time.monotonic() + 120
                while len(stack.rows("SELECT 1 FROM model_versions WHERE status = 'live' AND rasa_url LIKE '%,%'")) < 1:
                    assert time.monotonic() < deadline, "the worker never published two ready Rasa servers"
                    time.sleep(0.5)
                time.sleep(0.5)  # the gateways follow the addresses four times a second
                yield stack


def _busy(text: str) -> bool:
    return any(t(key, lang)[:25] in text for key in ("busy", "not_received") for lang in TURNS)


def test_killing_a_gateway_and_a_rasa_server_mid_traffic_loses_and_repeats_nothing(scaled: Scaled) -> None:
    kakao: dict[str, list[tuple[str, str]]] = {}
    acknowledged: dict[int, list[int]] = {}
    sent = itertools.count(1)
    killed = threading.Event()
    kill_after = 30
    marks: dict[str, int] = {}

    def kill() -> None:
        marks["last_before"] = scaled.rows("SELECT coalesce(max(id), 0) AS m FROM messages")[0]["m"]
        gateway = scaled.assistant.procs["gateway-1"]
        os.killpg(gateway.pid, signal.SIGKILL)
        victim = scaled.rasa_servers()[0]
        os.kill(victim.pid, signal.SIGKILL)
        killed.set()

    def counted() -> None:
        if next(sent) == kill_after:
            kill()

    def kakao_resident(user: str, lang: str) -> None:
        for text in TURNS[lang]:
            kakao.setdefault(user, []).append(scaled.kakao(text, user))
            counted()

    def telegram_resident(user_id: int, lang: str) -> None:
        for text in TURNS[lang]:
            before = len([m for m in scaled.telegram.sent if m["chat_id"] == user_id])
            acknowledged.setdefault(user_id, []).append(scaled.telegram_update(user_id, text, lang))
            counted()
            try:  # a resident waits for the answer before writing again
                scaled.telegram.wait_sent(before + 1, timeout=30, chat_id=user_id)
            except AssertionError:
                pass  # answered later, or left to staff: checked below

    residents = [(f"scaled-k-{lang}-{i}", lang) for lang in TURNS for i in range(2)]
    chats = [(91000 + n, lang) for n, lang in enumerate(lang for lang in TURNS for _ in range(2))]
    with ThreadPoolExecutor(len(residents) + len(chats)) as pool:
        futures = [pool.submit(kakao_resident, user, lang) for user, lang in residents]
        futures += [pool.submit(telegram_resident, chat, lang) for chat, lang in chats]
        for future in futures:
            future.result()
    assert killed.is_set()
    scaled.wait_settled()

    # Every Telegram update a replica acknowledged is stored, once.
    stored = {row["channel_message_id"] for row in scaled.rows(
        "SELECT m.channel_message_id FROM messages m JOIN residents r ON r.id = m.resident_id "
        "WHERE r.channel = 'telegram' AND m.direction = 'in'")}
    for user_id, updates in acknowledged.items():
        assert {f"u{u}" for u in updates} <= stored, user_id
    # Every Kakao message answered with 200 is stored; one cut by the kill may be (Kakao showed an error).
    cuts = 0
    for user, answers in kakao.items():
        count = scaled.rows("SELECT count(*) AS n FROM messages m JOIN residents r ON r.id = m.resident_id "
                            "WHERE r.channel = 'kakao' AND r.channel_user_key = $1 AND m.direction = 'in'",
                            user)[0]["n"]
        ok = sum(1 for outcome, _ in answers if outcome == "ok")
        cuts += len(answers) - ok
        assert ok <= count <= len(answers), (user, answers)
    # Every stored message ended answered, handed over, or visible to staff; none answered twice.
    inbound = scaled.rows("SELECT id, resident_id, status, error, created_at, answered_at FROM messages "
                          "WHERE direction = 'in'")
    assert inbound and all(row["status"] in FINAL for row in inbound), \
        [dict(row) for row in inbound if row["status"] not in FINAL]
    replies = scaled.rows("SELECT id, resident_id, reply_to_id, text FROM messages "
                          "WHERE direction = 'out' AND sender = 'bot' ORDER BY id")
    real = [r for r in replies if not _busy(r["text"])]  # "busy" (Rasa died under it), then the late answer
    per_message = [r["reply_to_id"] for r in real]
    twice = [r for r in scaled.rows("SELECT id, reply_to_id, created_at, payload, left(text, 60) AS text, "
                                    "status FROM messages WHERE direction = 'out' ORDER BY id")
             if per_message.count(r["reply_to_id"]) > 1]
    assert len(per_message) == len(set(per_message)), ("a message was answered twice", [dict(r) for r in twice],
                                                       [dict(r) for r in inbound if r["id"] in per_message and
                                                        per_message.count(r["id"]) > 1])
    # Each resident's answers in the order of their messages.
    for _resident, group in itertools.groupby(sorted(real, key=lambda r: (r["resident_id"], r["id"])),
                                              key=lambda r: r["resident_id"]):
        order = [r["reply_to_id"] for r in group]
        assert order == sorted(order), order
    # Everyone who wrote after the kill was answered after it: conversations went on on the other Rasa.
    after = {r["resident_id"] for r in real if r["reply_to_id"] > marks["last_before"]}
    wrote = {row["resident_id"] for row in inbound if row["id"] > marks["last_before"]}
    assert wrote and after == wrote, wrote - after
    statuses = {status: sum(1 for row in inbound if row["status"] == status) for status in FINAL}
    print(f"\n{len(inbound)} messages stored ({cuts} Kakao requests cut by the kill); outcomes: "
          f"{ {k: v for k, v in statuses.items() if v} }")


def test_redis_stopping_degrades_and_recovers_without_a_lost_answer(scaled: Scaled) -> None:
    scaled.redis.stop()
    try:
        time.sleep(0.5)
        for n, lang in enumerate(TURNS):
            outcome, answer = scaled.kakao(TURNS[lang][1], f"scaled-redis-{lang}")
            assert outcome == "ok" and not _busy(answer) and answer, (lang, answer)
            before = len([m for m in scaled.telegram.sent if m["chat_id"] == 92000 + n])
            scaled.telegram_update(92000 + n, TURNS[lang][3], lang)
            scaled.telegram.wait_sent(before + 1, timeout=30, chat_id=92000 + n)
        assert all(scaled.health(url)["redis"] == "away" for url in scaled.urls)
        assert all(scaled.health(url)["status"] == "ok" for url in scaled.urls)  # degraded, still answering
    finally:
        scaled.redis.start()
    deadline = time.monotonic() + 30
    while any(scaled.health(url)["redis"] != "ok" for url in scaled.urls):
        assert time.monotonic() < deadline, "the replicas did not find Redis again"
        time.sleep(0.5)
    for lang in TURNS:
        outcome, answer = scaled.kakao(TURNS[lang][2], f"scaled-redis-{lang}")
        assert outcome == "ok" and not _busy(answer), (lang, answer)


def test_a_postgresql_restart_loses_no_acknowledged_message(scaled: Scaled) -> None:
    names = scaled.databases
    results: list[tuple[str, str]] = []
    updates: list[int] = []

    def outage() -> None:
        for name in names:
            postgres_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            postgres_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")  # noqa: S608
        time.sleep(6)
        for name in names:
            postgres_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    down = threading.Thread(target=outage)
    down.start()
    time.sleep(0.5)
    with ThreadPoolExecutor(8) as pool:
        kakao = [pool.submit(scaled.kakao, TURNS[lang][1], f"scaled-pg-{lang}") for lang in TURNS]
        telegram = [pool.submit(scaled.telegram_update, 93000 + n, TURNS[lang][1], lang)
                    for n, lang in enumerate(TURNS)]
        results = [f.result() for f in kakao]
        updates = [f.result() for f in telegram]
    down.join()
    scaled.wait_settled()
    # Kakao residents got an answer or were told to send again: never an error page.
    assert all(outcome == "ok" and text for outcome, text in results), results
    told = [lang for (outcome, text), lang in zip(results, TURNS, strict=True)
            if t("not_received", lang) in text]
    # Every Telegram update (delivered again until acknowledged) is stored and answered.
    for n, update_id in enumerate(updates):
        rows = scaled.rows("SELECT status FROM messages WHERE channel_message_id = $1", f"u{update_id}")
        assert len(rows) == 1 and rows[0]["status"] in FINAL, (update_id, rows)
        scaled.telegram.wait_sent(1, timeout=30, chat_id=93000 + n)
    print(f"\nPostgreSQL away 6 s: {len(told)} of 4 Kakao residents asked to send again, "
          f"{4 - len(told)} answered; 4 of 4 Telegram updates stored after re-delivery")
