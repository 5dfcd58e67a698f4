"""The misunderstood inbox and "did not help", through the real gateway.

The gateway (create_app) runs in uvicorn on a free port in this process, on a
fresh SQLite database; Rasa is a local server speaking its REST channel,
answering each test message with the kind of answer the test needs (a
fallback with the classifier's guesses, "did you mean…?", an FAQ answer, a
hand-off). Residents talk through ``POST /kakao/skill``; admins and staff
through the console, signed in as in test_console_security.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy import insert, select

from bot.app import create_app
from hamkke import inbox
from hamkke.config import PROJECT_ROOT, Secret, Settings
from hamkke.db.models import AuditEntry, FaqEntry, FaqExample, Feedback, InboxItem, Message, Resident, utcnow
from hamkke.urgent import detect_urgent
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, answer_texts, kakao_request
from tests.telegram_api import TOKEN, BotAPI, callback_update, message_update

SCHEMA = json.loads((PROJECT_ROOT / "tests" / "data" / "kakao_skill_response.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

HUMAN = {"key": "button_human", "payload": "/request_human"}
HELP = {"key": "button_help", "payload": "/help"}
SUGGESTED = [{"intent": "faq_visa_extension", "score": 0.41}, {"intent": "faq_visa_change", "score": 0.22}]
GUESSES = [{"intent": "faq_garbage", "score": 0.31}, {"intent": "greet", "score": 0.12}]
URGENT = "my husband chest pain cant breathe help"


def fake_rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    """Rasa's REST channel: the answer each test message calls for (catalog keys, as the actions send)."""
    if not path.startswith("/webhooks/rest/webhook"):
        return 200, {}
    message = str(body.get("message", "")) if isinstance(body, dict) else ""

    def say(*customs: dict[str, Any]) -> tuple[int, Any]:
        return 200, [{"recipient_id": body.get("sender"), "custom": custom} for custom in customs]

    if message == "/request_human" or "person" in message or "chest pain" in message:
        return say({"key": "handoff_recorded", "handoff": {"reason": "requested", "topic": "faq_unpaid_wages"}})
    if message.startswith("/faq_visa_extension") or "visa" in message.casefold() or "визу" in message:
        return say({"key": "faq_visa_extension"})
    if "many buttons" in message:  # an FAQ answer with nine buttons: with the language switch, no room left
        return say({"key": "faq_garbage", "buttons": [
            {"key": f"button_household_{n}", "payload": f"/household{{\"n\":{n}}}"} for n in range(1, 7)]
            + [{"key": "button_household_7_plus", "payload": "/household7"}, HUMAN, HELP]})
    if "garbage" in message or "쓰레기" in message:
        return say({"key": "faq_garbage"})
    if "extend" in message or "продлить" in message:  # unsure: "did you mean…?"
        return say({"key": "fallback_suggest", "guesses": SUGGESTED, "buttons": [
            {"key": "topic_faq_visa_extension", "payload": "/faq_visa_extension"},
            {"key": "topic_faq_visa_change", "payload": "/faq_visa_change"}, HUMAN]})
    if message in ("hello", "thanks"):
        return say({"key": "greet"})
    return say({"key": "fallback", "guesses": GUESSES, "buttons": [HELP, HUMAN]})


@dataclasses.dataclass
class Site:
    gateway: Gateway
    rasa: LocalServer
    settings: Settings
    opened: list[Console] = dataclasses.field(default_factory=list)

    def ask(self, text: str, user: str = "resident-1") -> dict[str, Any]:
        response = httpx.post(f"{self.gateway.url}/kakao/skill", json=kakao_request(text, user), timeout=10)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        VALIDATOR.validate(answer)
        return answer

    def console(self, name: str) -> Console:
        console = Console(self.gateway.url)
        self.opened.append(console)
        assert console.sign_in(name).status_code == 303
        return console

    def rows(self, statement: Any) -> list[Any]:
        return query(self.settings.database_url, statement)

    def items(self) -> list[InboxItem]:
        return [row[0] for row in self.rows(select(InboxItem).order_by(InboxItem.id))]


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(fake_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin")
            running = Site(gateway, rasa, configured)
            yield running
            for console in running.opened:
                console.close()


def labels(answer: dict[str, Any]) -> list[str]:
    return [q["label"] for q in answer["template"].get("quickReplies", [])]


def texts(answer: dict[str, Any]) -> str:
    return "\n".join(answer_texts(answer["template"]["outputs"]))


# -- recording ------------------------------------------------------------------------------------


def test_a_fallback_a_suggestion_and_a_hand_off_each_make_one_item(site: Site) -> None:
    site.ask("how do I recycle a fridge in buk-gu", "r-fallback")
    site.ask("I want to extend my stay", "r-suggest")
    site.ask("my boss did not pay me, I need a person", "r-handoff")
    items = {item.text: item for item in site.items()}
    assert len(items) == 3
    fallback = items["how do I recycle a fridge in buk-gu"]
    assert (fallback.reason, fallback.language, fallback.status) == ("fallback", "en", "new")
    assert fallback.guesses == GUESSES  # the classifier's best guesses, with their scores
    suggested = items["I want to extend my stay"]
    assert suggested.reason == "suggested" and suggested.guesses == SUGGESTED
    handed = items["my boss did not pay me, I need a person"]
    assert handed.reason == "handed_off" and handed.topic == "faq_unpaid_wages"
    # The item is for the resident's own (stored) message.
    (message_text,) = site.rows(select(Message.text).where(Message.id == handed.message_id))[0]
    assert message_text == handed.text


def test_answers_that_understood_and_urgent_answers_are_not_recorded(site: Site) -> None:
    site.ask("hello", "r-ok")
    site.ask("where do I put garbage", "r-ok")
    assert detect_urgent(URGENT) is not None  # Rasa hands it off: only the urgency keeps it out
    answer = site.ask(URGENT, "r-urgent")
    assert "119" in texts(answer)
    (status,) = site.rows(select(Message.status).where(Message.text == URGENT))[0]
    assert status == "handed_off"
    assert site.items() == []


def test_a_masked_message_is_recorded_masked(site: Site) -> None:
    site.ask("010-1234-5678 call me about the fridge", "r-mask")
    (item,) = site.items()
    assert "1234" not in item.text and "[PHONE]" in item.text


def test_a_hand_off_by_button_records_the_question_before_it_and_relayed_messages_are_not_recorded(
        site: Site) -> None:
    site.ask("where do I put garbage", "r-press")  # understood: no item
    site.ask("and the big stuff, sofas and beds", "r-press")  # fallback: an item
    answer = site.ask("Talk to staff", "r-press")  # the button: a hand-off
    assert "1345" in texts(answer) or "staff" in texts(answer).lower()
    (item,) = site.items()  # the question already in the inbox keeps its item; the label makes none
    assert (item.text, item.reason) == ("and the big stuff, sofas and beds", "fallback")
    def turns() -> int:  # messages sent into Rasa's conversation (the classifier alone may be asked)
        return sum(1 for _method, path, _body in site.rasa.requests if path.startswith("/webhooks/rest/webhook"))

    before = turns()
    site.ask("hello? something else I do not understand", "r-press")  # it waits for staff now: relayed
    assert turns() == before and len(site.items()) == 1

    site.ask("where do I put garbage", "r-press-2")
    site.ask("Talk to staff", "r-press-2")  # the answer did not settle it: the question is recorded
    (_first, second) = site.items()
    assert (second.text, second.reason) == ("where do I put garbage", "handed_off")


# -- "did not help" -------------------------------------------------------------------------------


def test_did_not_help_is_offered_after_an_faq_answer_within_kakaos_limit_and_sparingly(site: Site) -> None:
    first = site.ask("where do I put garbage", "r-offer")
    assert labels(first)[-1] == "Didn't help" and len(labels(first)) <= 10
    assert all(len(label) <= 14 for label in labels(first))
    assert "Didn't help" not in labels(site.ask("hello", "r-offer"))  # not under other answers
    for _turn in range(3):  # another FAQ answer soon after: not offered again yet
        assert "Didn't help" not in labels(site.ask("where do I put garbage", "r-offer"))
    assert "Didn't help" in labels(site.ask("where do I put garbage", "r-offer"))  # five messages on
    # An FAQ answer whose buttons fill Kakao's ten quick replies: no room, not offered.
    full = site.ask("many buttons please", "r-full")
    assert len(labels(full)) == 10 and "Didn't help" not in labels(full)
    (offered,) = site.rows(select(Resident.offered_buttons).where(Resident.channel_user_key == "r-full"))[0]
    assert len(offered) == 10 and not any(b["payload"].startswith("/not_helpful") for b in offered)


def test_pressing_did_not_help_stores_feedback_once_and_an_item_and_offers_a_person(site: Site) -> None:
    offered = site.ask("Где продлить визу?", "r-press-ru")
    assert "Не помогло" in labels(offered)
    thanks = site.ask("Не помогло", "r-press-ru")
    assert "Спасибо" in texts(thanks) and "Живой человек" in labels(thanks)
    assert "Не помогло" not in labels(thanks)
    again = site.ask("Не помогло", "r-press-ru")  # pressed twice (its button already gone): one row
    assert "Спасибо" in texts(again)
    rows = site.rows(select(Feedback, Message).join(Message, Message.id == Feedback.message_id))
    assert len(rows) == 1
    feedback, answer = rows[0]
    assert feedback.kind == "not_helpful" and answer.direction == "out"
    assert answer.payload["keys"] == ["faq_visa_extension"]
    (item,) = [i for i in site.items() if i.reason == "not_helpful"]
    assert (item.text, item.topic, item.language) == ("Где продлить визу?", "faq_visa_extension", "ru")
    # "Yes" to "would you like to talk to a person?": a hand-off.
    site.ask("да", "r-press-ru")
    assert site.rasa.requests[-1][2]["message"] == "/request_human"


def test_the_button_names_the_stored_answer_and_typed_payloads_do_nothing(site: Site) -> None:
    site.ask("where do I put garbage", "r-payload")
    (answer_id, payload) = site.rows(select(Message.id, Message.payload).where(
        Message.direction == "out").order_by(Message.id.desc()).limit(1))[0]
    assert {"label": "Didn't help", "payload": f'/not_helpful{{"m": {answer_id}}}'} in payload["buttons"]
    # Somebody else typing the payload: no feedback (typed text never becomes a payload).
    site.ask(f'/not_helpful{{"m": {answer_id}}}', "r-intruder")
    assert site.rows(select(Feedback)) == []


def test_did_not_help_on_telegram_is_an_inline_button_pressed_like_any_other(settings: Settings) -> None:
    with BotAPI() as api, LocalServer(fake_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, telegram_bot_token=Secret(TOKEN),
                                         telegram_api_base_url=api.url, telegram_webhook_url="",
                                         telegram_webhook_secret=Secret(""))
        with Gateway(create_app(configured)):
            api.push(message_update(90, 77, lang="vi", text="gia hạn visa ở đâu"))
            (answer,) = api.wait_sent(1, chat_id=77)
            keyboard = [b for row in answer["reply_markup"]["inline_keyboard"] for b in row]
            assert [b["callback_data"] for b in keyboard] == ["Không hữu ích"]
            api.push(callback_update(91, 77, "Không hữu ích", answer, lang="vi"))
            api.push(callback_update(92, 77, "Không hữu ích", answer, lang="vi"))  # a double tap
            sent = api.wait_sent(3, chat_id=77)
    assert all(m["text"].startswith("Cảm ơn") for m in sent[1:])
    assert len(query(configured.database_url, select(Feedback))) == 1
    (item,) = [row[0] for row in query(configured.database_url, select(InboxItem))]
    assert (item.reason, item.language, item.text) == ("not_helpful", "vi", "gia hạn visa ở đâu")


# -- grouping ---------------------------------------------------------------------------------------


def _item(item_id: int, text: str, language: str) -> InboxItem:
    return InboxItem(id=item_id, message_id=item_id, text=text, language=language, reason="fallback",
                     status="new", created_at=utcnow())


@pytest.mark.parametrize(("language", "variants", "others"), [
    ("vi", ["gia hạn visa ở đâu?", "gia han visa o dau", "Gia hạn visa ở đâu vậy"],
     ["làm thẻ ngân hàng thế nào", "mất hộ chiếu phải làm gì"]),
    ("ru", ["где продлить визу?", "Где продлить визу", "gde prodlit vizu"],
     ["где открыть счет в банке", "сколько стоит врач"]),
    ("ko", ["비자 연장 어디서 해요?", "비자연장 어디서 하나요"], ["은행 계좌 어떻게 만들어요", "쓰레기 언제 버려요"]),
    ("en", ["Where can I extend my visa?", "where can i extend my visa", "how do I extend my visa"],
     ["where can I get a driving license", "my boss doesnt pay my salary"]),
])
def test_grouping_puts_typing_variants_together_and_different_questions_apart(
        language: str, variants: list[str], others: list[str]) -> None:
    # The other questions come first, so each meets the grouped variants when its turn comes.
    items = [_item(i, text, language) for i, text in enumerate(others + variants, start=1)]
    groups = inbox.group(items)
    assert sorted(i.text for i in groups[0].items) == sorted(variants)  # the largest first
    assert len(groups) == 1 + len(others)
    assert all(len(g.items) == 1 for g in groups[1:])


def test_similarity_is_symmetric_and_bounded() -> None:
    a, b = inbox.grams("gia hạn visa", "vi"), inbox.grams("gia han visa", "vi")
    assert inbox.similarity(a, b) == inbox.similarity(b, a) == 1.0
    assert inbox.similarity(a, inbox.grams("", "vi")) == 0.0


# -- the admins' page -------------------------------------------------------------------------------


def _seed_items(site: Site, rows: list[tuple[str, str, str]]) -> list[int]:
    """Residents' messages and their items, as the core stores them (text, language, reason)."""
    ids: list[int] = []
    for n, (text, language, reason) in enumerate(rows):
        resident = Resident(channel="kakao", channel_user_key=f"seed-{n}-{text[:5]}", language=language)
        query(site.settings.database_url, _insert(resident), commit=True)
        (resident_id,) = site.rows(select(Resident.id).where(Resident.channel_user_key == resident.channel_user_key))[0]
        query(site.settings.database_url, _insert(Message(resident_id=resident_id, direction="in", text=text,
                                                          language=language, status="answered")), commit=True)
        (message_id,) = site.rows(select(Message.id).where(Message.resident_id == resident_id))[0]
        query(site.settings.database_url, _insert(InboxItem(
            message_id=message_id, text=text, language=language, reason=reason, status="new",
            guesses=[{"intent": "faq_visa_extension", "score": 0.4}])), commit=True)
        (item_id,) = site.rows(select(InboxItem.id).where(InboxItem.message_id == message_id))[0]
        ids.append(item_id)
    return ids


def _insert(row: Any) -> Any:
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if getattr(row, c.key) is not None}
    return insert(type(row)).values(**values)


def test_admins_see_new_items_grouped_by_language_and_similarity(site: Site) -> None:
    site.ask("how do I recycle a fridge in buk-gu", "r-page")
    _seed_items(site, [("gia hạn visa ở đâu?", "vi", "fallback"), ("gia han visa o dau", "vi", "suggested"),
                       ("mất hộ chiếu phải làm gì", "vi", "fallback"), ("где продлить визу?", "ru", "not_helpful")])
    admin = site.console("park")
    page = admin.get("/admin/inbox")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers and 'style="' not in page.text and "<script>" not in page.text
    html = page.text
    # Languages in order, each a section; the two Vietnamese variants form one group of two.
    assert html.index('id="lang-en"') < html.index('id="lang-ru"') < html.index('id="lang-vi"')
    vi = html[html.index('id="lang-vi"'):]
    first_group = vi[:vi.index("</section>", vi.index('class="group'))]
    assert first_group.count('class="item') == 2 and "gia han visa o dau" in first_group
    assert "faq_garbage 31%" in html  # the bot's best guesses, with their scores
    assert 'value="faq_visa_extension" selected' in vi  # the first guess preselected


def test_assigning_a_group_makes_examples_in_each_items_language(site: Site) -> None:
    vi_ids = _seed_items(site, [("gia hạn visa ở đâu?", "vi", "fallback"), ("gia han visa o dau", "vi", "fallback")])
    (ru_id,) = _seed_items(site, [("где продлить визу?", "ru", "suggested")])
    admin = site.console("park")
    response = admin.client.post("/admin/inbox/assign", data={
        "csrf": admin.csrf, "items": ",".join(map(str, vi_ids)), "intent": "faq_visa_extension"})
    assert response.status_code == 303
    response = admin.client.post("/admin/inbox/assign", data={
        "csrf": admin.csrf, "items": str(ru_id), "intent": "faq_visa_extension"})
    assert response.status_code == 303
    examples = [row[0] for row in site.rows(select(FaqExample).order_by(FaqExample.id))]
    assert [(e.intent, e.language, e.text, e.origin) for e in examples] == [
        ("faq_visa_extension", "vi", "gia hạn visa ở đâu?", "inbox"),
        ("faq_visa_extension", "vi", "gia han visa o dau", "inbox"),
        ("faq_visa_extension", "ru", "где продлить визу?", "inbox")]
    assert all(e.added_by is not None and e.model_tag is None for e in examples)
    assert {(i.status, i.intent) for i in site.items()} == {("assigned", "faq_visa_extension")}
    actions = [row[0] for row in site.rows(select(AuditEntry.action).where(AuditEntry.action.like("inbox_%")))]
    assert actions == ["inbox_assigned", "inbox_assigned"]
    # Assigned items leave the page; a second assignment of the same items adds nothing.
    assert "gia han visa o dau" not in admin.get("/admin/inbox").text
    admin.client.post("/admin/inbox/assign", data={"csrf": admin.csrf, "items": str(ru_id),
                                                   "intent": "faq_visa_extension"})
    assert len(site.rows(select(FaqExample))) == 3


def test_an_unknown_entry_is_refused(site: Site) -> None:
    (item_id,) = _seed_items(site, [("где продлить визу?", "ru", "fallback")])
    admin = site.console("park")
    response = admin.client.post("/admin/inbox/assign", data={"csrf": admin.csrf, "items": str(item_id),
                                                              "intent": "faq_does_not_exist"})
    assert response.status_code == 400
    assert site.rows(select(FaqExample)) == [] and site.items()[0].status == "new"


def test_dismiss_and_start_a_new_entry(site: Site) -> None:
    dismissed, started = _seed_items(site, [("asdf qwer", "en", "fallback"),
                                            ("can I bring my cat on the bus", "en", "fallback")])
    admin = site.console("park")
    assert admin.client.post("/admin/inbox/dismiss", data={"csrf": admin.csrf, "items": str(dismissed)}
                             ).status_code == 303
    response = admin.client.post("/admin/inbox/new_entry", data={"csrf": admin.csrf, "item": str(started),
                                                                 "name": "Pets on buses"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/faq/faq_pets_on_buses"
    entry = site.rows(select(FaqEntry).where(FaqEntry.intent == "faq_pets_on_buses"))[0][0]
    assert entry.status == "draft"
    (example,) = [row[0] for row in site.rows(select(FaqExample))]
    assert (example.intent, example.language, example.text) == ("faq_pets_on_buses", "en",
                                                                  "can I bring my cat on the bus")
    statuses = {i.id: (i.status, i.intent) for i in site.items()}
    assert statuses == {dismissed: ("dismissed", None), started: ("new_entry", "faq_pets_on_buses")}
    actions = {row[0] for row in site.rows(select(AuditEntry.action))}
    assert {"inbox_dismissed", "inbox_new_entry"} <= actions
    # The same name again: refused, nothing changed.
    entries = len(site.rows(select(FaqEntry)))
    (other,) = _seed_items(site, [("cats on the subway?", "en", "fallback")])
    again = admin.client.post("/admin/inbox/new_entry", data={"csrf": admin.csrf, "item": str(other),
                                                              "name": "pets on buses"})
    assert again.status_code == 409 and "faq_pets_on_buses" in again.text
    assert len(site.rows(select(FaqEntry))) == entries and site.items()[-1].status == "new"


def test_staff_get_403_on_the_page_and_every_action(site: Site) -> None:
    (item_id,) = _seed_items(site, [("где продлить визу?", "ru", "fallback")])
    staff = site.console("kim")
    assert staff.get("/admin/inbox").status_code == 403
    for path, data in (("/admin/inbox/assign", {"items": str(item_id), "intent": "faq_visa_extension"}),
                       ("/admin/inbox/dismiss", {"items": str(item_id)}),
                       ("/admin/inbox/new_entry", {"item": str(item_id), "name": "visa"})):
        assert staff.client.post(path, data={"csrf": staff.csrf, **data}).status_code == 403
    assert site.items()[0].status == "new" and site.rows(select(FaqExample)) == []


def test_actions_need_the_csrf_token(site: Site) -> None:
    (item_id,) = _seed_items(site, [("где продлить визу?", "ru", "fallback")])
    admin = site.console("park")
    response = admin.client.post("/admin/inbox/dismiss", data={"items": str(item_id)})
    assert response.status_code == 403 and site.items()[0].status == "new"


def test_signed_out_visitors_go_to_the_sign_in_page(site: Site) -> None:
    response = httpx.get(f"{site.gateway.url}/admin/inbox", headers={"accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"

