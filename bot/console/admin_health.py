"""Admin pages: content health (``/admin/health``, and ``/admin/health.json``). Admins only (403 for staff).

Per language, over the last 7 and 30 days: the fallback rate, the hand-off
rate, the share of answers a resident said did not help, and the questions
per topic; the daily messages and fallbacks of the last 30 days; and the
content checks of :mod:`hamkke.health`. Charts are inline SVG drawn on the
server (no script; colours come from ``admin_health.css``, since the
console's Content-Security-Policy allows no inline style), and every number
is also in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import Match

from bot.console.routes import LANGUAGE_NAMES, AdminViewer, _db, _page
from bot.console.text import TEXT, say
from hamkke import SUPPORTED_LANGUAGES, clock, i18n
from hamkke.health import ALL, NOT_UNDERSTOOD, UNRECORDED, Day, HealthReport, Usage, health_report

router = APIRouter(include_in_schema=False)

TEXT.update({
    "health_title": {"ko": "콘텐츠 상태", "en": "Content health"},
    "health_intro": {"ko": "언어별로 챗봇이 얼마나 잘 답하는지, 그리고 관리자가 고쳐야 할 콘텐츠를 "
                           "보여 줍니다. 기준: {now}",
                     "en": "How well the assistant answers in each language, and which content needs an admin. "
                           "As of {now}."},
    "health_json": {"ko": "JSON으로 보기", "en": "As JSON"},
    "health_usage": {"ko": "답변 현황", "en": "How the assistant answers"},
    "health_window": {"ko": "지난 {n}일", "en": "last {n} days"},
    "health_rates": {"ko": "언어별 비율 ({window})", "en": "Rates per language ({window})"},
    "health_rates_desc": {"ko": "언어마다 이해 못함, 직원 연결, 도움 안 됨의 비율 (챗봇 답변 대비). "
                                "숫자는 아래 표에 있습니다.",
                          "en": "For each language, the share of the bot's answers that were fallbacks, hand-offs "
                                "to staff, and answers that did not help. The table below gives the numbers."},
    "health_language": {"ko": "언어", "en": "Language"},
    "health_all": {"ko": "전체", "en": "All"},
    "health_answers": {"ko": "챗봇 답변", "en": "Bot answers"},
    "health_fallback": {"ko": "이해 못함", "en": "Fallback (not understood)"},
    "health_suggested": {"ko": "그중 주제 제안", "en": "of which topics offered"},
    "health_handoff": {"ko": "직원 연결", "en": "Hand-off to staff"},
    "health_not_helpful": {"ko": "도움 안 됨", "en": "Did not help"},
    "health_reasons": {"ko": "연결 사유", "en": "Hand-off reasons"},
    "health_reason_requested": {"ko": "주민 요청", "en": "asked for a person"},
    "health_reason_fallback": {"ko": "이해 못함", "en": "not understood"},
    "health_reason_eligibility": {"ko": "자격 확인", "en": "eligibility"},
    "health_reason_urgent": {"ko": "긴급", "en": "urgent"},
    "health_reason_error": {"ko": "오류", "en": "error"},
    "health_no_answers": {"ko": "답변 없음", "en": "no answers"},
    "health_topics": {"ko": "주제별 질문 수", "en": "Questions per topic"},
    "health_topics_desc": {"ko": "{language}: 지난 30일에 가장 많이 물은 주제 (지난 7일과 함께).",
                           "en": "{language}: the topics asked most in the last 30 days (with the last 7 days)."},
    "health_topic": {"ko": "주제", "en": "Topic"},
    "health_other_topics": {"ko": "기타 주제", "en": "Other topics"},
    "health_not_understood": {"ko": "이해 못함", "en": "Not understood"},
    "health_unrecorded": {"ko": "기록 없음 (이전 답변)", "en": "Not recorded (older answers)"},
    "health_no_questions": {"ko": "이 기간에 질문이 없습니다.", "en": "No questions in this period."},
    "health_daily": {"ko": "일별 메시지와 이해 못함 (지난 {n}일)",
                     "en": "Messages and fallbacks per day (last {n} days)"},
    "health_daily_desc": {"ko": "{language}: 날마다 챗봇이 답한 메시지와 그중 이해 못한 메시지 (최대 {max}건).",
                          "en": "{language}: the messages the bot answered each day, and the fallbacks among them "
                                "(scale up to {max})."},
    "health_daily_table": {"ko": "일별 숫자 표", "en": "The daily numbers as a table"},
    "health_day": {"ko": "날짜", "en": "Date"},
    "health_messages": {"ko": "메시지", "en": "Messages"},
    "health_checks": {"ko": "콘텐츠 점검", "en": "Content checks"},
    "health_missing": {"ko": "언어가 빠진 FAQ 답변", "en": "FAQ answers missing a language"},
    "health_missing_help": {"ko": "답변도, 대체할 언어도 없는 언어가 있는 항목입니다.",
                            "en": "Entries with a language that has neither an answer nor a fallback."},
    "health_missing_per_language": {"ko": "언어별 빠진 답변", "en": "Missing answers per language"},
    "health_missing_languages": {"ko": "빠진 언어", "en": "Missing"},
    "health_entry": {"ko": "항목", "en": "Entry"},
    "health_status": {"ko": "상태", "en": "Status"},
    "health_facts": {"ko": "다시 확인할 정보", "en": "Facts to check again"},
    "health_facts_help": {"ko": "확인한 날짜가 점검 주기(FAQ는 항목별, 기관·행사·제도는 1년)를 넘었거나 "
                                "출처가 불확실(L)한 정보입니다.",
                          "en": "Verified longer ago than their review interval (FAQ: the entry's own; services, "
                                "events, programmes: a year), or with a source marked uncertain (L)."},
    "health_kind": {"ko": "종류", "en": "Kind"},
    "health_kind_faq": {"ko": "FAQ", "en": "FAQ"},
    "health_kind_service": {"ko": "기관", "en": "Service"},
    "health_kind_event": {"ko": "행사", "en": "Event"},
    "health_kind_program": {"ko": "제도", "en": "Programme"},
    "health_name": {"ko": "이름", "en": "Name"},
    "health_verified": {"ko": "확인 날짜", "en": "Verified"},
    "health_due": {"ko": "점검 기한", "en": "Review due"},
    "health_problem": {"ko": "문제", "en": "Problem"},
    "health_overdue": {"ko": "{n}일 지남", "en": "{n} days overdue"},
    "health_uncertain": {"ko": "출처 불확실 (L)", "en": "source uncertain (L)"},
    "health_unreachable": {"ko": "연락할 방법이 없는 기관", "en": "Services a resident cannot reach"},
    "health_unreachable_help": {"ko": "전화, 주소, 웹사이트가 모두 없어 기관 찾기에서 빠집니다.",
                                "en": "No phone, address or website: the service finder never offers them."},
    "health_events": {"ko": "다음 일정이 없는 연례 행사", "en": "Yearly events without a next occurrence"},
    "health_events_help": {"ko": "같은 행사의 가장 최근 일정이 이미 지났고 다음 일정이 입력되지 않았습니다.",
                           "en": "The series' latest dated occurrence has passed and no next one is entered."},
    "health_last_date": {"ko": "마지막 일정", "en": "Last occurrence"},
    "health_occurrences": {"ko": "기록", "en": "Records"},
    "health_programs": {"ko": "다음 해 기준이 없는 제도", "en": "Programmes without next year's rules"},
    "health_programs_help": {"ko": "올해 신청 기간이 끝났는데 다음 해 기준이 입력되지 않았습니다.",
                             "en": "The current application period is over and next year's rules are not entered."},
    "health_year": {"ko": "연도", "en": "Year"},
    "health_apply_until": {"ko": "신청 마감", "en": "Applications until"},
    "health_reason_period_closed": {"ko": "신청 기간 끝남", "en": "application period closed"},
    "health_reason_year_over": {"ko": "지난해 기준뿐", "en": "only a past year's rules"},
    "health_nothing": {"ko": "고칠 것이 없습니다.", "en": "Nothing to fix."},
    "health_count": {"ko": "{n}건", "en": "{n}"},
})

TOP_TOPICS = 8  # topics drawn per language (the rest are summed as "other")
RATES = (("fallback", "health_fallback"), ("handoff", "health_handoff"), ("not_helpful", "health_not_helpful"))


# -- charts (inline SVG, geometry computed here) ---------------------------------------------------


@dataclass
class Shape:
    """A bar: a rectangle with a tooltip (its ``title``)."""

    x: float
    y: float
    width: float
    height: float
    cls: str
    title: str = ""


@dataclass
class Label:
    """A text in the chart."""

    x: float
    y: float
    text: str
    cls: str = "label"
    anchor: str = "start"


@dataclass
class Line:
    """An axis or a grid line."""

    x1: float
    y1: float
    x2: float
    y2: float
    cls: str = "axis"


@dataclass
class Chart:
    """One SVG chart: ``title`` and ``desc`` label it for screen readers; ``legend`` is (class, text)."""

    ident: str
    title: str
    desc: str
    width: int
    height: int
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def percent(rate: Optional[float]) -> str:
    """A rate as a percentage ("12.5%"), or a dash when there is nothing to divide."""
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _nice_top(value: float, step: float) -> float:
    return max(step, math.ceil(value / step - 1e-9) * step)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rates_chart(usage: Usage, lang: str, languages: Sequence[str]) -> Chart:
    """Horizontal bars: per language, the fallback, hand-off and "did not help" rates."""
    label_w, bar_w, value_w, bar_h, gap, row_gap, top = 110, 330, 70, 11, 2, 14, 6
    rows = [usage.of(code) for code in (*languages, ALL)]
    rates = [getattr(row, f"{name}_rate") for row in rows for name, _ in RATES]
    scale = _nice_top(max([r for r in rates if r is not None] or [0.0]), 0.1)
    row_h = len(RATES) * bar_h + (len(RATES) - 1) * gap
    height = top + len(rows) * (row_h + row_gap) + 18
    window = say("health_window", lang, n=usage.days)
    chart = Chart(f"rates-{usage.days}", say("health_rates", lang, window=window), say("health_rates_desc", lang),
                  label_w + bar_w + value_w, height,
                  legend=[(f"bar {name}", say(key, lang)) for name, key in RATES])
    axis_bottom = top + len(rows) * (row_h + row_gap) - row_gap / 2
    for fraction in (0.0, 0.5, 1.0):
        x = label_w + bar_w * fraction
        chart.lines.append(Line(x, top - 2, x, axis_bottom, "axis" if fraction == 0 else "grid"))
        chart.labels.append(Label(x, axis_bottom + 13, percent(scale * fraction), "tick", "middle"))
    for index, row in enumerate(rows):
        y0 = top + index * (row_h + row_gap)
        name = _language_name(row.language, lang)
        chart.labels.append(Label(label_w - 8, y0 + row_h / 2 + 4, name, "label strong" if row.language == ALL
                                  else "label", "end"))
        for position, (rate_name, key) in enumerate(RATES):
            rate = getattr(row, f"{rate_name}_rate")
            count = getattr(row, {"fallback": "fallbacks", "handoff": "handoffs"}.get(rate_name, rate_name))
            y = y0 + position * (bar_h + gap)
            width = 0.0 if rate is None else bar_w * min(rate, scale) / scale
            title = (f"{name} · {say(key, lang)}: {count} / {row.answers} ({percent(rate)})" if row.answers
                     else f"{name} · {say(key, lang)}: {say('health_no_answers', lang)}")
            chart.shapes.append(Shape(label_w, y, round(width, 2), bar_h, f"bar {rate_name}", title))
            chart.labels.append(Label(label_w + width + 4, y + bar_h - 2, percent(rate), "value"))
    return chart


def topics_chart(ident: str, title: str, desc: str, rows: list[tuple[str, int, int]], lang: str) -> Chart:
    """Horizontal bars per topic: questions in the last 30 days and in the last 7."""
    label_w, bar_w, value_w, bar_h, gap, row_gap, top = 170, 220, 50, 10, 2, 10, 4
    scale = max([n30 for _, n30, _ in rows] or [1]) or 1
    row_h = 2 * bar_h + gap
    height = top + max(1, len(rows)) * (row_h + row_gap) + 4
    chart = Chart(ident, title, desc, label_w + bar_w + value_w, height,
                  legend=[("bar d30", say("health_window", lang, n=30)), ("bar d7", say("health_window", lang, n=7))])
    chart.lines.append(Line(label_w, top - 2, label_w, height - 4))
    for index, (topic, n30, n7) in enumerate(rows):
        y0 = top + index * (row_h + row_gap)
        chart.labels.append(Label(label_w - 6, y0 + row_h / 2 + 4, _short(topic, 24), "label", "end"))
        for position, (count, cls, days) in enumerate(((n30, "d30", 30), (n7, "d7", 7))):
            y = y0 + position * (bar_h + gap)
            width = bar_w * count / scale
            chart.shapes.append(Shape(label_w, y, round(width, 2), bar_h, f"bar {cls}",
                                      f"{topic} · {say('health_window', lang, n=days)}: {count}"))
            chart.labels.append(Label(label_w + width + 4, y + bar_h - 1, str(count), "value"))
    return chart


def daily_chart(days: list[Day], language: str, lang: str, scale: int) -> Chart:
    """Columns per day: the messages the bot answered, with the fallbacks among them in front."""
    left, col, bar, plot_h, top = 34, 14, 10, 90, 8
    name = _language_name(language, lang)
    chart = Chart(f"daily-{language}", f"{name}: {say('health_daily', lang, n=len(days))}",
                  say("health_daily_desc", lang, language=name, max=scale), left + col * len(days) + 20,
                  top + plot_h + 20,
                  legend=[("bar answers", say("health_messages", lang)),
                          ("bar fallback", say("health_fallback", lang))])
    base = top + plot_h
    chart.lines.append(Line(left, base, left + col * len(days), base))
    chart.lines.append(Line(left, top, left + col * len(days), top, "grid"))
    chart.labels.append(Label(left - 4, top + 4, str(scale), "tick", "end"))
    chart.labels.append(Label(left - 4, base, "0", "tick", "end"))
    for index, day in enumerate(days):
        x = left + index * col + (col - bar) / 2
        answers, fallbacks = day.answers.get(language, 0), day.fallbacks.get(language, 0)
        title = (f"{day.day.isoformat()} · {say('health_messages', lang)}: {answers}, "
                 f"{say('health_fallback', lang)}: {fallbacks}")
        for count, cls in ((answers, "answers"), (fallbacks, "fallback")):
            height = plot_h * count / scale
            chart.shapes.append(Shape(round(x, 2), round(base - height, 2), bar, round(height, 2), f"bar {cls}",
                                      title))
        if index in (0, len(days) // 2, len(days) - 1):
            chart.labels.append(Label(x + bar / 2, base + 14, day.day.strftime("%m-%d"), "tick", "middle"))
    return chart


# -- the page -----------------------------------------------------------------------------------


def _language_name(code: str, lang: str) -> str:
    return say("health_all", lang) if code == ALL else LANGUAGE_NAMES[lang].get(code, code)


def topic_label(topic: str, lang: str) -> str:
    """A topic as the console names it: the catalog's short topic name, else the key itself."""
    if topic == NOT_UNDERSTOOD:
        return say("health_not_understood", lang)
    if topic == UNRECORDED:
        return say("health_unrecorded", lang)
    key = f"topic_{topic}"
    try:
        return i18n.t(key, lang) if i18n.has(key, lang) else topic
    except (KeyError, ValueError, IndexError):
        return topic


def pick(name: dict[str, str], lang: str, fallback: str) -> str:
    """A record's name in the console's language, else in English or Korean, else its key."""
    return name.get(lang) or name.get("en") or name.get("ko") or fallback


def _page_exists(request: Request, path: str) -> bool:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(isinstance(route, APIRoute) and route.path.startswith("/admin/")
               and route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


def link(request: Request, kind: str, key: str) -> Optional[str]:
    """The admin page of a record, where one exists (the FAQ and content pages are built separately)."""
    slug, _, year = key.partition("@")
    if kind == "faq":
        candidates = [f"/admin/faq/{quote(key)}"]
    elif kind == "program":
        candidates = [f"/admin/content/programs/{quote(slug)}/{year}", f"/admin/content/programs/{quote(key)}",
                      f"/admin/content/program/{quote(key)}", f"/admin/content/programs/{quote(slug)}"]
    else:
        candidates = [f"/admin/content/{kind}s/{quote(key)}", f"/admin/content/{kind}/{quote(key)}"]
    return next((path for path in candidates if _page_exists(request, path)), None)


def _context(request: Request, report: HealthReport, lang: str) -> dict[str, Any]:
    languages = SUPPORTED_LANGUAGES
    usage = {u.days: u for u in report.windows}
    longest, shortest = max(usage), min(usage)
    topics = []
    for code in languages:
        counts = {days: {t.topic: t.questions for t in u.of(code).topics} for days, u in usage.items()}
        shown = [t.topic for t in usage[longest].of(code).topics[:TOP_TOPICS]]
        rows = [(topic_label(topic, lang), counts[longest][topic], counts[shortest].get(topic, 0))
                for topic in shown]
        other = tuple(sum(n for topic, n in counts[days].items() if topic not in shown)
                      for days in (longest, shortest))
        name = _language_name(code, lang)
        topics.append({"code": code, "name": name, "rows": rows, "other": other,
                       "chart": topics_chart(f"topics-{code}", f"{say('health_topics', lang)}: {name}",
                                             say("health_topics_desc", lang, language=name), rows, lang)})
    scale = int(_nice_top(max([n for day in report.daily for n in day.answers.values()] or [0]), 5))
    checks = report.checks
    return {
        "report": report, "languages": languages, "all": ALL, "percent": percent,
        "known_reasons": {key for key in TEXT if key.startswith("health_reason_")},
        "language_label": lambda code: _language_name(code, lang),
        "windows": [{"usage": u, "chart": rates_chart(u, lang, languages)} for u in report.windows],
        "topics": topics, "topics_windows": (longest, shortest),
        "daily": [{"code": code, "name": _language_name(code, lang),
                   "chart": daily_chart(report.daily, code, lang, scale)} for code in languages],
        "facts": [{"f": f, "name": topic_label(f.key, lang) if f.kind == "faq" else pick(f.name, lang, f.key),
                   "link": link(request, f.kind, f.key)} for f in checks.facts],
        "missing": [{"m": m, "name": topic_label(m.intent, lang), "link": link(request, "faq", m.intent)}
                    for m in checks.missing_answers],
        "unreachable": [{"s": s, "name": pick(s.name, lang, s.slug), "link": link(request, "service", s.slug)}
                        for s in checks.unreachable],
        "series": [{"s": s, "name": pick(s.name, lang, s.slug), "link": link(request, "event", s.slug)}
                   for s in checks.events_without_next],
        "programs": [{"p": p, "link": link(request, "program", f"{p.slug}@{p.year}")}
                     for p in checks.programs_without_next_year],
    }


async def _report(request: Request) -> HealthReport:
    async with _db(request).session() as session:
        return await health_report(session, clock.now())


@router.get("/admin/health", response_class=HTMLResponse)
async def health_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """Content health, per language: rates and topics as charts and tables, and the content checks."""
    report = await _report(request)
    return _page(request, "admin_health.html", who, **_context(request, report, who.lang))


@router.get("/admin/health.json")
async def health_json(request: Request, who: AdminViewer) -> JSONResponse:
    """The same figures and checks as JSON."""
    report = await _report(request)
    return JSONResponse(jsonable_encoder(report), headers={"Cache-Control": "no-store"})
