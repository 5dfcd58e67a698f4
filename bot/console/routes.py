"""The staff console (``/staff``) and account administration (``/admin``).

Server-rendered pages (Jinja2) with a little JavaScript: the queue and an
open conversation refresh themselves through server-sent events
(``/staff/events``) without reloading. Every state-changing request carries
the session's CSRF token (a form field or the ``X-CSRF-Token`` header) and
must come from the console's own origin; every action on a conversation is
written to the audit log. Text is shown as stored (masked); no platform user
id is ever shown, only the resident's number.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.common import RowId
from bot.console.text import say
from hamkke import SUPPORTED_LANGUAGES
from hamkke import conversations as convs
from hamkke.accounts import (
    ROLES,
    AccountError,
    audit,
    authenticate,
    create_user,
    end_session,
    load_session,
    new_session,
    same_token,
)
from hamkke.config import Settings
from hamkke.db.models import (
    AuditEntry,
    CannedReply,
    Conversation,
    Message,
    MessageTranslation,
    Note,
    Resident,
    StaffSession,
    StaffUser,
    as_utc,
    utcnow,
)
from hamkke.db.session import Database
from hamkke.office_hours import default_centre
from hamkke.privacy import mask
from hamkke.provenance import record_edit

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "hamkke_console"
TRANSCRIPT_MAX = 200
FAILED_STATUSES = ("failed", "unanswered")
FAILED_WINDOW = dt.timedelta(days=7)
LANGUAGE_NAMES = {"ko": {"ko": "한국어", "en": "영어", "ru": "러시아어", "vi": "베트남어"},
                  "en": {"ko": "Korean", "en": "English", "ru": "Russian", "vi": "Vietnamese"}}

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=str(HERE / "static"))


class Viewer:
    """The signed-in staff member behind a request."""

    def __init__(self, user: StaffUser, row: StaffSession) -> None:
        self.user = user
        self.session = row

    @property
    def lang(self) -> str:
        """The console's language for this staff member."""
        return self.user.ui_language if self.user.ui_language in ("ko", "en") else "ko"

    @property
    def is_admin(self) -> bool:
        """Whether the account is an admin's."""
        return self.user.role == "admin"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=settings.console_secure_cookies,
                        path="/", max_age=None)


class SignInNeeded(Exception):
    """The request needs a signed-in session."""


async def viewer(request: Request) -> Viewer:
    """The signed-in staff member, or a redirect to the sign-in page."""
    token = request.cookies.get(COOKIE, "")
    async with _db(request).session() as session:
        row = await load_session(session, token,
                                 dt.timedelta(minutes=_settings(request).console_idle_minutes))
        user = await session.get(StaffUser, row.user_id) if row is not None and row.user_id else None
    if row is None or user is None or not user.active:
        raise SignInNeeded()
    return Viewer(user, row)


Who = Annotated[Viewer, Depends(viewer)]


async def admin(request: Request) -> Viewer:
    """An admin, or 403 for anybody else."""
    who = await viewer(request)
    if not who.is_admin:
        raise HTTPException(403, "admins only")
    return who


AdminViewer = Annotated[Viewer, Depends(admin)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # not a browser's cross-site request (browsers send Origin on POST)
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].split("/", 1)[0] == host


async def checked_form(request: Request, who: Who) -> dict[str, Any]:
    """The request's form (or JSON) after the CSRF check: 403 without the session's token."""
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = await request.json()
            form: dict[str, Any] = data if isinstance(data, dict) else {}
        else:
            form = dict(await request.form())
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep, a broken form
        raise HTTPException(400, "the request's body cannot be read") from exc
    provided = request.headers.get("x-csrf-token") or form.get("csrf")
    if not _same_origin(request) or not same_token(str(provided or ""), who.session.csrf_token):
        raise HTTPException(403, "CSRF check failed")
    return form


Form = Annotated[dict[str, Any], Depends(checked_form)]


def _page(request: Request, name: str, who: Optional[Viewer], status: int = 200, **context: Any) -> HTMLResponse:
    lang = who.lang if who else request.query_params.get("lang", "ko")
    lang = lang if lang in ("ko", "en") else "ko"
    return templates.TemplateResponse(request, name, {
        "who": who, "lang": lang, "t": lambda key, **args: say(key, lang, **args),
        "csrf": who.session.csrf_token if who else context.pop("csrf", ""),
        "language_name": lambda code: LANGUAGE_NAMES[lang].get(code or "", code or "?"),
        **context}, status_code=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                 "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; "
                                            "frame-ancestors 'none'; form-action 'self'",
                 "Referrer-Policy": "same-origin"})


# -- sign-in ------------------------------------------------------------------------------------


@router.get("/staff/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    """The sign-in form, with a fresh pre-sign-in session for its CSRF token."""
    async with _db(request).session() as session:
        token, row = await new_session(session, None)
    response = _page(request, "login.html", None, csrf=row.csrf_token)
    _set_cookie(response, token, _settings(request))
    return response


@router.post("/staff/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the name and password; a new session replaces the pre-sign-in one."""
    form = dict(await request.form())
    old = request.cookies.get(COOKIE, "")
    settings = _settings(request)
    async with _db(request).session() as session:
        pre = await load_session(session, old, dt.timedelta(minutes=settings.console_idle_minutes))
        if pre is None or not _same_origin(request) or not same_token(str(form.get("csrf") or ""), pre.csrf_token):
            raise HTTPException(403, "CSRF check failed")
        result = await authenticate(session, str(form.get("name") or ""), str(form.get("password") or ""))
        if result.user is None:
            lang = request.query_params.get("lang", "ko")
            error = say("slowed", lang, s=result.retry_after) if result.retry_after else say("bad_login", lang)
            response = _page(request, "login.html", None, status=429 if result.retry_after else 401,
                             csrf=pre.csrf_token, error=error)
            if result.retry_after:
                response.headers["Retry-After"] = str(result.retry_after)
            return response
        await end_session(session, old)
        token, _row = await new_session(session, result.user.id)
    redirect = RedirectResponse("/staff", status_code=303)
    _set_cookie(redirect, token, settings)
    return redirect


@router.post("/staff/logout")
async def logout(request: Request, form: Form) -> Response:
    """End the session."""
    async with _db(request).session() as session:
        await end_session(session, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/staff/language")
async def switch_language(request: Request, form: Form,
                          who: Who) -> Response:
    """Switch the console between Korean and English."""
    async with _db(request).session() as session:
        user = await session.get(StaffUser, who.user.id)
        if user is not None:
            user.ui_language = "en" if who.lang == "ko" else "ko"
            await session.commit()
    return RedirectResponse(str(form.get("back") or "/staff"), status_code=303)


# -- the queue ----------------------------------------------------------------------------------


async def _queue(session: AsyncSession, who: Viewer) -> dict[str, Any]:
    rows = (await session.execute(
        select(Conversation, StaffUser.name).outerjoin(StaffUser, StaffUser.id == Conversation.assignee_id)
        .where(Conversation.status.in_((convs.WAITING, convs.HELD)))
        .order_by(Conversation.created_at, Conversation.id))).all()
    now = utcnow()

    def item(conversation: Conversation, holder: Optional[str]) -> dict[str, Any]:
        return {"c": conversation, "holder": holder,
                "minutes": max(0, int((now - as_utc(conversation.created_at)).total_seconds() // 60))}

    items = [item(c, name) for c, name in rows]
    open_residents = {i["c"].resident_id for i in items}
    failures = (await session.execute(
        select(Message, Resident).join(Resident, Resident.id == Message.resident_id)
        .where(Message.direction == "in", Message.status.in_(FAILED_STATUSES),
               Message.created_at > now - FAILED_WINDOW)
        .order_by(Message.id.desc()).limit(50))).all()
    seen: set[int] = set()
    failed = []
    for message, resident in failures:
        if resident.id in open_residents or resident.id in seen:
            continue
        seen.add(resident.id)
        failed.append({"m": message, "r": resident})
    return {
        "failed": failed,
        "waiting": [i for i in items if i["c"].status == convs.WAITING],
        "mine": [i for i in items if i["c"].status == convs.HELD and i["c"].assignee_id == who.user.id],
        "others": [i for i in items if i["c"].status == convs.HELD and i["c"].assignee_id != who.user.id],
    }


@router.get("/staff", response_class=HTMLResponse)
async def queue_page(request: Request, who: Who) -> HTMLResponse:
    """The live queue: waiting conversations oldest first, mine, and colleagues'."""
    async with _db(request).session() as session:
        queue = await _queue(session, who)
    return _page(request, "queue.html", who, **queue)


@router.get("/staff/queue", response_class=HTMLResponse)
async def queue_fragment(request: Request, who: Who) -> HTMLResponse:
    """The queue's lists alone (what the page refreshes on an event)."""
    async with _db(request).session() as session:
        queue = await _queue(session, who)
    return _page(request, "_queue.html", who, **queue)


@router.get("/staff/events")
async def events(request: Request, who: Who) -> StreamingResponse:
    """Server-sent events: ``queue`` and ``conversation`` changes, as they happen."""
    bus = request.app.state.live

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async for event in bus.subscribe():
            if await request.is_disconnected():
                break
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# -- one conversation ---------------------------------------------------------------------------


async def _conversation(session: AsyncSession, conversation_id: int) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(404, "no such conversation")
    return conversation


async def _translations(request: Request, messages: list[Message], target: str) -> dict[int, MessageTranslation]:
    """Each message's translation into ``target``: stored ones, the rest translated now (once) and kept."""
    translator = request.app.state.translator
    async with _db(request).session() as session:
        ids = [m.id for m in messages]
        stored = {row.message_id: row for row in (await session.scalars(select(MessageTranslation).where(
            MessageTranslation.message_id.in_(ids), MessageTranslation.target == target))).all()}
    missing = [m for m in messages if m.id not in stored and (m.language or "") in SUPPORTED_LANGUAGES
               and m.language != target]
    if missing and translator.configured:
        results = await asyncio.gather(*(translator.translate(m.text, m.language or "auto", target)
                                          for m in missing[-40:]))
        async with _db(request).session() as session:
            for message, result in zip(missing[-40:], results, strict=True):
                row = MessageTranslation(message_id=message.id, target=target, text=result.text,
                                         provider=result.provider or "", error=result.error)
                if result.ok:  # failures are tried again next time
                    session.add(row)
                stored[message.id] = row
            try:
                await session.commit()
            except Exception:  # another page translated the same message at the same moment
                await session.rollback()
    return stored


async def _conversation_context(request: Request, who: Viewer, conversation_id: int) -> dict[str, Any]:
    async with _db(request).session() as session:
        conversation = await _conversation(session, conversation_id)
        messages = list((await session.scalars(
            select(Message).where(Message.resident_id == conversation.resident_id)
            .order_by(Message.id.desc()).limit(TRANSCRIPT_MAX))).all())[::-1]
        holder = await session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
        notes = (await session.execute(select(Note, StaffUser.name).outerjoin(StaffUser, StaffUser.id == Note.user_id)
                                       .where(Note.conversation_id == conversation_id).order_by(Note.id))).all()
        trail = (await session.execute(select(AuditEntry, StaffUser.name).outerjoin(
            StaffUser, StaffUser.id == AuditEntry.user_id).where(AuditEntry.conversation_id == conversation_id)
            .order_by(AuditEntry.id))).all()
        colleagues = (await session.scalars(select(StaffUser).where(
            StaffUser.active.is_(True), StaffUser.id != who.user.id).order_by(StaffUser.name))).all()
        canned = (await session.scalars(select(CannedReply).where(CannedReply.retired.is_(False))
                                        .order_by(CannedReply.slug))).all()
        staff_names = {u.id: u.name for u in (await session.scalars(select(StaffUser))).all()}
    translator = request.app.state.translator
    translations = await _translations(request, messages, who.lang)
    return {"c": conversation, "messages": messages, "holder": holder, "notes": notes, "trail": trail,
            "colleagues": colleagues, "canned": canned, "translations": translations,
            "provider_configured": translator.configured, "staff_names": staff_names,
            "mine": conversation.status == convs.HELD and conversation.assignee_id == who.user.id}


@router.get("/staff/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(request: Request, conversation_id: RowId, who: Who) -> HTMLResponse:
    """A conversation: transcript with translations, actions, reply, notes, audit trail."""
    async with _db(request).session() as session:
        await _conversation(session, conversation_id)
        await audit(session, who.user.id, "opened", conversation_id)
        await session.commit()
    context = await _conversation_context(request, who, conversation_id)
    return _page(request, "conversation.html", who, **context)


@router.get("/staff/conversations/{conversation_id}/messages", response_class=HTMLResponse)
async def messages_fragment(request: Request, conversation_id: RowId, who: Who) -> HTMLResponse:
    """The transcript alone (what the page refreshes on an event)."""
    context = await _conversation_context(request, who, conversation_id)
    return _page(request, "_messages.html", who, **context)


def _refused(message: str, status: int = 409) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status)


@router.post("/staff/conversations/{conversation_id}/assign")
async def assign(request: Request, conversation_id: RowId, form: Form,
                 who: Who) -> JSONResponse:
    """Take a waiting conversation; exactly one of two simultaneous presses wins."""
    async with _db(request).session() as session:
        won = await convs.assign(session, conversation_id, who.user.id)
        if won:
            await audit(session, who.user.id, "assigned", conversation_id)
            await session.commit()
    request.app.state.live.publish("queue")
    request.app.state.live.publish("conversation", id=conversation_id)
    return JSONResponse({"ok": True}) if won else _refused(say("taken", who.lang))


@router.post("/staff/residents/{resident_id}/take")
async def take_failed(request: Request, resident_id: RowId, form: Form, who: Who) -> JSONResponse:
    """Take up a resident whose message failed (Rasa down, an error): the conversation is mine now."""
    async with _db(request).session() as session:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            raise HTTPException(404, "no such resident")
        conversation = await convs.open_for_staff(session, resident, who.user.id, default_centre().slug)
        if conversation.assignee_id != who.user.id:
            return _refused(say("taken", who.lang))
        await audit(session, who.user.id, "taken_up_after_failure", conversation.id)
        await session.commit()
    request.app.state.live.publish("queue")
    return JSONResponse({"ok": True, "conversation": conversation.id,
                         "then": f"/staff/conversations/{conversation.id}"})


@router.post("/staff/conversations/{conversation_id}/takeover")
async def take_over(request: Request, conversation_id: RowId, form: Form,
                    who: Who) -> JSONResponse:
    """Take a conversation a colleague holds (audited, with whom it was taken from)."""
    async with _db(request).session() as session:
        previous = await convs.take_over(session, conversation_id, who.user.id)
        if previous is None:
            return _refused(say("taken", who.lang))
        await audit(session, who.user.id, "taken_over", conversation_id, previous_holder=previous)
        await session.commit()
    request.app.state.live.publish("queue")
    request.app.state.live.publish("conversation", id=conversation_id)
    return JSONResponse({"ok": True})


async def _held_by_me(request: Request, conversation_id: int, who: Viewer) -> Conversation:
    async with _db(request).session() as session:
        conversation = await _conversation(session, conversation_id)
        if conversation.status != convs.HELD or conversation.assignee_id != who.user.id:
            holder = await session.get(StaffUser, conversation.assignee_id) if conversation.assignee_id else None
            raise HTTPException(409, say("not_yours", who.lang, name=holder.name if holder else "-"))
    return conversation


@router.post("/staff/conversations/{conversation_id}/transfer")
async def transfer(request: Request, conversation_id: RowId, form: Form,
                   who: Who) -> JSONResponse:
    """Hand a conversation I hold to a colleague."""
    await _held_by_me(request, conversation_id, who)
    try:
        to_user = int(form.get("to") or 0)
    except (TypeError, ValueError):
        return _refused("no such colleague", 400)
    async with _db(request).session() as session:
        if not await convs.transfer(session, conversation_id, who.user.id, to_user):
            return _refused("no such colleague", 400)
        await audit(session, who.user.id, "transferred", conversation_id, to=to_user)
        await session.commit()
    request.app.state.live.publish("queue")
    request.app.state.live.publish("conversation", id=conversation_id)
    return JSONResponse({"ok": True})


@router.post("/staff/conversations/{conversation_id}/resolve")
async def resolve(request: Request, conversation_id: RowId, form: Form,
                  who: Who) -> JSONResponse:
    """Close the conversation: the resident is told in their language, and the bot answers again."""
    conversation = await _held_by_me(request, conversation_id, who)
    async with _db(request).session() as session:
        if not await convs.close(session, conversation_id, convs.RESOLVED, held_by=who.user.id):
            return _refused(say("taken", who.lang))
        await audit(session, who.user.id, "resolved", conversation_id)
        await session.commit()
    core = request.app.state.core
    await core.rasa.end_form(f"r{conversation.resident_id}")
    await request.app.state.outbox.notify(conversation, "handoff_resolved")
    request.app.state.live.publish("queue")
    request.app.state.live.publish("conversation", id=conversation_id)
    return JSONResponse({"ok": True})


@router.post("/staff/conversations/{conversation_id}/translate")
async def translate_reply(request: Request, conversation_id: RowId, form: Form,
                          who: Who) -> JSONResponse:
    """Translate a draft into the resident's language, for the staff member to check before sending."""
    conversation = await _held_by_me(request, conversation_id, who)
    text = str(form.get("text") or "").strip()
    target = conversation.language or "en"
    if not text:
        return _refused("empty", 400)
    result = await request.app.state.translator.translate(text, who.lang, target, mask_personal_data=False)
    return JSONResponse({"ok": result.ok, "text": result.text, "target": target,
                         "error": None if result.ok else say(
                             "no_provider" if result.error == "not_configured" else "translation_failed",
                             who.lang, why=result.error)})


@router.post("/staff/conversations/{conversation_id}/reply")
async def reply(request: Request, conversation_id: RowId, form: Form,
                who: Who) -> JSONResponse:
    """Send what the staff member checked: stored first, then delivered through the resident's channel."""
    conversation = await _held_by_me(request, conversation_id, who)
    text = str(form.get("text") or "").strip()
    if not text or len(text) > 4000:
        return _refused("a reply is 1-4000 characters", 400)
    mode = str(form.get("mode") or "direct")
    mode = mode if mode in ("translated", "canned", "direct") else "direct"
    source = str(form.get("source") or "").strip() or None
    outbox = request.app.state.outbox
    message_id = await outbox.store(conversation, who.user.id, text, conversation.language or "en",
                                    source, who.lang if source else None, mode)
    async with _db(request).session() as session:
        await audit(session, who.user.id, "replied", conversation_id, message=message_id, mode=mode)
        await session.commit()
    state = await outbox.deliver(message_id)
    return JSONResponse({"ok": True, "id": message_id, "state": state})


@router.post("/staff/conversations/{conversation_id}/notes")
async def add_note(request: Request, conversation_id: RowId, form: Form,
                   who: Who) -> JSONResponse:
    """A note the resident never sees (masked like everything stored)."""
    text = mask(str(form.get("text") or "")).strip()[:4000]
    if not text:
        return _refused("empty", 400)
    async with _db(request).session() as session:
        await _conversation(session, conversation_id)
        session.add(Note(conversation_id=conversation_id, user_id=who.user.id, text=text))
        await audit(session, who.user.id, "noted", conversation_id)
        await session.commit()
    request.app.state.live.publish("conversation", id=conversation_id)
    return JSONResponse({"ok": True})


# -- canned replies -----------------------------------------------------------------------------


@router.get("/staff/canned", response_class=HTMLResponse)
async def canned_page(request: Request, who: Who) -> HTMLResponse:
    """Canned replies in all four languages; staff and admins edit them."""
    async with _db(request).session() as session:
        canned = (await session.scalars(select(CannedReply).order_by(CannedReply.slug))).all()
    return _page(request, "canned.html", who, canned=canned, languages=SUPPORTED_LANGUAGES)


@router.post("/staff/canned")
async def save_canned(request: Request, form: Form,
                      who: Who) -> Response:
    """Create or edit a canned reply (every language must be filled in)."""
    slug = str(form.get("slug") or "").strip()[:64]
    texts = {lang: str(form.get(f"text_{lang}") or "").strip() for lang in SUPPORTED_LANGUAGES}
    title = {lang: str(form.get(f"title_{lang}") or "").strip() or slug for lang in ("ko", "en")}
    if not slug or not all(texts.values()):
        raise HTTPException(400, "a slug and a text in every language are needed")
    async with _db(request).session() as session:
        row = await session.scalar(select(CannedReply).where(CannedReply.slug == slug))
        if row is None:
            row = CannedReply(slug=slug, title=title, texts=texts, updated_by=who.user.id)
            session.add(row)
        else:
            row.title, row.texts, row.updated_by, row.updated_at = title, texts, who.user.id, utcnow()
            row.retired = form.get("retired") == "on"
        # Kept as edited (an import never overwrites it), audited, and live at once.
        edited = await record_edit(session, "canned", slug, who.user.id, str(form.get("source") or "").strip() or None,
                                   action="canned_saved", slug=slug)
        edited.retired = bool(row.retired)
        await session.commit()
    return RedirectResponse("/staff/canned", status_code=303)


# -- accounts (admins) --------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """Accounts, and a form to create one."""
    async with _db(request).session() as session:
        users = (await session.scalars(select(StaffUser).order_by(StaffUser.name))).all()
    return _page(request, "users.html", who, users=users, roles=ROLES)


@router.post("/admin/users")
async def create_account(request: Request, form: Form,
                         who: AdminViewer) -> Response:
    """Create an account (audited)."""
    async with _db(request).session() as session:
        try:
            user = await create_user(session, str(form.get("name") or ""), str(form.get("password") or ""),
                                     str(form.get("role") or ""), str(form.get("ui_language") or "ko"))
        except AccountError as exc:
            users = (await session.scalars(select(StaffUser).order_by(StaffUser.name))).all()
            return _page(request, "users.html", who, status=400, users=users, roles=ROLES, error=str(exc))
        await audit(session, who.user.id, "account_created_by_admin", account=user.id)
        await session.commit()
    return RedirectResponse("/admin/users", status_code=303)
