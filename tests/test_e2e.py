"""End to end: the real Rasa server, action server and gateway, over HTTP.

The assistant is started exactly as ``make run`` starts it (bot.launcher),
on free ports, with its own SQLite databases. Between the gateway and Rasa
sits a recording proxy that looks into the database at the moment Rasa is
asked, so the test sees that a message is stored before it is processed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import psutil
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamkke.config import PROJECT_ROOT
from hamkke.content import load_services
from hamkke.i18n import t
from hamkke.langid import detect
from hamkke.office_hours import default_centre
from tests import stack as stack_module
from tests.console_client import Console
from tests.helpers import kakao_request
from tests.stack import Stack
from tests.telegram_api import message_update

pytestmark = pytest.mark.e2e

FROZEN_NOW = stack_module.FROZEN_NOW


GREETINGS = {"en": "Hello!", "ru": "Здравствуйте!", "vi": "Xin chào bạn", "ko": "안녕하세요"}
IMMIGRATION_QUESTIONS = {
    "en": "What is the immigration contact centre number?",
    "ru": "Какой номер у контактного центра иммиграционной службы?",
    "vi": "Số điện thoại của trung tâm liên lạc xuất nhập cảnh là gì?",
    "ko": "출입국 외국인 상담센터 번호가 뭐예요?",
}


def test_healthz_is_ok(stack: Stack) -> None:
    response = stack.client.get("/healthz")
    # One gateway without Redis: nothing shared to report ("none"); the scaled test sees "ok" and "away".
    assert response.status_code == 200 and response.json() == {"status": "ok", "rasa_model": True, "actions": True,
                                                                "redis": "none"}


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
    # A Tuesday morning: the centre is open, so the resident learns their place and the wait.
    assert text.startswith(t("handoff_waiting_open", "ru", centre=default_centre().display_name("ru"),
                             position=1, minutes=10, n=10)[:20]), text
    assert t("handoff_kakao_collect", "ru") in text
    assert stack.rows("SELECT c.language, c.status, c.reason FROM conversations c JOIN residents r "
                      "ON r.id = c.resident_id WHERE r.channel_user_key = 'handoff-ru'") == [("ru", "waiting",
                                                                                             "requested")]
    # While it waits, a clear question of a topic is answered at once (the classifier alone, sure of it),
    # with the line that the request still waits; anything else only waits. Both are kept for staff.
    text, _ = stack.say("мне нужно продлить визу", "handoff-ru")
    assert text.startswith(t("faq_visa_extension", "ru")) and t("handoff_still_waiting", "ru") in text, text
    text, _ = stack.say("спасибо, жду", "handoff-ru")
    assert text == t("handoff_relayed", "ru")
    assert stack.rows("SELECT m.status FROM messages m JOIN residents r ON r.id = m.resident_id "
                      "WHERE r.channel_user_key = 'handoff-ru' AND m.direction = 'in' ORDER BY m.id DESC LIMIT 2"
                      ) == [("for_staff",), ("for_staff",)]
    assert stack.rows("SELECT c.status FROM conversations c JOIN residents r ON r.id = c.resident_id "
                      "WHERE r.channel_user_key = 'handoff-ru'") == [("waiting",)]


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
    for name in ("worker", "actions", "gateway"):
        proc = psutil.Process(stack.assistant.procs[name].pid)
        family = [proc, *proc.children(recursive=True)]
        addresses = {c.laddr.ip for p in family for c in p.net_connections("tcp") if c.status == "LISTEN"}
        assert addresses and addresses <= {"127.0.0.1"}, (name, addresses)
    # Rasa's HTTP API also wants the gateway's JWT: a local process without it gets 401.
    rasa = next(p for p in psutil.Process(stack.assistant.procs["worker"].pid).children(recursive=True)
                if "rasa" in " ".join(p.cmdline()))
    rasa_port = next(c.laddr.port for c in rasa.net_connections("tcp") if c.status == "LISTEN")
    assert httpx.get(f"http://127.0.0.1:{rasa_port}/status").status_code == 401
    assert httpx.post(f"http://127.0.0.1:{rasa_port}/conversations/r1/tracker/events",
                      json={"event": "pause"}).status_code == 401


def test_only_the_gateway_can_talk_to_rasa_and_secrets_are_on_no_command_line(stack: Stack) -> None:
    from bot.rasa_client import auth_headers

    secret = stack.assistant.env["HAMKKE_RASA_JWT_SECRET"]
    worker = psutil.Process(stack.assistant.procs["worker"].pid)
    rasa = next(p for p in worker.children(recursive=True) if "bot.rasa_run" in " ".join(p.cmdline()))
    rasa_port = next(c.laddr.port for c in rasa.net_connections("tcp") if c.status == "LISTEN")
    # Any local process could post an intent with slots into a resident's conversation through Rasa's
    # REST channel; now only requests signed with the shared secret are taken.
    forged = {"sender": "r1", "message": '/check_eligibility{"program": "culture-nuri"}'}
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    assert httpx.post(url, json=forged, timeout=30).status_code == 403
    wrong = auth_headers("not-the-shared-secret-but-long-enough-0123456789")
    assert httpx.post(url, json=forged, headers=wrong, timeout=30).status_code == 403
    signed = httpx.post(url, json={"sender": "lp-check", "message": "hello"}, headers=auth_headers(secret),
                        timeout=30)
    assert signed.status_code == 200 and signed.json()
    # /proc/<pid>/cmdline is readable by every local user: no secret there.
    everyone = [stack.assistant.procs[name].pid for name in stack.assistant.procs]
    for pid in everyone:
        for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
            assert secret not in " ".join(proc.cmdline()), proc.cmdline()[:4]
    # The databases hold residents' messages: readable by their owner only.
    for path in (stack.db_path, stack.db_path.parent / "tracker.db"):
        assert path.exists() and path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))


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
    """Culture Nuri, one question at a time: typed answers, a re-asked invalid answer, the result."""
    user = "elig-ru"
    text, buttons = stack.say("Проверьте, пожалуйста, могу ли я получить 문화누리카드", user)
    assert t("ask_birth_year", "ru") in text, text
    assert t("button_dont_know", "ru") in buttons and t("button_human", "ru") in buttons
    text, buttons = stack.say("1964", user)
    assert t("ask_benefit_status", "ru") in text, text
    text, _ = stack.say("вчера", user)
    assert t("elig_invalid_benefit_status", "ru") in text and t("ask_benefit_status", "ru") in text, text
    # A Korean word does not switch the language; a recipient is not asked a nationality (the card
    # follows recipient status).
    text, buttons = stack.say("차상위", user)
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
    assert t("handoff_kakao_collect", "ru") in text, text
    (summary,) = stack.rows(
        "SELECT c.summary FROM conversations c JOIN residents r ON r.id = c.resident_id "
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
        stack.telegram.push(message_update(next(stack.update_ids), 7100 + index, text=GREETINGS[lang]))
    for index, lang in enumerate(GREETINGS):
        (sent,) = stack.telegram.wait_sent(1, chat_id=7100 + index, timeout=60)
        assert sent["text"] == t("greet", lang)
        labels = [b["text"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [t("button_help", lang), t("button_human", lang)]


def test_kakao_hand_off_staff_replies_reach_the_resident_exactly_once(stack: Stack) -> None:
    """Through POST /kakao/skill with the real Rasa: once through a valid callbackUrl, once with the next message."""
    user = "kakao-staff-e2e"
    stack.say("Xin chào", user)
    text, _ = stack.say("cho tôi nói chuyện với nhân viên", user)
    assert t("handoff_kakao_collect", "vi") in text, text
    ((conversation_id,),) = stack.rows(
        "SELECT c.id FROM conversations c JOIN residents r ON r.id = c.resident_id WHERE r.channel_user_key = ?", user)
    console = Console(stack.assistant.gateway_url)
    try:
        assert console.sign_in("sasha").status_code == 303
        assert console.act(f"/staff/conversations/{conversation_id}/assign").json() == {"ok": True}
        # A message with a callbackUrl: the receipt now, the staff reply through the callback.
        body = kakao_request("tôi cần gia hạn visa E-9", user)
        body["userRequest"]["callbackUrl"] = f"{stack.callbacks.url}/cb/{user}/1"
        receipt = stack.kakao(body).json()
        assert receipt == {"version": "2.0", "useCallback": True, "data": {"text": t("handoff_relayed", "vi")}}
        first = console.act(f"/staff/conversations/{conversation_id}/reply",
                            {"text": "Vui lòng mang hộ chiếu", "mode": "direct"}).json()
        assert first["state"] == "sent"
        posted = [b for _m, path, b in stack.callbacks.requests if path.startswith(f"/cb/{user}/")]
        assert len(posted) == 1 and "Vui lòng mang hộ chiếu" in json.dumps(posted[0], ensure_ascii=False)
        # No valid callback left: the next reply waits for the resident's next message, and comes once.
        second = console.act(f"/staff/conversations/{conversation_id}/reply",
                             {"text": "Hẹn gặp lúc 10 giờ", "mode": "direct"}).json()
        assert second["state"] == "pending"
        text, _ = stack.say("?", user)
        assert "Hẹn gặp lúc 10 giờ" in text and "Vui lòng mang hộ chiếu" not in text
        text, _ = stack.say("cảm ơn", user)
        assert "Hẹn gặp lúc 10 giờ" not in text
        statuses = stack.rows("SELECT status FROM messages WHERE sender = 'staff' AND conversation_id = ?",
                              conversation_id)
        assert statuses == [("sent",), ("sent",)]
        assert console.act(f"/staff/conversations/{conversation_id}/resolve").json() == {"ok": True}
        text, _ = stack.say("?", user)
        assert t("handoff_resolved", "vi") in text  # told once, with the next message
        text, _ = stack.say("số điện thoại 1345 là gì", user)
        assert "1345" in text and t("handoff_resolved", "vi") not in text
    finally:
        console.close()


def test_delete_my_data_leaves_nothing_in_any_store_rasa_s_included(stack: Stack) -> None:
    import sqlite3

    user = "e2e-forget"
    assert "1345" in stack.say("где продлить визу?", user)[0]
    (resident,) = stack.rows("SELECT id FROM residents WHERE channel_user_key = ?", user)[0]
    tracker = stack.db_path.parent / "tracker.db"

    def events() -> int:
        with sqlite3.connect(tracker) as conn:
            return int(conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", (f"r{resident}",)).fetchone()[0])

    assert events() > 0
    asked, buttons = stack.say("удалите мои данные", user)
    assert asked == t("forget_ask", "ru", days="180") and t("button_forget_yes", "ru") in buttons
    done, _ = stack.say(t("button_forget_yes", "ru"), user)
    assert done == t("forget_done", "ru")
    assert events() == 0
    assert stack.rows("SELECT count(*) FROM messages WHERE resident_id = ?", resident) == [(0,)]
    assert stack.rows("SELECT count(*) FROM residents WHERE channel_user_key = ?", user) == [(0,)]


PLANTED = ["мой номер 900101 - 5123457", "ID 900101—5123458 и 900101_5123459",
           "позвоните (010)4321-8767 или 010/4321/8766", "или 010 - 4321 - 8765", "номер 010-4321-\n8764",
           "٠١٠-٤٣٢١-٨٧٦٢ и 𝟎𝟏𝟎-𝟒𝟑𝟐𝟏-𝟖𝟕𝟔𝟏, ０１０－４３２１－８７６０",
           "почта ivan.petrov@mail.ru карта 1234—5678—9012—3456"]
LEAKS = re.compile(r"51234[5-9]\d|4321\D{0,6}87[56]\d|ivan\.petrov|9012\D{0,3}3456|٤٣٢١|𝟒𝟑𝟐𝟏|４３２１")


def test_planted_personal_data_is_found_nowhere_it_could_leave_from(stack: Stack) -> None:
    """Registration, phone, card numbers and an e-mail, in the forms that slipped through before, in a
    conversation handed to staff: none of them in the database, Rasa's tracker store, the logs, the staff
    console, the admins' inbox or the resident's export."""
    import sqlite3

    assert all(LEAKS.search(text) for text in PLANTED)  # the search finds every planted number as written
    user = "planted-pii"
    for text in PLANTED:
        stack.say(text, user)
    stack.say("позовите человека, пожалуйста", user)
    ((resident, conversation),) = stack.rows(
        "SELECT r.id, c.id FROM residents r JOIN conversations c ON c.resident_id = r.id WHERE r.channel_user_key = ?",
        user)
    places: dict[str, str] = {
        "messages": "\n".join(row[0] for row in stack.rows("SELECT text FROM messages WHERE resident_id = ?",
                                                            resident)),
        "inbox": "\n".join(row[0] for row in stack.rows("SELECT text FROM inbox_items")),
        "logs": "".join(p.read_text(errors="replace") for p in stack.assistant.log_dir.glob("*.log")),
    }
    with sqlite3.connect(stack.db_path.parent / "tracker.db") as conn:
        places["rasa tracker"] = "\n".join(row[0] or "" for row in conn.execute(
            "SELECT data FROM events WHERE sender_id = ?", (f"r{resident}",)))
    assert places["messages"].count("[PHONE]") >= 7 and "[ID-NUMBER]" in places["messages"]
    staff, admin = Console(stack.assistant.gateway_url), Console(stack.assistant.gateway_url)
    try:
        assert staff.sign_in("sasha").status_code == 303 and admin.sign_in("admin").status_code == 303
        places["console"] = staff.get(f"/staff/conversations/{conversation}").text + \
            staff.get(f"/staff/conversations/{conversation}/messages").text
        places["admin inbox"] = admin.get("/admin/inbox").text
        exported = admin.client.get(f"/admin/privacy/{resident}/export")
        assert exported.status_code == 200
        places["export"] = exported.text
    finally:
        staff.close()
        admin.close()
    leaks = {place: LEAKS.findall(text) for place, text in places.items() if LEAKS.search(text)}
    assert leaks == {}, leaks
