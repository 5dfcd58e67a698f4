"""Publishing a model: what it is trained on, how it is checked, and the jobs that do it.

An admin's new example questions (``faq_examples``) and new FAQ entries need a
retraining; answers do not (:mod:`hamkke.answers`). The worker
(:mod:`bot.worker`) runs one job at a time from the ``model_jobs`` table:

* ``train``: the repository's training data plus the admins' examples (and,
  for an FAQ entry the repository does not know, its intent, response and
  rule) are written to ``var/training/<tag>/`` and trained at low priority;
  the new model is loaded by a second Rasa process and checked against the
  one serving (the held-out questions of every language and the conversation
  set) before it may replace it;
* ``restore``: the previous model is loaded again and replaces the live one.

Every model is tagged (``m<date>-<data hash>``) with the version of the data it
was trained on (:func:`data_version`). This module has no gateway code: the
admin pages call :func:`request_job`; the worker calls the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.accounts import audit
from hamkke.config import PROJECT_ROOT
from hamkke.db.models import FaqEntry, FaqExample, ModelJob, ModelVersion, utcnow
from hamkke.privacy import normalise
from hamkke.training import fingerprint

VAR = PROJECT_ROOT / "var"
MODELS_DIR = VAR / "models"
TRAINING_DIR = VAR / "training"
HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu"
OPEN_JOB = ("queued", "running")


class JobRefused(RuntimeError):
    """A job that cannot start (another one is running, nothing to restore)."""


# -- jobs -----------------------------------------------------------------------------------------


async def request_job(session: AsyncSession, kind: str, user_id: Optional[int]) -> ModelJob:
    """Queue a retraining or a restore (audited). One job at a time."""
    if kind not in ("train", "restore"):
        raise ValueError(kind)
    busy = await session.scalar(select(ModelJob).where(ModelJob.status.in_(OPEN_JOB)))
    if busy is not None:
        raise JobRefused(f"job {busy.id} ({busy.kind}) is still {busy.status}")
    if kind == "restore" and await previous_version(session) is None:
        raise JobRefused("there is no previous model to restore")
    job = ModelJob(kind=kind, status="queued", progress=0, stage="queued", requested_by=user_id)
    session.add(job)
    await session.flush()
    await audit(session, user_id, f"model_{kind}_requested", job=job.id)
    return job


async def live_version(session: AsyncSession) -> Optional[ModelVersion]:
    """The model serving residents."""
    row: Optional[ModelVersion] = await session.scalar(select(ModelVersion).where(ModelVersion.status == "live"))
    return row


async def previous_version(session: AsyncSession) -> Optional[ModelVersion]:
    """The model that served before the live one (what "restore" brings back)."""
    rows = (await session.scalars(select(ModelVersion).where(ModelVersion.status == "previous")
                                  .order_by(ModelVersion.published_at.desc(), ModelVersion.id.desc()))).all()
    return next((row for row in rows if file_exists(row.path)), None)


def file_exists(path: str) -> bool:
    """Whether a model's file is there (a blocking call kept out of the async functions' bodies)."""
    return Path(path).exists()


async def pending_examples(session: AsyncSession) -> list[FaqExample]:
    """Admins' examples no published model has been trained with yet."""
    return list((await session.scalars(select(FaqExample).where(FaqExample.model_tag.is_(None))
                                       .order_by(FaqExample.id))).all())


# -- training data --------------------------------------------------------------------------------


def nlu_examples(root: Path = PROJECT_ROOT / "nlu", skip: tuple[str, ...] = ()) -> dict[tuple[str, str], list[str]]:
    """The example questions of the repository's NLU files (``nlu/<lang>/*.yml``, but the files
    named in ``skip``), by (intent, language)."""
    found: dict[tuple[str, str], list[str]] = {}
    for lang in SUPPORTED_LANGUAGES:
        for path in sorted((root / lang).glob("*.yml")):
            if path.name in skip:
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu") or []:
                if "intent" in block:
                    lines = (line.strip() for line in str(block.get("examples") or "").splitlines())
                    found.setdefault((block["intent"], lang), []).extend(
                        line[2:].strip() for line in lines if line.startswith("- "))
    return found


def repo_examples(root: Path = PROJECT_ROOT / "nlu") -> set[tuple[str, str]]:
    """``(intent, folded text)`` of every example in the repository's NLU files."""
    return {(intent, normalise(text).casefold())
            for (intent, _lang), texts in nlu_examples(root).items() for text in texts}


def _examples_yaml(by_intent: dict[str, list[str]]) -> str:
    blocks = []
    for intent, texts in sorted(by_intent.items()):
        lines = "\n".join(f"    - {' '.join(text.split())}" for text in texts)
        blocks.append(f"- intent: {intent}\n  examples: |\n{lines}\n")
    return 'version: "3.1"\nnlu:\n' + "".join(blocks)


@dataclass
class TrainingData:
    """Where one training's files are, and what they hold."""

    folder: Path
    domain: Path
    data: list[Path]
    version: str
    examples: list[int]  # the FaqExample ids included
    new_intents: list[str]
    skipped: list[str]  # why some examples were left out


@dataclass
class Additions:
    """What the admins added that the repository's training data lacks."""

    entries: dict[str, str]  # FAQ intent -> status
    examples: list[FaqExample]


async def additions(session: AsyncSession) -> Additions:
    """The FAQ entries and admins' examples, read for a training."""
    entries = {e.intent: e.status for e in (await session.scalars(select(FaqEntry))).all()}
    examples = list((await session.scalars(select(FaqExample).order_by(FaqExample.id))).all())
    return Additions(entries, examples)


def build_training_data(adds: Additions, folder: Path, config: Path) -> TrainingData:
    """Write the admins' additions beside the repository's data; return what to train on."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data").mkdir(parents=True)
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    known_intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []}
    published = {intent for intent, status in adds.entries.items() if status == "published"}
    in_repo = repo_examples()
    by_intent: dict[str, list[str]] = {}
    included: list[int] = []
    skipped: list[str] = []
    for example in adds.examples:
        if example.intent not in known_intents and example.intent not in published:
            skipped.append(f"{example.intent}: not published yet")
            continue
        included.append(example.id)
        if (example.intent, normalise(example.text).casefold()) in in_repo:
            continue  # already exported to nlu/
        by_intent.setdefault(example.intent, []).append(normalise(example.text))
    new_intents = sorted(i for i in published if i not in known_intents and by_intent.get(i))
    if by_intent:
        (folder / "data" / "admin_examples.yml").write_text(_examples_yaml(by_intent), encoding="utf-8")
    if new_intents:
        domain["intents"] = [*domain["intents"], *new_intents]
        for intent in new_intents:
            domain["responses"][f"utter_{intent}"] = [{"custom": {"key": intent}}]
        rules = [{"rule": f"FAQ {intent}", "steps": [{"intent": intent}, {"action": f"utter_{intent}"}]}
                 for intent in new_intents]
        (folder / "data" / "admin_rules.yml").write_text(
            yaml.safe_dump({"version": "3.1", "rules": rules}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    domain_path = folder / "domain.yml"
    domain_path.write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    data = [PROJECT_ROOT / "nlu", PROJECT_ROOT / "stories", folder / "data"]
    version = fingerprint(config, domain_path, data)
    return TrainingData(folder, domain_path, data, version, included, new_intents, skipped)


def model_tag(version: str, now: Optional[dt.datetime] = None) -> str:
    """A model's tag: when it was made and the data it was made from."""
    moment = (now or utcnow()).strftime("%Y%m%d-%H%M%S")
    return f"m{moment}-{version[:8]}"


# -- the quality check ----------------------------------------------------------------------------


def heldout_version(folder: Path = HELDOUT_DIR) -> str:
    """A hash of the held-out questions (a model's scores are kept per version of them)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("heldout_*.yml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Verdict:
    """Whether a candidate may replace the live model, and why not, in plain words."""

    ok: bool
    worse: list[str]  # one line per language and set that got worse beyond the tolerance
    worse_ko: list[str]  # the same, in Korean


SET_NAMES = {"heldout": ("held-out questions understood", "평가 질문 정답률"),
             "dialogues": ("conversations satisfied", "대화 세트 만족")}


def compare(live: dict[str, dict[str, float]], candidate: dict[str, dict[str, float]],
            tolerance: dict[str, float]) -> Verdict:
    """``live``/``candidate``: {set: {language: score %}}; a set's tolerance in points."""
    worse, worse_ko = [], []
    for name, scores in candidate.items():
        english, korean = SET_NAMES.get(name, (name, name))
        for lang, value in scores.items():
            before = live.get(name, {}).get(lang)
            if before is not None and value < before - tolerance.get(name, 1.0):
                worse.append(f"{lang}: {english} {value:.1f}% (was {before:.1f}%)")
                worse_ko.append(f"{lang}: {korean} {value:.1f}% (이전 {before:.1f}%)")
    return Verdict(not worse, worse, worse_ko)


def describe_job(job: ModelJob) -> dict[str, Any]:
    """A job as the admin page and its progress poll show it."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": job.progress, "stage": job.stage,
            "message": job.message, "model": job.model_tag,
            "detail": job.detail or {}, "finished": job.status not in OPEN_JOB}
