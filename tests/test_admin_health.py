"""The admin "Content health" page (``/admin/health``) and its queries (:mod:`hamkke.health`).

A real SQLite database file (migrated and seeded), the real FastAPI app served
in-process by uvicorn, a quiet Rasa stand-in, real accounts. Messages,
hand-offs and "did not help" feedback are inserted in known proportions per
language and the rates checked; content records are added that each check
must (or must not) report.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, Optional

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import create_app
from hamkke import health
from hamkke.config import Settings
from hamkke.db.models import (
    Conversation,
    Event,
    FaqEntry,
    Feedback,
    Message,
    Program,
    Resident,
    Service,
)
from hamkke.db.session import Database
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, kakao_request

FROZEN = "2026-12-06T12:00:00+09:00"
NOW = dt.datetime.fromisoformat(FROZEN)
TODAY = dt.date(2026, 12, 6)
RECENT = NOW - dt.timedelta(days=2)  # in both windows (2026-12-04 in Gwangju)
OLDER = NOW - dt.timedelta(days=20)  # in the 30-day window only (2026-11-16)
ANCIENT = NOW - dt.timedelta(days=40)  # in neither


def names(text: str) -> dict[str, str]:
    return {lang: f"{text} ({lang})" for lang in ("ko", "en", "ru", "vi")}


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc)


# -- the data: known proportions per language -----------------------------------------------------


async def _answers(session: AsyncSession, resident: Resident, lang: str, at: dt.datetime, keys: list[str],
                   count: int = 1, topic: Optional[str] = None,
                   payload: Optional[dict[str, Any]] = None) -> list[Message]:
    stored = []
    for _ in range(count):
        inbound = Message(resident_id=resident.id, direction="in", sender="resident", text="?", language=lang,
                          status="answered", created_at=utc(at))
        session.add(inbound)
        await session.flush()
        out = Message(resident_id=resident.id, direction="out", sender="bot", text="!", language=lang,
                      status="sent", reply_to_id=inbound.id, created_at=utc(at),
                      payload=payload if payload is not None else {"keys": keys, "topic": topic})
        session.add(out)
        stored.append(out)
    await session.flush()
    return stored


def _handoff(session: AsyncSession, resident: Resident, lang: str, at: dt.datetime, reason: str) -> None:
    session.add(Conversation(resident_id=resident.id, open_resident_id=None, status="resolved", channel="telegram",
                             language=lang, centre="gwangju-gic", reason=reason, created_at=utc(at)))


def _not_helpful(session: AsyncSession, answer: Message, at: dt.datetime) -> None:
    session.add(Feedback(message_id=answer.id, resident_id=answer.resident_id, kind="not_helpful",
                         created_at=utc(at)))


async def populate_usage(session: AsyncSession) -> None:
    """Answers, hand-offs and feedback whose rates the tests know (see EXPECTED)."""
    residents = {}
    for lang in ("ko", "en", "ru", "vi"):
        residents[lang] = Resident(channel="telegram", channel_user_key=f"health-{lang}", language=lang)
        session.add(residents[lang])
    await session.flush()
    ko, en, ru, vi = (residents[lang] for lang in ("ko", "en", "ru", "vi"))
    # Korean, last 7 days: 10 answers, 2 fallbacks (one offered topics), 1 hand-off, 1 "did not help".
    visa = await _answers(session, ko, "ko", RECENT, ["faq_visa_extension"], 5, topic="faq_visa_extension")
    await _answers(session, ko, "ko", RECENT, ["greet"], 3)
    await _answers(session, ko, "ko", RECENT, ["fallback_suggest"])
    await _answers(session, ko, "ko", RECENT, ["fallback"])
    _handoff(session, ko, "ko", RECENT, "fallback")
    _not_helpful(session, visa[0], RECENT)
    # Korean, 8-30 days ago: 10 more answers, 8 of them fallbacks, 1 hand-off.
    await _answers(session, ko, "ko", OLDER, ["fallback_again"], 8)
    await _answers(session, ko, "ko", OLDER, ["faq_visa_extension"], 2, topic="faq_visa_extension")
    _handoff(session, ko, "ko", OLDER, "requested")
    # English, last 7 days: 4 answers, 1 fallback, 2 "did not help"; 40 days ago: 10 fallbacks (outside both).
    jobs = await _answers(session, en, "en", RECENT, ["faq_job_search"], 3, topic="faq_job_search")
    await _answers(session, en, "en", RECENT, ["fallback"])
    _not_helpful(session, jobs[0], RECENT)
    _not_helpful(session, jobs[1], RECENT)
    # Pressing "did not help" is thanked: no answer to a question.
    await _answers(session, en, "en", RECENT, ["feedback_thanks"], 2)
    await _answers(session, en, "en", ANCIENT, ["fallback"], 10)
    _handoff(session, en, "en", ANCIENT, "requested")
    # Russian, last 7 days: 5 service cards and 1 answer stored before answers recorded their keys; 2 hand-offs.
    await _answers(session, ru, "ru", RECENT, ["service_card"], 5, topic="service_card")
    await _answers(session, ru, "ru", RECENT, [], payload={"buttons": [{"label": "x", "payload": "/help"}]})
    _handoff(session, ru, "ru", RECENT, "urgent")
    _handoff(session, ru, "ru", RECENT, "requested")
    # Vietnamese, 8-30 days ago only: 5 answers, all fallbacks with topics offered, 1 "did not help".
    vi_answers = await _answers(session, vi, "vi", OLDER, ["fallback_suggest"], 5)
    _not_helpful(session, vi_answers[0], OLDER)
    # Not bot answers: a staff reply, a notice the bot sent on its own, a resident's message that failed.
    session.add(Message(resident_id=ko.id, direction="out", sender="staff", text="s", language="ko", status="sent",
                        created_at=utc(RECENT), payload={"mode": "direct"}))
    session.add(Message(resident_id=en.id, direction="out", sender="bot", text="n", language="en", status="sent",
                        created_at=utc(RECENT), payload={"keys": ["fallback"], "topic": None}))
    session.add(Message(resident_id=en.id, direction="in", sender="resident", text="f", language="en",
                        status="failed", created_at=utc(RECENT)))
    await session.commit()


# language: (answers, fallbacks, suggested, handoffs, not_helpful) per window
EXPECTED = {
    7: {"ko": (10, 2, 1, 1, 1), "en": (4, 1, 0, 0, 2), "ru": (6, 0, 0, 2, 0), "vi": (0, 0, 0, 0, 0),
        "all": (20, 3, 1, 3, 3)},
    30: {"ko": (20, 10, 1, 2, 1), "en": (4, 1, 0, 0, 2), "ru": (6, 0, 0, 2, 0), "vi": (5, 5, 5, 0, 1),
         "all": (35, 16, 6, 4, 4)},
}
RATES = {  # language: (fallback, hand-off, did not help)
    7: {"ko": (0.2, 0.1, 0.1), "en": (0.25, 0.0, 0.5), "ru": (0.0, 1 / 3, 0.0), "vi": (None, None, None),
        "all": (0.15, 0.15, 0.15)},
    30: {"ko": (0.5, 0.1, 0.05), "en": (0.25, 0.0, 0.5), "ru": (0.0, 1 / 3, 0.0), "vi": (1.0, 0.0, 0.2),
         "all": (16 / 35, 4 / 35, 4 / 35)},
}


def _close(a: Optional[float], b: Optional[float]) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def check_usage(days: int, rows: dict[str, dict[str, Any]]) -> None:
    for lang, (answers, fallbacks, suggested, handoffs, not_helpful) in EXPECTED[days].items():
        row = rows[lang]
        assert (row["answers"], row["fallbacks"], row["suggested"], row["handoffs"], row["not_helpful"]) == (
            answers, fallbacks, suggested, handoffs, not_helpful), (days, lang, row)
        got = (row["fallback_rate"], row["handoff_rate"], row["not_helpful_rate"])
        assert all(_close(a, b) for a, b in zip(got, RATES[days][lang], strict=True)), (days, lang, got)


# -- the data: content records each check must (or must not) report --------------------------------


def _service(slug: str, **values: Any) -> Service:
    fields: dict[str, Any] = {"category": "community", "categories": ["community"], "name": names(slug),
                              "description": names("about"), "confidence": "H", "source_url": "https://example.org",
                              "verified_on": dt.date(2026, 11, 1), "phone": "062-000-0000"}
    fields.update(values)
    return Service(slug=slug, **fields)


def _event(slug: str, day: dt.date, aliases: Optional[list[str]], **values: Any) -> Event:
    fields: dict[str, Any] = {"topics": ["community"], "aliases": aliases, "start_date": day, "end_date": day,
                              "name": names(slug), "description": names("about"), "confidence": "H",
                              "source_url": "https://example.org", "verified_on": dt.date(2026, 11, 1)}
    fields.update(values)
    return Event(slug=slug, **fields)


def _faq(intent: str, answers: dict[str, str], **values: Any) -> FaqEntry:
    fields: dict[str, Any] = {"confidence": "H", "verified_on": dt.date(2026, 11, 1), "review_days": 365,
                              "status": "published"}
    fields.update(values)
    return FaqEntry(intent=intent, answers=answers, **fields)


FULL = {"ko": "답", "en": "answer", "ru": "ответ", "vi": "trả lời"}


def _program(slug: str, year: int, apply_from: dt.date, apply_until: Optional[dt.date], **values: Any) -> Program:
    fields: dict[str, Any] = {"rules": {}, "confidence": "H", "source_url": "https://example.org",
                              "verified_on": dt.date(2026, 11, 1)}
    fields.update(values)
    return Program(slug=slug, year=year, apply_from=apply_from, apply_until=apply_until, **fields)


async def populate_content(session: AsyncSession) -> None:
    session.add_all([
        _service("test-stale-service", name=names("Stale Test Centre"), verified_on=dt.date(2025, 10, 1)),
        _service("test-unreachable-service", name=names("Nowhere Test Centre"), phone=None, website=None,
                 address=None, confirm_phone=None),
        _service("test-retired-unreachable", phone=None, verified_on=dt.date(2020, 1, 1), retired=True),
        _service("test-uncertain-service", confidence="L", confirm_phone="1345"),
        _service("test-fine-service", address=names("1 Test Street"), phone=None),
        _faq("faq_test_complete", FULL),
        # vi falls back to ru, which has no answer of its own: vi gets nothing. Reviewed every 30 days: overdue.
        _faq("faq_test_partial", {"ko": "답", "en": "answer", "ru": " "}, fallback={"ru": "en", "vi": "ru"},
             review_days=30, verified_on=dt.date(2026, 10, 1), status="draft"),
        _faq("faq_test_uncertain", FULL, confidence="L"),
        _faq("faq_test_retired", {}, status="retired", verified_on=dt.date(2020, 1, 1)),
        # A yearly fair whose latest occurrence has passed; a gala with a next one (verified long ago); a retired one.
        _event("test-fair-2025", dt.date(2025, 9, 1), ["test fair", "테스트 박람회"]),
        _event("test-fair-2026", dt.date(2026, 9, 1), ["테스트 박람회", "Test Fair"], verified_on=dt.date(2020, 1, 1)),
        _event("test-gala-2026", dt.date(2026, 3, 1), ["test gala"]),
        _event("test-gala-2027", dt.date(2027, 3, 1), ["test gala"], verified_on=dt.date(2025, 1, 1)),
        _event("test-oneoff-2026", dt.date(2026, 1, 1), None, retired=True),
        # This year's period has closed with no 2027 rules; open all year; closed but renewed; not begun; retired.
        _program("test-closed", 2026, dt.date(2026, 2, 1), dt.date(2026, 11, 30)),
        _program("test-open", 2026, dt.date(2026, 1, 1), None),
        _program("test-renewed", 2026, dt.date(2026, 2, 1), dt.date(2026, 6, 30)),
        _program("test-renewed", 2027, dt.date(2027, 2, 1), dt.date(2027, 6, 30)),
        _program("test-not-yet", 2027, dt.date(2027, 2, 1), dt.date(2027, 6, 30)),
        _program("test-retired-programme", 2026, dt.date(2026, 2, 1), dt.date(2026, 3, 1), retired=True),
    ])
    await session.commit()


# -- hamkke.health, straight against the database ----------------------------------------------------


def _as_rows(usage: health.Usage) -> dict[str, dict[str, Any]]:
    return {row.language: dataclasses.asdict(row) for row in usage.languages}


async def test_rates_per_language_over_7_and_30_days(db: Database) -> None:
    async with db.session() as session:
        await populate_usage(session)
    async with db.session() as session:
        for days in (7, 30):
            usage = await health.usage(session, NOW, days)
            assert [row.language for row in usage.languages] == ["ko", "en", "ru", "vi", "all"]
            check_usage(days, _as_rows(usage))
        week, month = await health.usage(session, NOW, 7), await health.usage(session, NOW, 30)
    assert [(t.topic, t.questions) for t in week.of("ko").topics] == [
        ("faq_visa_extension", 5), ("greet", 3), (health.NOT_UNDERSTOOD, 2)]
    assert [(t.topic, t.questions) for t in month.of("ko").topics] == [
        (health.NOT_UNDERSTOOD, 10), ("faq_visa_extension", 7), ("greet", 3)]
    assert [(t.topic, t.questions) for t in week.of("ru").topics] == [("service_card", 5), (health.UNRECORDED, 1)]
    assert week.of("vi").topics == [] and month.of("vi").topics == [health.TopicCount(health.NOT_UNDERSTOOD, 5)]
    assert week.of("ru").handoff_reasons == {"requested": 1, "urgent": 1}
    assert month.of("all").handoff_reasons == {"fallback": 1, "requested": 2, "urgent": 1}


async def test_the_daily_series_counts_messages_and_fallbacks_per_gwangju_day(db: Database) -> None:
    async with db.session() as session:
        await populate_usage(session)
    async with db.session() as session:
        days = await health.daily(session, NOW)
    assert len(days) == 30 and days[0].day == dt.date(2026, 11, 7) and days[-1].day == TODAY
    by_day = {d.day: d for d in days}
    assert by_day[dt.date(2026, 12, 4)].answers == {"ko": 10, "en": 4, "ru": 6, "vi": 0}
    assert by_day[dt.date(2026, 12, 4)].fallbacks == {"ko": 2, "en": 1, "ru": 0, "vi": 0}
    assert by_day[dt.date(2026, 11, 16)].answers == {"ko": 10, "en": 0, "ru": 0, "vi": 5}
    assert by_day[dt.date(2026, 11, 16)].fallbacks == {"ko": 8, "en": 0, "ru": 0, "vi": 5}
    assert sum(sum(d.answers.values()) for d in days) == 35
    # An answer at 23:30 UTC is the next day in Gwangju.
    late = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.timezone.utc)
    async with db.session() as session:
        resident = await session.scalar(select(Resident).where(Resident.channel_user_key == "health-vi"))
        assert resident is not None
        await _answers(session, resident, "vi", late, ["greet"])
        await session.commit()
        days = await health.daily(session, NOW)
    assert {d.day: d.answers["vi"] for d in days}[dt.date(2026, 12, 5)] == 1


async def test_content_checks_find_what_an_admin_must_fix(db: Database) -> None:
    async with db.session() as session:
        await populate_content(session)
    async with db.session() as session:
        checks = await health.content_checks(session, TODAY)

    missing = {m.intent: m.missing for m in checks.missing_answers}
    assert missing == {"faq_test_partial": ["vi"]}, missing
    assert checks.missing_by_language == {"ko": 0, "en": 0, "ru": 0, "vi": 1}

    facts = {(f.kind, f.key): f for f in checks.facts}
    stale = facts[("service", "test-stale-service")]
    assert stale.stale and not stale.uncertain and stale.due == dt.date(2026, 10, 1) and stale.overdue_days == 66
    partial = facts[("faq", "faq_test_partial")]
    assert partial.stale and partial.due == dt.date(2026, 10, 31)
    assert facts[("faq", "faq_test_uncertain")].uncertain and not facts[("faq", "faq_test_uncertain")].stale
    assert facts[("service", "test-uncertain-service")].uncertain
    assert facts[("event", "test-gala-2027")].stale  # a coming occurrence verified long ago
    for fine in (("service", "test-fine-service"), ("faq", "faq_test_complete"), ("faq", "faq_test_retired"),
                 ("service", "test-retired-unreachable"), ("event", "test-fair-2026")):  # past events are history
        assert fine not in facts, fine
    assert [f.overdue_days for f in checks.facts] == sorted((f.overdue_days for f in checks.facts), reverse=True)

    unreachable = [s.slug for s in checks.unreachable]
    assert "test-unreachable-service" in unreachable
    assert not {"test-retired-unreachable", "test-fine-service", "test-stale-service"} & set(unreachable)
    async with db.session() as session:
        seeded = (await session.scalars(select(Service).where(Service.retired.is_(False)))).all()
    assert set(unreachable) == {s.slug for s in seeded if not (s.phone or s.website or s.address or s.confirm_phone)}

    ended = {s.slug: s for s in checks.events_without_next}
    assert ended["test-fair-2026"].occurrences == ["test-fair-2025", "test-fair-2026"]
    assert ended["test-fair-2026"].last_date == dt.date(2026, 9, 1)
    assert not {"test-fair-2025", "test-gala-2026", "test-gala-2027", "test-oneoff-2026"} & set(ended)

    gaps = {p.slug: p for p in checks.programs_without_next_year}
    assert gaps["test-closed"].reason == "period_closed" and gaps["test-closed"].year == 2026
    assert gaps["test-closed"].apply_until == dt.date(2026, 11, 30)
    assert not {"test-open", "test-renewed", "test-not-yet", "test-retired-programme"} & set(gaps)
    async with db.session() as session:
        session.add(_program("test-closed", 2027, dt.date(2027, 2, 1), None))
        await session.commit()
        assert "test-closed" not in {p.slug for p in await health.programs_without_next_year(session, TODAY)}
        # In 2027 the newest rules of the programme open all year are 2026's: a past year's.
        later = {p.slug: p.reason for p in await health.programs_without_next_year(session, dt.date(2027, 1, 10))}
        assert later.get("test-open") == "year_over" and "test-closed" not in later and "test-renewed" not in later


def test_a_series_is_the_events_sharing_their_aliases_in_the_real_data(database_url: str) -> None:
    async def run() -> tuple[list[health.SeriesEnded], list[Event]]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                return (await health.events_without_next(session, TODAY),
                        list((await session.scalars(select(Event))).all()))
        finally:
            await db.dispose()

    ended, events = asyncio.run(run())
    for series in ended:
        latest = next(e for e in events if e.slug == series.slug)
        later = [e.slug for e in events if health.series_key(e) == health.series_key(latest)
                 and e.end_date > latest.end_date and not e.retired]
        assert series.last_date < TODAY and not later, (series, later)
    reported = {slug for series in ended for slug in series.occurrences}
    for event in events:  # every series whose latest occurrence has passed is reported, with all its records
        series = [e for e in events if health.series_key(e) == health.series_key(event) and not e.retired]
        if not event.retired and max(e.end_date for e in series) < TODAY:
            assert event.slug in reported, event.slug


# -- the page, through the real app ----------------------------------------------------------------------


def quiet_rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path.startswith("/webhooks/rest/webhook"):
        text = str(body.get("message")) if isinstance(body, dict) else ""
        if "person" in text:
            return 200, [{"custom": {"key": "handoff_recorded", "handoff": {"reason": "requested"}}}]
        if "zorblax" in text:
            return 200, [{"custom": {"key": "fallback_suggest", "buttons": [
                {"key": "topic_faq_visa_extension", "payload": "/faq_visa_extension"}]}}]
        return 200, [{"custom": {"key": "greet"}}]
    return 200, {}


@dataclasses.dataclass
class Site:
    url: str
    settings: Settings
    opened: list[Console] = dataclasses.field(default_factory=list)

    def console(self, name: str) -> Console:
        console = Console(self.url)
        self.opened.append(console)
        assert console.sign_in(name).status_code == 303
        return console


def _run(database_url: str, *steps: Any) -> None:
    async def run() -> None:
        db = Database(database_url)
        try:
            for step in steps:
                async with db.session() as session:
                    await step(session)
        finally:
            await db.dispose()
    asyncio.run(run())


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(quiet_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin", ui_language="en")
            make_user(configured.database_url, "yoon", "admin", ui_language="ko")
            running = Site(gateway.url, configured)
            yield running
            for console in running.opened:
                console.close()


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, Optional[str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _tags(html: str) -> list[tuple[str, dict[str, Optional[str]]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_the_page_shows_rates_charts_and_checks_to_an_admin(site: Site, frozen: Any) -> None:
    frozen(FROZEN)
    _run(site.settings.database_url, populate_usage, populate_content)
    admin = site.console("park")

    data = admin.get("/admin/health.json")
    assert data.status_code == 200, data.text
    report = data.json()
    assert report["today"] == TODAY.isoformat()
    for window in report["windows"]:
        check_usage(window["days"], {row["language"]: row for row in window["languages"]})
    assert [w["days"] for w in report["windows"]] == [7, 30]
    assert len(report["daily"]) == 30
    assert "test-unreachable-service" in [s["slug"] for s in report["checks"]["unreachable"]]
    assert ("service", "test-stale-service") in [(f["kind"], f["key"]) for f in report["checks"]["facts"]]

    page = admin.get("/admin/health")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Content health" in html and "콘텐츠 상태" not in html.split("<main>", 1)[1]
    tags = _tags(html)
    # Charts: inline SVG, bars as rects, labelled for screen readers; never an inline style (the CSP forbids it).
    svgs = [attrs for tag, attrs in tags if tag == "svg" and "chart" in (attrs.get("class") or "")]
    assert {a.get("id") for a in svgs} >= {"rates-7", "rates-30", "topics-ko", "daily-ko", "daily-vi"}
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    assert sum(1 for tag, attrs in tags if tag == "rect" and "bar" in (attrs.get("class") or "")) > 100
    assert not [(tag, attrs) for tag, attrs in tags if "style" in attrs], "inline style attribute"
    assert "<style" not in html and "<script>" not in html
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert ("link", {"rel": "stylesheet", "href": "/staff/static/admin_health.css"}) in tags
    css = admin.client.get("/staff/static/admin_health.css")
    assert css.status_code == 200 and ".bar.fallback" in css.text
    # The rates drawn match the numbers: the Korean fallback bar of the last 7 days is 20% of a 50% scale.
    rates_7 = html.split('id="rates-7"', 1)[1].split("</svg>", 1)[0]
    assert re.search(r'<rect x="110" y="[\d.]+" width="132\.0" height="11" class="bar fallback"><title>Korean · '
                     r'Fallback \(not understood\): 2 / 10 \(20\.0%\)</title>', rates_7), rates_7[:2000]
    assert "50.0%" in rates_7  # the scale's end
    # ... and the numbers are also text, in tables.
    window_7 = html.split('id="window-7"', 1)[1].split("</section>", 1)[0]
    korean = window_7.split('class="lang-ko"', 1)[1].split("</tr>", 1)[0]
    assert ">10<" in korean and "2 (20.0%)" in korean and "1 (10.0%)" in korean
    russian = window_7.split('class="lang-ru"', 1)[1].split("</tr>", 1)[0]
    assert "2 (33.3%)" in russian and "asked for a person 1" in russian and "urgent 1" in russian
    assert "0 (–)" in window_7.split('class="lang-vi"', 1)[1].split("</tr>", 1)[0]
    topics_ko = html.split('id="topics-ko-section"', 1)[1].split("</section>", 1)[0]
    assert "Visa extension" in topics_ko and "Not understood" in topics_ko
    # Content checks, by name.
    assert "Stale Test Centre (en)" in html and "Nowhere Test Centre (en)" in html
    assert "66 days overdue" in html and "source uncertain (L)" in html
    assert "faq_test_partial" in html and "test-fair-2026 (en)" in html and "test-closed" in html


def test_the_page_speaks_the_admins_language(site: Site, frozen: Any) -> None:
    frozen(FROZEN)
    admin = site.console("yoon")
    page = admin.get("/admin/health")
    assert page.status_code == 200
    main = page.text.split("<main>", 1)[1]
    assert "콘텐츠 상태" in main and "언어별 비율" in main and "Content health" not in main


def test_staff_cannot_see_content_health(site: Site) -> None:
    staff = site.console("kim")
    assert staff.get("/admin/health").status_code == 403
    assert staff.client.get("/admin/health.json").status_code == 403
    with httpx.Client(base_url=site.url) as stranger:
        assert stranger.get("/admin/health.json").status_code == 401
        signed_out = stranger.get("/admin/health", headers={"accept": "text/html"})
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/staff/login"


def test_residents_answers_are_counted_from_what_the_core_records(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=20) as resident:
        for text in ("hello there my friend", "what is the zorblax quantum", "a person please"):
            assert resident.post("/kakao/skill", json=kakao_request(text, "health-resident")).status_code == 200
    stored = query(site.settings.database_url, select(Message.payload).where(
        Message.direction == "out", Message.sender == "bot").order_by(Message.id))
    assert [row[0]["keys"] for row in stored] == [["greet"], ["fallback_suggest"], ["handoff_recorded"]]
    assert stored[1][0]["buttons"] and stored[0][0]["topic"] is None

    report = site.console("park").client.get("/admin/health.json").json()
    everyone = next(row for row in report["windows"][0]["languages"] if row["language"] == "all")
    assert (everyone["answers"], everyone["fallbacks"], everyone["suggested"], everyone["handoffs"]) == (3, 1, 1, 1)
    assert {t["topic"]: t["questions"] for t in everyone["topics"]} == {
        "greet": 1, health.NOT_UNDERSTOOD: 1, "handoff_recorded": 1}


def test_checks_link_to_the_admin_pages_that_exist() -> None:
    from types import SimpleNamespace

    from fastapi import FastAPI

    from bot.console.admin_health import link

    app = FastAPI()

    @app.get("/admin/faq/{intent}")
    async def faq_page(intent: str) -> str:
        return intent

    @app.get("/admin/content/services/{slug}")
    async def service_page(slug: str) -> str:
        return slug

    request: Any = SimpleNamespace(app=app)
    assert link(request, "faq", "faq_visa_extension") == "/admin/faq/faq_visa_extension"
    assert link(request, "service", "gwangju-gic") == "/admin/content/services/gwangju-gic"
    assert link(request, "event", "world-day-2027") is None  # no events page in this app
    assert link(request, "program", "culture-nuri@2026") is None
