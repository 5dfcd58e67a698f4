"""When the model is unsure: offer the likeliest topics; on a second miss, a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HELP_BUTTON, HUMAN_BUTTON, say

# Intents worth offering as a topic: the services, the finder, eligibility checks and every FAQ topic
# (small talk is not).
SUGGESTIBLE = {"ask_immigration_contact", "ask_danuri", "ask_gic", "check_eligibility", "find_service"}
MAX_SUGGESTIONS = 3
MIN_SCORE = 0.05


def suggestions(parse: dict[str, Any]) -> list[str]:
    """The likeliest topics of a parse result (Rasa's intent ranking), best first."""
    ranked = [
        (entry.get("name"), float(entry.get("confidence") or 0))
        for entry in parse.get("intent_ranking") or []
    ]
    return [
        str(name) for name, score in ranked
        if isinstance(name, str) and (name in SUGGESTIBLE or name.startswith("faq_")) and score >= MIN_SCORE
    ][:MAX_SUGGESTIONS]


def scores(parse: dict[str, Any]) -> dict[str, float]:
    """Each intent's confidence in a parse result (Rasa's intent ranking), best first."""
    return {
        str(entry["name"]): round(float(entry.get("confidence") or 0), 3)
        for entry in parse.get("intent_ranking") or []
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    }


def top_guesses(parse: dict[str, Any]) -> list[dict[str, Any]]:
    """The classifier's likeliest intents with their confidences (``nlu_fallback`` aside), best first.

    Sent with the fallback's message for the admins' misunderstood inbox (the
    gateway stores them; residents never see them).
    """
    ranked = [{"intent": name, "score": score} for name, score in scores(parse).items() if name != "nlu_fallback"]
    return ranked[:MAX_SUGGESTIONS]


def _with_guesses(dispatcher: CollectingDispatcher, guesses: list[dict[str, Any]]) -> None:
    """Add the guesses to the message just said (a field beside its catalog key, never shown)."""
    if guesses and dispatcher.messages:
        dispatcher.messages[-1]["custom"]["guesses"] = guesses


def _button(intent: str) -> dict[str, str]:
    """A button whose label is the topic's short name and whose payload triggers the intent."""
    return {"key": f"topic_{intent}", "payload": f"/{intent}"}


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one, in this session."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "user":
            if not seen_latest:
                seen_latest = True
                continue
            return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return None


class ActionSuggestTopics(Action):
    """Answer ``nlu_fallback``: suggest topics, or a person after two misses in a row."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Offer buttons for the likeliest topics, or the hand-off."""
        guesses = top_guesses(tracker.latest_message)
        if previous_user_intent(tracker) == "nlu_fallback":
            say(dispatcher, "fallback_again", buttons=[HUMAN_BUTTON, HELP_BUTTON])
        elif not (topics := suggestions(tracker.latest_message)):
            say(dispatcher, "fallback", buttons=[HELP_BUTTON, HUMAN_BUTTON])
        else:
            say(dispatcher, "fallback_suggest", buttons=[*(_button(t) for t in topics), HUMAN_BUTTON])
            confidence = scores(tracker.latest_message)
            guesses = [{"intent": topic, "score": confidence.get(topic)} for topic in topics]
        _with_guesses(dispatcher, guesses)
        return []
