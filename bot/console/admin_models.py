"""Admin pages: publishing models (``/admin/models``). Admins only (403 for staff).

The page shows the live model (its tag, the data version it was trained on,
its scores), the admins' example questions waiting for a retraining, the
current job with its progress (polled once a second from
``/admin/models/jobs/<id>``), and the history. "Publish" queues a retraining
and "Restore the previous model" a restore; the worker (:mod:`bot.worker`)
does both and never leaves residents without a model.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import func, select

from bot.channels.common import RowId
from bot.console.routes import AdminViewer, Form, _db, _page
from bot.console.text import TEXT
from hamkke.db.models import FaqExample, ModelJob, ModelVersion
from hamkke.publishing import JobRefused, describe_job, previous_version, request_job

router = APIRouter(include_in_schema=False)

TEXT.update({
    "models_title": {"ko": "모델 게시", "en": "Publishing the model"},
    "models_intro": {
        "ko": "답변·기관·행사 수정은 바로 반영됩니다. 새 예문은 재학습이 필요합니다: 게시하면 새 모델을 학습하고, "
              "평가 질문과 대화 세트로 지금 모델과 비교한 뒤, 나빠지지 않았을 때만 중단 없이 교체합니다.",
        "en": "Edits of answers, services and events are live at once. New example questions need a retraining: "
              "publishing trains a new model, checks it beside the current one on the held-out questions and the "
              "conversation set, and swaps it in without interrupting anyone only if no language got worse."},
    "models_live": {"ko": "지금 답하는 모델", "en": "Live model"},
    "models_data_version": {"ko": "학습 데이터 버전", "en": "Data version"},
    "models_published_at": {"ko": "게시 시각", "en": "Published"},
    "models_pending": {"ko": "재학습을 기다리는 예문: {n}개", "en": "Example questions waiting for a retraining: {n}"},
    "models_publish": {"ko": "재학습하고 게시", "en": "Retrain and publish"},
    "models_restore": {"ko": "이전 모델로 되돌리기 ({tag})", "en": "Restore the previous model ({tag})"},
    "models_no_previous": {"ko": "되돌릴 이전 모델이 없습니다.", "en": "No previous model to restore."},
    "models_job": {"ko": "진행 중인 작업", "en": "Current job"},
    "models_history": {"ko": "기록", "en": "History"},
    "models_tag": {"ko": "모델", "en": "Model"},
    "models_scores": {"ko": "평가 질문 정답률", "en": "Held-out questions understood"},
    "models_dialogues": {"ko": "대화 세트 만족", "en": "Conversations satisfied"},
    "models_note": {"ko": "내용", "en": "Note"},
    "models_jobs": {"ko": "작업", "en": "Jobs"},
    "models_kind_train": {"ko": "재학습", "en": "retraining"},
    "models_kind_restore": {"ko": "되돌리기", "en": "restore"},
    "models_stage_queued": {"ko": "대기 중", "en": "queued"},
    "models_stage_starting": {"ko": "시작", "en": "starting"},
    "models_stage_training": {"ko": "학습 중", "en": "training"},
    "models_stage_loading": {"ko": "새 모델 불러오는 중", "en": "loading the new model"},
    "models_stage_checking_questions": {"ko": "평가 질문으로 확인 중", "en": "checking the held-out questions"},
    "models_stage_checking_conversations": {"ko": "대화 세트로 확인 중", "en": "checking the conversation set"},
    "models_stage_switching": {"ko": "교체 중", "en": "switching"},
    "models_stage_done": {"ko": "완료", "en": "done"},
    "models_stage_refused": {"ko": "거부됨 (품질 저하)", "en": "refused (quality)"},
    "models_stage_failed": {"ko": "실패", "en": "failed"},
    "models_status_live": {"ko": "사용 중", "en": "live"},
    "models_status_previous": {"ko": "이전", "en": "previous"},
    "models_status_refused": {"ko": "거부됨", "en": "refused"},
    "models_status_candidate": {"ko": "확인 중", "en": "being checked"},
    "models_status_failed": {"ko": "실패", "en": "failed"},
    "models_status_retired": {"ko": "보관", "en": "retired"},
})


def _stage(key: str, lang: str) -> str:
    entry = TEXT.get(f"models_stage_{key}") or TEXT.get(f"models_status_{key}")
    return (entry or {}).get(lang) or key


def job_message(job: ModelJob, lang: str) -> str:
    """What happened, in the admin's language."""
    korean = (job.detail or {}).get("message_ko")
    return str(korean if lang == "ko" and korean else job.message or "")


def _job_json(job: ModelJob, lang: str) -> dict[str, Any]:
    return {**describe_job(job), "stage_text": _stage(job.stage, lang), "message": job_message(job, lang),
            "ok": True}


@router.get("/admin/models", response_class=HTMLResponse)
async def models_page(request: Request, who: AdminViewer) -> HTMLResponse:
    """The live model, what waits for a retraining, the current job and the history."""
    async with _db(request).session() as session:
        versions = (await session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc()).limit(20))).all()
        jobs = (await session.scalars(select(ModelJob).order_by(ModelJob.id.desc()).limit(20))).all()
        pending = int(await session.scalar(select(func.count()).select_from(FaqExample)
                                           .where(FaqExample.model_tag.is_(None))) or 0)
        previous = await previous_version(session)
    live = next((v for v in versions if v.status == "live"), None)
    current = next((j for j in jobs if j.status in ("queued", "running")), None)
    return _page(request, "admin_models.html", who, live=live, versions=versions, jobs=jobs, pending=pending,
                 previous=previous, current=current, stage=lambda key: _stage(key, who.lang),
                 message=lambda job: job_message(job, who.lang))


async def _queue(request: Request, kind: str, who: AdminViewer) -> JSONResponse:
    async with _db(request).session() as session:
        try:
            job = await request_job(session, kind, who.user.id)
        except JobRefused as exc:
            raise HTTPException(409, str(exc)) from exc
        await session.commit()
        return JSONResponse({"ok": True, "job": job.id, "then": "/admin/models"})


@router.post("/admin/models/publish")
async def publish(request: Request, form: Form, who: AdminViewer) -> JSONResponse:
    """Queue a retraining with the admins' examples (audited)."""
    return await _queue(request, "train", who)


@router.post("/admin/models/restore")
async def restore(request: Request, form: Form, who: AdminViewer) -> JSONResponse:
    """Queue a restore of the previous model (audited)."""
    return await _queue(request, "restore", who)


@router.get("/admin/models/jobs/{job_id}")
async def job_status(request: Request, job_id: RowId, who: AdminViewer) -> JSONResponse:
    """One job's progress (the page polls it)."""
    async with _db(request).session() as session:
        job = await session.get(ModelJob, job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        return JSONResponse(_job_json(job, who.lang))
