"""Answers about one service or helpline, read from the services table."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common import HUMAN_BUTTON, say
from hamkke.content import intent_to_service
from hamkke.db.models import Service
from hamkke.db.session import get_database
from hamkke.directory import service_payload


@lru_cache(maxsize=1)
def _intent_map() -> dict[str, str]:
    return intent_to_service()


class ActionServiceInfo(Action):
    """Answer "what is the number / address of X" from the database."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_service_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Look the service up by the intent that asked for it (a retired one is not offered)."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        slug = _intent_map().get(intent or "")
        service = None
        if slug:
            async with get_database().session() as session:
                service = await session.scalar(select(Service).where(Service.slug == slug,
                                                                    Service.retired.is_(False)))
        if service is None:
            say(dispatcher, "service_missing", buttons=[HUMAN_BUTTON])
            return []
        say(dispatcher, "service_card", service=service_payload(service))
        return []
