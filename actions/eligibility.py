"""Eligibility checks as a Rasa form: one question at a time, then the result.

The form ``eligibility_form`` asks for the programme, then for what that
programme's rules need (:func:`hamkke.eligibility.questions`). Every slot is
filled here (custom mappings): a button's payload (``answer:<value>``) or
typed text in any of the four languages (:mod:`hamkke.phrases`). "I don't
know" is an answer; an answer that cannot be read is asked again in the
resident's language; "talk to a person" leaves the form (a rule hands over,
with a case summary for staff).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON, language, say
from hamkke import clock, phrases
from hamkke.db.session import get_database
from hamkke.directory import eligibility_records
from hamkke.eligibility import (
    PROGRAMS,
    Answers,
    RulesError,
    applications,
    card_amount,
    evaluate,
    offered,
    questions,
    rules_for,
)

ANSWER_SLOTS = ("birth_year", "nationality", "benefit_status", "used_last_year", "household_size",
                "monthly_income_krw")
FORM_SLOTS = ("program", *ANSWER_SLOTS)
# Intents that leave the form when the text is not an answer.
ESCAPE_INTENTS = {"request_human"}
# A text that is no answer but clearly another question ("what's on in May?")
# is answered by its own rule; the form then asks its question again.
NOT_A_DIGRESSION = {"nlu_fallback", "check_eligibility"}
# The classifier is sure of real questions (0.95 and over on the held-out set
# for most); a stray word that is no answer ("вчера", "blue") scores 0.7-0.85.
DIGRESSION_CONFIDENCE = 0.9


def _parser(slot: str) -> Callable[[str], Any]:
    today = clock.today()
    return {
        "birth_year": lambda text: phrases.parse_birth_year(text, today),
        "nationality": phrases.parse_nationality,
        "benefit_status": phrases.parse_benefit_status,
        "used_last_year": phrases.parse_yes_no,
        "household_size": phrases.parse_household_size,
        "monthly_income_krw": phrases.parse_income,
    }[slot]


def stated(tracker: Tracker) -> dict[str, Any]:
    """Facts the latest message states in passing, and those the gateway kept from the conversation."""
    metadata = tracker.latest_message.get("metadata") or {}
    kept = metadata.get("stated")
    if not isinstance(kept, dict):
        kept = {}
    facts = {key: value for key, value in kept.items() if key in ANSWER_SLOTS}
    facts.update(phrases.stated_facts(tracker.latest_message.get("text") or "", clock.today()))
    return facts


def given_answers(tracker: Tracker) -> dict[str, Any]:
    """The answers given so far in this check, by slot ("unknown" for "I don't know")."""
    return {slot: tracker.get_slot(slot) for slot in ANSWER_SLOTS if tracker.get_slot(slot) is not None}


def answers_of(tracker: Tracker) -> Answers:
    """The answers given so far, as the rules read them."""
    return Answers.from_mapping(given_answers(tracker))


def _program_named(tracker: Tracker) -> Optional[str]:
    """A programme named by the latest message: a button's entity or the text."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "program" and entity.get("value") in PROGRAMS:
            return str(entity["value"])
    return phrases.parse_program(tracker.latest_message.get("text") or "")


class ValidateEligibilityForm(FormValidationAction):
    """Fills and checks the eligibility form's slots."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_eligibility_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The programme, then the questions of its rules (read from the database: an admin's edit counts at once)."""
        program = tracker.get_slot("program")
        if program not in PROGRAMS:
            return ["program"]
        async with get_database().session() as session:
            records = await eligibility_records(session)
        if program not in offered(records):
            return ["program"]  # retired by an admin: nothing to ask, the result says it is not offered
        # What the resident said in passing counts for the plan, so those slots are filled ahead, not asked.
        known = {**stated(tracker), **given_answers(tracker)}
        return ["program", *questions(program, known, clock.today(), records)]

    async def extract_program(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The programme: at the start, when asked, or when the resident changes their mind."""
        named = _program_named(tracker)
        if named and named != tracker.get_slot("program"):
            found: dict[str, Any] = {"program": named}
            if tracker.get_slot("program") is None:
                # The facts the resident gave with the question, or earlier in the
                # conversation (the gateway sends them), are not asked again.
                found.update(stated(tracker))
                year = found.get("birth_year")
                if named == "culture-nuri" and isinstance(year, int) and not isinstance(year, bool) and \
                        found.get("benefit_status") is None:
                    await _amount_at_age(dispatcher, year)  # "62" after the card's answer: its amount at 62
            return found
        if tracker.get_slot("requested_slot") == "program" and not named:
            return self._not_understood(dispatcher, tracker, "program")
        return {}

    def _not_understood(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> dict[str, Any]:
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0)
        if name in ESCAPE_INTENTS or (name not in NOT_A_DIGRESSION and confidence >= DIGRESSION_CONFIDENCE):
            return {}  # nothing extracted: the form steps aside and a rule answers
        say(dispatcher, f"elig_invalid_{slot}")
        return {slot: None}

    async def _extract_answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") != slot:
            # An answer given ahead of its question ("yes we are 차상위 family" when asked the
            # nationality) is kept, so that question is not asked.
            ahead = stated(tracker).get(slot)
            # An earlier "I don't know" is replaced by what the resident found out since.
            if ahead is not None and tracker.get_slot(slot) in (None, phrases.UNKNOWN) and \
                    tracker.get_slot("program") in PROGRAMS and ahead != tracker.get_slot(slot):
                return {slot: ahead}
            return {}
        if _program_named(tracker) and phrases.button_value(text) is None:
            return {}  # a change of programme, handled by extract_program
        value = _parser(slot)(text)
        if value == phrases.UNKNOWN and slot == "benefit_status":
            # "I don't know" is an answer, not a "no": the check goes on, and says who knows.
            say(dispatcher, "elig_unknown_benefit_status")
        if value is None:
            said = phrases.stated_facts(text, clock.today())
            if any(key != slot for key in said):
                return {slot: None}  # another question answered (ahead, or again): this one is asked again
            return self._not_understood(dispatcher, tracker, slot)
        found = {slot: value}
        # Answers given ahead of their questions ("мы 차상위" with the first message) fill theirs now:
        # the plan asked for this one first, so theirs were not extracted yet.
        for other, ahead in stated(tracker).items():
            if other != slot and ahead is not None and tracker.get_slot(other) is None:
                found[other] = ahead
        return found

    async def extract_birth_year(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Year of birth: "1985", "85년생", "1985 г.р.", or an age."""
        found = await self._extract_answer("birth_year", dispatcher, tracker)
        year = found.get("birth_year")
        if tracker.get_slot("program") == "culture-nuri" and isinstance(year, int) and not isinstance(year, bool) \
                and found.get("benefit_status") is None and tracker.get_slot("benefit_status") is None:
            await _amount_at_age(dispatcher, year)
        return found

    async def extract_nationality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Korean or foreign national."""
        return await self._extract_answer("nationality", dispatcher, tracker)

    async def extract_benefit_status(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Basic livelihood recipient, near-poor, neither."""
        return await self._extract_answer("benefit_status", dispatcher, tracker)

    async def extract_used_last_year(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Whether the youth pass was used last year."""
        return await self._extract_answer("used_last_year", dispatcher, tracker)

    async def extract_household_size(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """People in the household."""
        return await self._extract_answer("household_size", dispatcher, tracker)

    async def extract_monthly_income_krw(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The household's monthly income in won."""
        return await self._extract_answer("monthly_income_krw", dispatcher, tracker)


async def _amount_at_age(dispatcher: CollectingDispatcher, year: int) -> None:
    """Before the status is asked: what the card gives at that age, and whether applications are closed
    ("im 45" in December: ₩150,000 a year as a recipient, but this year's round closed on 30 November)."""
    async with get_database().session() as session:
        records = await eligibility_records(session)
    record = rules_for("culture-nuri", clock.today(), records)
    amount = card_amount(record["rules"], year)
    if amount is None:
        return  # too young: the result says so at once
    say(dispatcher, "elig_cnuri_amount_at_age", year=record["year"], amount_krw=amount)
    period = applications(record, clock.today())
    if period["state"] == "closed":
        say(dispatcher, "elig_reason_period_closed", year=record["year"], until_date=period["until"])


def reset_events() -> list[dict[str, Any]]:
    """Clear every slot of the form (a new check starts from nothing)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionResetEligibility(Action):
    """Start a check afresh."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_reset_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Clear the form's slots."""
        return reset_events()


class ActionEligibilityResult(Action):
    """Tell the resident the result, the rule that decided it, and where to apply."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_eligibility_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Evaluate the answers against the programme's rules in the database."""
        program = tracker.get_slot("program")
        if program not in PROGRAMS:
            say(dispatcher, "fallback", buttons=[HUMAN_BUTTON])
            return reset_events()
        async with get_database().session() as session:
            records = await eligibility_records(session)
        answers = answers_of(tracker)
        try:
            if program not in offered(records):
                raise RulesError(f"{program} is not offered")
            result = evaluate(program, answers, clock.today(), records)
        except RulesError:
            # Retired by an admin (or no rules at all): never checked; a person can help.
            say(dispatcher, "service_missing", buttons=[HUMAN_BUTTON])
            return reset_events()
        buttons = [HUMAN_BUTTON] if result.result == "check_with_staff" else []
        buttons.append({"key": "button_check_again", "payload": "/check_eligibility"})
        say(dispatcher, "eligibility_result", buttons=buttons, result=result.as_dict())
        summary = {
            "language": language(tracker),
            "program": program,
            "answers": given_answers(tracker),
            "result": result.result,
            "decided_by": result.decided_by,
        }
        return [*reset_events(), SlotSet("eligibility_summary", summary)]
