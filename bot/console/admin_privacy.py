"""Admin page: one resident's data, for a request under PIPA (``/admin/privacy``).

Find a resident by channel and user id (the id KakaoTalk or Telegram gives),
see what is stored about them in every store, download all of it as a readable
JSON file (an access request), or delete all of it (a deletion request made
to the city rather than to the bot). Both are audited with who, when and the
counts, never the content.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from bot.channels.common import RowId
from bot.console.routes import AdminViewer, Form, _db, _page
from bot.console.text import TEXT
from hamkke.db.models import AuditEntry, Resident
from hamkke.retention import export, forget, remaining

router = APIRouter(include_in_schema=False)

TEXT.update({
    "privacy_title": {"ko": "주민 정보 열람·삭제", "en": "A resident's data"},
    "privacy_intro": {
        "ko": "개인정보 보호법에 따른 열람 또는 삭제 요청을 처리합니다. 카카오톡이나 텔레그램의 사용자 ID로 찾으세요. "
              "내려받기와 삭제는 기록됩니다(내용은 기록하지 않음).",
        "en": "For an access or deletion request under PIPA. Find the resident by their KakaoTalk or Telegram user "
              "id. Downloads and deletions are audited (never the content)."},
    "privacy_channel": {"ko": "채널", "en": "Channel"},
    "privacy_user": {"ko": "사용자 ID", "en": "User id"},
    "privacy_find": {"ko": "찾기", "en": "Find"},
    "privacy_none": {"ko": "해당 주민의 정보가 없습니다.", "en": "Nothing is stored about this resident."},
    "privacy_stored": {"ko": "저장된 정보", "en": "What is stored"},
    "privacy_export": {"ko": "모두 내려받기 (JSON)", "en": "Download all of it (JSON)"},
    "privacy_delete": {"ko": "모두 삭제", "en": "Delete all of it"},
    "privacy_deleted": {"ko": "삭제했습니다.", "en": "Deleted."},
    "privacy_confirm": {"ko": "확인을 위해 이 주민의 사용자 ID를 다시 입력하세요 (되돌릴 수 없습니다)",
                        "en": "To confirm, type this resident's user id again (this cannot be undone)"},
    "privacy_not_confirmed": {"ko": "사용자 ID가 일치하지 않아 아무것도 삭제하지 않았습니다.",
                              "en": "The user id typed does not match: nothing was deleted."},
})


async def _find(request: Request, channel: str, user: str) -> Optional[Resident]:
    async with _db(request).session() as session:
        found: Optional[Resident] = await session.scalar(select(Resident).where(
            Resident.channel == channel, Resident.channel_user_key == user))
        return found


@router.get("/admin/privacy", response_class=HTMLResponse)
async def privacy_page(request: Request, who: AdminViewer, channel: str = "kakao", user: str = "",
                       deleted: int = 0) -> HTMLResponse:
    """The search form and, for a resident found, what is stored in every store."""
    resident = await _find(request, channel, user) if user else None
    counts: dict[str, int] = {}
    if resident is not None:
        settings = request.app.state.settings
        counts = await remaining(_db(request), settings.rasa_tracker_url, resident.id, resident.conversation_id)
    return _page(request, "admin_privacy.html", who, channel=channel, user=user, resident=resident, counts=counts,
                 deleted=bool(deleted))


@router.get("/admin/privacy/{resident_id}/export")
async def export_resident(request: Request, resident_id: RowId, who: AdminViewer) -> Response:
    """Everything stored about one resident, as a file; audited."""
    record: Optional[dict[str, Any]] = await export(_db(request), request.app.state.settings.rasa_tracker_url,
                                                    resident_id)
    if record is None:
        raise HTTPException(404, "no such resident")
    async with _db(request).session() as session:
        session.add(AuditEntry(user_id=who.user.id, action="resident_exported", detail={
            "resident": resident_id, "messages": len(record["messages"]),
            "assistant_memory": len(record["assistant_memory"])}))
        await session.commit()
    body = json.dumps(record, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="hamkke-resident-{resident_id}.json"',
        "Cache-Control": "no-store"})


@router.post("/admin/privacy/{resident_id}/delete")
async def delete_resident(request: Request, resident_id: RowId, form: Form, who: AdminViewer) -> Response:
    """Delete everything about one resident in every store (as the resident's own "delete my data"),
    once the admin typed the resident's user id again: a deletion cannot be undone."""
    async with _db(request).session() as session:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            raise HTTPException(404, "no such resident")
        channel, user = resident.channel, resident.channel_user_key
    if str(form.get("confirm", "")).strip() != user:
        return _page(request, "admin_privacy.html", who, channel=channel, user=user, resident=resident,
                     counts=await remaining(_db(request), request.app.state.settings.rasa_tracker_url, resident.id,
                                            resident.conversation_id),
                     deleted=False, not_confirmed=True, status=400)
    await forget(_db(request), request.app.state.settings.rasa_tracker_url, resident_id, by=who.user.id,
                 reason="admin_request")
    request.app.state.live.publish("queue")
    return RedirectResponse(f"/admin/privacy?channel={channel}&deleted=1", status_code=303)
