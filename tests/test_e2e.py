"""End to end: the real Rasa server, action server and gateway, over HTTP.

The assistant is started exactly as ``make run`` starts it (bot.launcher),
on free ports, with its own SQLite databases. Between the gateway and Rasa
sits a recording proxy that looks into the database at the moment Rasa is
asked, so the test sees that a message is stored before it is processed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.launcher import Assistant
from hamkke.config import PROJECT_ROOT
from hamkke.content import load_services
from hamkke.i18n import t
from hamkke.langid import detect
from tests.helpers import LocalServer, free_port, kakao_request
from tests.telegram_api import TOKEN, BotAPI, message_update

pytestmark = pytest.mark.e2e

MODEL = PROJECT_ROOT / "models" / "hamkke.tar.gz"
FROZEN_NOW = "2026-03-10T10:00:00+09:00"


class Stack:
    """A running assistant and what the test needs to look into it."""

    def __init__(self, assistant: Assistant, db_path: Path, proxy: LocalServer, seen: list[Any]) -> None:
        self.assistant = assistant
        self.db_path = db_path
        self.proxy = proxy
        self.seen_at_rasa = seen
        self.client = httpx.Client(base_url=assistant.gateway_url, timeout=30)
        self.telegram: BotAPI

    def kakao(self, body: Any, **kwargs: Any) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return self.client.post("/kakao/skill", content=body, headers={"content-type": "application/json"})
        return self.client.post("/kakao/skill", json=body, **kwargs)

    def say(self, text: str, user: str) -> tuple[str, list[str]]:
        response = self.kakao(kakao_request(text, user))
        assert response.status_code == 200, response.text
        template = response.json()["template"]
        texts = [o["simpleText"]["text"] for o in template["outputs"] if "simpleText" in o]
        return "\n\n".join(texts), [q["label"] for q in template.get("quickReplies", [])]

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, args).fetchall()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
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
        "HAMKKE_FROZEN_NOW": FROZEN_NOW,
    }
    with LocalServer(forward) as proxy, BotAPI() as telegram:
        # The gateway talks to Rasa through the recording proxy, to Telegram through a local Bot API server.
        env["HAMKKE_RASA_URL"] = proxy.url
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        env["TELEGRAM_API_BASE_URL"] = telegram.url
        assistant = Assistant(model=MODEL, env=env, log_dir=work / "logs", rasa_listen_port=rasa_port)
        assistant.setup_database()
        assistant.start()
        try:
            assistant.wait_ready()
            running = Stack(assistant, db_path, proxy, seen)
            running.telegram = telegram
            yield running
            running.client.close()
        finally:
            assistant.stop()


GREETINGS = {"en": "Hello!", "ru": "Здравствуйте!", "vi": "Xin chào bạn", "ko": "안녕하세요"}
IMMIGRATION_QUESTIONS = {
    "en": "What is the immigration contact centre number?",
    "ru": "Какой номер у контактного центра иммиграционной службы?",
    "vi": "Số điện thoại của trung tâm liên lạc xuất nhập cảnh là gì?",
    "ko": "출입국 외국인 상담센터 번호가 뭐예요?",
}


def test_healthz_is_ok(stack: Stack) -> None:
    response = stack.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "rasa_model": True, "actions": True}


@pytest.mark.parametrize("lang", ["en", "ru", "vi", "ko"])
def test_greeting_in_each_language(stack: Stack, lang: str) -> None:
    text, buttons = stack.say(GREETINGS[lang], f"greet-{lang}")
    assert text == t("greet", lang)
    # Kakao has no language hint: every answer offers the language switch.
    assert buttons == [t("button_help", lang), t("button_human", lang), t("button_language", lang)]


@pytest.mark.parametrize("lang", ["en", "ru", "vi", "ko"])
def test_immigration_contact_centre_in_each_language(stack: Stack, lang: str) -> None:
    text, _ = stack.say(IMMIGRATION_QUESTIONS[lang], f"imm-{lang}")
    service = next(s for s in load_services() if s["slug"] == "immigration-contact-center")
    assert "1345" in text
    assert text.startswith(service["name"][lang])
    assert f"{t('label_phone', lang)}: 1345" in text
    assert detect(text).language == lang


def test_message_is_stored_before_rasa_is_asked_and_answer_after(stack: Stack) -> None:
    stack.seen_at_rasa.clear()
    text, _ = stack.say("안녕하세요, 제 번호는 010-2222-3333이에요", "store-order")
    assert text and detect(text).language == "ko"
    ((sent, row_at_that_moment),) = stack.seen_at_rasa
    assert row_at_that_moment == ("안녕하세요, 제 번호는 [PHONE]이에요", "received")
    assert "2222" not in sent
    rows = stack.rows(
        "SELECT m.direction, m.status, m.language FROM messages m JOIN residents r ON r.id = m.resident_id "
        "WHERE r.channel_user_key = ? ORDER BY m.id", "store-order")
    assert rows == [("in", "answered", "ko"), ("out", "sent", "ko")]


def test_asking_for_a_person_is_recorded(stack: Stack) -> None:
    stack.say("Здравствуйте", "handoff-ru")
    text, _ = stack.say("Живой человек", "handoff-ru")  # the quick reply's label
    assert text.startswith(t("handoff_recorded", "ru"))
    assert stack.rows("SELECT h.language, h.status FROM handoff_requests h JOIN residents r ON r.id = h.resident_id "
                      "WHERE r.channel_user_key = 'handoff-ru'") == [("ru", "open")]


def test_language_can_be_changed_by_asking(stack: Stack) -> None:
    assert stack.say("tiếng Việt", "switch")[0] == t("language_changed", "vi")
    text, _ = stack.say("hello", "switch")
    assert text == t("greet", "vi")


@pytest.mark.parametrize(
    ("body", "statuses"),
    [
        (b"{not json", {400}),
        (b"[1, 2, 3]", {400}),
        ({"userRequest": None}, {400}),
        ({"bot": {"id": "x"}}, {400}),
        (kakao_request("hi", user_id=""), {400}),
        (kakao_request(12345), {400}),
    ],
)
def test_malformed_requests_get_4xx(stack: Stack, body: Any, statuses: set[int]) -> None:
    assert stack.kakao(body).status_code in statuses


def test_empty_and_huge_utterances_get_a_polite_answer(stack: Stack) -> None:
    empty, _ = stack.say("", "bad-input")
    assert "empty" in empty
    huge = stack.kakao(kakao_request("가" * 100_000, "bad-input"))
    assert huge.status_code == 200
    assert "2000" in huge.json()["template"]["outputs"][0]["simpleText"]["text"]
    assert stack.kakao(b"x" * 2_000_000).status_code == 413


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user_request=json_values, extra=json_values)
def test_arbitrary_json_never_gets_a_5xx(stack: Stack, user_request: Any, extra: Any) -> None:
    for body in ({"userRequest": user_request, "bot": extra}, user_request):
        assert stack.kakao(json.dumps(body)).status_code < 500


def test_rasa_and_actions_listen_on_localhost_only(stack: Stack) -> None:
    for name in ("rasa", "actions", "gateway"):
        proc = psutil.Process(stack.assistant.procs[name].pid)
        family = [proc, *proc.children(recursive=True)]
        addresses = {c.laddr.ip for p in family for c in p.net_connections("tcp") if c.status == "LISTEN"}
        assert addresses and addresses <= {"127.0.0.1"}, (name, addresses)


def test_logs_carry_no_message_text(stack: Stack) -> None:
    stack.say("my secret question about 010-9999-8888", "log-check")
    logs = "".join(p.read_text(errors="replace") for p in stack.assistant.log_dir.glob("*.log"))
    assert "secret question" not in logs and "9999" not in logs
    assert "Здравствуйте" not in logs and "출입국" not in logs


E2E_QUESTIONS = yaml.safe_load((PROJECT_ROOT / "tests" / "data" / "e2e_questions.yml").read_text())
FAQ_FACTS = {r["intent"]: r for r in yaml.safe_load((PROJECT_ROOT / "data" / "faq.yml").read_text())}


# The NLU is not 100% accurate (tests/test_nlu_quality.py measures it on the
# held-out set); at most this share of the 160 questions may miss their topic.
MAX_TOPIC_MISSES = 0.05


def test_every_topic_in_every_language(stack: Stack) -> None:
    """One resident question per topic and language, through POST /kakao/skill.

    The resident must get the topic's answer, with its key facts, in their
    language: directly, or when the model is unsure, by pressing the topic
    among the suggested buttons. Every reply, right or wrong, must be in the
    asker's language.
    """
    misses = []
    for topic in sorted(E2E_QUESTIONS):
        for lang in ("en", "ru", "vi", "ko"):
            question, user = E2E_QUESTIONS[topic][lang], f"faq-{lang}-{topic}"
            text, buttons = stack.say(question, user)
            assert detect(text).language == lang, (question, text[:120])
            label = t(f"topic_{topic}", lang)
            if text == t("fallback_suggest", lang) and label in buttons:
                text, _ = stack.say(label, user)
            # Events answer with what is on first, then the topic's answer.
            if t(topic, lang) not in text:
                misses.append(f"{lang} {topic}: {question!r} -> {text[:60]!r}")
                continue
            for fact in FAQ_FACTS[topic]["key_facts"]:
                assert fact in text, (question, fact)
    total = 4 * len(E2E_QUESTIONS)
    print(f"{total - len(misses)} of {total} topic questions answered")
    assert len(misses) <= MAX_TOPIC_MISSES * total, "\n".join(misses)


def test_eligibility_conversation_in_russian(stack: Stack) -> None:
    """Culture Nuri, one question at a time: typed answers, a button, a re-asked invalid answer."""
    user = "elig-ru"
    text, buttons = stack.say("Проверьте, пожалуйста, могу ли я получить 문화누리카드", user)
    assert t("ask_birth_year", "ru") in text, text
    assert t("button_dont_know", "ru") in buttons and t("button_human", "ru") in buttons
    text, buttons = stack.say("1964", user)
    assert t("ask_benefit_status", "ru") in text, text
    text, _ = stack.say("вчера", user)
    assert t("elig_invalid_benefit_status", "ru") in text and t("ask_benefit_status", "ru") in text, text
    text, _ = stack.say("차상위", user)  # a Korean word does not switch the language
    assert t("ask_nationality", "ru") in text, text
    text, buttons = stack.say(t("button_korean", "ru"), user)  # the button's label, as Kakao sends it
    assert t("elig_headline_eligible", "ru", program_key="program_name_culture_nuri", year=2026) in text, text
    assert "₩160,000" in text and "1544-3412" in text
    assert detect(text).language == "ru"
    assert t("button_check_again", "ru") in buttons


def test_eligibility_conversation_in_vietnamese(stack: Stack) -> None:
    """Integrated care: household size, income typed the Vietnamese way, nationality."""
    user = "elig-vi"
    text, _ = stack.say("kiem tra giup toi xem nha toi co duoc ho tro cham soc tich hop khong", user)
    assert t("ask_household_size", "vi") in text, text
    text, _ = stack.say("2 người", user)
    assert t("ask_monthly_income_krw", "vi") in text, text
    text, _ = stack.say("khoảng 4,5 triệu", user)
    assert t("ask_nationality", "vi") in text, text
    text, _ = stack.say("tôi đã nhập quốc tịch Hàn", user)
    # 4,500,000 of a 2-person median of 4,199,292 is 107.2%: a 30% co-payment.
    assert t("elig_headline_eligible", "vi", program_key="program_name_integrated_care", year=2026) in text, text
    assert t("elig_copay", "vi", copay=30) in text and "107.2" in text
    assert detect(text).language == "vi"


def test_eligibility_hand_off_in_the_middle_keeps_the_case_for_staff(stack: Stack) -> None:
    user = "elig-handoff"
    text, _ = stack.say("хочу проверить, положена ли мне 문화누리카드", user)
    assert t("ask_birth_year", "ru") in text, text
    stack.say("1980", user)
    text, _ = stack.say(t("button_human", "ru"), user)
    assert t("handoff_recorded", "ru") in text, text
    (summary,) = stack.rows(
        "SELECT h.summary FROM handoff_requests h JOIN residents r ON r.id = h.resident_id "
        "WHERE r.channel_user_key = ?", user)
    case = json.loads(summary[0])
    assert case["language"] == "ru"
    assert case["eligibility"]["program"] == "culture-nuri"
    assert case["eligibility"]["answers"] == {"birth_year": 1980}


def test_events_are_upcoming_only(stack: Stack) -> None:
    text, _ = stack.say("What events are on in May?", "events-en")
    # Frozen on 2026-03-10: May 2026's events, never 2025's.
    dates = [line for line in text.splitlines() if line.startswith("• ")]
    assert dates and all("2026" in line and "2025" not in line for line in dates), text
    assert "gic.or.kr" in text


def test_service_finder_by_district_and_language(stack: Stack) -> None:
    response = stack.kakao(kakao_request("какие центры в 광산구 помогают на русском языке", "finder-ru"))
    outputs = response.json()["template"]["outputs"]
    heading = outputs[0]["simpleText"]["text"]
    assert detect(heading).language == "ru", heading
    cards = outputs[1].get("carousel", {}).get("items") or [outputs[1]["basicCard"]]
    # The places come as cards with a button to call them.
    assert any(b["action"] == "phone" for card in cards for b in card.get("buttons", [])), cards


def test_telegram_greeting_in_each_language_through_the_whole_stack(stack: Stack) -> None:
    """The real adapter polls the local Bot API server; the real Rasa answers."""
    for index, lang in enumerate(GREETINGS):
        stack.telegram.push(message_update(7000 + index, 7100 + index, text=GREETINGS[lang]))
    for index, lang in enumerate(GREETINGS):
        (sent,) = stack.telegram.wait_sent(1, chat_id=7100 + index, timeout=60)
        assert sent["text"] == t("greet", lang)
        labels = [b["text"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [t("button_help", lang), t("button_human", lang)]
