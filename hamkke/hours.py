"""Opening hours: parsing the data files' notation and "open now" in Asia/Seoul.

The notation is a small subset of OpenStreetMap's ``opening_hours``: a list of
``"Mo-Fr 09:00-18:00"``, ``"Sa,Su 09:00-18:00"``, ``"Su 14:00-17:00"`` or
``"24/7"``. A range whose end is before its start runs past midnight
(``"Fr 18:00-02:00"`` is open until 02:00 on Saturday). A service without
hours is never reported as open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_ITEM = re.compile(r"^(?P<days>[A-Za-z,\-]+) (?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d)$")


class HoursError(ValueError):
    """An opening-hours item that does not follow the notation."""


@dataclass(frozen=True)
class Span:
    """Open on ``weekday`` (0 = Monday) from ``start`` for ``minutes`` minutes."""

    weekday: int
    start: int
    minutes: int


def _minutes(clock: str) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise HoursError(f"not a time of day: {clock}")
    return hours * 60 + minutes


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in DAYS for end in ends):
            raise HoursError(f"not a day range: {part}")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        days.extend(day for day in span if day not in days)
    return days


def parse(items: Sequence[str]) -> list[Span]:
    """The spans of a list of opening-hours items. Raises :class:`HoursError`."""
    spans: list[Span] = []
    for item in items:
        item = item.strip()
        if item == "24/7":
            spans.extend(Span(day, 0, 24 * 60) for day in range(7))
            continue
        match = _ITEM.match(item)
        if not match:
            raise HoursError(f"not an opening-hours item: {item!r}")
        start, end = _minutes(match["start"]), _minutes(match["end"])
        length = end - start if end > start else end + 24 * 60 - start
        spans.extend(Span(day, start, length) for day in _days(match["days"]))
    return spans


def is_open(items: Iterable[str] | None, at: dt.datetime) -> bool:
    """Whether a place with these hours is open at ``at`` (any timezone; naive = UTC)."""
    if not items:
        return False
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    local = at.astimezone(SEOUL)
    now = local.weekday() * 24 * 60 + local.hour * 60 + local.minute
    week = 7 * 24 * 60
    for span in parse(list(items)):
        begin = span.weekday * 24 * 60 + span.start
        # A span can run past Sunday midnight into Monday: compare modulo a week.
        if (now - begin) % week < span.minutes:
            return True
    return False
