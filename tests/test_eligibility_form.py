"""The eligibility form's actions against trackers as Rasa sends them, on real SQLite.

Each test is one turn: the tracker the action server receives (slots, the
latest message with the gateway's metadata, the active loop) and the events
and messages the actions send back, rendered in the resident's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import ActionEligibilityResult, ValidateEligibilityForm
from actions.handoff import ActionRequestHuman
from bot.replies import render_message
from hamkke.config import PROJECT_ROOT
from hamkke.db.models import Resident
from hamkke.db.session import Database
from hamkke.i18n import t

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
FROZEN = "2026-03-10T10:00:00+09:00"


@pytest.fixture
def form_db(action_db: Database, frozen: Callable[[str], None]) -> Database:
    """The actions' database and a clock frozen in March 2026 (all applications open)."""
    frozen(FROZEN)
    return action_db


def turn(text: str, lang: str, intent: str = "nlu_fallback", requested: Optional[str] = None,
         entities: Optional[list[dict[str, Any]]] = None, **slots: Any) -> Tracker:
    """The tracker of a conversation in the form, as the action server receives it."""
    metadata = {"lang": lang, "channel": "kakao"}
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "metadata": metadata}
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots)
    all_slots["requested_slot"] = requested
    return Tracker.from_dict({
        "sender_id": "r1",
        "slots": all_slots,
        "latest_message": parse,
        "events": [
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": parse, "metadata": metadata},
        ],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": "eligibility_form"} if requested else {},
        "latest_action_name": "action_listen",
    })


async def validate(tracker: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


def rendered(messages: list[dict[str, Any]], lang: str) -> list[str]:
    return [render_message(m["custom"], lang)[0] for m in messages]


async def test_happy_path_in_russian_from_start_to_result(form_db: Database) -> None:
    start = turn("проверь могу ли я получить 문화누리카드", "ru", intent="check_eligibility")
    slots, messages = await validate(start)
    assert slots == {"program": "culture-nuri", "requested_slot": "birth_year"} and messages == []

    state = {"program": "culture-nuri"}
    for requested, text, value, following in [
        ("birth_year", "1964 г.р.", 1964, "benefit_status"),
        # A recipient is not asked a nationality: the card follows recipient status.
        ("benefit_status", "мы малоимущие (차상위)", "near_poor", None),
    ]:
        slots, messages = await validate(turn(text, "ru", requested=requested, **state))
        assert slots == {requested: value, "requested_slot": following}, (text, slots)
        if requested == "birth_year":
            # Before the status is asked: what the card gives at that age (applications are open in March).
            assert rendered(messages, "ru") == [t("elig_cnuri_amount_at_age", "ru", amount_krw=160_000, year=2026)]
        else:
            assert messages == []
        state[requested] = value

    dispatcher = CollectingDispatcher()
    events = await ActionEligibilityResult().run(dispatcher, turn("", "ru", **state), DOMAIN)
    (message,) = dispatcher.messages
    result = message["custom"]["args"]["result"]
    assert (result["result"], result["amount_krw"]) == ("eligible", 160_000)
    text, buttons, _ = render_message(message["custom"], "ru")
    assert text.startswith(t("elig_headline_eligible", "ru", program_key="program_name_culture_nuri", year=2026))
    assert "₩160,000" in text and "1544-3412" in text and "mnuri.kr" in text
    assert [b.payload for b in buttons] == ["/check_eligibility"]
    # A new check starts from nothing; the summary stays for a hand-off.
    cleared = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert all(cleared[s] is None for s in ("program", "birth_year", "nationality", "benefit_status"))
    assert cleared["eligibility_summary"]["answers"] == {"birth_year": 1964, "benefit_status": "near_poor"}


async def test_i_dont_know_leads_to_staff_with_the_reason_in_vietnamese(form_db: Database) -> None:
    state: dict[str, Any] = {"program": "culture-nuri", "birth_year": 1990}
    slots, _ = await validate(turn("không biết", "vi", requested="benefit_status", **state))
    assert slots == {"benefit_status": "unknown", "requested_slot": "nationality"}
    state["benefit_status"] = "unknown"
    slots, _ = await validate(turn("answer:foreign", "vi", requested="nationality", **state))
    assert slots == {"nationality": "foreign", "requested_slot": None}
    state["nationality"] = "foreign"
    dispatcher = CollectingDispatcher()
    await ActionEligibilityResult().run(dispatcher, turn("", "vi", **state), DOMAIN)
    (message,) = dispatcher.messages
    assert message["custom"]["args"]["result"]["result"] == "check_with_staff"
    text, buttons, _ = render_message(message["custom"], "vi")
    assert "1544-3412" in text
    assert "/request_human" in [b.payload for b in buttons]


async def test_a_button_answer_i_dont_know(form_db: Database) -> None:
    slots, _ = await validate(turn("answer:unknown", "ko", requested="birth_year", program="youth-culture-pass"))
    # Without a year of birth the result is "check with staff" whatever comes next: the form ends.
    assert slots == {"birth_year": "unknown", "requested_slot": None}


async def test_change_of_mind_switches_programme_and_keeps_shared_answers(form_db: Database) -> None:
    state = {"program": "culture-nuri", "birth_year": 2007}
    tracker = turn("а давайте лучше проверим молодёжный пасс", "ru", intent="check_eligibility",
                   requested="nationality", **state)
    slots, messages = await validate(tracker)
    # No "I didn't understand": the year of birth carries over, nationality is asked next.
    assert messages == []
    assert slots == {"program": "youth-culture-pass", "requested_slot": "nationality"}


async def test_change_of_mind_by_button(form_db: Database) -> None:
    tracker = turn('/check_eligibility{"program":"integrated-care"}', "en", intent="check_eligibility",
                   requested="birth_year", entities=[{"entity": "program", "value": "integrated-care"}],
                   program="culture-nuri")
    slots, messages = await validate(tracker)
    assert messages == [] and slots == {"program": "integrated-care", "requested_slot": "household_size"}


@pytest.mark.parametrize(
    ("lang", "text", "requested", "expected"),
    [
        ("ru", "вчера", "birth_year", "возраст или год рождения"),
        ("vi", "nhieu lam", "household_size", "1 đến 30"),
        ("ko", "많아요", "monthly_income_krw", "250만원"),
        ("en", "maybe", "nationality", "Korean"),
    ],
)
async def test_an_invalid_answer_is_asked_again_in_the_residents_language(
    form_db: Database, lang: str, text: str, requested: str, expected: str
) -> None:
    program = {"birth_year": "culture-nuri", "nationality": "culture-nuri"}.get(requested, "integrated-care")
    earlier = {"nationality": {"birth_year": 1990, "benefit_status": "unknown"},
               "monthly_income_krw": {"household_size": 2}}.get(requested, {})
    slots, messages = await validate(turn(text, lang, requested=requested, program=program, **earlier))
    assert slots == {requested: None, "requested_slot": requested}
    (said,) = rendered(messages, lang)
    assert expected in said, said


async def test_talk_to_a_person_leaves_the_form(form_db: Database) -> None:
    slots, messages = await validate(turn("/request_human", "ru", intent="request_human", requested="birth_year",
                                          program="culture-nuri"))
    # Nothing extracted: Rasa's form rejects and the hand-off rule answers.
    assert "birth_year" not in slots and messages == []


async def test_another_question_mid_form_is_left_to_its_own_rule(form_db: Database) -> None:
    tracker = turn("what events are on in May?", "en", intent="faq_events", requested="household_size",
                   program="integrated-care")
    tracker.latest_message["intent"]["confidence"] = 0.93
    slots, messages = await validate(tracker)
    assert "household_size" not in slots and messages == []
    # An unsure guess is not a digression: the question is asked again.
    tracker.latest_message["intent"]["confidence"] = 0.4
    slots, messages = await validate(tracker)
    assert slots == {"household_size": None, "requested_slot": "household_size"} and len(messages) == 1


async def test_hand_off_gives_staff_the_case(form_db: Database) -> None:
    async with form_db.session() as session:
        session.add(Resident(id=1, channel="kakao", channel_user_key="u1"))
        await session.commit()
    tracker = turn("/request_human", "vi", intent="request_human", requested="benefit_status",
                   program="culture-nuri", birth_year=1980, nationality="foreign")
    dispatcher = CollectingDispatcher()
    await ActionRequestHuman().run(dispatcher, tracker, DOMAIN)
    signal = dispatcher.messages[0]["custom"]["handoff"]
    assert signal["reason"] == "eligibility" and signal["summary"]["language"] == "vi"
    assert signal["summary"]["eligibility"] == {
        "program": "culture-nuri", "answers": {"birth_year": 1980, "nationality": "foreign"},
        "result": "in_progress"}


async def test_facts_given_with_the_question_are_not_asked_again(form_db: Database) -> None:
    start = turn("мне 62 года, я 기초생활수급자, можно 문화누리카드?", "ru", intent="check_eligibility")
    slots, _messages = await validate(start)
    assert slots["program"] == "culture-nuri"
    assert slots["birth_year"] == 2026 - 62 and slots["benefit_status"] == "basic_livelihood"
    assert slots["requested_slot"] not in ("birth_year", "benefit_status")


async def test_facts_the_gateway_kept_and_a_benefit_found_out_later(form_db: Database) -> None:
    # The check starts from a button-like payload; the age came two messages earlier (the gateway sends it).
    start = turn('/check_eligibility{"program":"culture-nuri"}', "vi", intent="check_eligibility",
                 entities=[{"entity": "program", "value": "culture-nuri"}])
    start.latest_message["metadata"]["stated"] = {"birth_year": 1964, "nationality": "foreign"}
    slots, _messages = await validate(start)
    assert slots["birth_year"] == 1964 and slots["requested_slot"] == "benefit_status"
    # The nationality said earlier is kept for when the rules need it: it is not asked.
    answered = turn("yes near-poor", "vi", requested="benefit_status", program="culture-nuri", birth_year=1964)
    answered.latest_message["metadata"]["stated"] = {"birth_year": 1964, "nationality": "foreign"}
    slots, _messages = await validate(answered)
    assert slots["benefit_status"] == "near_poor" and slots["nationality"] == "foreign"
    # "I don't know" first, then, while the nationality is asked, the benefit is found out: it replaces
    # the "don't know", and the nationality question is asked again without a "didn't understand".
    later = turn("e hoi roi, ba la 기초생활수급자", "vi", requested="nationality", program="culture-nuri",
                 birth_year=1964, benefit_status="unknown")
    slots, messages = await validate(later)
    assert slots["benefit_status"] == "basic_livelihood"
    assert not any(m.get("json_message", {}).get("key", "").startswith("elig_invalid") for m in messages)


async def test_a_status_said_before_the_age_is_used_once_the_age_comes(form_db: Database) -> None:
    # "мы 차상위. мне можно 문화누리카드?": the age is asked first; the status said with the question is kept
    # by the gateway and fills its slot with the age's answer (a bare "38" is an age), not asked again.
    answered = turn("38", "ru", requested="birth_year", program="culture-nuri")
    answered.latest_message["metadata"]["stated"] = {"benefit_status": "near_poor"}
    slots, messages = await validate(answered)
    assert slots["birth_year"] == 2026 - 38 and slots["benefit_status"] == "near_poor"
    assert slots["requested_slot"] != "benefit_status" and messages == []


async def test_an_age_in_december_says_the_amount_and_that_the_round_closed(
        action_db: Database, frozen: Callable[[str], None]) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    slots, messages = await validate(turn("im 45", "en", requested="birth_year", program="culture-nuri"))
    assert slots["birth_year"] == 2026 - 45 and slots["requested_slot"] == "benefit_status"
    said = rendered(messages, "en")
    assert said == [t("elig_cnuri_amount_at_age", "en", amount_krw=150_000, year=2026),
                    t("elig_reason_period_closed", "en", year=2026, until_date="2026-11-30")]
    assert "₩150,000" in said[0] and "November 30, 2026" in said[1]
