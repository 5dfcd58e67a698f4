"""Office hours of the centres whose staff answer residents, and what a waiting resident is told.

When a resident asks for a person, the assistant answers in their language:
within office hours, their place in the queue and the expected wait; outside
them, when the centre opens next and the numbers to call if it cannot wait
(112, 119 and 1577-1366). Each centre's hours are in ``data/centres.yml``, in
the notation of :mod:`hamkke.hours` (Asia/Seoul). Public holidays, the lunar
ones (Seollal, Chuseok) and substitute holidays included, come from the
``holidays`` package's South Korean calendar, so nobody keeps a list by
hand; a centre may add closed dates of its own.

A span of hours belongs to the day it starts: on a holiday no span that
starts that day opens, while one that started the evening before runs on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Optional

import holidays
import yaml
from babel.dates import format_datetime

from hamkke import SUPPORTED_LANGUAGES, clock
from hamkke.config import PROJECT_ROOT
from hamkke.hours import SEOUL, HoursError, Span, parse
from hamkke.i18n import t

CENTRES_PATH = PROJECT_ROOT / "data" / "centres.yml"
URGENT_NUMBERS = ("112", "119", "1577-1366")
"""The numbers every out-of-hours notice gives: police, fire and ambulance, Danuri."""

# How far ahead next_opening looks: more than any run of holidays and closed dates.
HORIZON_DAYS = 2 * 366
_FIELDS = frozenset({"slug", "name", "phone", "hours", "closed_dates", "default"})
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# How each language writes the moment a centre opens ("Monday, 7 December, at
# 09:00"); the weekday is a literal where the sentence needs its case
# (Russian "в среду") or Vietnamese capitalisation ("thứ Hai", "Chủ nhật").
_RU_WEEKDAYS = ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
                "в воскресенье")
_VI_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class CentreError(ValueError):
    """A centres file that breaks the rules (bad hours, a missing language, no default)."""


@dataclass(frozen=True)
class Centre:
    """A centre whose staff answer hand-offs.

    ``name`` has one text per language; ``spans`` are the weekly office hours
    (Asia/Seoul) parsed from ``hours``; ``closed_dates`` are the centre's own
    closures on top of public holidays.
    """

    slug: str
    name: dict[str, str] = field(hash=False)
    phone: Optional[str]
    spans: tuple[Span, ...]
    closed_dates: frozenset[dt.date]
    default: bool
    hours: tuple[str, ...] = ()

    def display_name(self, lang: str) -> str:
        """The centre's name in ``lang`` (English when that language has none)."""
        return self.name.get(lang) or self.name["en"]


# --- The centres file ---------------------------------------------------------


def _as_date(value: Any, slug: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CentreError(f"{slug}: closed date {value!r} has a time; write only the date")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CentreError(f"{slug}: closed date {value!r} is not YYYY-MM-DD") from exc


def _centre(record: Any, index: int) -> Centre:
    if not isinstance(record, dict):
        raise CentreError(f"centre #{index + 1}: not a mapping")
    slug = record.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise CentreError(f"centre #{index + 1}: slug {slug!r} is not kebab-case")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise CentreError(f"{slug}: unknown fields {', '.join(unknown)}")
    name = record.get("name")
    if not isinstance(name, dict):
        raise CentreError(f"{slug}.name: one text per language ({', '.join(SUPPORTED_LANGUAGES)})")
    absent = [lang for lang in SUPPORTED_LANGUAGES if not (isinstance(name.get(lang), str) and name[lang].strip())]
    if absent:
        raise CentreError(f"{slug}.name: no {', '.join(absent)}")
    phone = record.get("phone")
    if phone is not None and not isinstance(phone, str):
        raise CentreError(f"{slug}: phone must be a quoted string or null")
    hours = record.get("hours")
    if not isinstance(hours, list) or not hours or not all(isinstance(item, str) for item in hours):
        raise CentreError(f"{slug}: hours must be a non-empty list such as [\"Mo-Fr 09:00-18:00\"]")
    try:
        spans = parse(hours)
    except HoursError as exc:
        raise CentreError(f"{slug}: {exc}") from exc
    if any(span.start >= 24 * 60 for span in spans):
        raise CentreError(f"{slug}: a span starts at 24:00; write 00:00 of the next day")
    closed = record.get("closed_dates") or []
    if not isinstance(closed, list):
        raise CentreError(f"{slug}: closed_dates must be a list of dates")
    default = record.get("default", False)
    if not isinstance(default, bool):
        raise CentreError(f"{slug}: default must be true or false")
    return Centre(
        slug=slug,
        name={lang: str(name[lang]).strip() for lang in SUPPORTED_LANGUAGES},
        phone=phone,
        spans=tuple(spans),
        closed_dates=frozenset(_as_date(value, slug) for value in closed),
        default=default,
        hours=tuple(item.strip() for item in hours),
    )


@cache
def _load(path: Path) -> tuple[Centre, ...]:
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(records, list):
        raise CentreError(f"{path.name}: expected a list of centres")
    centres = tuple(_centre(record, index) for index, record in enumerate(records))
    slugs = [c.slug for c in centres]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise CentreError(f"{path.name}: duplicate slugs: {', '.join(duplicates)}")
    defaults = [c.slug for c in centres if c.default]
    if len(defaults) != 1:
        raise CentreError(f"{path.name}: exactly one centre must have default: true (found {len(defaults)})")
    return centres


def load_centres(path: Path = CENTRES_PATH) -> list[Centre]:
    """The centres of the data file, checked (read once, then cached).

    Raises :class:`CentreError` naming the centre and the fault.
    """
    return list(_load(path))


def reload() -> None:
    """Forget the cached centres (after an admin edited the file)."""
    _load.cache_clear()


def default_centre() -> Centre:
    """The centre that answers when no other is chosen (``default: true``)."""
    return next(c for c in _load(CENTRES_PATH) if c.default)


def find_centre(slug: str) -> Optional[Centre]:
    """The centre with this slug, or ``None``."""
    return next((c for c in _load(CENTRES_PATH) if c.slug == slug), None)


# --- Open or closed -------------------------------------------------------------


@cache
def _public_holidays(year: int) -> Mapping[dt.date, str]:
    return dict(holidays.country_holidays("KR", years=year))


def public_holiday(day: dt.date) -> Optional[str]:
    """The name of the South Korean public holiday on ``day`` (in English), or ``None``."""
    return _public_holidays(day.year).get(day)


def is_closed_day(centre: Centre, day: dt.date) -> bool:
    """Whether ``day`` is a public holiday or one of the centre's own closed dates."""
    return day in centre.closed_dates or public_holiday(day) is not None


def _seoul(at: Optional[dt.datetime]) -> dt.datetime:
    moment = clock.now() if at is None else at
    if moment.tzinfo is None:
        raise ValueError("office hours need an aware datetime")
    return moment.astimezone(SEOUL)


def _openings(centre: Centre, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) of the spans that start on ``day``, in order."""
    if is_closed_day(centre, day):
        return []
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)
    return sorted(
        (midnight + dt.timedelta(minutes=span.start), midnight + dt.timedelta(minutes=span.start + span.minutes))
        for span in centre.spans
        if span.weekday == day.weekday()
    )


def is_open(centre: Centre, at: Optional[dt.datetime] = None) -> bool:
    """Whether the centre's staff are at work at ``at`` (aware; default: now)."""
    local = _seoul(at)
    for day in (local.date() - dt.timedelta(days=1), local.date()):
        if any(start <= local < end for start, end in _openings(centre, day)):
            return True
    return False


def next_opening(centre: Centre, at: Optional[dt.datetime] = None) -> Optional[dt.datetime]:
    """The first moment from ``at`` (aware; default: now) when the centre is open, in Asia/Seoul.

    ``at`` itself when the centre is open then; ``None`` when it does not open
    within :data:`HORIZON_DAYS`.
    """
    local = _seoul(at)
    first = local.date() - dt.timedelta(days=1)
    for offset in range(HORIZON_DAYS + 2):
        for start, end in _openings(centre, first + dt.timedelta(days=offset)):
            if end > local:
                return max(start, local)
    return None


def format_opening(moment: dt.datetime, lang: str) -> str:
    """A moment as ``lang`` says when something opens.

    "Monday, 7 December, at 09:00", "12월 7일 (월) 오전 9:00",
    "в понедельник, 7 декабря, в 09:00", "thứ Hai, ngày 7 tháng 12, lúc 09:00".
    """
    local = _seoul(moment)
    patterns = {
        "en": "EEEE, d MMMM, 'at' HH:mm",
        "ko": "M월 d일 (E) aaaa h:mm",
        "ru": f"'{_RU_WEEKDAYS[local.weekday()]}', d MMMM, 'в' HH:mm",
        "vi": f"'{_VI_WEEKDAYS[local.weekday()]}', 'ngày' d 'tháng' M, 'lúc' HH:mm",
    }
    if lang not in patterns:
        raise ValueError(f"unsupported language {lang!r}")
    return format_datetime(local, patterns[lang], tzinfo=SEOUL, locale=lang)


# --- What the resident is told -------------------------------------------------


def _about(minutes: int) -> int:
    """A wait as it is announced: at least a minute; past ten, to the nearest five."""
    minutes = max(1, minutes)
    return minutes if minutes <= 10 else 5 * round(minutes / 5)


def _check_position(position: int) -> None:
    if position < 1:
        raise ValueError(f"a place in the queue starts at 1, not {position}")


def handoff_notice(
    centre: Centre,
    lang: str,
    at: Optional[dt.datetime],
    position: int,
    wait_minutes: Optional[int],
    kakao: bool,
) -> list[str]:
    """The messages to send a resident whose request for a person was queued, in ``lang``.

    Within office hours: the place in the queue (``position``, 1 = next) and
    the expected wait when known; outside them: when the centre opens and the
    urgent numbers. On KakaoTalk (``kakao``), where staff replies arrive only
    when the resident writes, a second message says so. ``at`` defaults to now.
    """
    _check_position(position)
    local = _seoul(at)
    name = centre.display_name(lang)
    texts: list[str]
    if is_open(centre, local):
        if wait_minutes is None:
            texts = [t("handoff_waiting_open_unknown", lang, centre=name, position=position)]
        else:
            minutes = _about(wait_minutes)
            texts = [t("handoff_waiting_open", lang, centre=name, position=position, minutes=minutes, n=minutes)]
    else:
        opens = next_opening(centre, local)
        if opens is None:  # no hours ahead: the plain hand-off message, which gives 1345, 112 and 119
            texts = [t("handoff_recorded", lang)]
        else:
            texts = [t("handoff_waiting_closed", lang, centre=name, opens_at=format_opening(opens, lang))]
    if kakao:
        texts.append(t("handoff_kakao_collect", lang))
    return texts


def queue_status(
    centre: Centre,
    lang: str,
    at: Optional[dt.datetime],
    position: int,
    wait_minutes: Optional[int],
    held: bool,
) -> str:
    """The answer to "how long will it take?" from a resident who waits for a person, in ``lang``.

    ``held`` means a staff member already handles the conversation. ``at``
    defaults to now.
    """
    if held:
        return t("handoff_status_held", lang)
    _check_position(position)
    local = _seoul(at)
    if not is_open(centre, local):
        opens = next_opening(centre, local)
        if opens is not None:
            return t("handoff_status_closed", lang, opens_at=format_opening(opens, lang))
        return t("handoff_recorded", lang)
    if wait_minutes is None:
        return t("handoff_status_waiting_unknown", lang, position=position)
    minutes = _about(wait_minutes)
    return t("handoff_status_waiting", lang, position=position, minutes=minutes, n=minutes)
