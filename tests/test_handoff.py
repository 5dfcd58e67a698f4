"""Hand-off to staff over real connections: the gateway in uvicorn, SQLite (and PostgreSQL),
a local Telegram Bot API server, Kakao-shaped skill requests with a local callback
server, a local LibreTranslate stand-in, and the console over HTTP.

Rasa is a local server speaking its REST channel (the real Rasa is in test_e2e.py and
the browser test); it records every message it is asked, so a test can see that a
conversation held by staff never reaches the bot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from hamkke.config import Settings, get_settings
from hamkke.db.models import Conversation, Message, MessageTranslation
from hamkke.db.setup import migrate, seed
from hamkke.i18n import t
from hamkke.office_hours import default_centre
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, answer_texts, kakao_request
from tests.libretranslate import LibreTranslate as LibreTranslateServer
from tests.telegram_api import TOKEN, BotAPI, message_update

MONDAY_MORNING = "2026-12-07T10:00:00+09:00"
SATURDAY_NIGHT = "2026-12-05T23:00:00+09:00"


class FakeRasa:
    """Rasa's REST channel: "person" signals a hand-off, "slow" takes 4 s, anything else greets."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.events: list[Any] = []
        self.parsed: list[str] = []

    def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path.startswith("/conversations/"):
            self.events.append((path, body))
            return 200, {}
        if path.startswith("/model/parse") and isinstance(body, dict):
            # The classifier alone: sure of a new job, unsure of "maybe visa", small talk otherwise.
            text = str(body.get("text"))
            self.parsed.append(text)
            name, confidence = ("faq_job_search", 0.93) if "new job" in text else \
                ("faq_visa_extension", 0.41) if "maybe visa" in text else ("greet", 0.99)
            return 200, {"text": text, "intent": {"name": name, "confidence": confidence}}
        if not path.startswith("/webhooks/rest/webhook") or not isinstance(body, dict):
            return 200, {}
        message = str(body.get("message"))
        self.asked.append(message)
        if message in ("/request_human", "request_human", "person please", "человека пожалуйста",
                       "cho tôi gặp nhân viên"):
            return 200, [{"custom": {"key": "handoff_recorded", "handoff": {
                "reason": "requested", "topic": "faq_visa_extension",
                "summary": {"language": "ru", "topic": "faq_visa_extension"}}}}]
        if message == "slow":
            time.sleep(4.0)
        if message == "break":
            return 500, {"error": "broken"}
        return 200, [{"custom": {"key": "greet"}}]


@dataclasses.dataclass
class Desk:
    """A running gateway and everything around it."""

    gateway: Gateway
    settings: Settings
    rasa: FakeRasa
    telegram: BotAPI
    callbacks: LocalServer
    translate: LibreTranslateServer
    opened: list[Console] = dataclasses.field(default_factory=list)

    def console(self, name: str) -> Console:
        console = Console(self.gateway.url)
        self.opened.append(console)
        assert console.sign_in(name).status_code == 303
        return console

    def kakao(self, text: str, user: str, callback: bool = False) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        body = kakao_request(text, user)
        if callback:
            body["userRequest"]["callbackUrl"] = f"{self.callbacks.url}/callback/{user}/{time.monotonic_ns()}"
        body.update(extra)
        response = httpx.post(f"{self.gateway.url}/kakao/skill", json=body, timeout=15)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def rows(self, statement: Any) -> list[Any]:
        return query(self.settings.database_url, statement)

    def held_by_kim(self, user: str, asking: str = "person please") -> tuple[int, Console]:
        """A Kakao resident asks for a person and kim assigns the conversation: its id and kim's console."""
        self.kakao(asking, user)
        conversation_id = self.conversation_of(user)
        kim = self.console("kim")
        assert kim.act(f"/staff/conversations/{conversation_id}/assign").json() == {"ok": True}
        return conversation_id, kim

    def conversation_of(self, user_key: str) -> int:
        from hamkke.db.models import Resident
        ((conversation_id,),) = self.rows(select(Conversation.id).join(
            Resident, Resident.id == Conversation.resident_id).where(Resident.channel_user_key == user_key)
            .order_by(Conversation.id.desc()).limit(1))
        return int(conversation_id)


def texts_of(answer: dict[str, Any]) -> list[str]:
    if answer.get("useCallback"):
        return [answer["data"]["text"]]
    return answer_texts(answer["template"]["outputs"])


def _desk(settings: Settings, monkeypatch: pytest.MonkeyPatch, moment: str) -> Iterator[Desk]:
    monkeypatch.setenv("HAMKKE_FROZEN_NOW", moment)
    get_settings.cache_clear()
    rasa = FakeRasa()
    with LocalServer(rasa) as rasa_server, BotAPI() as telegram, \
            LocalServer(lambda method, path, body: (200, {"taken": True})) as callbacks, \
            LibreTranslateServer() as translate:
        configured = dataclasses.replace(
            settings, rasa_url=rasa_server.url, actions_url=rasa_server.url, telegram_bot_token=_secret(TOKEN),
            telegram_api_base_url=telegram.url, kakao_callback_hosts=("127.0.0.1",),
            translation_provider="libre", translation_url=translate.url, translation_timeout_s=2.0,
            kakao_reply_budget_s=1.0)
        make_user(configured.database_url, "kim", "staff")
        make_user(configured.database_url, "lee", "staff", ui_language="en")
        with Gateway(create_app(configured)) as gateway:
            running = Desk(gateway, configured, rasa, telegram, callbacks, translate)
            yield running
            for console in running.opened:
                console.close()
    get_settings.cache_clear()


def _secret(value: str) -> Any:
    from hamkke.config import Secret
    return Secret(value)


@pytest.fixture
def desk(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    yield from _desk(settings, monkeypatch, MONDAY_MORNING)


@pytest.fixture
def closed_desk(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    yield from _desk(settings, monkeypatch, SATURDAY_NIGHT)


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_telegram_hand_off_reply_and_resolve(desk: Desk) -> None:
    chat = 7001
    desk.telegram.push(message_update(1, chat, "ru", text="Здравствуйте"))
    desk.telegram.wait_sent(1, chat_id=chat)
    desk.telegram.push(message_update(2, chat, "ru", text="человека пожалуйста"))
    notice = desk.telegram.wait_sent(2, chat_id=chat)[-1]["text"]
    centre = default_centre()
    assert notice == t("handoff_waiting_open", "ru", centre=centre.display_name("ru"), position=1, minutes=10, n=10)
    conversation_id = desk.conversation_of(str(chat))
    kim = desk.console("kim")
    queue = kim.get("/staff/queue").text
    assert f"/staff/conversations/{conversation_id}" in str(queue) and "러시아어" in queue
    assert str(chat) not in queue  # never a platform user id
    assert kim.act(f"/staff/conversations/{conversation_id}/assign").json() == {"ok": True}

    # The resident writes while the conversation is held: stored, shown, never sent to Rasa.
    asked_before = len(desk.rasa.asked)
    desk.telegram.push(message_update(3, chat, "ru", text="Мне нужно продлить визу F-4, виза истекает"))
    wait_for(lambda: desk.rows(select(Message.status).where(Message.text.like("Мне нужно%"))) == [("for_staff",)])
    time.sleep(0.5)
    assert len(desk.rasa.asked) == asked_before
    assert len(desk.telegram.sent) == 2  # no bot answer
    page = kim.get(f"/staff/conversations/{conversation_id}/messages").text
    assert "Мне нужно продлить визу F-4" in page
    assert "비자" in page and "F-4" in page  # the stand-in's Korean translation beside the original

    korean = "외국인등록증을 가지고 출입국에서 비자 신청하세요. 1345에 전화하세요"
    drafted = kim.act(f"/staff/conversations/{conversation_id}/translate", {"text": korean})
    body = drafted.json()
    assert body["ok"] and body["target"] == "ru"
    assert "подайте заявление" in body["text"] and "(외국인등록증)" in body["text"] and "1345" in body["text"]
    sent = kim.act(f"/staff/conversations/{conversation_id}/reply",
                   {"text": body["text"], "source": korean, "mode": "translated"}).json()
    assert sent["state"] == "sent"
    delivered = desk.telegram.wait_sent(3, chat_id=chat)[-1]["text"]
    assert delivered == f"{t('staff_reply_label', 'ru')}\n{body['text']}"
    ((text, source, status),) = desk.rows(select(Message.text, Message.source_text, Message.status).where(
        Message.id == sent["id"]))
    assert (text, source, status) == (body["text"], korean, "sent")

    assert kim.act(f"/staff/conversations/{conversation_id}/resolve").json() == {"ok": True}
    assert desk.telegram.wait_sent(4, chat_id=chat)[-1]["text"] == t("handoff_resolved", "ru")
    assert any("/tracker/events" in path for path, _ in desk.rasa.events)  # no form resumes by surprise
    desk.telegram.push(message_update(4, chat, "ru", text="Здравствуйте"))
    assert desk.telegram.wait_sent(5, chat_id=chat)[-1]["text"] == t("greet", "ru")


def test_every_message_while_held_is_stored_once_and_never_answered(desk: Desk) -> None:
    chat = 7002
    desk.telegram.push(message_update(10, chat, "vi", text="/staff"))
    desk.telegram.wait_sent(1, chat_id=chat)
    conversation_id = desk.conversation_of(str(chat))
    for n in range(20):
        desk.telegram.push(message_update(11 + n, chat, "vi", text=f"tin nhắn số {n}"))
    desk.telegram.push(message_update(15, chat, "vi", text="tin nhắn số 4"), again=True)  # a re-delivery
    wait_for(lambda: len(desk.rows(select(Message.id).where(Message.status == "for_staff"))) == 20)
    time.sleep(0.5)
    rows = desk.rows(select(Message.text, Message.conversation_id).where(Message.status == "for_staff")
                     .order_by(Message.id))
    assert [text for text, _ in rows] == [f"tin nhắn số {n}" for n in range(20)]
    assert {c for _, c in rows} == {conversation_id}
    assert len(desk.telegram.sent) == 1 and "tin nhắn" not in " ".join(desk.rasa.asked)


def test_outside_office_hours_the_resident_learns_when_and_the_urgent_numbers(closed_desk: Desk) -> None:
    answer = closed_desk.kakao("person please", "kakao-closed")
    text = "\n".join(texts_of(answer))
    for number in ("112", "119", "1577-1366"):
        assert number in text
    assert t("handoff_kakao_collect", "en") in text
    ((status,),) = closed_desk.rows(select(Conversation.status))
    assert status == "waiting"  # kept in the queue with its age


def test_how_long_and_cancel_in_the_residents_language(desk: Desk) -> None:
    desk.kakao("человека пожалуйста", "kakao-ru")
    status = texts_of(desk.kakao("сколько ждать?", "kakao-ru"))
    assert status and "1" in status[0]
    cancelled = texts_of(desk.kakao("отмена", "kakao-ru"))
    assert cancelled[0] == t("handoff_cancelled", "ru")
    ((state,),) = desk.rows(select(Conversation.status))
    assert state == "cancelled"
    assert texts_of(desk.kakao("Привет", "kakao-ru"))[0] == t("greet", "ru")


def test_kakao_staff_reply_through_a_valid_callback_exactly_once(desk: Desk) -> None:
    user = "kakao-cb"
    conversation_id, kim = desk.held_by_kim(user, "человека пожалуйста")
    receipt = desk.kakao("Помогите с визой", user, callback=True)
    assert receipt["useCallback"] is True and receipt["data"]["text"] == t("handoff_relayed", "ru")
    reply = kim.act(f"/staff/conversations/{conversation_id}/reply", {"text": "Приходите завтра", "mode": "direct"})
    assert reply.json()["state"] == "sent"
    posted = [body for method, path, body in desk.callbacks.requests if path.startswith(f"/callback/{user}/")]
    assert len(posted) == 1 and "Приходите завтра" in posted[0]["template"]["outputs"][0]["simpleText"]["text"]
    # The next message does not bring it again.
    later = texts_of(desk.kakao("спасибо", user))
    assert all("Приходите завтра" not in text for text in later)


def test_kakao_staff_reply_without_a_callback_waits_for_the_next_message_once(desk: Desk) -> None:
    user = "kakao-next"
    conversation_id, kim = desk.held_by_kim(user)
    state = kim.act(f"/staff/conversations/{conversation_id}/reply", {"text": "Come tomorrow at 10", "mode": "direct"})
    assert state.json()["state"] == "pending"
    page = kim.get(f"/staff/conversations/{conversation_id}/messages").text
    assert "waiting for the resident" in page or "주민의 다음 메시지를 기다림" in page
    first = texts_of(desk.kakao("ok?", user))
    assert any("Come tomorrow at 10" in text for text in first)
    wait_for(lambda: desk.rows(select(Message.status).where(Message.text == "Come tomorrow at 10")) == [("sent",)])
    second = texts_of(desk.kakao("thanks", user))
    assert all("Come tomorrow at 10" not in text for text in second)


def test_a_pending_answer_is_shown_even_when_the_next_turn_runs_out_of_time(desk: Desk) -> None:
    user = "kakao-slow"
    conversation_id, kim = desk.held_by_kim(user)
    kim.act(f"/staff/conversations/{conversation_id}/reply", {"text": "Your answer is here", "mode": "direct"})
    kim.act(f"/staff/conversations/{conversation_id}/resolve")
    slow = texts_of(desk.kakao("slow", user))  # Rasa takes 4 s: longer than the reply budget
    joined = "\n".join(slow)
    assert "Your answer is here" in joined and t("still_working", "en") in joined


def test_translation_failure_is_said_plainly_and_nothing_untranslated_goes_unnoticed(desk: Desk) -> None:
    user = "kakao-mt"
    conversation_id, kim = desk.held_by_kim(user, "человека пожалуйста")
    desk.translate.mode = "error"
    desk.kakao("Где мой паспорт", user)
    page = kim.get(f"/staff/conversations/{conversation_id}/messages").text
    assert "Где мой паспорт" in page and "번역 실패" in page
    drafted = kim.act(f"/staff/conversations/{conversation_id}/translate", {"text": "비자 신청하세요"}).json()
    assert drafted["ok"] is False and drafted["text"] is None and "번역 실패" in drafted["error"]
    desk.translate.mode = "hang"
    started = time.monotonic()
    hung = kim.act(f"/staff/conversations/{conversation_id}/translate", {"text": "비자 신청하세요"}).json()
    assert hung["ok"] is False and "timeout" in hung["error"]
    assert time.monotonic() - started < desk.settings.translation_timeout_s + 3
    desk.translate.mode = "normal"
    # Translated once per target language, and kept.
    kim.get(f"/staff/conversations/{conversation_id}/messages")
    kim.get(f"/staff/conversations/{conversation_id}/messages")
    rows = desk.rows(select(MessageTranslation.message_id, MessageTranslation.target))
    assert len(rows) == len(set(rows))


def test_canned_replies_are_sent_in_the_residents_language_without_translation(desk: Desk) -> None:
    user = "kakao-canned"
    desk.kakao("xin chào", user)
    desk.kakao("cho tôi gặp nhân viên", user)
    conversation_id = desk.conversation_of(user)
    kim = desk.console("kim")
    page = kim.get(f"/staff/conversations/{conversation_id}").text
    assert "Chúng tôi đang kiểm tra" not in page  # only once assigned does the reply box appear
    kim.act(f"/staff/conversations/{conversation_id}/assign")
    page = kim.get(f"/staff/conversations/{conversation_id}").text
    assert "Chúng tôi đang kiểm tra" in page  # the Vietnamese text of the "checking" canned reply
    requests_before = len(desk.translate.requests)
    from hamkke.content import load_canned_replies
    checking = next(r for r in load_canned_replies() if r["slug"] == "checking")
    kim.act(f"/staff/conversations/{conversation_id}/reply",
            {"text": checking["texts"]["vi"], "source": checking["texts"]["ko"], "mode": "canned"})
    assert len(desk.translate.requests) == requests_before
    answer = texts_of(desk.kakao("?", user))
    assert any(checking["texts"]["vi"] in text for text in answer)


def test_notes_and_the_audit_log(desk: Desk) -> None:
    user = "kakao-notes"
    conversation_id, kim = desk.held_by_kim(user)
    assert kim.act(f"/staff/conversations/{conversation_id}/notes", {"text": "call back 010-1234-5678"}).json()["ok"]
    page = kim.get(f"/staff/conversations/{conversation_id}").text
    assert "call back [PHONE]" in page and "1234-5678" not in page
    answer = texts_of(desk.kakao("anything new?", user))
    assert all("call back" not in text for text in answer)
    for action in ("opened", "assigned", "noted"):
        assert action in page


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_simultaneous_assigns_exactly_one_wins(backend: str, settings: Settings, request: pytest.FixtureRequest,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    database_url = settings.database_url
    if backend == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
        migrate(database_url)
        asyncio.run(seed(database_url))
    monkeypatch.setenv("HAMKKE_FROZEN_NOW", MONDAY_MORNING)
    get_settings.cache_clear()
    make_user(database_url, "racer1", "staff")
    make_user(database_url, "racer2", "staff")
    with LocalServer(FakeRasa()) as rasa:
        configured = dataclasses.replace(settings, database_url=database_url, rasa_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            one, two = Console(gateway.url), Console(gateway.url)
            one.sign_in("racer1")
            two.sign_in("racer2")
            for round_ in range(5):
                httpx.post(f"{gateway.url}/kakao/skill", json=kakao_request("person please", f"race-{round_}"))
                ((conversation_id,),) = query(database_url, select(Conversation.id).where(
                    Conversation.status == "waiting"))
                codes: list[int] = []
                barrier = threading.Barrier(2)

                def press(console: Console, cid: int = conversation_id, out: list[int] = codes,
                          together: threading.Barrier = barrier) -> None:
                    together.wait()
                    out.append(console.act(f"/staff/conversations/{cid}/assign").status_code)

                threads = [threading.Thread(target=press, args=(c,)) for c in (one, two)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert sorted(codes) == [200, 409]
            one.close()
            two.close()
    holders = query(database_url, select(Conversation.assignee_id).where(Conversation.status == "held"))
    assert len(holders) == 5 and all(h is not None for (h,) in holders)
    get_settings.cache_clear()


def test_a_message_the_bot_could_not_answer_is_visible_to_staff_who_can_take_it_up(desk: Desk) -> None:
    from hamkke.db.models import Resident

    answer = texts_of(desk.kakao("break", "kakao-broken"))
    assert answer[0] == t("busy", "en")
    ((resident_id,),) = desk.rows(select(Resident.id).where(Resident.channel_user_key == "kakao-broken"))
    kim = desk.console("kim")
    queue = kim.get("/staff/queue").text
    assert f'data-resident="{resident_id}"' in queue and "rasa: HTTP 500" in queue
    taken = kim.act(f"/staff/residents/{resident_id}/take").json()
    assert taken["ok"] and taken["then"] == f"/staff/conversations/{taken['conversation']}"
    assert f'data-resident="{resident_id}"' not in kim.get("/staff/queue").text
    assert kim.act(f"/staff/conversations/{taken['conversation']}/reply",
                   {"text": "Sorry, I am here now", "mode": "direct"}).json()["state"] == "pending"
    assert any("Sorry, I am here now" in text for text in texts_of(desk.kakao("hello?", "kakao-broken")))


def test_staff_add_and_edit_canned_replies_in_all_four_languages(desk: Desk) -> None:
    from hamkke.db.models import AuditEntry, CannedReply

    kim = desk.console("kim")
    texts = {"text_ko": "내일 다시 연락드리겠습니다.", "text_en": "We will write again tomorrow.",
             "text_ru": "Мы напишем вам завтра.", "text_vi": "Chúng tôi sẽ nhắn lại vào ngày mai."}
    missing = kim.client.post("/staff/canned", data={"csrf": kim.csrf, "slug": "tomorrow", **texts, "text_vi": ""})
    assert missing.status_code == 400
    saved = kim.client.post("/staff/canned", data={"csrf": kim.csrf, "slug": "tomorrow", "title_ko": "내일 연락",
                                                   "title_en": "Tomorrow", **texts})
    assert saved.status_code == 303
    edited = kim.client.post("/staff/canned", data={"csrf": kim.csrf, "slug": "tomorrow", "title_ko": "내일 연락",
                                                    "title_en": "Tomorrow", **texts,
                                                    "text_ru": "Мы напишем вам завтра утром."})
    assert edited.status_code == 303
    ((row,),) = desk.rows(select(CannedReply).where(CannedReply.slug == "tomorrow"))
    assert row.texts["ru"] == "Мы напишем вам завтра утром." and row.texts["vi"] == texts["text_vi"]
    assert "Мы напишем вам завтра утром." in kim.get("/staff/canned").text
    assert len(desk.rows(select(AuditEntry.id).where(AuditEntry.action == "canned_saved"))) == 2


def test_an_explicit_cancel_also_ends_a_held_conversation_but_a_question_does_not(desk: Desk) -> None:
    user = "kakao-held-cancel"
    conversation_id, _kim = desk.held_by_kim(user)
    assert texts_of(desk.kakao("됐어요", user)) == [t("handoff_relayed", "en")]  # may mean "that worked"
    assert texts_of(desk.kakao("비자 취소되면 어떻게 해요?", user))[0] == t("handoff_relayed", "ko")
    assert texts_of(desk.kakao("아 그냥 됐어요 취소해주세요", user))[0] == t("handoff_cancelled", "ko")
    ((state,),) = desk.rows(select(Conversation.status).where(Conversation.id == conversation_id))
    assert state == "cancelled"


def test_a_place_s_phone_asked_while_waiting_is_answered_and_kept_for_staff(desk: Desk) -> None:
    """"Meanwhile what is GIC's phone number?" while nobody has taken the request: the bot answers it
    from the place's record, says the request still waits, and staff still see the message. Anything
    else waits for staff, and once a staff member holds the conversation everything does."""
    user = "kakao-waiting-fact"
    desk.kakao("person please", user)
    conversation_id = desk.conversation_of(user)
    asked_before = len(desk.rasa.asked)
    answer = texts_of(desk.kakao("meanwhile what is GIC phone number", user))
    assert "062-226-2732" in answer[0] and answer[-1] == t("handoff_still_waiting", "en"), answer
    assert len(desk.rasa.asked) == asked_before  # from the record, not the classifier
    assert texts_of(desk.kakao("my boss did not pay me for two months", user)) == [t("handoff_relayed", "en")]
    statuses = desk.rows(select(Message.status).where(Message.conversation_id == conversation_id,
                                                      Message.direction == "in").order_by(Message.id))
    assert [s for (s,) in statuses][-2:] == ["for_staff", "for_staff"]
    ((state,),) = desk.rows(select(Conversation.status).where(Conversation.id == conversation_id))
    assert state == "waiting"
    kim = desk.console("kim")
    assert kim.act(f"/staff/conversations/{conversation_id}/assign").json() == {"ok": True}
    assert texts_of(desk.kakao("what is GIC phone number", user)) == [t("handoff_relayed", "en")]


def test_a_clear_question_asked_while_waiting_gets_its_topic_and_stays_for_staff(desk: Desk) -> None:
    """"Also where do I find a new job?" while the request waits: the classifier alone (no dialogue step)
    is asked; when it is sure, the topic's answer comes at once with the line that the request still
    waits; unsure, or once staff hold the conversation, the message only waits for staff."""
    user = "kakao-waiting-topic"
    desk.kakao("person please", user)
    conversation_id = desk.conversation_of(user)
    asked_before = len(desk.rasa.asked)
    answer = texts_of(desk.kakao("also where do i find a new job, call me 010-1234-5678", user))
    assert answer[0] == t("faq_job_search", "en") and answer[-1] == t("handoff_still_waiting", "en"), answer
    assert len(desk.rasa.asked) == asked_before  # the conversation's dialogue was not touched
    assert "010-1234-5678" not in desk.rasa.parsed[-1]  # masked before it left the gateway
    assert texts_of(desk.kakao("something about my maybe visa", user)) == [t("handoff_relayed", "en")]
    statuses = desk.rows(select(Message.status).where(Message.conversation_id == conversation_id,
                                                      Message.direction == "in").order_by(Message.id))
    assert [s for (s,) in statuses][-2:] == ["for_staff", "for_staff"]
    kim = desk.console("kim")
    assert kim.act(f"/staff/conversations/{conversation_id}/assign").json() == {"ok": True}
    assert texts_of(desk.kakao("and where do i find a new job", user)) == [t("handoff_relayed", "en")]
