"""Content health, per language: how the assistant fares, and which content needs an admin.

Two halves, each a handful of async queries returning plain dataclasses (the
admin page ``/admin/health`` and its JSON form show them):

* **Usage** over a window of days (:func:`usage`), per language: of the
  bot's answers to residents, how many were fallbacks (not understood, with
  or without suggested topics), how many conversations were handed to staff,
  how many answers a resident said did not help, and which topics were
  asked; and a daily series (:func:`daily`). A bot answer is an outgoing
  message of the bot in reply to a resident's (``reply_to_id`` set; not
  the thanks for a "did not help"); the core records its catalog keys and
  topic in its ``payload``
  (``{"keys": [...], "topic": ...}``).
* **Content checks** (:func:`content_checks`): FAQ entries missing a
  language; facts past their review date or marked uncertain (confidence
  L); services nobody can reach; yearly events whose series has no next
  occurrence; programmes whose next year's rules are missing once this
  year's application period has closed.

Times are compared in UTC (SQLite keeps the wall-clock time it was given);
days are Gwangju's (Asia/Seoul).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.db.models import Conversation, Event, FaqEntry, Feedback, Message, Program, Service, as_utc
from hamkke.directory import reachable
from hamkke.hours import SEOUL

WINDOWS = (7, 30)
DAILY_DAYS = 30
ALL = "all"
# Catalog keys of an answer that says the message was not understood (the model's fallback).
FALLBACK_KEYS = frozenset({"fallback", "fallback_suggest", "fallback_again"})
SUGGESTED_KEY = "fallback_suggest"  # ... offering the likeliest topics
# Answers to something that was no question: the thanks for pressing "did not help" (counting it would
# add one answer for every "did not help").
NOT_ANSWERS = frozenset({"feedback_thanks"})
NOT_UNDERSTOOD = "not_understood"  # the topic of a fallback
UNRECORDED = "unrecorded"  # an answer stored before answers recorded their topic
FACT_REVIEW_DAYS = 365  # services, events and programmes: checked at least yearly
UNCERTAIN = "L"
_YEAR_SUFFIX = re.compile(r"-(19|20)\d\d$")


def _utc(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(dt.timezone.utc)


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def seoul_day(moment: dt.datetime) -> dt.date:
    """The date in Gwangju of a stored time."""
    return as_utc(moment).astimezone(SEOUL).date()


def answer_keys(payload: Any) -> Optional[list[str]]:
    """The catalog keys a stored bot answer recorded (None: not recorded)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("keys"), list):
        return None
    return [str(key) for key in payload["keys"]]


def answers_a_question(payload: Any) -> bool:
    """Whether a stored bot answer counts as an answer (not the thanks for a "did not help")."""
    keys = answer_keys(payload)
    return not keys or not NOT_ANSWERS.issuperset(keys)


def is_fallback(payload: Any) -> bool:
    """Whether a stored bot answer said the message was not understood."""
    return bool(FALLBACK_KEYS.intersection(answer_keys(payload) or ()))


def answer_topic(payload: Any) -> str:
    """What a stored bot answer was about: its topic, else its first key; fallbacks are one topic."""
    keys = answer_keys(payload)
    if keys is None:
        return UNRECORDED
    if FALLBACK_KEYS.intersection(keys):
        return NOT_UNDERSTOOD
    topic = payload.get("topic")
    if isinstance(topic, str) and topic:
        return topic
    return keys[0] if keys else UNRECORDED


# -- usage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicCount:
    """How many answers were about one topic."""

    topic: str
    questions: int


@dataclass
class LanguageUsage:
    """One language's figures over a window (``language`` is ``all`` for every language together)."""

    language: str
    answers: int = 0
    fallbacks: int = 0
    suggested: int = 0  # of the fallbacks, those that offered topics
    handoffs: int = 0
    not_helpful: int = 0
    handoff_reasons: dict[str, int] = field(default_factory=dict)
    topics: list[TopicCount] = field(default_factory=list)  # every topic asked, the most asked first
    fallback_rate: Optional[float] = None  # None: no answers
    handoff_rate: Optional[float] = None
    not_helpful_rate: Optional[float] = None


@dataclass
class Usage:
    """Every language's figures over the ``days`` before ``until``."""

    days: int
    since: dt.datetime
    until: dt.datetime
    languages: list[LanguageUsage]

    def of(self, language: str) -> LanguageUsage:
        """One language's figures (``all`` for the total)."""
        return next(row for row in self.languages if row.language == language)


async def _bot_answers(session: AsyncSession, since: dt.datetime,
                       until: dt.datetime) -> Sequence[Any]:
    return (await session.execute(
        select(Message.language, Message.payload, Message.created_at)
        .where(Message.direction == "out", Message.sender == "bot", Message.reply_to_id.is_not(None),
               Message.created_at >= _utc(since), Message.created_at <= _utc(until)))).all()


async def usage(session: AsyncSession, now: dt.datetime, days: int,
                languages: Sequence[str] = SUPPORTED_LANGUAGES) -> Usage:
    """Fallback, hand-off and "did not help" rates and the top topics per language, over ``days`` before ``now``.

    Rates are shares of the bot's answers in the window; a "did not help" counts
    when the answer it is about was given in the window.
    """
    since = now - dt.timedelta(days=days)
    rows = {lang: LanguageUsage(lang) for lang in (*languages, ALL)}
    topics: dict[str, Counter[str]] = defaultdict(Counter)

    def rows_of(language: Optional[str]) -> list[LanguageUsage]:
        return [rows[language], rows[ALL]] if language in rows and language != ALL else [rows[ALL]]

    for language, payload, _at in await _bot_answers(session, since, now):
        if not answers_a_question(payload):
            continue
        keys = answer_keys(payload) or []
        topic = answer_topic(payload)
        for row in rows_of(language):
            row.answers += 1
            if FALLBACK_KEYS.intersection(keys):
                row.fallbacks += 1
                row.suggested += SUGGESTED_KEY in keys
            topics[row.language][topic] += 1
    handoffs = (await session.execute(
        select(Conversation.language, Conversation.reason)
        .where(Conversation.created_at >= _utc(since), Conversation.created_at <= _utc(now)))).all()
    for language, reason in handoffs:
        for row in rows_of(language):
            row.handoffs += 1
            row.handoff_reasons[reason] = row.handoff_reasons.get(reason, 0) + 1
    unhelpful = (await session.execute(
        select(Message.language).join(Feedback, Feedback.message_id == Message.id)
        .where(Feedback.kind == "not_helpful", Message.created_at >= _utc(since),
               Message.created_at <= _utc(now)))).all()
    for (language,) in unhelpful:
        for row in rows_of(language):
            row.not_helpful += 1
    for row in rows.values():
        counted = topics[row.language]
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        row.topics = [TopicCount(topic, n) for topic, n in ranked]
        row.fallback_rate = _rate(row.fallbacks, row.answers)
        row.handoff_rate = _rate(row.handoffs, row.answers)
        row.not_helpful_rate = _rate(row.not_helpful, row.answers)
        row.handoff_reasons = dict(sorted(row.handoff_reasons.items()))
    return Usage(days, since, now, list(rows.values()))


@dataclass
class Day:
    """One day in Gwangju: the bot's answers and its fallbacks, per language."""

    day: dt.date
    answers: dict[str, int]
    fallbacks: dict[str, int]


async def daily(session: AsyncSession, now: dt.datetime, days: int = DAILY_DAYS,
                languages: Sequence[str] = SUPPORTED_LANGUAGES) -> list[Day]:
    """The last ``days`` days (today included), oldest first."""
    today = now.astimezone(SEOUL).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=SEOUL)
    series = {first + dt.timedelta(days=n): Day(first + dt.timedelta(days=n), dict.fromkeys(languages, 0),
                                                 dict.fromkeys(languages, 0)) for n in range(days)}
    for language, payload, at in await _bot_answers(session, start, now):
        day = series.get(seoul_day(at))
        if day is None or language not in day.answers or not answers_a_question(payload):
            continue
        day.answers[language] += 1
        day.fallbacks[language] += is_fallback(payload)
    return list(series.values())


# -- content checks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingAnswer:
    """An FAQ entry some languages get no answer from (neither their own nor a fallback's)."""

    intent: str
    status: str
    missing: list[str]


@dataclass(frozen=True)
class Fact:
    """A record to check again: its verified date is past its review interval, or it is marked uncertain."""

    kind: str  # faq | service | event | program
    key: str  # the intent, the slug, or slug@year for a programme
    name: dict[str, str]
    verified_on: dt.date
    review_days: int
    due: dt.date
    overdue_days: int  # days past ``due`` (0 or less: not due yet)
    confidence: str
    stale: bool  # the review date has passed
    uncertain: bool  # the source is marked uncertain (confidence L)


@dataclass(frozen=True)
class Unreachable:
    """A service with no phone, address or website (the finder never offers it)."""

    slug: str
    name: dict[str, str]


@dataclass(frozen=True)
class SeriesEnded:
    """A recurring event whose latest dated occurrence has passed: no next one is entered."""

    slug: str  # the latest occurrence's
    name: dict[str, str]
    last_date: dt.date
    occurrences: list[str]  # every record of the series, oldest first


@dataclass(frozen=True)
class ProgramGap:
    """A programme whose next year's rules are not entered though its current period is over.

    ``reason``: ``period_closed`` (this year's application period has
    closed) or ``year_over`` (the newest rules are of a past year).
    """

    slug: str
    year: int
    apply_until: Optional[dt.date]
    reason: str


@dataclass
class ContentChecks:
    """Everything an admin should look at, on ``today``."""

    today: dt.date
    missing_answers: list[MissingAnswer]
    missing_by_language: dict[str, int]
    facts: list[Fact]
    unreachable: list[Unreachable]
    events_without_next: list[SeriesEnded]
    programs_without_next_year: list[ProgramGap]


def _served(answers: dict[str, Any], fallback: dict[str, Any]) -> set[str]:
    own = {lang for lang, text in answers.items() if isinstance(text, str) and text.strip()}
    return own | {lang for lang, other in fallback.items() if other in own}


async def missing_answers(session: AsyncSession,
                          languages: Sequence[str] = SUPPORTED_LANGUAGES) -> list[MissingAnswer]:
    """FAQ entries (not retired) with a language that has no answer and no fallback to one that has."""
    found = []
    for entry in (await session.scalars(select(FaqEntry).where(FaqEntry.status != "retired")
                                        .order_by(FaqEntry.intent))).all():
        served = _served(entry.answers or {}, entry.fallback or {})
        missing = [lang for lang in languages if lang not in served]
        if missing:
            found.append(MissingAnswer(entry.intent, entry.status, missing))
    return found


def _fact(kind: str, key: str, name: dict[str, str], verified_on: dt.date, review_days: int,
          confidence: str, today: dt.date) -> Fact:
    due = verified_on + dt.timedelta(days=review_days)
    overdue = (today - due).days
    return Fact(kind, key, dict(name or {}), verified_on, review_days, due, overdue, confidence,
                stale=overdue > 0, uncertain=confidence == UNCERTAIN)


def current_programs(programs: Iterable[Program], today: dt.date) -> dict[str, list[Program]]:
    """Each programme's records from its current year on (the newest year begun by ``today``), by slug."""
    by_slug: dict[str, list[Program]] = defaultdict(list)
    for program in programs:
        by_slug[program.slug].append(program)
    kept = {}
    for slug, records in by_slug.items():
        begun = [p.year for p in records if p.year <= today.year]
        first = max(begun) if begun else min(p.year for p in records)
        kept[slug] = sorted((p for p in records if p.year >= first), key=lambda p: p.year)
    return kept


async def facts_to_review(session: AsyncSession, today: dt.date) -> list[Fact]:
    """Facts past their review date or marked uncertain, the longest overdue first.

    FAQ entries are reviewed every ``review_days``; services, events and
    programmes every year. Events already over and programme rules of past
    years are history, not checked.
    """
    facts = [_fact("faq", e.intent, {}, e.verified_on, e.review_days or FACT_REVIEW_DAYS, e.confidence, today)
             for e in (await session.scalars(select(FaqEntry).where(FaqEntry.status != "retired"))).all()]
    facts += [_fact("service", s.slug, s.name, s.verified_on, FACT_REVIEW_DAYS, s.confidence, today)
              for s in (await session.scalars(select(Service).where(Service.retired.is_(False)))).all()]
    facts += [_fact("event", e.slug, e.name, e.verified_on, FACT_REVIEW_DAYS, e.confidence, today)
              for e in (await session.scalars(select(Event).where(Event.retired.is_(False),
                                                                  Event.end_date >= today))).all()]
    programs = (await session.scalars(select(Program).where(Program.retired.is_(False)))).all()
    facts += [_fact("program", f"{p.slug}@{p.year}", {}, p.verified_on, FACT_REVIEW_DAYS, p.confidence, today)
              for records in current_programs(programs, today).values() for p in records]
    due = [f for f in facts if f.stale or f.uncertain]
    return sorted(due, key=lambda f: (-f.overdue_days, f.kind, f.key))


async def unreachable_services(session: AsyncSession) -> list[Unreachable]:
    """Services (not retired) a resident cannot reach: no phone, address, website or number to confirm."""
    services = (await session.scalars(select(Service).where(Service.retired.is_(False))
                                      .order_by(Service.slug))).all()
    return [Unreachable(s.slug, dict(s.name or {})) for s in services if not reachable(s)]


def series_key(event: Event) -> tuple[str, ...]:
    """Which series an event belongs to: the records of one series share their aliases (else their slug's stem)."""
    if event.aliases:
        return tuple(sorted({alias.casefold() for alias in event.aliases}))
    return ("slug:" + _YEAR_SUFFIX.sub("", event.slug),)


async def events_without_next(session: AsyncSession, today: dt.date) -> list[SeriesEnded]:
    """Event series (not retired) whose latest dated occurrence ended before ``today``."""
    series: dict[tuple[str, ...], list[Event]] = defaultdict(list)
    for event in (await session.scalars(select(Event).where(Event.retired.is_(False)))).all():
        series[series_key(event)].append(event)
    ended = []
    for records in series.values():
        records.sort(key=lambda e: (e.start_date, e.slug))
        latest = max(records, key=lambda e: (e.end_date, e.start_date))
        if latest.end_date < today:
            ended.append(SeriesEnded(latest.slug, dict(latest.name or {}), latest.end_date,
                                     [e.slug for e in records]))
    return sorted(ended, key=lambda s: (s.last_date, s.slug))


async def programs_without_next_year(session: AsyncSession, today: dt.date) -> list[ProgramGap]:
    """Programmes whose period is over (closed, or its year past) with no later year's rules entered."""
    programs = (await session.scalars(select(Program).where(Program.retired.is_(False)))).all()
    gaps = []
    for slug, records in sorted(current_programs(programs, today).items()):
        current = records[0]
        if current.year > today.year or len(records) > 1:
            continue  # not begun yet, or a later year is entered
        if current.year < today.year:
            gaps.append(ProgramGap(slug, current.year, current.apply_until, "year_over"))
        elif current.apply_until is not None and current.apply_until < today:
            gaps.append(ProgramGap(slug, current.year, current.apply_until, "period_closed"))
    return gaps


async def content_checks(session: AsyncSession, today: dt.date,
                         languages: Sequence[str] = SUPPORTED_LANGUAGES) -> ContentChecks:
    """Every content check, on ``today``."""
    missing = await missing_answers(session, languages)
    by_language = {lang: sum(lang in m.missing for m in missing) for lang in languages}
    return ContentChecks(today, missing, by_language, await facts_to_review(session, today),
                         await unreachable_services(session), await events_without_next(session, today),
                         await programs_without_next_year(session, today))


# -- everything ---------------------------------------------------------------------------------


@dataclass
class HealthReport:
    """The whole page: usage per window, the daily series and the content checks."""

    now: dt.datetime
    today: dt.date
    windows: list[Usage]
    daily: list[Day]
    checks: ContentChecks


async def health_report(session: AsyncSession, now: dt.datetime,
                        windows: Sequence[int] = WINDOWS) -> HealthReport:
    """Usage over each window, the daily series and the content checks, at ``now``."""
    today = now.astimezone(SEOUL).date()
    return HealthReport(now, today, [await usage(session, now, days) for days in windows],
                        await daily(session, now), await content_checks(session, today))
