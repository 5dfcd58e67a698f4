"""Admin pages: FAQ entries (``/admin/faq``). Admins only (403 for staff).

Each entry shows every language side by side: its example questions (the
repository's, from ``nlu/``, and those added here, which wait for the next
retraining) and its answer, with the entry's key facts, sources, confidence
and verified date. A language without an answer is flagged; the entry
cannot be published until every language has an answer or is explicitly
marked to fall back to another language's. Saving requires the source of the
change, resets the verified date, records who and when
(:func:`hamkke.provenance.record_edit`) and is live for the next message
(:mod:`hamkke.answers`): no retraining, no restart.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.channels.common import RowId
from bot.console.routes import AdminViewer, Form, _db, _page
from bot.console.text import TEXT, say
from hamkke import SUPPORTED_LANGUAGES, clock
from hamkke.accounts import audit
from hamkke.answers import missing_languages
from hamkke.db.models import ContentOrigin, FaqEntry, FaqExample, StaffUser, utcnow
from hamkke.privacy import mask, normalise
from hamkke.provenance import record_edit
from hamkke.publishing import nlu_examples

router = APIRouter(include_in_schema=False)

STATUSES = ("published", "draft", "retired")
INTENT = re.compile(r"^faq_[a-z0-9_]{2,58}$")
MAX_ANSWER = 3000
MAX_EXAMPLE = 300
MAX_LABEL = 14  # a KakaoTalk quick reply's label

TEXT.update({
    "faq_title": {"ko": "FAQ 항목", "en": "FAQ entries"},
    "faq_intro": {"ko": "언어별 예문과 답변을 나란히 봅니다. "
                        "답변 수정은 바로 반영되고, 새 예문은 재학습 후 반영됩니다.",
                  "en": "Example questions and answers in every language side by side. An answer edit is live at "
                        "once; new example questions after the next retraining."},
    "faq_intent": {"ko": "주제", "en": "Topic"},
    "faq_languages": {"ko": "언어", "en": "Languages"},
    "faq_verified": {"ko": "확인일", "en": "Verified"},
    "faq_confidence": {"ko": "신뢰도", "en": "Confidence"},
    "faq_missing": {"ko": "{langs} 답변 없음", "en": "no answer in {langs}"},
    "faq_stale": {"ko": "확인한 지 오래됨", "en": "review due"},
    "faq_uncertain": {"ko": "출처 불확실", "en": "uncertain source"},
    "faq_answer": {"ko": "답변", "en": "Answer"},
    "faq_fallback": {"ko": "답변이 없으면", "en": "Without its own answer"},
    "faq_label": {"ko": "짧은 이름 (추천 버튼, {n}자 이내)",
                  "en": "Short name (suggestion button, at most {n} characters)"},
    "faq_err_label": {"ko": "짧은 이름은 {n}자 이내입니다.", "en": "A short name has at most {n} characters."},
    "faq_no_fallback": {"ko": "대체하지 않음 (게시 불가)", "en": "no fallback (cannot be published)"},
    "faq_falls_back": {"ko": "{other} 답변으로 대체", "en": "use the {other} answer"},
    "faq_examples": {"ko": "예문", "en": "Example questions"},
    "faq_repo_examples": {"ko": "저장소 예문 {n}개", "en": "{n} from the repository"},
    "faq_waiting": {"ko": "재학습 대기", "en": "waiting for a retraining"},
    "faq_in_model": {"ko": "모델 {tag}에 반영", "en": "in model {tag}"},
    "faq_add_example": {"ko": "예문 추가", "en": "Add an example"},
    "faq_remove": {"ko": "삭제", "en": "Remove"},
    "faq_key_facts": {"ko": "핵심 사실 (모든 답변에 그대로 들어가야 함, 한 줄에 하나)",
                      "en": "Key facts (each must appear in every answer as written; one per line)"},
    "faq_key_fact_missing": {"ko": "{language} 답변에 없는 핵심 사실: {facts}",
                             "en": "Key facts missing from the {language} answer: {facts}"},
    "faq_sources": {"ko": "출처 (한 줄에 하나)", "en": "Sources (one per line)"},
    "faq_review_days": {"ko": "재확인 주기 (일)", "en": "Review every (days)"},
    "faq_change_source": {"ko": "이번 수정의 근거 (주소 또는 설명, 필수)",
                          "en": "Source of this change (address or description, required)"},
    "faq_status": {"ko": "상태", "en": "Status"},
    "faq_status_published": {"ko": "게시", "en": "published"},
    "faq_status_draft": {"ko": "초안", "en": "draft"},
    "faq_status_retired": {"ko": "사용 안 함", "en": "retired"},
    "faq_saved": {"ko": "저장했습니다. 다음 메시지부터 반영됩니다.", "en": "Saved: live from the next message."},
    "faq_new": {"ko": "새 항목 (식별자: faq_ 뒤 영문 소문자)", "en": "New entry (identifier after faq_: lowercase)"},
    "faq_edited": {"ko": "{who}, {at}", "en": "{who}, {at}"},
    "faq_err_source": {"ko": "이번 수정의 근거(주소나 설명)를 적어 주세요.",
                       "en": "Give the source of this change (an address or a description)."},
    "faq_err_status": {"ko": "알 수 없는 상태입니다.", "en": "Unknown status."},
    "faq_err_long": {"ko": "답변이 {n}자보다 깁니다.", "en": "An answer is longer than {n} characters."},
    "faq_err_confidence": {"ko": "신뢰도는 H, M, L 중 하나입니다.", "en": "Confidence must be H, M or L."},
    "faq_err_review": {"ko": "재확인 주기는 날짜 수로 적어 주세요.", "en": "The review interval is a number of days."},
    "faq_err_incomplete": {
        "ko": "게시할 수 없습니다: {langs} 답변이 없습니다. 답변을 쓰거나, 어느 언어의 답변으로 대체할지 고르거나, "
              "초안으로 두세요.",
        "en": "Cannot publish: no answer in {langs}. Write it, or choose which language's answer it falls back "
              "to, or keep the entry as a draft."},
    "faq_needs_retraining": {"ko": "새 주제는 예문을 넣고 게시(재학습)해야 챗봇이 알아듣습니다.",
                             "en": "A new topic is understood after it has example questions and a retraining."},
})


@cache
def repo_examples() -> dict[tuple[str, str], list[str]]:
    """The repository's example questions, by (intent, language) (read once per process); those of
    ``admin.yml`` were exported from this page and are shown from the database."""
    return nlu_examples(skip=("admin.yml",))


def stale(entry: FaqEntry, today: dt.date) -> bool:
    """Whether the entry's facts are older than its review interval."""
    return (today - entry.verified_on).days > (entry.review_days or 365)


def key_fact_gaps(entry: FaqEntry) -> dict[str, list[str]]:
    """Key facts that an answer does not contain as written, by language."""
    gaps = {}
    for lang, text in (entry.answers or {}).items():
        missing = [fact for fact in entry.key_facts or [] if text and str(fact) not in text]
        if missing:
            gaps[lang] = missing
    return gaps


@router.get("/admin/faq", response_class=HTMLResponse)
async def faq_list(request: Request, who: AdminViewer) -> HTMLResponse:
    """Every entry, with what is missing or due for review."""
    async with _db(request).session() as session:
        entries = (await session.scalars(select(FaqEntry).order_by(FaqEntry.intent))).all()
        pending = (await session.scalars(select(FaqExample).where(FaqExample.model_tag.is_(None)))).all()
    waiting: dict[str, int] = {}
    for example in pending:
        waiting[example.intent] = waiting.get(example.intent, 0) + 1
    today = clock.today()
    rows = [{"entry": e, "missing": missing_languages(e), "stale": stale(e, today),
             "uncertain": e.confidence == "L", "waiting": waiting.get(e.intent, 0),
             "summary": (e.answers or {}).get(who.lang) or (e.answers or {}).get("en") or ""} for e in entries]
    return _page(request, "admin_faq_list.html", who, rows=rows, languages=SUPPORTED_LANGUAGES)


async def _entry(session: Any, intent: str) -> FaqEntry:
    entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == intent))
    if entry is None:
        raise HTTPException(404, "no such FAQ entry")
    return entry  # type: ignore[no-any-return]


async def _entry_page(request: Request, who: AdminViewer, intent: str, status: int = 200,
                      error: Optional[str] = None, saved: bool = False,
                      draft: Optional[dict[str, Any]] = None) -> HTMLResponse:
    async with _db(request).session() as session:
        entry = await _entry(session, intent)
        added = (await session.scalars(select(FaqExample).where(FaqExample.intent == intent)
                                       .order_by(FaqExample.id))).all()
        editor = None
        origin = await session.scalar(select(ContentOrigin).where(ContentOrigin.kind == "faq",
                                                                  ContentOrigin.key == intent))
        if origin is not None and origin.edited_by:
            editor = await session.get(StaffUser, origin.edited_by)
    columns = [{"lang": lang,
                "answer": (draft or {}).get(f"answer_{lang}", (entry.answers or {}).get(lang, "")),
                "label": (draft or {}).get(f"label_{lang}", (entry.labels or {}).get(lang, "")),
                "fallback": (draft or {}).get(f"fallback_{lang}", (entry.fallback or {}).get(lang, "")),
                "repo": repo_examples().get((intent, lang), []),
                "added": [x for x in added if x.language == lang]} for lang in SUPPORTED_LANGUAGES]
    return _page(request, "admin_faq_entry.html", who, status=status, entry=entry, columns=columns,
                 missing=missing_languages(entry), gaps=key_fact_gaps(entry), stale=stale(entry, clock.today()),
                 statuses=STATUSES, languages=SUPPORTED_LANGUAGES, max_label=MAX_LABEL, error=error, saved=saved,
                 origin=origin,
                 editor=editor.name if editor else None, draft=draft or {})


@router.get("/admin/faq/{intent}", response_class=HTMLResponse)
async def faq_entry(request: Request, intent: str, who: AdminViewer) -> HTMLResponse:
    """One entry, every language side by side."""
    return await _entry_page(request, who, intent, saved=request.query_params.get("saved") == "1")


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


@router.post("/admin/faq/{intent}")
async def save_entry(request: Request, intent: str, form: Form, who: AdminViewer) -> Response:
    """Save answers, fallbacks, facts and status (live at once; audited with the change's source)."""
    answers = {lang: str(form.get(f"answer_{lang}") or "").strip() for lang in SUPPORTED_LANGUAGES}
    labels = {lang: " ".join(str(form.get(f"label_{lang}") or "").split()) for lang in SUPPORTED_LANGUAGES}
    fallback = {lang: str(form.get(f"fallback_{lang}") or "") for lang in SUPPORTED_LANGUAGES}
    fallback = {lang: other for lang, other in fallback.items()
                if other in SUPPORTED_LANGUAGES and other != lang and not answers[lang]}
    source = str(form.get("source") or "").strip()
    status = str(form.get("status") or "published")
    problem = None
    if not source:
        problem = say("faq_err_source", who.lang)
    elif status not in STATUSES:
        problem = say("faq_err_status", who.lang)
    elif any(len(text) > MAX_ANSWER for text in answers.values()):
        problem = say("faq_err_long", who.lang, n=MAX_ANSWER)
    elif any(len(label) > MAX_LABEL for label in labels.values()):
        problem = say("faq_err_label", who.lang, n=MAX_LABEL)
    elif str(form.get("confidence") or "M") not in ("H", "M", "L"):
        problem = say("faq_err_confidence", who.lang)
    try:
        review_days = max(1, min(3650, int(str(form.get("review_days") or "365"))))
    except ValueError:
        problem = problem or say("faq_err_review", who.lang)
        review_days = 365
    async with _db(request).session() as session:
        entry = await _entry(session, intent)
        if problem is None:
            entry.answers = {lang: text for lang, text in answers.items() if text}
            entry.labels = {lang: label for lang, label in labels.items() if label} or None
            entry.fallback = {lang: other for lang, other in fallback.items() if other in entry.answers} or None
            missing = missing_languages(entry)
            if status == "published" and missing:
                problem = say("faq_err_incomplete", who.lang, langs=", ".join(missing))
        if problem is not None:
            await session.rollback()
            return await _entry_page(request, who, intent, status=400, error=problem, draft=form)
        entry.key_facts = _lines(form.get("key_facts")) or None
        entry.sources = _lines(form.get("sources")) or entry.sources
        entry.confidence = str(form.get("confidence") or entry.confidence)
        entry.review_days = review_days
        entry.status = status
        entry.verified_on = clock.today()
        entry.updated_by, entry.updated_at = who.user.id, utcnow()
        await record_edit(session, "faq", intent, who.user.id, source, status=status,
                          languages=sorted(entry.answers))
        await session.commit()
    return RedirectResponse(f"/admin/faq/{intent}?saved=1", status_code=303)


@router.post("/admin/faq")
async def new_entry(request: Request, form: Form, who: AdminViewer) -> Response:
    """Start a new entry (a draft until every language is answered)."""
    name = str(form.get("intent") or "").strip().lower()
    intent = name if name.startswith("faq_") else f"faq_{name}"
    if not INTENT.match(intent):
        raise HTTPException(400, "the identifier takes lowercase letters, digits and _ (faq_...)")
    async with _db(request).session() as session:
        session.add(FaqEntry(intent=intent, answers={}, status="draft", confidence="M",
                             verified_on=clock.today(), review_days=365, updated_by=who.user.id))
        try:
            await record_edit(session, "faq", intent, who.user.id, None, action="faq_created")
            await session.commit()
        except IntegrityError as exc:
            raise HTTPException(409, "an entry with that identifier exists") from exc
    return RedirectResponse(f"/admin/faq/{intent}", status_code=303)


@router.post("/admin/faq/{intent}/examples")
async def add_example(request: Request, intent: str, form: Form, who: AdminViewer) -> Response:
    """Add an example question in one language (used from the next retraining)."""
    lang = str(form.get("language") or "")
    text = " ".join(normalise(str(form.get("text") or "")).split())
    if lang not in SUPPORTED_LANGUAGES or not text or len(text) > MAX_EXAMPLE:
        raise HTTPException(400, f"a language and a question of 1-{MAX_EXAMPLE} characters are needed")
    if mask(text) != text:
        raise HTTPException(400, "the question contains personal data (a phone number, a name…): remove it")
    async with _db(request).session() as session:
        await _entry(session, intent)
        session.add(FaqExample(intent=intent, language=lang, text=text, origin="admin", added_by=who.user.id))
        try:
            await audit(session, who.user.id, "faq_example_added", intent=intent, language=lang)
            await session.commit()
        except IntegrityError:
            await session.rollback()  # already there: nothing to add
    if "application/json" in request.headers.get("accept", ""):
        from fastapi.responses import JSONResponse
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/admin/faq/{intent}#examples-{lang}", status_code=303)


@router.post("/admin/faq/{intent}/examples/{example_id}/delete")
async def remove_example(request: Request, intent: str, example_id: RowId, form: Form,
                         who: AdminViewer) -> Response:
    """Remove an example added here that no model has been trained with yet."""
    async with _db(request).session() as session:
        example = await session.get(FaqExample, example_id)
        if example is None or example.intent != intent:
            raise HTTPException(404, "no such example")
        if example.model_tag is not None:
            raise HTTPException(409, "a published model was trained with it; it stays in the record")
        await session.delete(example)
        await audit(session, who.user.id, "faq_example_removed", intent=intent, language=example.language)
        await session.commit()
    return RedirectResponse(f"/admin/faq/{intent}", status_code=303)
