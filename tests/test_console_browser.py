"""The staff console in a real browser: Debian's Chromium driven by Playwright for Python.

Playwright launches the system browser (``/usr/bin/chromium``, installed by
``make browser``, which ``make test`` runs); nothing downloads a browser.
The assistant is the real one (tests/stack.py: Rasa, actions, gateway), the
resident writes through the local Telegram Bot API server, and the console's
machine translation goes to a local LibreTranslate stand-in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hamkke.i18n import t
from hamkke.langid import detect
from tests.stack import Stack
from tests.telegram_api import message_update

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make browser` (run by `make test`) installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield launched
        launched.close()


def sign_in(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff")


def poll(read: Any, good: Any, timeout: float = 15.0) -> Any:
    """Read until the value is good (the page's script may not be evaluated: its CSP forbids eval)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if good(value) or time.monotonic() > deadline:
            assert good(value), value
            return value
        time.sleep(0.1)


def conversation_of(stack: Stack, chat: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = stack.rows("SELECT c.id FROM conversations c JOIN residents r ON r.id = c.resident_id "
                          "WHERE r.channel = 'telegram' AND r.channel_user_key = ? ORDER BY c.id DESC", str(chat))
        if rows:
            return int(rows[0][0])
        time.sleep(0.1)
    raise AssertionError("no conversation was opened")


def test_a_korean_speaking_staff_member_answers_a_russian_resident_on_telegram(stack: Stack, browser: Any) -> None:
    started = time.monotonic()
    base = stack.assistant.gateway_url
    chat = 880_001
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, "minji")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_selector("body.connected")  # the live stream is open

    # The resident greets the bot, then asks for a person, in Russian.
    stack.telegram.push(message_update(next(stack.update_ids), chat, "ru", text="Здравствуйте"))
    assert stack.telegram.wait_sent(1, chat_id=chat)[-1]["text"] == t("greet", "ru")
    stack.telegram.push(message_update(next(stack.update_ids), chat, "ru", text="Можно поговорить с живым человеком?"))
    notice = stack.telegram.wait_sent(2, chat_id=chat)[-1]["text"]
    assert "1577-1366" not in notice and detect(notice).language == "ru"  # within office hours: the queue
    conversation_id = conversation_of(stack, chat)

    # It appears in the queue without reloading.
    item = page.locator(f'#waiting [data-conversation="{conversation_id}"]')
    item.wait_for(timeout=15_000)
    assert "러시아어" in item.inner_text() and str(chat) not in page.content()
    assert page.evaluate("window.__notReloaded") is True
    item.get_by_role("button").click()
    page.wait_for_url(f"{base}/staff/conversations/{conversation_id}")

    # The Russian original, and beside it the Korean translation.
    greeting = page.locator(".msg.resident", has_text="Здравствуйте").first
    assert "안녕하세요" in greeting.locator(".translated").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "conversation.png"), full_page=True)

    # The reply in Korean, translated into Russian, checked, sent.
    page.fill("#draft", "외국인등록증을 가지고 출입국에서 비자 신청하세요")
    page.click("#translate")
    russian = poll(lambda: page.input_value("#final"), lambda value: "подайте заявление" in value)
    assert "(외국인등록증)" in russian
    page.click("#send")
    delivered = stack.telegram.wait_sent(3, chat_id=chat)[-1]["text"]
    assert delivered == f"{t('staff_reply_label', 'ru')}\n{russian}"
    page.locator(".msg.staff .delivery.sent").first.wait_for(timeout=10_000)

    # The resident writes again: it appears without reloading; the bot stays quiet.
    page.evaluate("window.__notReloaded = true")
    stack.telegram.push(message_update(next(stack.update_ids), chat, "ru", text="Спасибо! А какие документы взять?"))
    page.locator(".msg.resident", has_text="какие документы").wait_for(timeout=15_000)
    assert page.evaluate("window.__notReloaded") is True
    time.sleep(0.5)
    assert len([m for m in stack.telegram.sent if m["chat_id"] == chat]) == 3

    # Resolved: the resident is told in Russian, and the bot answers the next question again.
    page.click("#resolve")
    page.wait_for_url(f"{base}/staff")
    assert stack.telegram.wait_sent(4, chat_id=chat)[-1]["text"] == t("handoff_resolved", "ru")
    stack.telegram.push(message_update(next(stack.update_ids), chat, "ru", text="Какой телефон у 1345?"))
    answer = stack.telegram.wait_sent(5, chat_id=chat)[-1]["text"]
    assert "1345" in answer and detect(answer).language == "ru"
    context.close()
    print(f"\nbrowser hand-off test took {time.monotonic() - started:.1f} s")


def test_the_console_works_on_a_phone_and_by_keyboard_in_english(stack: Stack, browser: Any) -> None:
    base = stack.assistant.gateway_url
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.keyboard.press("Tab") if not page.evaluate("document.activeElement.name === 'name'") else None
    page.keyboard.type("sasha")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/staff")
    assert "Queue" in page.inner_text("h1")  # sasha reads the console in English
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / "queue-phone.png"), full_page=True)
    context.close()
