"""A resident asks for a person: record the request for the staff."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.common import language, resident_id, say
from actions.eligibility import given_answers
from hamkke.db.models import HandoffRequest
from hamkke.db.session import get_database


def case_summary(tracker: Tracker) -> dict[str, Any]:
    """What staff see first: the language, the last topic, and an eligibility
    check's programme and answers (the one under way, or the last result)."""
    summary: dict[str, Any] = {
        "language": language(tracker),
        "last_intent": (tracker.latest_message.get("intent") or {}).get("name"),
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
    """Queue a hand-off request (once per resident while one is open)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Record the request and tell the resident how many wait before them."""
        rid = resident_id(tracker)
        ahead = 0
        if rid is not None:
            async with get_database().session() as session:
                mine = await session.scalar(
                    select(HandoffRequest).where(
                        HandoffRequest.resident_id == rid, HandoffRequest.status == "open"
                    )
                )
                if mine is None:
                    mine = HandoffRequest(
                        resident_id=rid,
                        language=language(tracker),
                        reason="requested",
                        summary=case_summary(tracker),
                    )
                    session.add(mine)
                    await session.flush()
                ahead = int(
                    await session.scalar(
                        select(func.count()).select_from(HandoffRequest).where(
                            HandoffRequest.status == "open", HandoffRequest.id < mine.id
                        )
                    )
                    or 0
                )
                await session.commit()
        say(dispatcher, "handoff_recorded", handoff=True)
        if ahead:
            say(dispatcher, "handoff_queue", n=ahead)
        return []
