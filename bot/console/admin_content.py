"""Admin pages: services, events, programme rules and canned replies (under ``/admin/content``).

Admins only (403 for staff, on every page and every POST). Every language is
edited side by side; every save needs the source of the fact (a URL or a
text), is checked by the same rules as the repository's files
(:mod:`hamkke.content`, :mod:`hamkke.eligibility`) so nothing is saved when
one breaks, resets the record's verified date to today, and goes through
:func:`hamkke.provenance.record_edit`: who and when are audited with the
source, importing the repository never overwrites the edit, and the content
version moves, so the next resident on any channel gets the new text (the
gateway, the action server and the JSON API read these tables on every
message; retired records are never offered).

Yearly events: each series (the records ``<series>-<year>`` sharing their
aliases) has a rule for its next occurrence (:class:`Recurrence`); "create
next year's occurrence" makes the next dated record from it, at the usual
date to be confirmed (``date_precision`` approximate) until an admin switches
"date confirmed" on. Programmes: "enter next year's rules" opens a new
record for year + 1 prefilled from the current one; it is saved once the
admin has set its application dates and given the source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from holidays.calendars.chinese import KOREAN_CALENDAR, VIETNAMESE_CALENDAR, _ChineseLunisolar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.common import Year
from bot.console.routes import AdminViewer, Form, Viewer, _db, _page
from bot.console.text import TEXT
from hamkke import SUPPORTED_LANGUAGES, clock
from hamkke.content import (
    CATEGORIES,
    DISTRICTS,
    EVENT_TOPICS,
    load_canned_replies,
    load_events,
    load_services,
)
from hamkke.db.models import CannedReply, ContentOrigin, Event, Program, Service, StaffUser
from hamkke.eligibility import PROGRAMS, RulesError, check_record
from hamkke.hours import HoursError, parse
from hamkke.provenance import record_edit

router = APIRouter(include_in_schema=False)

LANGUAGES = SUPPORTED_LANGUAGES
STALE_DAYS = 365
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YEAR_SUFFIX = re.compile(r"-(\d{4})$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# Where a series' rule is kept until the events table has a column for it (see Recurrence).

TEXT.update({
    "content_title": {"ko": "기관·행사·제도·정형 답변", "en": "Services, events, programmes, canned replies"},
    "content_intro": {
        "ko": "저장하면 바로 모든 채널의 다음 답변에 반영됩니다. "
              "저장할 때마다 사실의 출처가 필요하고, 확인일은 오늘로 바뀝니다.",
        "en": "A save is live at once, for the next resident on every channel. Every save needs the source of the "
              "fact and resets the verified date to today."},
    "content_services": {"ko": "기관·상담 전화", "en": "Services and helplines"},
    "content_events": {"ko": "행사", "en": "Events"},
    "content_programs": {"ko": "지원 제도 (연도별)", "en": "Programmes (per year)"},
    "content_canned": {"ko": "정형 답변", "en": "Canned replies"},
    "content_new_service": {"ko": "새 기관", "en": "New service"},
    "content_new_event": {"ko": "새 행사", "en": "New event"},
    "content_new_canned": {"ko": "새 정형 답변", "en": "New canned reply"},
    "content_edit": {"ko": "수정", "en": "Edit"},
    "content_name": {"ko": "이름", "en": "Name"},
    "content_description": {"ko": "설명", "en": "Description"},
    "content_address": {"ko": "주소", "en": "Address"},
    "content_hours": {"ko": "운영 시간 (글)", "en": "Opening hours (text)"},
    "content_fee": {"ko": "비용", "en": "Fee"},
    "content_venue": {"ko": "장소", "en": "Venue"},
    "content_title_field": {"ko": "제목", "en": "Title"},
    "content_text": {"ko": "답변", "en": "Text"},
    "content_verified": {"ko": "확인일", "en": "Verified"},
    "content_confidence": {"ko": "신뢰도", "en": "Confidence"},
    "content_confidence_help": {"ko": "H: 최근·공식, M: 한 곳의 보도, L: 오래됐거나 불확실 (확인 전화 필요)",
                                "en": "H: recent and official, M: one news source, L: old or uncertain "
                                      "(needs a number to confirm)"},
    "content_source": {"ko": "출처", "en": "Source"},
    "content_source_new": {"ko": "이 사실의 출처 (URL 또는 설명, 필수)",
                           "en": "Source of this fact (URL or text, required)"},
    "content_source_now": {"ko": "지금 기록된 출처: {source}", "en": "Source on record: {source}"},
    "content_edited": {"ko": "마지막 수정", "en": "Last edited"},
    "content_edited_by": {"ko": "{name}, {at}", "en": "{name}, {at}"},
    "content_state": {"ko": "상태", "en": "State"},
    "content_active": {"ko": "사용 중", "en": "active"},
    "content_retired": {"ko": "사용 안 함", "en": "retired"},
    "content_retire": {"ko": "사용 중지", "en": "Retire"},
    "content_unretire": {"ko": "다시 사용", "en": "Un-retire"},
    "content_retire_help": {"ko": "사용 중지된 항목은 주민에게 절대 안내되지 않습니다 (기록은 남습니다).",
                            "en": "A retired record is never offered to residents (it is kept for the record)."},
    "content_reason": {"ko": "이유와 출처 (필수)", "en": "Why, and the source (required)"},
    "content_flags": {"ko": "확인 필요", "en": "Flags"},
    "content_flag_stale": {"ko": "확인한 지 1년 넘음", "en": "verified over a year ago"},
    "content_flag_uncertain": {"ko": "불확실 (L)", "en": "uncertain (L)"},
    "content_flag_unreachable": {"ko": "연락처 없음", "en": "unreachable"},
    "content_flag_approximate": {"ko": "날짜 미확정", "en": "date to be confirmed"},
    "content_flag_no_next": {"ko": "다음 회차 없음", "en": "no next occurrence"},
    "content_slug": {"ko": "식별자 (영문 소문자, 숫자, -)", "en": "Slug (a-z, 0-9, -)"},
    "content_primary_category": {"ko": "주된 분야", "en": "Primary need"},
    "content_other_categories": {"ko": "다른 분야", "en": "Other needs"},
    "content_district": {"ko": "구", "en": "District"},
    "content_citywide": {"ko": "시 전체 / 전국", "en": "city-wide or national"},
    "content_phone": {"ko": "전화", "en": "Phone"},
    "content_website": {"ko": "웹사이트", "en": "Website"},
    "content_confirm_phone": {"ko": "확인 전화 (신뢰도 L일 때 필수)", "en": "Number to confirm (required with L)"},
    "content_opening_hours": {"ko": "운영 시간 (기계용, 한 줄에 하나: Mo-Fr 09:00-18:00, 24/7)",
                              "en": "Opening hours, machine-readable, one a line (Mo-Fr 09:00-18:00, 24/7)"},
    "content_latitude": {"ko": "위도", "en": "Latitude"},
    "content_longitude": {"ko": "경도", "en": "Longitude"},
    "content_languages_served": {"ko": "상담 언어 (코드, 쉼표로 구분: ko, en, ru)",
                                 "en": "Languages spoken (codes, comma-separated: ko, en, ru)"},
    "content_aliases": {"ko": "주민이 쓰는 이름 (한 줄에 하나)", "en": "Names residents type (one a line)"},
    "content_topics": {"ko": "주제", "en": "Topics"},
    "content_start_date": {"ko": "시작일", "en": "Start date"},
    "content_end_date": {"ko": "종료일", "en": "End date"},
    "content_start_time": {"ko": "시작 시각 (HH:MM)", "en": "Start time (HH:MM)"},
    "content_dates": {"ko": "날짜", "en": "Dates"},
    "content_date_confirmed": {"ko": "날짜 확정 (끄면: 보통 날짜, 확인 필요로 안내)",
                               "en": "Date confirmed (off: the usual date, said to be confirmed)"},
    "content_rule": {"ko": "다음 회차 규칙 (이 시리즈 전체)", "en": "Rule for the next occurrence (whole series)"},
    "content_series": {"ko": "시리즈", "en": "Series"},
    "content_rule_unset": {"ko": "규칙 없음", "en": "no rule yet"},
    "content_rule_none": {"ko": "반복하지 않음", "en": "does not recur"},
    "content_rule_date": {"ko": "매년 {month}월 {day}일", "en": "every year on {day} {month_name}"},
    "content_rule_weekday": {"ko": "매년 {month}월 {nth} {weekday}", "en": "every year, the {nth} {weekday} of "
                                                                          "{month_name}"},
    "content_rule_lunar": {"ko": "매년 {festival} ({calendar}){offset}", "en": "every year at {festival} "
                                                                             "({calendar}){offset}"},
    "content_rule_offset": {"ko": " {days}일 뒤", "en": " + {days} days"},
    "content_rule_kind": {"ko": "반복", "en": "Recurs"},
    "content_rule_kind_date": {"ko": "매년 같은 날짜", "en": "every year on a date"},
    "content_rule_kind_weekday": {"ko": "매년 n번째 요일", "en": "every year, the nth weekday of a month"},
    "content_rule_kind_lunar": {"ko": "음력 명절 기준", "en": "a lunar festival"},
    "content_month": {"ko": "월", "en": "Month"},
    "content_day": {"ko": "일", "en": "Day"},
    "content_nth": {"ko": "몇 번째", "en": "Which"},
    "content_weekday": {"ko": "요일", "en": "Weekday"},
    "content_festival": {"ko": "명절", "en": "Festival"},
    "content_calendar": {"ko": "달력", "en": "Calendar"},
    "content_offset": {"ko": "며칠 뒤 (0: 당일, 14: 정월대보름)", "en": "Days after (0: the day; 14: the full moon)"},
    "content_nth_1": {"ko": "첫째", "en": "first"},
    "content_nth_2": {"ko": "둘째", "en": "second"},
    "content_nth_3": {"ko": "셋째", "en": "third"},
    "content_nth_4": {"ko": "넷째", "en": "fourth"},
    "content_nth_-1": {"ko": "마지막", "en": "last"},
    "content_wd_0": {"ko": "월요일", "en": "Monday"},
    "content_wd_1": {"ko": "화요일", "en": "Tuesday"},
    "content_wd_2": {"ko": "수요일", "en": "Wednesday"},
    "content_wd_3": {"ko": "목요일", "en": "Thursday"},
    "content_wd_4": {"ko": "금요일", "en": "Friday"},
    "content_wd_5": {"ko": "토요일", "en": "Saturday"},
    "content_wd_6": {"ko": "일요일", "en": "Sunday"},
    "content_festival_new_year": {"ko": "설날 (음력 1월 1일)", "en": "lunar new year"},
    "content_festival_mid_autumn": {"ko": "추석 (음력 8월 15일)", "en": "mid-autumn (Chuseok)"},
    "content_calendar_ko": {"ko": "한국", "en": "Korean"},
    "content_calendar_vi": {"ko": "베트남", "en": "Vietnamese"},
    "content_create_next": {"ko": "다음 해 행사 만들기 (규칙으로)",
                            "en": "Create next year's occurrence (from the rule)"},
    "content_next_help": {"ko": "규칙으로 다음 날짜를 계산해 새 행사를 만듭니다. "
                                "확정 전까지 '날짜 미확정'으로 안내됩니다.",
                          "en": "Makes the next dated record from the rule; residents are told the date is to be "
                                "confirmed until you switch 'date confirmed' on."},
    "content_next_program": {"ko": "다음 해 기준 입력", "en": "Enter next year's rules"},
    "content_next_program_help": {"ko": "올해 기준을 복사했습니다. 신청 기간을 정하고 출처를 적어 저장하세요.",
                                  "en": "Copied from this year: set the application dates, give the source, save."},
    "content_year": {"ko": "연도", "en": "Year"},
    "content_apply_from": {"ko": "신청 시작", "en": "Applications open"},
    "content_apply_until": {"ko": "신청 마감 (없으면 비움)", "en": "Applications close (empty: all year)"},
    "content_rules": {"ko": "자격 기준 (YAML)", "en": "Rules (YAML)"},
    "content_period": {"ko": "신청 기간", "en": "Applications"},
    "content_saved": {"ko": "저장했습니다. 지금부터 주민에게 안내됩니다.",
                      "en": "Saved: residents get it from now on."},
    "content_not_saved": {"ko": "저장하지 않았습니다. 다음을 고쳐 주세요:", "en": "Nothing was saved. Please fix:"},
    "content_back": {"ko": "목록으로", "en": "Back to the lists"},
    "content_staff_page": {"ko": "직원용 정형 답변 화면", "en": "Staff canned-replies page"},
    "content_err_source": {"ko": "사실의 출처가 필요합니다.", "en": "The source of the fact is required."},
    "content_err_slug": {"ko": "식별자는 영문 소문자, 숫자, -만 씁니다.", "en": "A slug is a-z, 0-9 and -."},
    "content_err_slug_taken": {"ko": "이미 있는 식별자입니다.", "en": "That slug is taken."},
    "content_err_url": {"ko": "웹사이트는 http:// 또는 https://로 시작합니다.",
                        "en": "A website starts with http:// or https://."},
    "content_err_number": {"ko": "{field}: 숫자가 아닙니다.", "en": "{field}: not a number."},
    "content_err_location": {"ko": "위도와 경도는 함께, 광주 근처로 적습니다.",
                             "en": "Latitude and longitude go together, near Gwangju."},
    "content_err_language_code": {"ko": "언어 코드가 잘못됐습니다: {code}", "en": "Not a language code: {code}"},
    "content_err_date": {"ko": "{field}: 날짜는 YYYY-MM-DD로 적습니다.", "en": "{field}: a date is YYYY-MM-DD."},
    "content_err_time": {"ko": "시작 시각은 HH:MM으로 적습니다.", "en": "The start time is HH:MM."},
    "content_err_too_long": {"ko": "{field}: 너무 깁니다.", "en": "{field}: too long."},
    "content_err_rule": {"ko": "규칙이 잘못됐습니다: {why}", "en": "The rule is wrong: {why}"},
    "content_err_no_rule": {"ko": "이 시리즈에는 반복 규칙이 없습니다. 먼저 규칙을 저장하세요.",
                            "en": "This series has no rule: save one first."},
    "content_err_next_exists": {"ko": "{slug}이(가) 이미 있습니다.", "en": "{slug} exists already."},
    "content_err_yaml": {"ko": "기준을 읽을 수 없습니다 (YAML): {why}", "en": "The rules are not readable YAML: {why}"},
    "content_err_year_taken": {"ko": "{year}년 기준이 이미 있습니다.", "en": "The {year} rules exist already."},
    "content_none": {"ko": "없음", "en": "none"},
})


# -- flags ----------------------------------------------------------------------------------------


def flags(verified_on: Optional[dt.date], confidence: Optional[str], reachable: bool,
          today: Optional[dt.date] = None) -> list[str]:
    """What an admin should look at: ``stale`` (verified over a year ago), ``uncertain`` (L), ``unreachable``."""
    today = today or clock.today()
    found = []
    if verified_on is not None and (today - verified_on).days > STALE_DAYS:
        found.append("stale")
    if confidence == "L":
        found.append("uncertain")
    if not reachable:
        found.append("unreachable")
    return found


def service_reachable(service: Service) -> bool:
    """A resident can reach it: a phone, an address or a website."""
    return bool(service.phone or service.address or service.website)


# -- rules for the next occurrence of a yearly event ----------------------------------------------


def series_of(slug: str) -> str:
    """The series an event's record belongs to: its slug without the year (``world-day-2026`` -> ``world-day``)."""
    return YEAR_SUFFIX.sub("", slug)


@dataclasses.dataclass(frozen=True)
class Recurrence:
    """How an event series recurs.

    ``kind``: ``unset`` (nobody said), ``none`` (does not recur), ``date``
    (every year on ``month``/``day``), ``weekday`` (the ``nth`` ``weekday``
    of ``month``; nth -1 is the last; weekday 0 is Monday) or ``lunar``
    (``offset`` days after a lunar ``festival``, new_year or mid_autumn, in
    the Korean or Vietnamese ``calendar``: Seollal, Tết, Chuseok; Jeongwol
    Daeboreum is new_year + 14).

    Kept on every record of the series (``events.recurrence``), exported to
    ``data/events.yml`` as ``recurrence:`` (see :func:`load_rules`).
    """

    kind: str = "unset"
    month: int = 0
    day: int = 0
    nth: int = 0
    weekday: int = 0
    festival: str = "new_year"
    calendar: str = "ko"
    offset: int = 0

    KINDS = ("unset", "none", "date", "weekday", "lunar")

    @property
    def recurs(self) -> bool:
        """Whether there is a next occurrence to compute."""
        return self.kind in ("date", "weekday", "lunar")

    def check(self) -> None:
        """Raise ValueError when the rule cannot give a date."""
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.kind in ("date", "weekday") and not 1 <= self.month <= 12:
            raise ValueError("the month is 1-12")
        if self.kind == "date":
            dt.date(2028, self.month, self.day)  # a leap year: 29 February is a date
        if self.kind == "weekday" and (self.nth not in (1, 2, 3, 4, -1) or not 0 <= self.weekday <= 6):
            raise ValueError("the nth weekday is first to fourth or last, Monday to Sunday")
        if self.kind == "lunar" and (self.festival not in ("new_year", "mid_autumn")
                                     or self.calendar not in ("ko", "vi") or not -30 <= self.offset <= 60):
            raise ValueError("a lunar rule is new_year or mid_autumn, ko or vi, -30 to 60 days after")

    def on(self, year: int) -> Optional[dt.date]:
        """The rule's date in ``year`` (None: it does not recur, or the calendar does not know the year)."""
        if self.kind == "date":
            try:
                return dt.date(year, self.month, self.day)
            except ValueError:  # 29 February of a common year
                return dt.date(year, self.month, 28)
        if self.kind == "weekday":
            first = dt.date(year, self.month, 1)
            if self.nth == -1:
                following = dt.date(year + (self.month == 12), self.month % 12 + 1, 1)
                last = following - dt.timedelta(days=1)
                return last - dt.timedelta(days=(last.weekday() - self.weekday) % 7)
            return first + dt.timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.nth - 1))
        if self.kind == "lunar":
            calendar = _ChineseLunisolar(KOREAN_CALENDAR if self.calendar == "ko" else VIETNAMESE_CALENDAR)
            found = (calendar.lunar_new_year_date(year) if self.festival == "new_year"
                     else calendar.mid_autumn_date(year))[0]
            return found + dt.timedelta(days=self.offset) if found else None
        return None

    def canonical(self) -> Recurrence:
        """The rule with only the fields its kind reads (so two equal rules compare equal)."""
        if self.kind == "date":
            return Recurrence(self.kind, month=self.month, day=self.day)
        if self.kind == "weekday":
            return Recurrence(self.kind, month=self.month, nth=self.nth, weekday=self.weekday)
        if self.kind == "lunar":
            return Recurrence(self.kind, festival=self.festival, calendar=self.calendar, offset=self.offset)
        return Recurrence(self.kind)

    def as_dict(self) -> dict[str, Any]:
        """The rule's fields."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Recurrence:
        """A rule from stored or submitted fields (unknown fields ignored; numbers as text allowed)."""
        names = {f.name for f in dataclasses.fields(cls)}
        kept: dict[str, Any] = {}
        for name, value in values.items():
            if name not in names or value in (None, ""):
                continue
            kept[name] = int(value) if name not in ("kind", "festival", "calendar") else str(value)
        return cls(**kept)

    def describe(self, say: Callable[..., str]) -> str:
        """The rule in words (``say`` is the console's text function in the viewer's language)."""
        if self.kind in ("unset", "none"):
            return say(f"content_rule_{self.kind}")
        if self.kind == "date":
            return say("content_rule_date", month=self.month, day=self.day, month_name=_MONTHS[self.month - 1])
        if self.kind == "weekday":
            return say("content_rule_weekday", month=self.month, month_name=_MONTHS[self.month - 1],
                       nth=say(f"content_nth_{self.nth}"), weekday=say(f"content_wd_{self.weekday}"))
        offset = say("content_rule_offset", days=self.offset) if self.offset else ""
        return say("content_rule_lunar", festival=say(f"content_festival_{self.festival}"),
                   calendar=say(f"content_calendar_{self.calendar}"), offset=offset)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


async def load_rules(session: AsyncSession) -> dict[str, Recurrence]:
    """Every series' rule, by series (kept on each of its events' records)."""
    rules: dict[str, Recurrence] = {}
    for slug, rule in (await session.execute(select(Event.slug, Event.recurrence)
                                             .where(Event.recurrence.is_not(None)))).all():
        try:
            rules[series_of(slug)] = Recurrence.from_dict(dict(rule or {}))
        except (ValueError, TypeError):
            rules[series_of(slug)] = Recurrence()
    return rules


async def save_rule(session: AsyncSession, series: str, rule: Recurrence) -> None:
    """Keep ``series``' rule on every record of the series (the caller audits and commits)."""
    value = rule.as_dict() if rule.kind != "unset" else None
    for event in (await session.scalars(select(Event))).all():
        if series_of(event.slug) == series:
            event.recurrence = value


def next_date(rule: Recurrence, latest: Event, today: dt.date) -> Optional[dt.date]:
    """The date of the occurrence after ``latest``: the rule's date in the following year, or the first
    year after that whose date has not passed."""
    year = latest.start_date.year + 1
    for candidate in range(year, year + 30):
        found = rule.on(candidate)
        if found is None:
            return None
        if found > latest.end_date and found >= today:
            return found
    return None


# -- reading the form -----------------------------------------------------------------------------


def _text(form: dict[str, Any], name: str, limit: int = 4000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _per_language(form: dict[str, Any], name: str) -> Optional[dict[str, str]]:
    """One text per language (``name_ko`` ...): None when every language is empty, else those given."""
    values = {lang: _text(form, f"{name}_{lang}") for lang in LANGUAGES}
    given = {lang: value for lang, value in values.items() if value}
    return given or None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]


def _date(value: str, field: str, errors: list[tuple[str, dict[str, Any]]]) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(("content_err_date", {"field": field}))
        return None


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value


def _loader_error(loader: Callable[[Path], Any], record: dict[str, Any]) -> Optional[str]:
    """What the repository's loader says of ``record`` written as its file would hold it (None: fine)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.yml"
        path.write_text(yaml.safe_dump([record], allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            loader(path)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # ContentError is a ValueError
            return str(exc)
    return None


Errors = list[tuple[str, dict[str, Any]]]


def _say_errors(errors: Sequence[tuple[str, dict[str, Any]]], who: Viewer) -> list[str]:
    from bot.console.text import say

    return [say(key, who.lang, **args) if key in TEXT else str(args.get("text", key)) for key, args in errors]


def _common_checks(form: dict[str, Any], errors: Errors, website_limit: int = 200) -> str:
    """Source, website and phone: the checks every kind shares. Returns the source."""
    source = _text(form, "source", 2000)
    if not source:
        errors.append(("content_err_source", {}))
    website = _text(form, "website", 1000)
    if website and not _is_url(website):
        errors.append(("content_err_url", {}))
    if len(website) > website_limit:
        errors.append(("content_err_too_long", {"field": "website"}))
    if len(_text(form, "phone", 1000)) > 64:
        errors.append(("content_err_too_long", {"field": "phone"}))
    return source


def _new_slug(form: dict[str, Any], errors: Errors, taken: bool) -> str:
    slug = _text(form, "slug", 200).lower()
    if not SLUG.match(slug) or len(slug) > 64:
        errors.append(("content_err_slug", {}))
    elif taken:
        errors.append(("content_err_slug_taken", {}))
    return slug


async def _edit(session: AsyncSession, kind: str, key: str, who: Viewer, source: str, action: str,
                retired: bool, **detail: Any) -> None:
    """Record the edit (who, when, the source; never overwritten by an import; live at once)."""
    row = await record_edit(session, kind, key, who.user.id, source, action=action, **detail)
    row.retired = retired


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in after.items() if before.get(name) != value)


def _plain(value: Any) -> Any:
    """A value as JSON stores it (so an unchanged field compares equal)."""
    return json.loads(json.dumps(value, default=str))


# -- the lists ------------------------------------------------------------------------------------


async def _origins(session: AsyncSession, kind: str) -> dict[str, dict[str, Any]]:
    rows = (await session.execute(select(ContentOrigin, StaffUser.name).outerjoin(
        StaffUser, StaffUser.id == ContentOrigin.edited_by).where(ContentOrigin.kind == kind))).all()
    return {o.key: {"source": o.source, "by": name, "at": o.edited_at} for o, name in rows}


@router.get("/admin/content", response_class=HTMLResponse)
async def content_lists(request: Request, who: AdminViewer) -> HTMLResponse:
    """Services, events (by series, with their rule), programmes per year and canned replies, with flags."""
    today = clock.today()
    async with _db(request).session() as session:
        services = (await session.scalars(select(Service).order_by(Service.slug))).all()
        events = (await session.scalars(select(Event).order_by(Event.start_date, Event.slug))).all()
        programs = (await session.scalars(select(Program).order_by(Program.year.desc(), Program.slug))).all()
        canned = (await session.scalars(select(CannedReply).order_by(CannedReply.slug))).all()
        edited = {kind: await _origins(session, kind) for kind in ("service", "event", "program", "canned")}
        rules = await load_rules(session)
    service_items = [{"row": s, "flags": flags(s.verified_on, s.confidence, service_reachable(s), today),
                      "origin": edited["service"].get(s.slug, {})} for s in services]
    series: dict[str, dict[str, Any]] = {}
    for event in events:
        group = series.setdefault(series_of(event.slug), {"series": series_of(event.slug), "events": []})
        group["events"].append({
            "row": event, "origin": edited["event"].get(event.slug, {}),
            "flags": flags(event.verified_on, event.confidence, bool(event.phone or event.venue or event.website),
                           today) + (["approximate"] if event.date_precision == "approximate" else [])})
    for name, group in series.items():
        rule = rules.get(name, Recurrence())
        group["rule"] = rule
        live = [e["row"] for e in group["events"] if not e["row"].retired]
        # A yearly series whose every record is over has no next occurrence: residents hear of none.
        group["no_next"] = rule.kind != "none" and bool(live) and all(e.end_date < today for e in live)
    by_year: dict[int, list[dict[str, Any]]] = {}
    for program in programs:
        by_year.setdefault(program.year, []).append({
            "row": program, "origin": edited["program"].get(f"{program.slug}@{program.year}", {}),
            "flags": flags(program.verified_on, program.confidence, bool(program.phone or program.website), today)})
    canned_items = [{"row": c, "origin": edited["canned"].get(c.slug, {})} for c in canned]
    return _page(request, "admin_content.html", who, services=service_items,
                 series=sorted(series.values(), key=lambda g: g["series"]), programs=sorted(by_year.items(),
                 reverse=True), canned=canned_items, today=today, saved=request.query_params.get("saved"))


# -- services -------------------------------------------------------------------------------------


def _service_values(service: Optional[Service]) -> dict[str, Any]:
    if service is None:
        return {"slug": "", "categories": [], "district": None, "confidence": "M", "languages_served": ["ko"]}
    return {
        "slug": service.slug, "categories": list(service.categories or [service.category]),
        "district": service.district, "phone": service.phone, "website": service.website,
        "confirm_phone": service.confirm_phone, "confidence": service.confidence,
        "name": service.name, "description": service.description, "address": service.address,
        "hours": service.hours, "fee": service.fee, "opening_hours": service.opening_hours or [],
        "latitude": service.latitude, "longitude": service.longitude,
        "languages_served": service.languages_served or [], "aliases": service.aliases or [],
        "source_url": service.source_url, "verified_on": service.verified_on,
    }


def _service_record(form: dict[str, Any], slug: str, current: Optional[Service],
                    errors: Errors) -> dict[str, Any]:
    """The submitted service as services.yml would hold it, checked by its loader's rules."""
    primary = _text(form, "category")
    categories = [primary] if primary else []
    categories += [c for c in CATEGORIES if form.get(f"cat_{c}") and c != primary]
    district = _text(form, "district") or None
    coordinates: list[Optional[float]] = []
    for field in ("latitude", "longitude"):
        raw = _text(form, field, 40)
        try:
            coordinates.append(float(raw) if raw else None)
        except ValueError:
            errors.append(("content_err_number", {"field": field}))
            coordinates.append(None)
    latitude, longitude = coordinates
    if (latitude is None) != (longitude is None) or (
            latitude is not None and longitude is not None
            and not (33 <= latitude <= 39 and 124 <= longitude <= 132)):
        errors.append(("content_err_location", {}))
    served = [code.strip().lower() for code in _text(form, "languages_served").replace(";", ",").split(",")
              if code.strip()]
    for code in served:
        if not LANGUAGE_CODE.match(code):
            errors.append(("content_err_language_code", {"code": code}))
    source = _common_checks(form, errors)
    confirm_phone = _text(form, "confirm_phone", 200) or None
    if confirm_phone and len(confirm_phone) > 32:
        errors.append(("content_err_too_long", {"field": "confirm_phone"}))
    record: dict[str, Any] = {
        "slug": slug, "categories": categories, "district": district,
        "phone": _text(form, "phone", 64) or None, "website": _text(form, "website", 200) or None,
        "confidence": _text(form, "confidence") or "", "confirm_phone": confirm_phone,
        "name": _per_language(form, "name"), "description": _per_language(form, "description"),
        "address": _per_language(form, "address"), "hours": _per_language(form, "hours"),
        "fee": _per_language(form, "fee"), "opening_hours": _lines(_text(form, "opening_hours")) or None,
        "latitude": latitude, "longitude": longitude, "languages_served": served or None,
        "aliases": _lines(_text(form, "aliases")) or None,
        # The record's reference: the new source when it is an address, else the one on record.
        "source_url": source if _is_url(source) else (current.source_url if current else source),
        "verified_on": clock.today(),
    }
    checked = record
    try:
        parse(record["opening_hours"] or [])
    except HoursError as exc:
        errors.append(("", {"text": f"opening_hours: {exc}"}))
        checked = {**record, "opening_hours": None}  # said once; the loader's other rules still apply
    problem = _loader_error(load_services, checked)
    if problem:
        errors.append(("", {"text": problem}))
    return record


def _service_page(request: Request, who: Viewer, values: dict[str, Any], is_new: bool,
                  errors: Optional[list[str]] = None, origin_info: Optional[dict[str, Any]] = None,
                  retired: bool = False, status: int = 200) -> HTMLResponse:
    return _page(request, "admin_content_service.html", who, status=status, s=values, is_new=is_new,
                 errors=errors or [], origin=origin_info or {}, retired=retired, categories=CATEGORIES,
                 districts=DISTRICTS, languages=LANGUAGES, saved=request.query_params.get("saved"))


async def _service(session: AsyncSession, slug: str) -> Service:
    service = await session.scalar(select(Service).where(Service.slug == slug))
    if service is None:
        raise HTTPException(404, "no such service")
    return service


@router.get("/admin/content/services/new", response_class=HTMLResponse)
async def new_service_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """An empty service form."""
    return _service_page(request, who, _service_values(None), True)


@router.get("/admin/content/services/{slug}", response_class=HTMLResponse)
async def service_page(request: Request, slug: str, who: AdminViewer) -> HTMLResponse:
    """One service, every language side by side."""
    async with _db(request).session() as session:
        service = await _service(session, slug)
        info = (await _origins(session, "service")).get(slug, {})
    return _service_page(request, who, _service_values(service), False, _query_errors(request, who), info,
                         service.retired)


_SERVICE_FIELDS = ("categories", "district", "phone", "website", "name", "description", "address", "hours",
                   "opening_hours", "latitude", "longitude", "languages_served", "aliases", "fee", "confidence",
                   "confirm_phone", "source_url", "verified_on")


@router.post("/admin/content/services", response_model=None)
async def create_service(request: Request, form: Form, who: AdminViewer) -> Response:
    """Create a service (checked like services.yml; nothing saved when a rule is broken)."""
    errors: Errors = []
    async with _db(request).session() as session:
        taken = await session.scalar(select(Service.id).where(Service.slug == _text(form, "slug", 200).lower()))
        slug = _new_slug(form, errors, taken is not None)
        record = _service_record(form, slug, None, errors)
        if errors:
            return _service_page(request, who, record, True, _say_errors(errors, who), status=400)
        service = Service(slug=slug, category=record["categories"][0], retired=False,
                          **{k: record[k] for k in _SERVICE_FIELDS})
        session.add(service)
        await _edit(session, "service", slug, who, _text(form, "source", 2000), "content_created", False)
        await session.commit()
    return RedirectResponse(f"/admin/content/services/{slug}?saved=1", status_code=303)


@router.post("/admin/content/services/{slug}", response_model=None)
async def save_service(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Save a service: live at once, verified today, the source kept and audited."""
    errors: Errors = []
    async with _db(request).session() as session:
        service = await _service(session, slug)
        record = _service_record(form, slug, service, errors)
        if errors:
            info = (await _origins(session, "service")).get(slug, {})
            values = {**record, "verified_on": service.verified_on}  # nothing saved: still the old date
            return _service_page(request, who, values, False, _say_errors(errors, who), info, service.retired, 400)
        before = {k: _plain(getattr(service, k)) for k in _SERVICE_FIELDS}
        for name in _SERVICE_FIELDS:
            setattr(service, name, record[name])
        service.category = record["categories"][0]
        changed = _changed(before, {k: _plain(record[k]) for k in _SERVICE_FIELDS})
        await _edit(session, "service", slug, who, _text(form, "source", 2000), "content_edited", service.retired,
                    changed=changed)
        await session.commit()
    return RedirectResponse(f"/admin/content/services/{slug}?saved=1", status_code=303)


# -- retiring -------------------------------------------------------------------------------------


@router.post("/admin/content/services/{slug}/retire", response_model=None)
async def retire_service(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Retire (retired=1) or un-retire (retired=0) a service: a retired one is never offered."""
    async with _db(request).session() as session:
        service = await _service(session, slug)
        return await _set_retired(session, who, form, "service", slug, service, f"/admin/content/services/{slug}")


async def _set_retired(session: AsyncSession, who: Viewer, form: dict[str, Any], kind: str, key: str,
                       row: Any, page: str) -> Response:
    """Retire (``retired=1``) or un-retire (``retired=0``) ``row``; the reason's source is required."""
    source = _text(form, "source", 2000)
    if not source:
        return RedirectResponse(f"{page}?error=source", status_code=303)
    row.retired = str(form.get("retired") or "1") not in ("0", "false")
    await _edit(session, kind, key, who, source, "content_retired" if row.retired else "content_unretired",
                row.retired)
    await session.commit()
    return RedirectResponse(f"{page}?saved=1", status_code=303)


# Errors a redirect names (never text from the address itself).
_QUERY_ERRORS = {"source": "content_err_source"}


def _query_errors(request: Request, who: Viewer) -> list[str]:
    from bot.console.text import say

    key = _QUERY_ERRORS.get(request.query_params.get("error") or "")
    return [say(key, who.lang)] if key else []


# -- events ---------------------------------------------------------------------------------------


def _event_values(event: Optional[Event]) -> dict[str, Any]:
    if event is None:
        return {"slug": "", "topics": [], "confidence": "M", "date_precision": "approximate"}
    return {
        "slug": event.slug, "topics": list(event.topics or []), "aliases": event.aliases or [],
        "start_date": event.start_date, "end_date": event.end_date, "start_time": event.start_time,
        "date_precision": event.date_precision, "district": event.district, "phone": event.phone,
        "website": event.website, "name": event.name, "description": event.description, "venue": event.venue,
        "confidence": event.confidence, "source_url": event.source_url, "verified_on": event.verified_on,
    }


def _rule_from_form(form: dict[str, Any], errors: Errors) -> Optional[Recurrence]:
    """The series' rule as submitted (None when the form has no rule fields)."""
    if "rule_kind" not in form:
        return None
    values = {name[5:]: form.get(name) for name in form if name.startswith("rule_")}
    try:
        rule = Recurrence.from_dict(values).canonical()
        rule.check()
    except (ValueError, TypeError) as exc:
        errors.append(("content_err_rule", {"why": str(exc)}))
        return None
    return rule


def _event_record(form: dict[str, Any], slug: str, current: Optional[Event], errors: Errors) -> dict[str, Any]:
    """The submitted event as events.yml would hold it, checked by its loader's rules."""
    start = _date(_text(form, "start_date", 40), "start_date", errors)
    if start is None and not _text(form, "start_date", 40):  # an event needs its day (a 500 before)
        errors.append(("content_err_date", {"field": "start_date"}))
    end = _date(_text(form, "end_date", 40), "end_date", errors) or start
    start_time = _text(form, "start_time", 20) or None
    if start_time and not TIME.match(start_time):
        errors.append(("content_err_time", {}))
    source = _common_checks(form, errors)
    record: dict[str, Any] = {
        "slug": slug, "topics": [t for t in EVENT_TOPICS if form.get(f"topic_{t}")],
        "aliases": _lines(_text(form, "aliases")) or None, "start_date": start, "end_date": end,
        "start_time": start_time,
        "date_precision": "exact" if form.get("date_confirmed") else "approximate",
        "district": _text(form, "district") or None, "phone": _text(form, "phone", 64) or None,
        "website": _text(form, "website", 200) or None, "name": _per_language(form, "name"),
        "description": _per_language(form, "description"), "venue": _per_language(form, "venue"),
        "confidence": _text(form, "confidence") or "",
        "source_url": source if _is_url(source) else (current.source_url if current else source),
        "verified_on": clock.today(),
    }
    if start is not None:
        problem = _loader_error(load_events, record)
        if problem:
            errors.append(("", {"text": problem}))
    return record


_EVENT_FIELDS = ("topics", "aliases", "start_date", "end_date", "start_time", "date_precision", "district",
                 "phone", "website", "name", "description", "venue", "confidence", "source_url", "verified_on")


async def _event_context(session: AsyncSession, slug: str) -> dict[str, Any]:
    rules = await load_rules(session)
    series = series_of(slug)
    siblings = [e for e in (await session.scalars(select(Event).order_by(Event.start_date))).all()
                if series_of(e.slug) == series]
    return {"rule": rules.get(series, Recurrence()), "series": series, "siblings": siblings,
            "origin": (await _origins(session, "event")).get(slug, {})}


def _event_page(request: Request, who: Viewer, values: dict[str, Any], is_new: bool, context: dict[str, Any],
                errors: Optional[list[str]] = None, retired: bool = False, status: int = 200) -> HTMLResponse:
    return _page(request, "admin_content_event.html", who, status=status, e=values, is_new=is_new,
                 errors=errors or [], retired=retired, topics=EVENT_TOPICS, districts=DISTRICTS,
                 languages=LANGUAGES, saved=request.query_params.get("saved"), months=_MONTHS, **context)


async def _event(session: AsyncSession, slug: str) -> Event:
    event = await session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise HTTPException(404, "no such event")
    return event


@router.get("/admin/content/events/new", response_class=HTMLResponse)
async def new_event_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """An empty event form."""
    context = {"rule": Recurrence(), "series": "", "siblings": [], "origin": {}}
    return _event_page(request, who, _event_values(None), True, context)


@router.get("/admin/content/events/{slug}", response_class=HTMLResponse)
async def event_page(request: Request, slug: str, who: AdminViewer) -> HTMLResponse:
    """One event: every language side by side, its series' rule and the "next occurrence" button."""
    async with _db(request).session() as session:
        event = await _event(session, slug)
        context = await _event_context(session, slug)
    return _event_page(request, who, _event_values(event), False, context, _query_errors(request, who),
                       event.retired)


@router.post("/admin/content/events", response_model=None)
async def create_event(request: Request, form: Form, who: AdminViewer) -> Response:
    """Create an event (checked like events.yml) and, when given, its series' rule."""
    errors: Errors = []
    async with _db(request).session() as session:
        taken = await session.scalar(select(Event.id).where(Event.slug == _text(form, "slug", 200).lower()))
        slug = _new_slug(form, errors, taken is not None)
        record = _event_record(form, slug, None, errors)
        rule = _rule_from_form(form, errors)
        if errors:
            context = {"rule": rule or Recurrence(), "series": series_of(slug), "siblings": [], "origin": {}}
            return _event_page(request, who, record, True, context, _say_errors(errors, who), status=400)
        session.add(Event(slug=slug, retired=False, **{k: record[k] for k in _EVENT_FIELDS}))
        detail: dict[str, Any] = {}
        if rule is not None and rule.kind != "unset":
            await save_rule(session, series_of(slug), rule)
            detail["rule"] = rule.as_dict()
        await _edit(session, "event", slug, who, _text(form, "source", 2000), "content_created", False, **detail)
        await session.commit()
    return RedirectResponse(f"/admin/content/events/{slug}?saved=1", status_code=303)


@router.post("/admin/content/events/{slug}", response_model=None)
async def save_event(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Save an event and its series' rule: live at once, verified today, the source kept and audited."""
    errors: Errors = []
    async with _db(request).session() as session:
        event = await _event(session, slug)
        record = _event_record(form, slug, event, errors)
        rule = _rule_from_form(form, errors)
        if errors:
            context = await _event_context(session, slug)
            if rule is not None:
                context["rule"] = rule
            values = {**record, "verified_on": event.verified_on}  # nothing saved: still the old date
            return _event_page(request, who, values, False, context, _say_errors(errors, who), event.retired, 400)
        before = {k: _plain(getattr(event, k)) for k in _EVENT_FIELDS}
        for name in _EVENT_FIELDS:
            setattr(event, name, record[name])
        detail: dict[str, Any] = {"changed": _changed(before, {k: _plain(record[k]) for k in _EVENT_FIELDS})}
        if rule is not None:
            old = (await load_rules(session)).get(series_of(slug), Recurrence())
            if rule != old:
                await save_rule(session, series_of(slug), rule)
                detail["rule"] = rule.as_dict()
        await _edit(session, "event", slug, who, _text(form, "source", 2000), "content_edited", event.retired,
                    **detail)
        await session.commit()
    return RedirectResponse(f"/admin/content/events/{slug}?saved=1", status_code=303)


@router.post("/admin/content/events/{slug}/retire", response_model=None)
async def retire_event(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Retire or un-retire an event: a retired one is never offered (lists, names, next occurrences)."""
    async with _db(request).session() as session:
        event = await _event(session, slug)
        return await _set_retired(session, who, form, "event", slug, event, f"/admin/content/events/{slug}")


def _next_year_text(texts: Optional[dict[str, str]], old: int, new: int) -> Optional[dict[str, str]]:
    if texts is None:
        return None
    return {lang: text.replace(str(old), str(new)) for lang, text in texts.items()}


@router.post("/admin/content/events/{slug}/next", response_model=None)
async def create_next_occurrence(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Make the series' next dated record from its rule: approximate (to be confirmed), confidence L."""
    from bot.console.text import say

    today = clock.today()
    async with _db(request).session() as session:
        await _event(session, slug)
        context = await _event_context(session, slug)
        rule: Recurrence = context["rule"]
        series = context["series"]
        latest: Event = max(context["siblings"], key=lambda e: e.start_date)
        error = None
        start = next_date(rule, latest, today) if rule.recurs else None
        new_slug = f"{series}-{start.year}" if start else ""
        if not rule.recurs:
            error = say("content_err_no_rule", who.lang)
        elif start is None:
            error = say("content_err_rule", who.lang, why=rule.describe(lambda k, **a: say(k, who.lang, **a)))
        elif await session.scalar(select(Event.id).where(Event.slug == new_slug)) is not None:
            error = say("content_err_next_exists", who.lang, slug=new_slug)
        if error or start is None:
            event = await _event(session, slug)
            return _event_page(request, who, _event_values(event), False, context, [error or ""], event.retired, 409)
        old_year = latest.start_date.year
        event = Event(
            slug=new_slug, topics=list(latest.topics or []), aliases=list(latest.aliases or []) or None,
            start_date=start, end_date=start + (latest.end_date - latest.start_date), start_time=latest.start_time,
            date_precision="approximate", district=latest.district, phone=latest.phone, website=latest.website,
            name=_next_year_text(latest.name, old_year, start.year) or {},
            description=dict(latest.description or {}), venue=latest.venue, confidence="L",
            source_url=latest.source_url, verified_on=today, retired=False, recurrence=latest.recurrence)
        session.add(event)
        await _edit(session, "event", new_slug, who, latest.source_url, "event_next_created", False,
                    rule=rule.as_dict(), from_slug=latest.slug)
        await session.commit()
    return RedirectResponse(f"/admin/content/events/{new_slug}?saved=1", status_code=303)


# -- programmes -----------------------------------------------------------------------------------


def _program_values(program: Optional[Program], year: Optional[int] = None) -> dict[str, Any]:
    if program is None:
        return {}
    return {
        "slug": program.slug, "year": year or program.year,
        "apply_from": program.apply_from if year is None else None,
        "apply_until": program.apply_until if year is None else None,
        "phone": program.phone, "website": program.website, "confidence": program.confidence,
        "rules_text": yaml.safe_dump(program.rules, allow_unicode=True, sort_keys=False),
        "source_url": program.source_url, "verified_on": program.verified_on,
    }


def _program_record(form: dict[str, Any], slug: str, year: int, current: Optional[Program],
                    errors: Errors) -> dict[str, Any]:
    """The submitted programme-year as programs.yml would hold it, checked by hamkke.eligibility's rules."""
    source = _common_checks(form, errors)
    rules_text = _text(form, "rules", 20000)
    rules: Any = None
    try:
        rules = yaml.safe_load(rules_text) if rules_text else None
    except yaml.YAMLError as exc:
        errors.append(("content_err_yaml", {"why": str(exc).splitlines()[0]}))
    record: dict[str, Any] = {
        "slug": slug, "year": year,
        "apply_from": _date(_text(form, "apply_from", 40), "apply_from", errors),
        "apply_until": _date(_text(form, "apply_until", 40), "apply_until", errors),
        "phone": _text(form, "phone", 64) or None, "website": _text(form, "website", 200) or None,
        "confidence": _text(form, "confidence") or "", "rules": rules, "rules_text": rules_text,
        "source_url": source if _is_url(source) else (current.source_url if current else source),
        "verified_on": clock.today(),
    }
    if not any(key == "content_err_yaml" for key, _ in errors):
        try:
            check_record(record)
        except RulesError as exc:
            errors.append(("", {"text": str(exc)}))
    # Stored as JSON stores it (household sizes become text), as the import does.
    record["rules"] = _plain(rules) if isinstance(rules, dict) else rules
    return record


_PROGRAM_FIELDS = ("apply_from", "apply_until", "phone", "website", "rules", "confidence", "source_url",
                   "verified_on")


def _program_page(request: Request, who: Viewer, values: dict[str, Any], is_new: bool,
                  errors: Optional[list[str]] = None, origin_info: Optional[dict[str, Any]] = None,
                  retired: bool = False, status: int = 200) -> HTMLResponse:
    return _page(request, "admin_content_program.html", who, status=status, p=values, is_new=is_new,
                 errors=errors or [], origin=origin_info or {}, retired=retired,
                 saved=request.query_params.get("saved"))


async def _program(session: AsyncSession, slug: str, year: int) -> Program:
    program = await session.scalar(select(Program).where(Program.slug == slug, Program.year == year))
    if program is None:
        raise HTTPException(404, "no such programme year")
    return program


@router.get("/admin/content/programs/{slug}/{year}", response_class=HTMLResponse)
async def program_page(request: Request, slug: str, year: Year, who: AdminViewer) -> HTMLResponse:
    """One programme-year: its application period, contacts, source and rules (YAML)."""
    async with _db(request).session() as session:
        program = await _program(session, slug, year)
        info = (await _origins(session, "program")).get(f"{slug}@{year}", {})
    return _program_page(request, who, _program_values(program), False, _query_errors(request, who), info,
                         program.retired)


@router.get("/admin/content/programs/{slug}/{year}/next", response_class=HTMLResponse)
async def next_program_page(request: Request, slug: str, year: Year, who: AdminViewer) -> HTMLResponse:
    """Next year's rules, prefilled from this year's (the application dates are left to set)."""
    async with _db(request).session() as session:
        program = await _program(session, slug, year)
    return _program_page(request, who, _program_values(program, year + 1), True)


@router.post("/admin/content/programs", response_model=None)
async def create_program(request: Request, form: Form, who: AdminViewer) -> Response:
    """Save a new programme-year (next year's rules): checked by hamkke.eligibility, nothing saved when wrong."""
    errors: Errors = []
    slug = _text(form, "slug", 64)
    try:
        year = int(_text(form, "year", 8))
    except ValueError:
        raise HTTPException(400, "no year") from None
    if slug not in PROGRAMS:
        raise HTTPException(400, "unknown programme")
    async with _db(request).session() as session:
        record = _program_record(form, slug, year, None, errors)
        if await session.scalar(select(Program.id).where(Program.slug == slug, Program.year == year)) is not None:
            errors.append(("content_err_year_taken", {"year": year}))
        if errors:
            return _program_page(request, who, record, True, _say_errors(errors, who), status=400)
        session.add(Program(slug=slug, year=year, retired=False, **{k: record[k] for k in _PROGRAM_FIELDS}))
        await _edit(session, "program", f"{slug}@{year}", who, _text(form, "source", 2000), "content_created", False)
        await session.commit()
    return RedirectResponse(f"/admin/content/programs/{slug}/{year}?saved=1", status_code=303)


@router.post("/admin/content/programs/{slug}/{year}", response_model=None)
async def save_program(request: Request, slug: str, year: Year, form: Form, who: AdminViewer) -> Response:
    """Save a programme-year: live at once for the conversation, the API and staff."""
    errors: Errors = []
    async with _db(request).session() as session:
        program = await _program(session, slug, year)
        record = _program_record(form, slug, year, program, errors)
        if errors:
            info = (await _origins(session, "program")).get(f"{slug}@{year}", {})
            values = {**record, "verified_on": program.verified_on}  # nothing saved: still the old date
            return _program_page(request, who, values, False, _say_errors(errors, who), info, program.retired, 400)
        before = {k: _plain(getattr(program, k)) for k in _PROGRAM_FIELDS}
        for name in _PROGRAM_FIELDS:
            setattr(program, name, record[name])
        await _edit(session, "program", f"{slug}@{year}", who, _text(form, "source", 2000), "content_edited",
                    program.retired, changed=_changed(before, {k: _plain(record[k]) for k in _PROGRAM_FIELDS}))
        await session.commit()
    return RedirectResponse(f"/admin/content/programs/{slug}/{year}?saved=1", status_code=303)


@router.post("/admin/content/programs/{slug}/{year}/retire", response_model=None)
async def retire_program(request: Request, slug: str, year: Year, form: Form, who: AdminViewer) -> Response:
    """Retire or un-retire a programme-year: a retired one is never applied (the previous year's then)."""
    async with _db(request).session() as session:
        program = await _program(session, slug, year)
        return await _set_retired(session, who, form, "program", f"{slug}@{year}", program,
                                  f"/admin/content/programs/{slug}/{year}")


# -- canned replies -------------------------------------------------------------------------------


def _canned_values(row: Optional[CannedReply]) -> dict[str, Any]:
    if row is None:
        return {"slug": "", "title": {}, "texts": {}}
    return {"slug": row.slug, "title": row.title or {}, "texts": row.texts or {}}


def _canned_record(form: dict[str, Any], slug: str, errors: Errors) -> dict[str, Any]:
    """The submitted canned reply as canned_replies.yml would hold it, checked by its loader."""
    source = _text(form, "source", 2000)
    if not source:
        errors.append(("content_err_source", {}))
    record = {"slug": slug, "title": {lang: _text(form, f"title_{lang}", 200) for lang in ("ko", "en")},
              "texts": {lang: _text(form, f"text_{lang}") for lang in LANGUAGES}}
    problem = _loader_error(load_canned_replies, record)
    if problem:
        errors.append(("", {"text": problem}))
    return record


def _canned_page(request: Request, who: Viewer, values: dict[str, Any], is_new: bool,
                 errors: Optional[list[str]] = None, origin_info: Optional[dict[str, Any]] = None,
                 retired: bool = False, status: int = 200) -> HTMLResponse:
    return _page(request, "admin_content_canned.html", who, status=status, c=values, is_new=is_new,
                 errors=errors or [], origin=origin_info or {}, retired=retired, languages=LANGUAGES,
                 saved=request.query_params.get("saved"))


async def _canned(session: AsyncSession, slug: str) -> CannedReply:
    row = await session.scalar(select(CannedReply).where(CannedReply.slug == slug))
    if row is None:
        raise HTTPException(404, "no such canned reply")
    return row


@router.get("/admin/content/canned/new", response_class=HTMLResponse)
async def new_canned_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """An empty canned reply form."""
    return _canned_page(request, who, _canned_values(None), True)


@router.get("/admin/content/canned/{slug}", response_class=HTMLResponse)
async def canned_page(request: Request, slug: str, who: AdminViewer) -> HTMLResponse:
    """One canned reply, every language side by side, with its provenance."""
    async with _db(request).session() as session:
        row = await _canned(session, slug)
        info = (await _origins(session, "canned")).get(slug, {})
    return _canned_page(request, who, _canned_values(row), False, _query_errors(request, who), info, row.retired)


@router.post("/admin/content/canned", response_model=None)
async def create_canned(request: Request, form: Form, who: AdminViewer) -> Response:
    """Create a canned reply (every language, a title in ko and en, a source)."""
    errors: Errors = []
    async with _db(request).session() as session:
        taken = await session.scalar(select(CannedReply.id).where(
            CannedReply.slug == _text(form, "slug", 200).lower()))
        slug = _new_slug(form, errors, taken is not None)
        record = _canned_record(form, slug, errors)
        if errors:
            return _canned_page(request, who, record, True, _say_errors(errors, who), status=400)
        session.add(CannedReply(slug=slug, title=record["title"], texts=record["texts"], retired=False,
                                updated_by=who.user.id))
        await _edit(session, "canned", slug, who, _text(form, "source", 2000), "content_created", False)
        await session.commit()
    return RedirectResponse(f"/admin/content/canned/{slug}?saved=1", status_code=303)


@router.post("/admin/content/canned/{slug}", response_model=None)
async def save_canned(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Save a canned reply: staff get the new text at once."""
    errors: Errors = []
    async with _db(request).session() as session:
        row = await _canned(session, slug)
        record = _canned_record(form, slug, errors)
        if errors:
            info = (await _origins(session, "canned")).get(slug, {})
            return _canned_page(request, who, record, False, _say_errors(errors, who), info, row.retired, 400)
        changed = _changed({"title": row.title, "texts": row.texts}, {"title": record["title"],
                                                                      "texts": record["texts"]})
        row.title, row.texts, row.updated_by = record["title"], record["texts"], who.user.id
        await _edit(session, "canned", slug, who, _text(form, "source", 2000), "content_edited", row.retired,
                    changed=changed)
        await session.commit()
    return RedirectResponse(f"/admin/content/canned/{slug}?saved=1", status_code=303)


@router.post("/admin/content/canned/{slug}/retire", response_model=None)
async def retire_canned(request: Request, slug: str, form: Form, who: AdminViewer) -> Response:
    """Retire or un-retire a canned reply (a retired one is not offered to staff)."""
    async with _db(request).session() as session:
        row = await _canned(session, slug)
        return await _set_retired(session, who, form, "canned", slug, row, f"/admin/content/canned/{slug}")
