"""The read-only JSON API: services, events and eligibility checks.

For the city's website and for staff. Every text comes in the language given
by ``lang``; the same queries (hamkke.directory) and rules
(hamkke.eligibility) answer residents in the conversation, so the website
and the chat never disagree. OpenAPI at ``/docs`` and ``/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from bot.replies import format_dates, pick, render_eligibility
from hamkke import clock
from hamkke.content import CATEGORIES, DISTRICTS
from hamkke.db.models import Event, Service
from hamkke.db.session import Database
from hamkke.directory import ServiceQuery, eligibility_records, events_between, find_services
from hamkke.eligibility import Answers, evaluate, offered, questions
from hamkke.hours import is_open

router = APIRouter(prefix="/api", tags=["api"])

Lang = Literal["ko", "en", "ru", "vi"]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
District = Literal[DISTRICTS]  # type: ignore[valid-type]
ProgramSlug = Literal["culture-nuri", "youth-culture-pass", "integrated-care"]
LangQuery = Annotated[Lang, Query(description="Language of every text in the answer.")]
MAX_EVENT_RANGE_DAYS = 3 * 366


class ServiceOut(BaseModel):
    """A service or helpline."""

    slug: str
    name: str
    description: str
    categories: list[str]
    district: Optional[str] = Field(description="null: city-wide or national")
    address: Optional[str]
    phone: Optional[str]
    website: Optional[str]
    hours: Optional[str] = Field(description="Opening hours as text, in lang")
    opening_hours: Optional[list[str]] = Field(description='Machine-readable, Asia/Seoul ("Mo-Fr 09:00-18:00")')
    open_now: bool
    languages_served: list[str]
    latitude: Optional[float]
    longitude: Optional[float]
    confidence: Literal["H", "M", "L"] = Field(description="L: unconfirmed, call confirm_phone first")
    confirm_phone: Optional[str]
    source_url: str
    verified_on: dt.date


class EventOut(BaseModel):
    """An event in Gwangju."""

    slug: str
    name: str
    description: str
    venue: Optional[str]
    start_date: dt.date
    end_date: dt.date
    start_time: Optional[str]
    dates: str = Field(description="The dates as lang writes them")
    date_precision: Literal["exact", "approximate"]
    topics: list[str]
    phone: Optional[str]
    website: Optional[str]
    confidence: Literal["H", "M", "L"]
    source_url: str
    verified_on: dt.date


class EligibilityIn(BaseModel):
    """The resident's answers. A field a programme needs must be present; null means "I don't know"."""

    model_config = ConfigDict(extra="forbid")

    birth_year: Optional[int] = Field(None, ge=1900, le=2100, examples=[1985])
    benefit_status: Optional[Literal["basic_livelihood", "near_poor", "none", "unknown"]] = None
    nationality: Optional[Literal["korean", "foreign"]] = None
    used_last_year: Optional[bool] = None
    household_size: Optional[int] = Field(None, ge=1, le=30, examples=[3])
    monthly_income_krw: Optional[int] = Field(None, ge=0, le=10_000_000_000, examples=[2_500_000])


class ApplicationsOut(BaseModel):
    """The application period of the programme year whose rules were applied."""

    open: bool = Field(description="Whether applications are open today")
    state: Literal["open", "closed", "not_yet"]
    from_date: str = Field(alias="from", description="First day of applications (ISO date)")
    until: Optional[str] = Field(description="Last day of applications (ISO date), none if open all year")

    model_config = {"populate_by_name": True}


class EligibilityOut(BaseModel):
    """The result, the rule that decided it, the reasons and where to apply, in lang."""

    program: ProgramSlug
    year: int = Field(description="The programme year whose rules were applied")
    result: Literal["eligible", "not_eligible", "check_with_staff"]
    amount_krw: Optional[int] = Field(description="When eligible: the yearly amount (not for integrated care)")
    copay_percent: Optional[int] = Field(description="Integrated care, when eligible: the co-payment in percent")
    decided_by: str = Field(description="The rule that decided: programme/year/rule")
    applications: ApplicationsOut = Field(
        description="Whether one can apply now under those rules (the result says whether one would qualify)")
    headline: str
    reasons: list[str]
    apply: str


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def service_out(service: Service, lang: str, now: dt.datetime) -> ServiceOut:
    """A service row in ``lang``."""
    return ServiceOut(
        slug=service.slug,
        name=pick(service.name, lang) or service.slug,
        description=pick(service.description, lang) or "",
        categories=service.categories or [service.category],
        district=service.district,
        address=pick(service.address, lang),
        phone=service.phone,
        website=service.website,
        hours=pick(service.hours, lang),
        opening_hours=service.opening_hours,
        open_now=is_open(service.opening_hours, now),
        languages_served=service.languages_served or [],
        latitude=service.latitude,
        longitude=service.longitude,
        confidence=service.confidence,  # type: ignore[arg-type]
        confirm_phone=service.confirm_phone,
        source_url=service.source_url,
        verified_on=service.verified_on,
    )


def event_out(event: Event, lang: str) -> EventOut:
    """An event row in ``lang``."""
    return EventOut(
        slug=event.slug,
        name=pick(event.name, lang) or event.slug,
        description=pick(event.description, lang) or "",
        venue=pick(event.venue, lang),
        start_date=event.start_date,
        end_date=event.end_date,
        start_time=event.start_time,
        dates=format_dates(event.start_date.isoformat(), event.end_date.isoformat(), lang),
        date_precision=event.date_precision,  # type: ignore[arg-type]
        topics=event.topics or [],
        phone=event.phone,
        website=event.website,
        confidence=event.confidence,  # type: ignore[arg-type]
        source_url=event.source_url,
        verified_on=event.verified_on,
    )


@router.get("/services", response_model=list[ServiceOut])
async def list_services(
    request: Request,
    category: Annotated[Optional[Category], Query(description="A need the service helps with")] = None,
    district: Annotated[Optional[District], Query(description="City-wide services are always included")] = None,
    language: Annotated[Optional[str], Query(min_length=2, max_length=3, pattern="^[a-z]{2,3}$",
                                             description="ISO 639-1 code of a language spoken")] = None,
    open_now: Annotated[bool, Query(description="Only places open now (Asia/Seoul)")] = False,
    q: Annotated[Optional[str], Query(max_length=100, description="Text in a name, description or address")] = None,
    lang: LangQuery = "ko",
) -> list[ServiceOut]:
    """Services and helplines, filtered; the district's own places first."""
    now = clock.now()
    query = ServiceQuery(category=category, district=district, language=language,
                         open_at=now if open_now else None, text=q)
    async with _db(request).session() as session:
        found = await find_services(session, query)
    return [service_out(s, lang, now) for s in found]


@router.get("/events", response_model=list[EventOut])
async def list_events(
    request: Request,
    start: Annotated[Optional[dt.date], Query(alias="from", description="First day (default: today)")] = None,
    end: Annotated[Optional[dt.date], Query(alias="to", description="Last day (default: a year after from)")] = None,
    lang: LangQuery = "ko",
) -> list[EventOut]:
    """Events that run on at least one day between from and to, by start date."""
    first = start or clock.today()
    last = end or first + dt.timedelta(days=365)
    if last < first:
        raise RequestValidationError([{"loc": ("query", "to"), "msg": "must not be before from",
                                       "type": "value_error", "input": last.isoformat()}])
    if (last - first).days > MAX_EVENT_RANGE_DAYS:
        raise RequestValidationError([{"loc": ("query", "to"), "msg": "at most three years after from",
                                       "type": "value_error", "input": last.isoformat()}])
    async with _db(request).session() as session:
        events = await events_between(session, first, last)
    return [event_out(e, lang) for e in events]


@router.post("/eligibility/{program}", response_model=EligibilityOut)
async def check_eligibility(
    request: Request,
    program: Annotated[ProgramSlug, Path(description="The programme to check")],
    answers: Annotated[EligibilityIn, Body()],
    lang: LangQuery = "ko",
) -> EligibilityOut:
    """Check eligibility with the programme's rules for the current year (404: the programme is not offered)."""
    today = clock.today()
    async with _db(request).session() as session:
        records = await eligibility_records(session)
    if program not in offered(records):
        raise HTTPException(404, f"{program} is not offered")
    values: dict[str, Any] = answers.model_dump()
    given = Answers.from_mapping(values)
    # A field sent as null is "I don't know"; a field not sent is not answered.
    asked = {name: ("unknown" if values[name] is None else values[name]) for name in answers.model_fields_set}
    missing = [name for name in questions(program, asked, today, records)
               if name not in answers.model_fields_set]
    if missing:
        raise RequestValidationError([
            {"loc": ("body", name), "msg": f"Field required for {program} (null means unknown)",
             "type": "missing", "input": None}
            for name in missing
        ])
    result = evaluate(program, given, today, records)
    headline, reasons, apply = render_eligibility(result.as_dict(), lang)
    return EligibilityOut(
        program=program, year=result.year, result=result.result, amount_krw=result.amount_krw,
        copay_percent=result.copay_percent, decided_by=result.decided_by,
        applications=ApplicationsOut(**result.applications), headline=headline,
        reasons=reasons, apply=apply,
    )
