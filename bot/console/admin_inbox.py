"""Admin pages: the misunderstood inbox (``/admin/inbox``). Admins only (403 for staff).

New items grouped by language, then by similarity (:mod:`hamkke.inbox`),
each with its reason, time and the bot's best guesses. Plain HTML forms
(POST with the session's CSRF token, then back to the page): assign an item
or a whole group to an FAQ entry (each question becomes a training example in
its own language, used from the next retraining), start a new FAQ entry from
an item, dismiss. Every action is audited by :mod:`hamkke.inbox`.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.routes import AdminViewer, Form, Viewer, _db, _page
from bot.console.text import TEXT, say
from hamkke import inbox
from hamkke.db.models import InboxItem, as_utc
from hamkke.hours import SEOUL
from hamkke.i18n import has, t

router = APIRouter(include_in_schema=False)

PAGE = "/admin/inbox"

TEXT.update({
    "inbox_title": {"ko": "이해 못한 질문", "en": "Misunderstood questions"},
    "inbox_intro": {
        "ko": "챗봇이 이해하지 못했거나, 주제를 되물었거나, 직원에게 넘겼거나, 주민이 \"도움 안 됐어요\"를 누른 "
              "질문입니다. 언어별로, 비슷한 질문끼리 묶었습니다. FAQ에 배정하면 그 언어의 학습 예문이 되고, "
              "다음 재학습부터 쓰입니다.",
        "en": "Questions the bot fell back on, answered with \"did you mean…?\", handed to staff, or that a "
              "resident said did not help; grouped by language, then similar questions together. Assigning one "
              "to an FAQ entry makes it a training example in its language, used from the next retraining."},
    "inbox_empty": {"ko": "새로 들어온 질문이 없습니다", "en": "Nothing new"},
    "inbox_items": {"ko": "새 질문 {n}건", "en": "{n} new"},
    "inbox_similar": {"ko": "비슷한 질문 {n}건", "en": "{n} similar questions"},
    "inbox_single": {"ko": "질문 1건", "en": "1 question"},
    "inbox_reason_fallback": {"ko": "이해 못함", "en": "fell back"},
    "inbox_reason_suggested": {"ko": "주제 되물음", "en": "did you mean"},
    "inbox_reason_not_helpful": {"ko": "도움 안 됨", "en": "did not help"},
    "inbox_reason_handed_off": {"ko": "직원 연결", "en": "handed to staff"},
    "inbox_guesses": {"ko": "챗봇의 추측", "en": "Bot's guesses"},
    "inbox_no_guesses": {"ko": "추측 없음", "en": "no guesses"},
    "inbox_answered": {"ko": "주제", "en": "Topic"},
    "inbox_entry": {"ko": "FAQ 항목", "en": "FAQ entry"},
    "inbox_choose": {"ko": "항목 선택", "en": "Choose an entry"},
    "inbox_assign": {"ko": "예문으로 배정", "en": "Assign as example"},
    "inbox_assign_group": {"ko": "묶음 전체 배정", "en": "Assign the whole group"},
    "inbox_dismiss": {"ko": "무시", "en": "Dismiss"},
    "inbox_dismiss_group": {"ko": "묶음 전체 무시", "en": "Dismiss the whole group"},
    "inbox_new_entry": {"ko": "새 FAQ 항목 만들기", "en": "Start a new FAQ entry"},
    "inbox_new_name": {"ko": "새 항목 이름 (영문)", "en": "New entry's name"},
    "inbox_name_hint": {"ko": "예: visa fee", "en": "e.g. visa fee"},
    "inbox_waits": {"ko": "배정한 예문은 다음 재학습을 기다립니다",
                    "en": "Assigned examples wait for the next retraining"},
    "inbox_err_unknown_entry": {"ko": "FAQ 항목 {intent}이(가) 없습니다", "en": "There is no FAQ entry {intent}"},
    "inbox_err_no_item": {"ko": "처리할 새 질문이 없습니다", "en": "No new item to act on"},
    "inbox_err_name": {"ko": "이름에 영문자나 숫자가 필요합니다", "en": "The name needs letters or digits"},
    "inbox_err_exists": {"ko": "{intent} 항목이 이미 있습니다", "en": "{intent} exists already"},
})


def _when(item: InboxItem) -> str:
    return as_utc(item.created_at).astimezone(SEOUL).strftime("%m-%d %H:%M")


def _first_guess(item: InboxItem) -> Optional[str]:
    """The entry preselected for an item: the bot's first guess (else the topic it answered)."""
    guess = item.guesses[0] if item.guesses and isinstance(item.guesses[0], dict) else {}
    return str(guess.get("intent") or item.topic or "") or None


def _topic_name(lang: str) -> Any:
    def name(intent: Optional[str]) -> str:
        key = f"topic_{intent}"
        return t(key, lang) if intent and has(key, lang) else ""
    return name


async def _render(request: Request, who: Viewer, status: int = 200, error: Optional[str] = None) -> HTMLResponse:
    async with _db(request).session() as session:
        groups = await inbox.new_groups(session)
        intents = await inbox.faq_intents(session)
        counts = await inbox.counts(session)
    return _page(request, "admin_inbox.html", who, status=status, groups=groups, intents=intents, counts=counts,
                 reasons=inbox.REASONS, error=error, when=_when, guess_label=inbox.guess_label,
                 first_guess=_first_guess, topic_name=_topic_name(who.lang),
                 sizes={lang: sum(len(g.items) for g in found) for lang, found in groups.items()})


@router.get(PAGE, response_class=HTMLResponse)
async def inbox_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """New items, by language, similar questions together."""
    return await _render(request, who)


async def _act(request: Request, who: Viewer, action: Any) -> Response:
    """Run one inbox action in a transaction; back to the page, or the page with why it could not be done."""
    async with _db(request).session() as session:
        try:
            result = await action(session)
        except inbox.InboxError as exc:
            await session.rollback()
            return await _render(request, who, exc.status, say(exc.key, who.lang, **exc.args_))
        await session.commit()
    return RedirectResponse(result if isinstance(result, str) else PAGE, status_code=303)


@router.post(f"{PAGE}/assign")
async def assign(request: Request, who: AdminViewer, form: Form) -> Response:
    """Assign an item or a group to an FAQ entry: their questions become its examples, each in its language."""
    ids, intent = inbox.parse_ids(form.get("items")), str(form.get("intent") or "").strip()
    return await _act(request, who, lambda session: inbox.assign(session, ids, intent, who.user.id))


@router.post(f"{PAGE}/dismiss")
async def dismiss(request: Request, who: AdminViewer, form: Form) -> Response:
    """Dismiss an item or a group."""
    ids = inbox.parse_ids(form.get("items"))
    return await _act(request, who, lambda session: inbox.dismiss(session, ids, who.user.id))


@router.post(f"{PAGE}/new_entry")
async def new_entry(request: Request, who: AdminViewer, form: Form) -> Response:
    """Start a draft FAQ entry from an item; its page (``/admin/faq/<intent>``) comes next."""
    ids, name = inbox.parse_ids(form.get("item")), str(form.get("name") or "")

    async def start(session: Any) -> str:
        if not ids:
            raise inbox.InboxError("inbox_err_no_item", status=404)
        entry = await inbox.new_entry(session, ids[0], name, who.user.id)
        return f"/admin/faq/{entry.intent}"

    return await _act(request, who, start)
