"""KakaoTalk skill server (Kakao i Open Builder, skill response format 2.0).

Request: ``userRequest.utterance`` is the text, ``userRequest.user.id`` the
resident (a ``botUserKey``, stable per user and bot). Unknown fields are
ignored. Response: ``{"version": "2.0", "template": {"outputs": [...],
"quickReplies": [...]}}`` within Kakao's limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
import time
from typing import Any, Optional
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.background import BackgroundTask

from bot.channels.common import RowId, error, read_json, same_secret
from bot.core import DialogueCore, Incoming, StorageUnavailable, clean
from bot.replies import Card, Reply
from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import Settings
from hamkke.i18n import t
from hamkke.langid import detect

log = logging.getLogger(__name__)

SIMPLE_TEXT_MAX = 1000
OUTPUTS_MAX = 3
QUICK_REPLIES_MAX = 10
QUICK_REPLY_LABEL_MAX = 14
CARD_TITLE_MAX = 50
CARD_DESCRIPTION_MAX = 230
CARD_BUTTONS_MAX = 3
CARD_BUTTON_LABEL_MAX = 14
CAROUSEL_MAX = 10
USER_ID_MAX = 128
CALLBACK_WINDOW_S = 55.0
# How long a callbackUrl of a message relayed to staff is kept for a staff
# reply; then it is closed with a note that answers come with the next message.
STAFF_CALLBACK_S = 45.0

router = APIRouter()


def split_text(text: str, limit: int = SIMPLE_TEXT_MAX) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters.

    Splits on paragraph, then line, then sentence, then word boundaries.
    """
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "。", "! ", "? ", " "):
            index = window.rfind(sep)
            if index > limit // 3:
                cut = index + len(sep)
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _card(card: Card, lang: str) -> dict[str, Any]:
    """A service as a basicCard: a call button and a link button where there are ones."""
    buttons: list[dict[str, Any]] = []
    if card.phone:
        digits = "".join(ch for ch in card.phone.split("~")[0] if ch.isdigit() or ch == "-")
        if digits:
            buttons.append({"action": "phone", "label": card.phone[:CARD_BUTTON_LABEL_MAX],
                            "phoneNumber": digits})
    if card.url and card.url.startswith(("https://", "http://")):
        buttons.append({"action": "webLink", "label": t("label_website", lang), "webLinkUrl": card.url})
    body: dict[str, Any] = {"title": _cut(card.title, CARD_TITLE_MAX),
                            "description": _cut(card.description, CARD_DESCRIPTION_MAX)}
    if buttons:
        body["buttons"] = [{**b, "label": _cut(b["label"], CARD_BUTTON_LABEL_MAX)} for b in buttons[:CARD_BUTTONS_MAX]]
    return body


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _outputs_for(reply: Reply, use_cards: bool) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = []
    for index, text in enumerate(reply.texts):
        cards = reply.cards_for.get(index) if use_cards else None
        if cards:
            paragraphs = text.split("\n\n")
            if len(paragraphs) > len(cards):  # a list: its heading first
                outputs.append({"simpleText": {"text": _cut(paragraphs[0], SIMPLE_TEXT_MAX)}})
            else:  # one service: all it says, then the card to call or open it
                outputs.extend({"simpleText": {"text": part}} for part in split_text(text))
            items = [_card(c, reply.language) for c in cards[:CAROUSEL_MAX]]
            if len(items) == 1 and cards[0].description and cards[0].description in text:
                # The text above already gives the address: the card is there for its name and buttons.
                del items[0]["description"]
            outputs.append({"basicCard": items[0]} if len(items) == 1 else
                           {"carousel": {"type": "basicCard", "items": items}})
            continue
        outputs.extend({"simpleText": {"text": part}} for part in split_text(text))
    return outputs


def _merge_texts(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join neighbouring simpleTexts while they fit in one, until there are at most three outputs."""
    merged = list(outputs)
    while len(merged) > OUTPUTS_MAX:
        for i in range(len(merged) - 1):
            a, b = merged[i].get("simpleText"), merged[i + 1].get("simpleText")
            if a and b and len(a["text"]) + len(b["text"]) + 2 <= SIMPLE_TEXT_MAX:
                merged[i: i + 2] = [{"simpleText": {"text": a["text"] + "\n\n" + b["text"]}}]
                break
        else:
            return merged
    return merged


def _with_notice(outputs: list[dict[str, Any]], notice: str) -> list[dict[str, Any]]:
    """The notice as the answer's last text: an output of its own while there is room, else joined to
    the last text that has room for it (a carousel of services stays a carousel)."""
    if len(outputs) < OUTPUTS_MAX:
        return [*outputs, {"simpleText": {"text": notice}}]
    for index in reversed(range(len(outputs))):
        text = outputs[index].get("simpleText", {}).get("text")
        if text is not None and len(text) + len(notice) + 2 <= SIMPLE_TEXT_MAX:
            return [*outputs[:index], {"simpleText": {"text": f"{text}\n\n{notice}"}}, *outputs[index + 1:]]
    return outputs


def render(reply: Reply, more_url: Optional[str] = None) -> dict[str, Any]:
    """A skill 2.0 response for ``reply`` within Kakao's limits.

    Services become cards (a carousel for several). At most three outputs:
    neighbouring texts are joined; an answer still too long ends with a card
    linking to the whole answer (``more_url``), or is cut with "…".
    """
    outputs = _merge_texts(_outputs_for(reply, use_cards=True))
    if len(outputs) > OUTPUTS_MAX:
        outputs = _merge_texts(_outputs_for(reply, use_cards=False))
    if len(outputs) > OUTPUTS_MAX:
        if more_url:
            outputs = [*outputs[: OUTPUTS_MAX - 1], {"basicCard": {
                "title": t("answer_continues", reply.language),
                "buttons": [{"action": "webLink", "label": t("button_read_all", reply.language),
                             "webLinkUrl": more_url}]}}]
        else:
            last = outputs[OUTPUTS_MAX - 1]["simpleText"]["text"]
            outputs = [*outputs[: OUTPUTS_MAX - 1], {"simpleText": {"text": _cut(last, SIMPLE_TEXT_MAX - 1) + "…"}}]
    if reply.notice:
        outputs = _with_notice(outputs, reply.notice)
    template: dict[str, Any] = {"outputs": outputs or [{"simpleText": {"text": "…"}}]}
    quick = [
        {"label": b.label[:QUICK_REPLY_LABEL_MAX], "action": "message", "messageText": b.label}
        for b in reply.buttons[:QUICK_REPLIES_MAX]
    ]
    if quick:
        template["quickReplies"] = quick
    return {"version": "2.0", "template": template}


def _parse(body: Any) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """``(user id, utterance, error)`` from a skill request body."""
    if not isinstance(body, dict):
        return None, None, "body must be a JSON object"
    user_request = body.get("userRequest")
    if not isinstance(user_request, dict):
        return None, None, "missing userRequest"
    user = user_request.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if isinstance(user_id, str):  # no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)
        user_id = clean(user_id)
    if not isinstance(user_id, str) or not user_id or len(user_id) > USER_ID_MAX:
        return None, None, "missing userRequest.user.id"
    utterance = user_request.get("utterance")
    if utterance is None:
        utterance = ""
    if not isinstance(utterance, str):
        return None, None, "userRequest.utterance must be a string"
    return user_id, clean(utterance), None


def _callback_url(body: dict[str, Any], allowed_hosts: tuple[str, ...]) -> Optional[str]:
    """The request's callbackUrl, if it points at Kakao (or a host allowed in settings)."""
    user_request = body.get("userRequest") or {}
    url = user_request.get("callbackUrl") if isinstance(user_request, dict) else None
    if not isinstance(url, str) or len(url) > 2048:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    # https only (an answer about a resident never crosses the network in clear); plain http only to
    # this machine itself (a local test server).
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not (parts.scheme == "https" or (parts.scheme == "http" and loopback)) or not any(
            host == allowed or host.endswith("." + allowed) for allowed in allowed_hosts):
        return None
    return url


def answer_signature(settings: Settings, message_id: int) -> str:
    """The signature that lets a link open one stored answer, and no other."""
    key = settings.link_secret.get().encode()
    return hmac.new(key, f"answer:{message_id}".encode(), hashlib.sha256).hexdigest()[:32]


def more_url(settings: Settings, reply: Reply) -> Optional[str]:
    """A public link to the whole answer, when the gateway has a public address."""
    if not settings.public_url or reply.stored_id is None:
        return None
    return f"{settings.public_url}/answers/{reply.stored_id}?s={answer_signature(settings, reply.stored_id)}"


async def _post_callback(url: str, task: asyncio.Task[Optional[Reply]], settings: Settings) -> None:
    """Deliver a late answer to Kakao's callbackUrl: once, within the minute Kakao allows."""
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), timeout=CALLBACK_WINDOW_S)
    except asyncio.TimeoutError:
        log.error("an answer took longer than Kakao's callback window; it is stored for staff")
        return
    if reply is None:
        return
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(url, json=render(reply, more_url(settings, reply)))
        log.info("late answer delivered to Kakao's callback (%s)", response.status_code)
    except httpx.HTTPError as exc:
        log.warning("Kakao callback failed: %s", type(exc).__name__)


async def _keep_for_next_turn(task: asyncio.Task[Optional[Reply]], core: DialogueCore) -> None:
    reply = await task
    if reply is not None:
        await core.mark_pending(reply)


async def post_to_callback(url: str, reply: Reply, settings: Settings) -> bool:
    """POST one answer to a Kakao callbackUrl; whether Kakao took it."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(url, json=render(reply, more_url(settings, reply)))
    except httpx.HTTPError as exc:
        log.warning("Kakao callback failed: %s", type(exc).__name__)
        return False
    return response.is_success


async def _close_staff_callback(core: DialogueCore, resident_id: int, url: str, lang: str,
                                settings: Settings) -> None:
    """A callback kept for a staff reply that none used: close it with how to collect answers."""
    await asyncio.sleep(STAFF_CALLBACK_S)
    if await core.claim_callback(resident_id, only=url):
        await post_to_callback(url, Reply(language=lang, texts=[t("handoff_kakao_collect", lang)]), settings)


def _with_pending(reply: Reply, pending: list[tuple[int, str, str]], core: DialogueCore,
                  settings: Settings) -> JSONResponse:
    """The answer, after the answers that waited for this message (staff replies, late answers).

    Those are marked sent only once the response has gone out.
    """
    if pending:
        lang = reply.language
        staff = [f"{t('staff_reply_label', lang)}\n{text}" for _id, sender, text in pending if sender == "staff"]
        late = [text for _id, sender, text in pending if sender != "staff"]
        head = [*staff, *([t("late_answer", lang), *late] if late else [])]
        if reply.relayed:
            reply.texts = []
        shift = len(head)
        reply.texts[:0] = head
        reply.cards_for = {index + shift: cards for index, cards in reply.cards_for.items()}
    body = render(reply, more_url(settings, reply))
    ids = [message_id for message_id, _sender, _text in pending]
    return JSONResponse(body, background=BackgroundTask(core.mark_sent, ids) if ids else None)


_background: set[asyncio.Task[None]] = set()


async def drain(timeout: float = 10.0) -> None:
    """Let late answers still under way finish (at shutdown), up to ``timeout`` seconds."""
    if _background:
        await asyncio.wait(set(_background), timeout=timeout)


def _in_background(coro: Any) -> None:
    task = asyncio.create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _said(key: str, utterance: str, settings: Settings, pending: Optional[list[tuple[int, str, str]]] = None,
          core: Optional[DialogueCore] = None) -> JSONResponse:
    """A catalog answer when the core could not answer, in the language the message is written in:
    ``not_received`` (the database is away: nothing was stored, send it again; Kakao does not repeat
    a request) or ``busy`` (stored, not answered: staff will see it), after the answers that waited
    for the message (taken with it: they are not left undelivered)."""
    detection = detect(utterance)
    lang = detection.language if detection.language in SUPPORTED_LANGUAGES else settings.default_language
    reply = Reply(language=lang, texts=[t(key, lang)])
    if pending and core is not None:
        return _with_pending(reply, pending, core, settings)
    return JSONResponse(render(reply))


# The skill request as Kakao i Open Builder sends it (the parts the gateway reads; Kakao sends more).
SKILL_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["userRequest"],
    "properties": {
        "userRequest": {
            "type": "object",
            "required": ["user"],
            "properties": {
                "utterance": {"type": "string"},
                "user": {"type": "object", "required": ["id"],
                         "properties": {"id": {"type": "string", "minLength": 1, "maxLength": USER_ID_MAX}}},
                "callbackUrl": {"type": "string", "format": "uri"},
                "lang": {"type": "string"},
            },
        },
        "bot": {"type": "object", "properties": {"id": {"type": "string"}}},
        "action": {"type": "object"},
    },
}


@router.post("/kakao/skill", openapi_extra={"requestBody": {
    "required": True, "content": {"application/json": {"schema": SKILL_REQUEST_SCHEMA}}}})
async def kakao_skill(request: Request) -> JSONResponse:
    """Answer one KakaoTalk message within Kakao's 5 seconds."""
    settings: Settings = request.app.state.settings
    secret = settings.kakao_skill_secret.get()
    if secret and not same_secret(request.headers.get("x-kakao-skill-secret", ""), secret):
        return error(403, "forbidden")
    body = await read_json(request)
    if isinstance(body, JSONResponse):
        return body
    if settings.kakao_bot_id:
        bot = body.get("bot") if isinstance(body, dict) else None
        bot_id = bot.get("id") if isinstance(bot, dict) else None
        if not isinstance(bot_id, str) or not same_secret(clean(bot_id), settings.kakao_bot_id):
            return error(403, "forbidden")
    user_id, utterance, problem = _parse(body)
    if problem or user_id is None or utterance is None:
        return error(400, problem or "bad request")
    core: DialogueCore = request.app.state.core
    started = time.monotonic()
    callback = _callback_url(body, settings.kakao_callback_hosts)
    # Stored first, with the answers that waited for this message (staff replies, late answers).
    incoming = Incoming(channel="kakao", user_key=user_id, text=utterance, offer_language_switch=True,
                        collect_pending=True)
    try:
        accepted = await core.accept(incoming)
    except StorageUnavailable:  # the database is away (restarting): nothing could be stored
        return _said("not_received", utterance, settings)
    except Exception:  # never an error page: nothing was stored, the resident is asked to send it again
        log.exception("a Kakao message could not be stored")
        return _said("not_received", utterance, settings)
    if accepted is None:  # Kakao does not repeat requests; nothing to de-duplicate
        return error(409, "duplicate")
    pending = list(accepted.pending)
    task: asyncio.Task[Optional[Reply]] = asyncio.create_task(core.handle(incoming, accepted))
    budget = max(0.0, settings.kakao_reply_budget_s - (time.monotonic() - started))
    done, _pending = await asyncio.wait({task}, timeout=budget)
    if task in done and task.exception() is not None:
        # Stored, then the database went away mid-answer: the sweep gives it to staff.
        log.error("a Kakao message failed after it was stored: %s", type(task.exception()).__name__)
        return _said("busy", utterance, settings, pending, core)
    if task not in done:
        # Kakao gives up after 5 seconds: answer now, deliver the real answer later.
        lang = await core.language_of("kakao", user_id)
        if callback and not pending:
            _in_background(_post_callback(callback, task, settings))
            return JSONResponse({"version": "2.0", "useCallback": True, "data": {"text": t("still_working", lang)}})
        _in_background(_keep_for_next_turn(task, core))
        return _with_pending(Reply(language=lang, texts=[t("still_working", lang)]), pending, core, settings)
    reply = task.result()
    if reply is None:  # Kakao does not repeat requests; nothing to de-duplicate
        return error(409, "duplicate")
    if reply.relayed:
        # Staff own the conversation: a receipt, and the callback kept for a staff reply.
        if callback and not pending:
            resident_id = await core.resident_id("kakao", user_id)
            if resident_id is not None:
                await core.keep_callback("kakao", user_id, callback, STAFF_CALLBACK_S + 5)
                _in_background(_close_staff_callback(core, resident_id, callback, reply.language, settings))
                return JSONResponse({"version": "2.0", "useCallback": True,
                                     "data": {"text": t("handoff_relayed", reply.language)}})
        reply.texts = [t("handoff_relayed", reply.language)]
    return _with_pending(reply, pending, core, settings)


@router.get("/answers/{message_id}", response_class=HTMLResponse, include_in_schema=False)
async def whole_answer(request: Request, message_id: RowId, s: str = "") -> HTMLResponse:
    """The whole text of an answer too long for a chat message (a signed link)."""
    settings: Settings = request.app.state.settings
    if not same_secret(s, answer_signature(settings, message_id)):
        return HTMLResponse("Not found", status_code=404)
    core: DialogueCore = request.app.state.core
    found = await core.stored_answer(message_id)
    if found is None:
        return HTMLResponse("Not found", status_code=404)
    text, lang = found
    page = (f'<!doctype html><html lang="{html.escape(lang)}"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Hamkke</title>'
            f'<body style="font-family: sans-serif; max-width: 40em; margin: 1em auto; padding: 0 1em; '
            f'white-space: pre-wrap; line-height: 1.5">{html.escape(text)}</body></html>')
    return HTMLResponse(page, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
