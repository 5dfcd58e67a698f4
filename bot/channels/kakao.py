"""KakaoTalk skill server (Kakao i Open Builder, skill response format 2.0).

Request: ``userRequest.utterance`` is the text, ``userRequest.user.id`` the
resident (a ``botUserKey``, stable per user and bot). Unknown fields are
ignored. Response: ``{"version": "2.0", "template": {"outputs": [...],
"quickReplies": [...]}}`` within Kakao's limits.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.core import DialogueCore, Incoming
from bot.replies import Reply

log = logging.getLogger(__name__)

SIMPLE_TEXT_MAX = 1000
OUTPUTS_MAX = 3
QUICK_REPLIES_MAX = 10
QUICK_REPLY_LABEL_MAX = 14
REQUEST_BYTES_MAX = 1024 * 1024
USER_ID_MAX = 128

router = APIRouter()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


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


def render(reply: Reply) -> dict[str, Any]:
    """A skill 2.0 response for ``reply``."""
    parts: list[str] = []
    for text in reply.texts:
        parts.extend(split_text(text))
    if len(parts) > OUTPUTS_MAX:
        # Fold the overflow into the last output, then trim to the limit.
        head, tail = parts[: OUTPUTS_MAX - 1], "\n\n".join(parts[OUTPUTS_MAX - 1 :])
        parts = [*head, split_text(tail)[0]]
    outputs = [{"simpleText": {"text": part}} for part in parts[:OUTPUTS_MAX]] or [
        {"simpleText": {"text": "…"}}
    ]
    template: dict[str, Any] = {"outputs": outputs}
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
    if not isinstance(user_id, str) or not user_id or len(user_id) > USER_ID_MAX:
        return None, None, "missing userRequest.user.id"
    utterance = user_request.get("utterance")
    if utterance is None:
        utterance = ""
    if not isinstance(utterance, str):
        return None, None, "userRequest.utterance must be a string"
    return user_id, utterance, None


@router.post("/kakao/skill")
async def kakao_skill(request: Request) -> JSONResponse:
    """Answer one KakaoTalk message."""
    settings = request.app.state.settings
    secret = settings.kakao_skill_secret.get()
    if secret:
        provided = request.headers.get("x-kakao-skill-secret", "")
        if not hmac.compare_digest(provided.encode(), secret.encode()):
            return _error(403, "forbidden")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > REQUEST_BYTES_MAX:
        return _error(413, "request too large")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > REQUEST_BYTES_MAX:
            return _error(413, "request too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not JSON")
    if settings.kakao_bot_id:
        bot = body.get("bot") if isinstance(body, dict) else None
        bot_id = bot.get("id") if isinstance(bot, dict) else None
        if not isinstance(bot_id, str) or not hmac.compare_digest(bot_id.encode(), settings.kakao_bot_id.encode()):
            return _error(403, "forbidden")
    user_id, utterance, error = _parse(body)
    if error or user_id is None or utterance is None:
        return _error(400, error or "bad request")
    core: DialogueCore = request.app.state.core
    reply = await core.handle(Incoming(channel="kakao", user_key=user_id, text=utterance))
    if reply is None:  # Kakao does not repeat requests; nothing to de-duplicate
        return _error(409, "duplicate")
    return JSONResponse(render(reply))
