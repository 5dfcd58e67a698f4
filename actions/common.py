"""What every action shares: structured replies and the resident behind a tracker."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    buttons: Optional[list[dict[str, str]]] = None,
    **data: Any,
) -> None:
    """Send the catalog message ``key`` with ``data`` for the gateway to render."""
    message: dict[str, Any] = {"key": key}
    if data:
        message["args"] = data
    if buttons:
        message["buttons"] = buttons
    dispatcher.utter_message(json_message=message)


def resident_id(tracker: Tracker) -> Optional[int]:
    """The database id of the resident a conversation belongs to.

    The gateway names conversations ``r<resident id>``; other senders (Rasa's
    own tools, tests talking to Rasa directly) have none.
    """
    sender = tracker.sender_id or ""
    if sender.startswith("r") and sender[1:].isdigit():
        return int(sender[1:])
    return None


def language(tracker: Tracker) -> Optional[str]:
    """The resident's language as the gateway sent it with the message."""
    metadata = tracker.latest_message.get("metadata") or {}
    lang = metadata.get("lang")
    return lang if isinstance(lang, str) else None


HUMAN_BUTTON = {"key": "button_human", "payload": "/request_human"}
HELP_BUTTON = {"key": "button_help", "payload": "/help"}
