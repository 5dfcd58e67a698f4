"""A resident asks for a person: record the request for the staff."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from actions.eligibility import given_answers

NOT_TOPICS = {"request_human", "greet", "thank", "goodbye", "nlu_fallback", "insult", "help", "out_of_scope"}


def last_topic(tracker: Tracker) -> Optional[str]:
    """The last topic the resident asked about before asking for a person."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if isinstance(name, str) and name not in NOT_TOPICS:
            return name
    return None


def case_summary(tracker: Tracker) -> dict[str, Any]:
    """What staff see first: the language, the last topic, and an eligibility
    check's programme and answers (the one under way, or the last result)."""
    summary: dict[str, Any] = {
        "language": language(tracker),
        "last_intent": (tracker.latest_message.get("intent") or {}).get("name"),
        "topic": last_topic(tracker),
    }
    program = tracker.get_slot("program")
    if program:
        summary["eligibility"] = {
            "program": program,
            "answers": given_answers(tracker),
            "result": "in_progress",
        }
    elif tracker.get_slot("eligibility_summary"):
        summary["eligibility"] = tracker.get_slot("eligibility_summary")
    return summary


class ActionRequestHuman(Action):
    """Ask the gateway to hand the conversation to staff.

    The gateway owns the conversation's state: this action only signals the
    hand-off, with the case summary, in the typed ``handoff`` field of its
    message; the gateway records it in the same transaction as the message
    and tells the resident their place in the queue or when the centre opens.
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Signal the hand-off with what staff should see first."""
        summary = case_summary(tracker)
        dispatcher.utter_message(json_message={
            "key": "handoff_recorded",
            "handoff": {"reason": "eligibility" if "eligibility" in summary else "requested",
                        "topic": summary.get("topic"), "summary": summary},
        })
        return []
