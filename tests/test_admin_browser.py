"""Admins keep the assistant current, in a real browser (Debian's Chromium through Playwright).

The assistant is its own here (tests/stack.py, real Rasa, worker, actions,
gateway, local Telegram Bot API): publishing swaps its model, which the other
end-to-end tests must not see. In order:

1. an admin edits the Vietnamese answer of an FAQ entry: a resident asking in
   Vietnamese through ``POST /kakao/skill`` gets it within a second; the admin
   adds a Russian example question, publishes, and watches the progress; after
   the swap the question is understood. All the while residents write on both
   channels: every message gets a correct answer, none fails, none is lost,
   none takes longer than Kakao's 5 seconds;
2. a retraining that breaks quality (a starved pipeline) is refused, in plain
   words, and the live model keeps answering;
3. restoring the previous model works and is audited.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from hamkke.config import PROJECT_ROOT
from tests.helpers import answer_texts, kakao_request
from tests.stack import Stack, running_stack
from tests.telegram_api import message_update
from tests.test_console_browser import CHROMIUM, FLAGS, sign_in

pytestmark = pytest.mark.e2e

KAKAO_LIMIT_S = 5.0
PUBLISH_TIMEOUT_S = 1500
NEW_QUESTION = "как избавиться от шкафа"  # "how do I get rid of a wardrobe": the repository's model misreads it
# Questions residents keep asking during the swap, with a fact every right answer contains.
STREAM = (("kakao", "где продлить визу", "1345"), ("telegram", "tôi muốn gia hạn visa", "1345"),
          ("kakao", "외국인등록증 잃어버렸어요", "1345"), ("telegram", "where can I learn Korean for free", "Korean"),
          ("kakao", "мне не платят зарплату", "1350"), ("telegram", "건강보험료가 밀렸어요", "1577-1000"))


@pytest.fixture(scope="module")
def train_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pipeline the stack's retrainings use: the real one, until a test breaks it."""
    path = tmp_path_factory.mktemp("pipeline") / "config.yml"
    shutil.copyfile(PROJECT_ROOT / "config.yml", path)
    return path


@pytest.fixture(scope="module")
def admin_stack(tmp_path_factory: pytest.TempPathFactory, train_config: Path) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory, extra_env={"HAMKKE_TRAIN_CONFIG": str(train_config),
                                                          "HAMKKE_SWEEP_SECONDS": "2"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make browser` (run by `make test`) installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield launched
        launched.close()


def live_model(stack: Stack) -> str:
    return str(stack.rows("SELECT tag FROM model_versions WHERE status = 'live'")[0][0])


class Residents(threading.Thread):
    """Residents writing on Kakao and Telegram, one message at a time each, until stopped."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.stop = threading.Event()
        self.results: list[tuple[str, float, bool, str]] = []  # channel, seconds, right, said
        self.chat = 990_000

    def run(self) -> None:
        with httpx.Client(base_url=self.stack.assistant.gateway_url, timeout=30) as client:
            turn = 0
            while not self.stop.is_set():
                channel, said, fact = STREAM[turn % len(STREAM)]
                user = f"swap-{turn % 5}"
                started = time.monotonic()
                if channel == "kakao":
                    try:
                        response = client.post("/kakao/skill", json=kakao_request(said, user))
                        outputs = response.json()["template"]["outputs"] if response.status_code == 200 else []
                        answer = "\n".join(answer_texts(outputs))
                    except (httpx.HTTPError, ValueError, KeyError):
                        answer = ""
                else:
                    chat = self.chat + turn % 5
                    before = len([m for m in self.stack.telegram.sent if m["chat_id"] == chat])
                    self.stack.telegram.push(message_update(next(self.stack.update_ids), chat, None, text=said))
                    try:
                        answer = self.stack.telegram.wait_sent(before + 1, chat_id=chat, timeout=20)[-1]["text"]
                    except AssertionError:
                        answer = ""
                self.results.append((channel, time.monotonic() - started, fact in answer, said))
                turn += 1
                time.sleep(0.2)

    def report(self) -> dict[str, Any]:
        seconds = [r[1] for r in self.results]
        return {"messages": len(self.results), "wrong_or_lost": sum(not r[2] for r in self.results),
                "worst_s": round(max(seconds), 2), "median_s": round(statistics.median(seconds), 2),
                "by_channel": {c: sum(r[0] == c for r in self.results) for c in ("kakao", "telegram")}}


def kakao_answer(stack: Stack, text: str, user: str) -> str:
    return stack.say(text, user)[0]


def wait_job(page: Any, seen: list[tuple[int, str]], timeout: float = PUBLISH_TIMEOUT_S) -> str:
    """Follow the job on the page (its script updates the bar) until it ends; return its stage."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.locator("#job").get_attribute("data-finished", timeout=5_000) == "yes":
                return str(page.inner_text("#job-stage"))
            value = int(page.locator("#job-progress").get_attribute("value", timeout=5_000) or 0)
            stage = page.inner_text("#job-stage", timeout=5_000)
        except Exception:  # the page reloads when the job ends
            time.sleep(0.5)
            continue
        if not seen or seen[-1] != (value, stage):
            seen.append((value, stage))
        time.sleep(0.5)
    raise AssertionError(f"the job did not end in {timeout} s: {seen[-3:]}")


def test_an_admin_edits_an_answer_and_publishes_a_new_question_while_residents_talk(
        admin_stack: Stack, browser: Any) -> None:
    stack = admin_stack
    base = stack.assistant.gateway_url
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, base, "admin")

    # The Vietnamese answer of the visa-extension entry, side by side with the others.
    page.goto(f"{base}/admin/faq/faq_visa_extension")
    for lang in ("ko", "en", "ru", "vi"):
        assert page.input_value(f"#answer-{lang}"), lang
    edited = page.input_value("#answer-vi") + " Cập nhật: từ tháng 1 năm 2027 có thể đặt lịch qua ứng dụng HiKorea."
    page.fill("#answer-vi", edited)
    page.fill("#source", "https://www.hikorea.go.kr (notice, checked by the admin)")
    page.click("#save")
    page.wait_for_selector("#saved")
    saved_at = time.monotonic()
    answer = kakao_answer(stack, "tôi muốn gia hạn visa", "vi-after-edit")
    live_after = time.monotonic() - saved_at
    assert "Cập nhật: từ tháng 1 năm 2027" in answer and live_after < 1.0, (live_after, answer)
    audit = stack.rows("SELECT detail FROM audit_log WHERE action = 'content_edited'")
    assert any("hikorea" in json.loads(row[0]).get("source", "") for row in audit)

    # A Russian question the model misreads, before.
    assert NEW_QUESTION not in str(stack.rows("SELECT text FROM faq_examples"))
    before = kakao_answer(stack, NEW_QUESTION, "ru-before")
    garbage_fact = "1599-0903"  # the bulky-appliance pick-up line, in every language's rubbish answer
    assert garbage_fact not in before

    page.goto(f"{base}/admin/faq/faq_garbage")
    page.fill("#new-example-ru", NEW_QUESTION)
    page.click("#add-example-ru")
    page.locator("#examples-ru .added li", has_text=NEW_QUESTION).wait_for()
    page.goto(f"{base}/admin/models")
    assert "1" in page.inner_text("#pending")
    old_model = live_model(stack)

    residents = Residents(stack)
    residents.start()
    time.sleep(3)
    page.click("#publish")
    page.wait_for_selector("#job[data-finished='no']")
    published_at = time.monotonic()
    seen: list[tuple[int, str]] = []
    stage = wait_job(page, seen)
    publish_s = time.monotonic() - published_at
    time.sleep(5)  # and a few seconds after the old Rasa stopped
    residents.stop.set()
    residents.join(30)
    figures = residents.report()
    print(f"\npublish to live: {publish_s:.0f} s; progress seen: {seen}\nresidents during the swap: {figures}")
    message = page.inner_text("#job-message")
    assert stage in ("done", "완료"), (stage, message)
    assert len({s for _v, s in seen}) >= 3 and [v for v, _s in seen] == sorted(v for v, _s in seen), seen
    assert live_model(stack) != old_model

    after = kakao_answer(stack, NEW_QUESTION, "ru-after")
    assert garbage_fact in after, after
    assert figures["messages"] >= 20 and figures["by_channel"]["telegram"] >= 10
    assert figures["wrong_or_lost"] == 0, residents.results
    assert figures["worst_s"] < KAKAO_LIMIT_S, figures
    # The example is now part of the model it was published in.
    tag = stack.rows("SELECT model_tag FROM faq_examples WHERE text = ?", NEW_QUESTION)[0][0]
    assert tag == live_model(stack)


def test_a_retraining_that_breaks_quality_is_refused_and_the_old_model_keeps_answering(
        admin_stack: Stack, browser: Any, train_config: Path) -> None:
    stack = admin_stack
    base = stack.assistant.gateway_url
    # Someone "tunes" the pipeline: a classifier this starved forgets most of what it knew.
    config = yaml.safe_load(train_config.read_text())
    for component in config["pipeline"]:
        if component["name"].endswith("LinearIntentClassifier"):
            component["C"] = 0.0005
    train_config.write_text(yaml.safe_dump(config, sort_keys=False))
    live = live_model(stack)
    page = browser.new_context().new_page()
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/faq/faq_garbage")
    page.fill("#new-example-en", "how do I get rid of an old wardrobe")
    page.click("#add-example-en")
    page.goto(f"{base}/admin/models")
    page.click("#publish")
    page.wait_for_selector("#job[data-finished='no']")
    stage = wait_job(page, [])
    message = page.inner_text("#job-message")
    print(f"\nrefused: {message}")
    assert stage in ("refused (quality)", "거부됨 (품질 저하)"), (stage, message)
    assert "나빴습니다" in message and "지금 모델이 계속 답합니다" in message  # the admin reads Korean
    assert live_model(stack) == live
    assert "1345" in kakao_answer(stack, "где продлить визу", "after-refusal")
    refused = stack.rows("SELECT status FROM model_versions ORDER BY id DESC LIMIT 1")[0][0]
    assert refused == "refused"
    shutil.copyfile(PROJECT_ROOT / "config.yml", train_config)


def test_restoring_the_previous_model_works_and_is_audited(admin_stack: Stack, browser: Any) -> None:
    stack = admin_stack
    base = stack.assistant.gateway_url
    previous = stack.rows("SELECT tag FROM model_versions WHERE status = 'previous' "
                          "ORDER BY published_at DESC LIMIT 1")[0][0]
    live = live_model(stack)
    page = browser.new_context().new_page()
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/models")
    started = time.monotonic()
    page.click("#restore")
    page.wait_for_selector("#job[data-finished='no']")
    stage = wait_job(page, [], timeout=600)
    print(f"\nrestore took {time.monotonic() - started:.0f} s")
    assert stage in ("done", "완료"), page.inner_text("#job-message")
    assert live_model(stack) == previous
    with sqlite3.connect(stack.db_path) as conn:
        row = conn.execute("SELECT a.detail, u.name FROM audit_log a JOIN staff_users u ON u.id = a.user_id "
                           "WHERE a.action = 'model_restored' ORDER BY a.id DESC LIMIT 1").fetchone()
    assert row is not None and row[1] == "admin" and json.loads(row[0]) == {"model": previous, "replaced": live}
    # The restored model is the repository's: it misreads the question again, and answers the rest.
    assert "1599-0903" not in kakao_answer(stack, NEW_QUESTION, "ru-restored")
    assert "1345" in kakao_answer(stack, "где продлить визу", "after-restore")


def test_a_dead_rasa_or_action_server_is_started_again_and_no_message_is_lost(admin_stack: Stack) -> None:
    import os
    import signal

    import psutil

    from hamkke.i18n import t

    stack = admin_stack

    def healthy(timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if stack.client.get("/healthz").status_code == 200:
                return time.monotonic() - started
            time.sleep(0.3)
        raise AssertionError("the assistant did not come back")

    rasa = next(p for p in psutil.Process(stack.assistant.procs["worker"].pid).children(recursive=True)
                if "bot.rasa_run" in " ".join(p.cmdline()))
    os.kill(rasa.pid, signal.SIGKILL)
    rasa.wait(10)
    answer = kakao_answer(stack, "где продлить визу", "while-rasa-is-away")
    assert answer.startswith(t("busy", "ru")[:20]), answer  # told, in Russian, that it is busy
    stored = stack.rows("SELECT m.status FROM messages m JOIN residents r ON r.id = m.resident_id "
                        "WHERE r.channel_user_key = 'while-rasa-is-away' AND m.direction = 'in'")
    assert stored == [("failed",)]  # kept, and visible to staff until it is answered
    # The same on Telegram: pushed once Rasa is back.
    chat = 995_001
    stack.telegram.push(message_update(next(stack.update_ids), chat, "ru", text="мне не платят зарплату"))
    assert stack.telegram.wait_sent(1, chat_id=chat)[-1]["text"].startswith(t("busy", "ru")[:20])
    print(f"\nRasa back after {healthy():.1f} s")
    assert "1345" in kakao_answer(stack, "где продлить визу", "after-rasa-came-back")
    # What got "busy" while Rasa was away is answered now: on Telegram at once ...
    late = stack.telegram.wait_sent(2, chat_id=chat, timeout=30)[-1]["text"]
    assert "мне не платят зарплату" in late and "1350" in late, late
    # ... on Kakao with the resident's next message (Kakao cannot push).
    deadline = time.monotonic() + 30
    while stack.rows("SELECT m.status FROM messages m JOIN residents r ON r.id = m.resident_id "
                     "WHERE r.channel_user_key = 'while-rasa-is-away' AND m.direction = 'in'") != [("answered",)]:
        assert time.monotonic() < deadline, "the message that got 'busy' was never answered"
        time.sleep(0.3)
    again = kakao_answer(stack, "спасибо", "while-rasa-is-away")
    assert "где продлить визу" in again and "1345" in again, again

    actions = stack.assistant.procs["actions"]
    os.killpg(actions.pid, signal.SIGKILL)
    actions.wait(10)
    print(f"action server back after {healthy():.1f} s")
    assert stack.assistant.procs["actions"].pid != actions.pid
    assert "1345" in kakao_answer(stack, "где продлить визу", "after-actions-came-back")
    assert stack.assistant.dead() is None


def test_a_normal_stop_drains_the_gateway_before_rasa_and_the_actions(admin_stack: Stack) -> None:
    """Runs last: it stops this module's assistant. Messages the gateway took are answered, not "busy"."""
    from concurrent.futures import ThreadPoolExecutor

    from hamkke.i18n import t

    stack = admin_stack

    def one(index: int) -> str:
        try:
            response = httpx.post(f"{stack.assistant.gateway_url}/kakao/skill",
                                  json=kakao_request("где продлить визу", f"drain-{index}"), timeout=30)
        except httpx.HTTPError:
            return "refused"  # after the gateway stopped taking messages: never stored, Kakao retries
        outputs = response.json()["template"]["outputs"]
        return "\n".join(answer_texts(outputs))

    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(one, index) for index in range(12)]
        # Stop once the gateway holds some of them (on a slow machine the requests take a while to
        # arrive; a fixed pause stopped it before any had).
        deadline = time.monotonic() + 30
        while not stack.rows("SELECT m.id FROM messages m JOIN residents r ON r.id = m.resident_id "
                             "WHERE r.channel_user_key LIKE 'drain-%' AND m.direction = 'in'"):
            assert time.monotonic() < deadline, "no message reached the gateway"
            time.sleep(0.02)
        stack.assistant.stop()
        answers = [f.result() for f in futures]
    answered = [a for a in answers if a != "refused"]
    print(f"\nstop while 12 messages were sent: {len(answered)} answered, {12 - len(answered)} refused at the door")
    assert answered and all("1345" in a and not a.startswith(t("busy", "ru")[:20]) for a in answered), answers
    stored = stack.rows("SELECT m.status FROM messages m JOIN residents r ON r.id = m.resident_id "
                        "WHERE r.channel_user_key LIKE 'drain-%' AND m.direction = 'in'")
    assert len(stored) == len(answered) and {s for (s,) in stored} == {"answered"}, stored
