"""The KakaoTalk skill server over real HTTP: the gateway (uvicorn), the core and SQLite.

Rasa is a local server speaking its REST channel, so that answers of every
shape (a card, a carousel, a very long text, a slow answer) come on demand;
the real Rasa answers Kakao requests in test_e2e.py. Every response is
validated against Kakao's skill 2.0 shape and limits
(tests/data/kakao_skill_response.schema.json).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.replies import is_privacy_notice
from hamkke.config import PROJECT_ROOT, Secret, Settings
from hamkke.i18n import t
from tests.helpers import Gateway, LocalServer, kakao_request

SCHEMA = json.loads((PROJECT_ROOT / "tests" / "data" / "kakao_skill_response.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

SERVICE = {"name": {"en": "Gwangju International Center", "ru": "Международный центр Кванджу"},
           "description": {"en": "Korean classes, counselling, GIC Talk and a library."},
           "hours": {"en": "Weekdays 09:00-18:00"}, "address": {"en": "5 Jungang-ro 196beon-gil, Dong-gu"},
           "phone": "062-226-2732~4", "website": "https://gic.or.kr", "languages_served": ["ko", "en"]}
SERVICE_LONG = {"name": {"en": "A place"}, "description": {"en": "A long description of a day in Gwangju. " * 150}}


def fake_rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    message = body.get("message", "") if isinstance(body, dict) else ""

    def say(custom: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"recipient_id": body.get("sender"), "custom": custom}]

    if message == "one service":
        return 200, say({"key": "service_card", "args": {"service": SERVICE}})
    if message == "three services":
        services = [SERVICE, {**SERVICE, "name": {"en": "Danuri"}, "phone": "1577-1366"},
                    {**SERVICE, "name": {"en": "1345"}, "phone": "1345", "website": None}]
        return 200, say({"key": "service_list", "args": {"services": services, "total": 5}})
    if message == "very long":
        return 200, say({"key": "service_card", "args": {"service": SERVICE_LONG}})
    if message == "slow":
        time.sleep(2.0)
        return 200, say({"key": "help"})
    return 200, say({"key": "greet", "buttons": [{"key": "button_help", "payload": "/help"}]})


@dataclasses.dataclass
class Skill:
    gateway: Gateway
    rasa: LocalServer
    settings: Settings

    def post(self, body: Any, **headers: str) -> httpx.Response:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return httpx.post(f"{self.gateway.url}/kakao/skill", content=data, timeout=10,
                          headers={"content-type": "application/json", **headers})

    def ask(self, text: str, user: str = "kakao-1", **extra: Any) -> dict[str, Any]:
        response = self.post(kakao_request(text, user, **extra))
        assert response.status_code == 200, response.text
        answer = response.json()
        VALIDATOR.validate(answer)
        return answer


def _skill(settings: Settings, **changes: Any) -> Iterator[Skill]:
    with LocalServer(fake_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, kakao_reply_budget_s=0.8,
                                         kakao_callback_hosts=("127.0.0.1",), **changes)
        with Gateway(create_app(configured)) as gateway:
            yield Skill(gateway, rasa, configured)


@pytest.fixture
def skill(settings: Settings) -> Iterator[Skill]:
    yield from _skill(settings, public_url="https://hamkke.example.org")


def texts(answer: dict[str, Any]) -> list[str]:
    return [o["simpleText"]["text"] for o in answer["template"]["outputs"] if "simpleText" in o]


def test_simple_text_with_quick_replies_and_the_language_switch(skill: Skill) -> None:
    answer = skill.ask("hello")
    # A new resident's first answer ends with what is kept, for how long and how to delete it; once.
    assert texts(answer) == [t("greet", "en"), t("privacy_notice", "en", days="180")]
    labels = [q["label"] for q in answer["template"]["quickReplies"]]
    assert labels == [t("button_help", "en"), t("button_language", "en")]
    # The language quick reply works: it offers the four languages.
    switched = skill.ask(t("button_language", "en"))
    assert [q["label"] for q in switched["template"]["quickReplies"]][:4] == [
        t("language_name_self", lang) for lang in ("ko", "en", "ru", "vi")]
    assert not any(is_privacy_notice(text) for text in texts(switched))


def test_a_service_is_a_card_with_a_call_button(skill: Skill) -> None:
    answer = skill.ask("one service")
    details, output, notice = answer["template"]["outputs"]
    assert is_privacy_notice(notice["simpleText"]["text"])  # under the card, for a new resident
    assert "Korean classes, counselling" in details["simpleText"]["text"]
    card = output["basicCard"]
    assert card["title"] == "Gwangju International Center"
    buttons = {b["action"]: b for b in card["buttons"]}
    assert buttons["phone"]["phoneNumber"] == "062-226-2732"
    assert buttons["webLink"]["webLinkUrl"] == "https://gic.or.kr"


def test_several_services_are_a_carousel_after_a_heading(skill: Skill) -> None:
    answer = skill.ask("three services")
    heading, carousel, notice = answer["template"]["outputs"]
    assert is_privacy_notice(notice["simpleText"]["text"])
    assert heading["simpleText"]["text"] == t("finder_found", "en", n=5)
    items = carousel["carousel"]["items"]
    assert [i["title"] for i in items] == ["Gwangju International Center", "Danuri", "1345"]
    assert [b["action"] for b in items[2]["buttons"]] == ["phone"]


def test_a_very_long_answer_ends_with_a_link_to_the_whole_of_it(skill: Skill) -> None:
    answer = skill.ask("very long")
    outputs = answer["template"]["outputs"]
    assert len(outputs) == 3 and all(len(t_) <= 1000 for t_ in texts(answer))
    link = outputs[2]["basicCard"]["buttons"][0]["webLinkUrl"]
    assert link.startswith("https://hamkke.example.org/answers/")
    page = httpx.get(skill.gateway.url + link.removeprefix("https://hamkke.example.org"), timeout=10)
    assert page.status_code == 200 and page.text.count("A long description of a day in Gwangju.") == 150
    path = link.removeprefix("https://hamkke.example.org")
    other_char = "1" if path.endswith("0") else "0"  # a signature that differs (it may end in "0" itself)
    forged = httpx.get(skill.gateway.url + path[:-1] + other_char, timeout=10)
    other = httpx.get(skill.gateway.url + "/answers/1?s=" + link.split("s=")[1], timeout=10)
    assert forged.status_code == 404 and other.status_code == 404


def test_without_a_public_address_a_very_long_answer_is_cut_visibly(settings: Settings) -> None:
    for skill in _skill(settings):
        answer = skill.ask("very long")
        assert len(answer["template"]["outputs"]) == 3 and texts(answer)[-1].endswith("…")


def test_a_slow_answer_takes_the_callback_and_is_posted_once(skill: Skill) -> None:
    received: list[Any] = []
    arrived = threading.Event()

    def callback(method: str, path: str, body: Any) -> tuple[int, Any]:
        received.append((method, path, body))
        arrived.set()
        return 200, {"taskId": "t1", "status": "SUCCESS"}

    with LocalServer(callback) as kakao:
        request = kakao_request("slow", "kakao-slow")
        request["userRequest"]["callbackUrl"] = f"{kakao.url}/v1/callback/abc"
        started = time.monotonic()
        response = skill.post(request)
        waited = time.monotonic() - started
        assert response.status_code == 200
        body = response.json()
        VALIDATOR.validate(body)
        assert body["useCallback"] is True and body["data"]["text"] == t("still_working", "en")
        assert waited < 2.0  # answered within the budget, before Rasa did
        assert arrived.wait(10)
        time.sleep(1.0)
    (method, path, late), = received
    assert (method, path) == ("POST", "/v1/callback/abc")
    VALIDATOR.validate(late)
    assert texts(late) == [t("help", "en"), t("privacy_notice", "en", days="180")]


def test_a_slow_answer_without_a_callback_comes_with_the_next_message(skill: Skill) -> None:
    first = skill.ask("slow", "kakao-next")
    assert texts(first) == [t("still_working", "en")]
    time.sleep(2.0)
    second = skill.ask("hello", "kakao-next")
    assert texts(second)[:2] == [t("late_answer", "en"), t("help", "en")]
    assert t("greet", "en") in texts(second)[-1]
    third = skill.ask("hello", "kakao-next")  # delivered once
    assert t("late_answer", "en") not in texts(third)


def test_a_callback_url_elsewhere_is_not_used(skill: Skill) -> None:
    request = kakao_request("slow", "kakao-evil")
    request["userRequest"]["callbackUrl"] = "http://169.254.169.254/latest/meta-data"
    body = skill.post(request).json()
    assert "useCallback" not in body and texts(body) == [t("still_working", "en")]


@pytest.fixture
def guarded(settings: Settings) -> Iterator[Skill]:
    yield from _skill(settings, kakao_skill_secret=Secret("s3cret-value"), kakao_bot_id="hamkke-test-bot")


@pytest.mark.parametrize("header", [None, "", "s3cret-valuX", "wrong"])
def test_wrong_or_missing_secret_is_403_and_rasa_is_never_called(guarded: Skill, header: str | None) -> None:
    headers = {} if header is None else {"X-Kakao-Skill-Secret": header}
    response = guarded.post(kakao_request("hello"), **headers)
    assert response.status_code == 403
    assert guarded.rasa.requests == []


def test_right_secret_but_another_bot_is_403(guarded: Skill) -> None:
    request = kakao_request("hello", bot={"id": "someone-else", "name": "x"})
    assert guarded.post(request, **{"X-Kakao-Skill-Secret": "s3cret-value"}).status_code == 403
    ok = guarded.post(kakao_request("hello"), **{"X-Kakao-Skill-Secret": "s3cret-value"})
    assert ok.status_code == 200 and len(guarded.rasa.requests) == 1


def test_production_refuses_to_start_without_the_secret(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="KAKAO_SKILL_SECRET"):
        create_app(dataclasses.replace(settings, env="production", kakao_skill_secret=Secret("")))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
REQUESTS = st.builds(
    lambda utterance, user, extra: {**kakao_request(utterance, user), **extra},
    st.text(max_size=200) | JSON, st.text(min_size=1, max_size=20),
    st.dictionaries(st.sampled_from(["bot", "action", "contexts", "intent", "userRequest"]), JSON, max_size=2),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=REQUESTS | JSON)
def test_arbitrary_json_is_never_a_server_error(skill: Skill, body: Any) -> None:
    response = skill.post(body)
    assert response.status_code < 500
    if response.status_code == 200:
        VALIDATOR.validate(response.json())


def test_the_privacy_notice_waits_for_an_answer_that_is_not_urgent_and_comes_again_after_a_deletion(
        skill: Skill) -> None:
    urgent = skill.ask("у мамы сильная боль в груди", "kakao-notice")
    assert "119" in texts(urgent)[0] and not any(is_privacy_notice(text) for text in texts(urgent))
    later = skill.ask("hello", "kakao-later")  # another resident: told with their first answer, once
    assert texts(later)[-1] == t("privacy_notice", "en", days="180")
    assert not any(is_privacy_notice(text) for text in texts(skill.ask("hello", "kakao-later")))
    # Deleted at the resident's request: a new resident again, told again.
    asked = skill.ask("удалите мои данные", "kakao-notice")
    skill.ask(next(q["label"] for q in asked["template"]["quickReplies"]
                   if q["label"] == t("button_forget_yes", "ru")), "kakao-notice")
    assert texts(skill.ask("hello", "kakao-notice"))[-1] == t("privacy_notice", "en", days="180")


def test_a_place_card_under_its_own_text_does_not_repeat_the_address() -> None:
    from bot.channels.kakao import render
    from bot.replies import Card, Reply

    card = Card(title="Chosun University Hospital", description="365 Pilmun-daero, Dong-gu", phone="1811-7474")
    text = "Chosun University Hospital\nAddress: 365 Pilmun-daero, Dong-gu\nPhone: 1811-7474"
    reply = Reply(language="en", texts=[text], cards=[card], cards_for={0: [card]})
    outputs = render(reply)["template"]["outputs"]
    shown = outputs[1]["basicCard"]
    # The name and the call button stay; the address the text just gave does not come twice.
    assert "description" not in shown and shown["buttons"][0]["phoneNumber"] == "1811-7474"
    other = Card(title="GIC", description="5 Jungang-ro", phone="062-226-2732")
    listed = Reply(language="en", texts=["GIC teaches Korean."], cards=[other], cards_for={0: [other]})
    assert render(listed)["template"]["outputs"][1]["basicCard"]["description"] == "5 Jungang-ro"
