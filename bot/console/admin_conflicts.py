"""Admin page: conflicts between the admins' edits and the repository (``/admin/conflicts``).

Importing the repository's files (``make run`` does at every start) never
overwrites an admin's edit: when a record changed in the files after an admin
edited it, the admin's values stay and the repository's record waits here.
Each conflict shows, field by field, what the admin left and what the files
say; the admin keeps their values or takes the repository's (audited, live at
once). ``make export`` refuses while a conflict waits.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.routes import AdminViewer, Form, _db, _page
from bot.console.text import TEXT
from hamkke.content import MODELS, conflicts, content_row, json_safe, resolve_conflict, row_values

router = APIRouter(include_in_schema=False)

TEXT.update({
    "conflicts_title": {"ko": "저장소와 충돌", "en": "Conflicts with the repository"},
    "conflicts_intro": {
        "ko": "관리자가 고친 뒤 저장소 파일에서도 바뀐 항목입니다. 관리자의 값이 그대로 쓰이고 있습니다. "
              "유지하거나 저장소의 값을 받아들이세요.",
        "en": "Records an admin edited that then changed in the repository's files too. The admin's values are "
              "in use; keep them or take the repository's."},
    "conflicts_none": {"ko": "충돌이 없습니다.", "en": "No conflicts."},
    "conflicts_field": {"ko": "항목", "en": "Field"},
    "conflicts_admin": {"ko": "관리자 값 (사용 중)", "en": "Admin's value (in use)"},
    "conflicts_repo": {"ko": "저장소 값", "en": "Repository's value"},
    "conflicts_keep": {"ko": "관리자 값 유지", "en": "Keep the admin's"},
    "conflicts_take": {"ko": "저장소 값 받기", "en": "Take the repository's"},
})


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


@router.get("/admin/conflicts", response_class=HTMLResponse)
async def conflicts_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """Every waiting conflict, field by field."""
    items = []
    async with _db(request).session() as session:
        for origin in await conflicts(session):
            row = await content_row(session, origin.kind, origin.key) if origin.kind in MODELS else None
            mine = json_safe(row_values(origin.kind, row)) if row is not None else {}
            repo = dict(origin.conflict or {})
            fields = [{"name": name, "admin": _shown(mine.get(name)), "repo": _shown(repo.get(name))}
                      for name in sorted(set(mine) | set(repo)) if mine.get(name) != repo.get(name)]
            items.append({"kind": origin.kind, "key": origin.key, "fields": fields})
    return _page(request, "admin_conflicts.html", who, items=items)


@router.post("/admin/conflicts/{kind}/{key}")
async def resolve(request: Request, kind: str, key: str, form: Form, who: AdminViewer) -> Response:
    """Keep the admin's values or take the repository's (audited)."""
    take = str(form.get("take") or "")
    if take not in ("repo", "admin"):
        raise HTTPException(400, "take must be repo or admin")
    async with _db(request).session() as session:
        try:
            await resolve_conflict(session, kind, key, take, who.user.id)  # type: ignore[arg-type]
        except (LookupError, ValueError) as exc:
            raise HTTPException(404, str(exc)) from exc
        await session.commit()
    return RedirectResponse("/admin/conflicts", status_code=303)
