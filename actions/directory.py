"""The service finder and the events calendar, read from the database."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HUMAN_BUTTON, language, say
from hamkke import clock, phrases
from hamkke.content import CATEGORIES
from hamkke.db.session import get_database
from hamkke.directory import (
    ServiceQuery,
    event_payload,
    events_between,
    find_services,
    service_distance,
    service_payload,
    upcoming_events,
)

MAX_SERVICES = 3
MAX_EVENTS = 4


def category_buttons() -> list[dict[str, str]]:
    """One button per need; the payload asks the finder again with that need."""
    return [{"key": f"button_category_{c}", "payload": f'/find_service{{"category":"{c}"}}'} for c in CATEGORIES]


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def _location(tracker: Tracker) -> Optional[tuple[float, float]]:
    """A shared location the gateway passed along (Telegram), as (latitude, longitude)."""
    where = (tracker.latest_message.get("metadata") or {}).get("location")
    if isinstance(where, dict):
        try:
            return float(where["latitude"]), float(where["longitude"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


class ActionFindServices(Action):
    """Answer "which centre…": services by need, district, language, open now or nearest."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Filter the services table and send the best few as cards."""
        text = tracker.latest_message.get("text") or ""
        filters = phrases.service_filters(text) if not text.startswith("/") else {}
        category = _entity(tracker, "category") or filters.get("category")
        near = _location(tracker)
        open_now = filters.get("open_now") == "true"
        if not (category or filters.get("district") or filters.get("language") or open_now or near):
            say(dispatcher, "finder_ask_need", buttons=category_buttons())
            return []
        query = ServiceQuery(
            category=category if category in CATEGORIES else None,
            district=filters.get("district"),
            language=filters.get("language"),
            open_at=clock.now() if open_now else None,
            near=near,
        )
        async with get_database().session() as session:
            found = await find_services(session, query)
        if not found:
            say(dispatcher, "finder_none", buttons=[*category_buttons()[:8], HUMAN_BUTTON])
            return []
        cards = []
        for service in found[:MAX_SERVICES]:
            card = service_payload(service)
            km = service_distance(service, near)
            if km is not None:
                card["distance_km"] = round(km, 1)
            cards.append(card)
        # The rest, in order: "more" shows the next few (the gateway pages them).
        say(dispatcher, "service_list", services=cards, total=len(found), shown=len(cards),
            open_now=open_now, lang=language(tracker) or "", rest=[s.slug for s in found[MAX_SERVICES:]])
        return []


class ActionListEvents(Action):
    """Answer "what's on this week / this month / in May": upcoming events only."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_list_events"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Events in the asked period that are not over; else the next ones."""
        today = clock.today()
        text = tracker.latest_message.get("text") or ""
        said = (tracker.latest_message.get("metadata") or {}).get("said")
        if text.startswith("/") and isinstance(said, str):
            text = said  # "и в январе?" after a list of events: the gateway asked, the resident's words say when
        frame = phrases.time_frame(text, today)
        topic = phrases.event_topic(text) if not text.startswith("/") else None
        async with get_database().session() as session:
            if frame is not None:
                start, end, _name = frame
                # Never offer a past event as upcoming: the period starts today at the earliest.
                events = [] if end < today else await events_between(session, max(start, today), end, topic)
                if events:
                    say(dispatcher, "events_in_period", events=[event_payload(e) for e in events[:MAX_EVENTS]],
                        from_date=max(start, today).isoformat(), to_date=end.isoformat())
                    return []
                say(dispatcher, "events_none_in_period", from_date=max(start, today).isoformat(),
                    to_date=end.isoformat())
                following = await upcoming_events(session, max(end, today), limit=MAX_EVENTS, topic=topic) or \
                    await upcoming_events(session, max(end, today), limit=MAX_EVENTS)
            else:
                following = await upcoming_events(session, today, limit=MAX_EVENTS, topic=topic) or \
                    await upcoming_events(session, today, limit=MAX_EVENTS)
        if following:
            say(dispatcher, "events_upcoming", events=[event_payload(e) for e in following])
        # The rule follows with utter_faq_events: what recurs every year and who announces it.
        return []
