"""Queries over services, events and programmes, shared by actions and the API."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke.db.models import Event, Program, Service
from hamkke.folding import fold
from hamkke.hours import SEOUL, is_open


@dataclass(frozen=True)
class ServiceQuery:
    """What a resident or the API asks of the service finder. Every field is optional."""

    category: Optional[str] = None
    district: Optional[str] = None
    language: Optional[str] = None
    open_at: Optional[dt.datetime] = None
    text: Optional[str] = None
    near: Optional[tuple[float, float]] = None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _matches_text(service: Service, text: str) -> bool:
    wanted = fold(text).casefold().strip()
    if not wanted:
        return True
    fields: list[Any] = [service.name, service.description, service.address, service.slug, service.phone]
    haystack = " ".join(
        " ".join(str(v) for v in field.values()) if isinstance(field, dict) else str(field or "")
        for field in fields
    )
    return wanted in fold(haystack).casefold()


def _location(service: Service) -> Optional[tuple[float, float]]:
    if service.latitude is None or service.longitude is None:
        return None
    return service.latitude, service.longitude


def reachable(service: Service) -> bool:
    """Whether a resident can reach the service: a phone, an address, a website, or a number that knows it."""
    return bool(service.phone or service.website or service.address or service.confirm_phone)


async def find_services(session: AsyncSession, query: ServiceQuery) -> list[Service]:
    """Services matching every given filter.

    A district filter keeps city-wide and national services too (they serve
    every district), after the district's own. With ``near``, places with a
    location come first, nearest first; otherwise the district's own places,
    then by primary need and name.
    """
    services = list((await session.scalars(select(Service).where(Service.retired.is_(False)))).all())
    found = []
    for service in services:
        categories = service.categories or [service.category]
        if query.category and query.category not in categories:
            continue
        if query.district and service.district not in (None, query.district):
            continue
        if query.language and query.language not in (service.languages_served or []):
            continue
        if query.open_at is not None and not is_open(service.opening_hours, query.open_at):
            continue
        if query.text and not _matches_text(service, query.text):
            continue
        if not reachable(service):
            continue  # a place nobody can call, find or look up is not offered
        found.append(service)

    def order(service: Service) -> tuple[Any, ...]:
        categories = service.categories or [service.category]
        primary = 0 if query.category is None or categories[0] == query.category else 1
        local = 0 if query.district and service.district == query.district else 1
        if query.near is not None:
            where = _location(service)
            far = distance_km(query.near, where) if where else math.inf
            return (far, primary, service.slug)
        return (local, primary, service.slug)

    return sorted(found, key=order)


# How services.yml marks an address that is only a neighbourhood (its English text says so).
_NO_STREET_ADDRESS = ("street address not found", "to be confirmed", "address not found")


def has_street_address(service: Service) -> bool:
    """Whether the service's address is a street address, not only a neighbourhood or an old guess."""
    english = str((service.address or {}).get("en") or "").casefold()
    return bool(english) and not any(marker in english for marker in _NO_STREET_ADDRESS)


def service_distance(service: Service, near: Optional[tuple[float, float]]) -> Optional[float]:
    """Kilometres from ``near`` to the service, when both are known.

    A place whose street address is unknown has only a neighbourhood's coordinates (good
    enough to sort by), so no distance is shown for it.
    """
    where = _location(service)
    if not (near and where) or not has_street_address(service):
        return None
    return distance_km(near, where)


async def events_between(session: AsyncSession, start: dt.date, end: dt.date,
                         topic: Optional[str] = None) -> list[Event]:
    """Events that run on at least one day of [start, end], by start date (retired ones never).

    An event that began before the period and ends on its first day (New Year's Eve's bell, 31 December
    22:00 to 1 January) is not an event "in January": residents asking about a period mean what happens
    in it, and such a night belongs to the day it began."""
    rows = await session.scalars(
        select(Event).where(Event.start_date <= end, Event.end_date >= start, Event.retired.is_(False))
        .order_by(Event.start_date, Event.slug)
    )
    def spills_over(event: Event) -> bool:  # a night that began the day before the period
        return event.start_date < start and event.end_date == start == event.start_date + dt.timedelta(days=1)

    return [e for e in rows.all() if (topic is None or topic in (e.topics or [])) and not spills_over(e)]


async def upcoming_events(session: AsyncSession, today: dt.date, limit: int = 3,
                          topic: Optional[str] = None) -> list[Event]:
    """The next events not yet over on ``today``, soonest first (retired ones never)."""
    rows = await session.scalars(select(Event).where(Event.end_date >= today, Event.retired.is_(False))
                                 .order_by(Event.start_date, Event.slug))
    return [e for e in rows.all() if topic is None or topic in (e.topics or [])][:limit]


async def program_records(session: AsyncSession) -> list[dict[str, Any]]:
    """Every programme-year of the database an admin has not retired, as :mod:`hamkke.eligibility` reads them."""
    return [p.as_record() for p in (await session.scalars(select(Program))).all() if not p.retired]


async def eligibility_records(session: AsyncSession) -> Optional[list[dict[str, Any]]]:
    """What the eligibility checks apply: the programme-years not retired; ``None`` (the data file
    then) only for a database that has no programme at all, so a programme retired by an admin
    is never checked from the file instead."""
    rows = (await session.scalars(select(Program))).all()
    if not rows:
        return None
    return [p.as_record() for p in rows if not p.retired]


def today_in_seoul(now: Optional[dt.datetime] = None) -> dt.date:
    """The date in Gwangju at ``now`` (the current time by default)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(SEOUL).date()


def by_slug(items: Sequence[Any]) -> dict[str, Any]:
    """Index records by their slug."""
    return {item.slug: item for item in items}


def event_payload(event: Event) -> dict[str, Any]:
    """The fields of an event the gateway needs to render it."""
    return {
        "slug": event.slug,
        "name": event.name,
        "description": event.description,
        "venue": event.venue,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "start_time": event.start_time,
        "approximate": event.date_precision == "approximate",
        "phone": event.phone,
        "website": event.website,
    }


def next_occurrence(events: Sequence[Event], today: dt.date) -> Optional[Event]:
    """Of one event's yearly records, the next that is not over; else the latest (it has passed).

    Records an admin retired are never offered.
    """
    events = [e for e in events if not getattr(e, "retired", False)]
    coming = sorted((e for e in events if e.end_date >= today), key=lambda e: e.start_date)
    if coming:
        return coming[0]
    past = sorted(events, key=lambda e: e.start_date)
    return past[-1] if past else None


def service_payload(service: Service) -> dict[str, Any]:
    """The fields of a service the gateway needs to render its card."""
    return {
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "phone": service.phone,
        "website": service.website,
        "address": service.address,
        "hours": service.hours,
        "languages_served": service.languages_served,
        "confidence": service.confidence,
        "confirm_phone": service.confirm_phone,
    }
