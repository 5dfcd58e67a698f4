"""The worker: owns the Rasa processes, retrains, checks and swaps models.

``python -m bot.worker`` (the launcher starts it) starts Rasa with the live
model and then runs the admins' jobs (:mod:`hamkke.publishing`), one at a time:

* **retrain** at low priority (``nice``) so the serving processes keep the CPU;
* **load** the new model in a *second* Rasa process on another port, with the
  same tracker store: the serving Rasa is never asked to load a model, so no
  request waits for a load (Rasa's ``PUT /model`` loads on its serving event
  loop, RasaHQ/rasa #3910);
* **check** it beside the live one, in the same run: the held-out questions of
  every language through both servers' ``/model/parse``, and the conversation
  set through a gateway of the worker's own (its own scratch database; its
  conversation ids carry a prefix, so no resident's tracker is touched). A
  language that got worse beyond the tolerance refuses the model, in plain
  words, and the live model keeps answering;
* **switch**: one transaction makes the new model live and the old one
  previous; gateways read the live model's address four times a second
  (:func:`bot.app.follow_live_model`); after a drain period the old Rasa is
  stopped with SIGTERM, which lets it finish what it is answering.

A restore is the same swap to the previous model (without retraining or the
check: it served before). Every model keeps its tag and data version.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update

from bot.rasa_client import auth_headers
from hamkke.accounts import audit
from hamkke.config import PROJECT_ROOT, Secret, Settings, get_settings
from hamkke.db.models import FaqExample, ModelJob, ModelVersion, utcnow
from hamkke.db.session import Database
from hamkke.logs import configure_logging
from hamkke.publishing import (
    MODELS_DIR,
    TRAINING_DIR,
    Verdict,
    additions,
    build_training_data,
    compare,
    file_exists,
    heldout_version,
    live_version,
    model_tag,
    previous_version,
)
from hamkke.retention import run_every
from hamkke.training import RASA_BIN, RASA_PYTHON, rasa_env

log = logging.getLogger("hamkke.worker")

POLL_S = 1.0
# After the switch: gateways follow within 0.25 s; the old Rasa then finishes
# what it is answering (SIGTERM is a graceful stop for Rasa's Sanic server).
DRAIN_S = 3.0
LOAD_TIMEOUT_S = 300.0
DEFAULT_TRAIN_S = 150.0


_GIVEN_PORTS: set[int] = set()  # ports this worker chose (a Rasa server binds its port seconds later)


def free_port() -> int:
    """A free port on localhost that this worker has not chosen before."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _GIVEN_PORTS:
            _GIVEN_PORTS.add(port)
            return port


class RasaProcess:
    """One ``rasa run`` serving one model on one localhost port."""

    def __init__(self, model: Path, port: int, settings: Settings, log_dir: Path) -> None:
        self.model, self.port, self.settings, self.log_dir = model, port, settings, log_dir
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.ready = False  # its model is loaded: the gateways may send it conversations
        self.address = self.url  # where the gateways reach it (a proxy may sit before it)

    @property
    def url(self) -> str:
        """Where the gateways reach it (``HAMKKE_RASA_HOST``: localhost unless in separate containers)."""
        return f"http://{os.environ.get('HAMKKE_RASA_HOST') or '127.0.0.1'}:{self.port}"

    def start(self) -> None:
        """Start it (returns at once; :meth:`wait_loaded` waits for the model)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **{k: v for k, v in rasa_env().items() if k.startswith(("RASA_", "TF_"))}}
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        env.setdefault("HAMKKE_REDIS_URL", "")  # endpoints.yml: Redis for the lock store, or memory
        # A ticket left in the shared lock store by a Rasa server that died blocks its conversation until
        # it expires: within the gateway's timeout (the gateway keeps one message per conversation anyway).
        env.setdefault("TICKET_LOCK_LIFETIME", str(max(2, int(self.settings.rasa_timeout_s * 0.7))))
        bind = os.environ.get("HAMKKE_RASA_BIND") or "127.0.0.1"
        # bot.rasa_run reads the shared secret from the environment: never on a command line, which
        # every local user can read in /proc.
        env["HAMKKE_RASA_JWT_SECRET"] = self.settings.rasa_jwt_secret.get()
        cmd = [str(RASA_PYTHON), "-m", "bot.rasa_run", "--enable-api", "-i", bind, "-p", str(self.port),
               "-m", str(self.model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
        with (self.log_dir / "rasa.log").open("ab") as out:
            # In the worker's process group: whatever stops the worker stops its Rasa processes too.
            self.proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        log.info("Rasa starting on port %d with %s", self.port, self.model.name)

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.proc is not None and self.proc.poll() is None

    async def wait_loaded(self, client: httpx.AsyncClient, timeout: float = LOAD_TIMEOUT_S) -> bool:
        """Wait until its model is loaded; False when it died or took too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            try:
                response = await client.get(f"{self.url}/status", timeout=3,
                                            headers=auth_headers(self.settings.rasa_jwt_secret.get()))
                if response.status_code == 200 and response.json().get("model_file"):
                    self.ready = True
                    return True
            except (httpx.HTTPError, ValueError):
                pass
            await asyncio.sleep(0.5)
        return False

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM (Rasa finishes what it is answering), SIGKILL after ``grace`` seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.proc.terminate()
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        except ProcessLookupError:
            pass


class JobFailed(RuntimeError):
    """A job that ended without publishing; the message is for the admin."""

    def __init__(self, message: str, ko: str, status: str = "failed",
                 detail: Optional[dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = {**(detail or {}), "message_ko": ko}


class Worker:
    """The live Rasa process and the jobs that replace it."""

    def __init__(self, settings: Settings, model: Path, listen_port: int, log_dir: Path) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.repo_model = model
        self.listen_port = listen_port
        self.log_dir = log_dir
        self.serving: list[RasaProcess] = []  # the Rasa servers of the live model (HAMKKE_RASA_SERVERS)
        self.servers = max(1, settings.rasa_servers)
        self.started: list[RasaProcess] = []  # every Rasa this worker started (all stopped with it)
        self.client = httpx.AsyncClient()
        self.stopping = asyncio.Event()
        self.failed = False
        self.published: Optional[str] = None  # the servers the gateways were last told of
        self._loading: set[asyncio.Task[None]] = set()  # restarted servers waiting for their model

    # -- start ------------------------------------------------------------------------------------

    def _rasa(self, model: Path, port: int) -> RasaProcess:
        process = RasaProcess(model, port, self.settings, self.log_dir)
        self.started.append(process)
        process.start()
        return process

    async def _register_repo_model(self) -> ModelVersion:
        """The model ``make model`` trained from the repository: live when it is new, else the
        database's live model (an admin's later publication) stays live."""
        stamp = self.repo_model.with_suffix("").with_suffix(".fingerprint")
        version = stamp.read_text().strip() if stamp.exists() else "unknown"
        tag = f"repo-{version[:10]}"
        async with self.db.session() as session:
            # A worker that stopped mid-job leaves nothing half done.
            await session.execute(update(ModelJob).where(ModelJob.status.in_(("queued", "running")),
                                                         ModelJob.started_at.is_not(None))
                                  .values(status="failed", stage="failed", finished_at=utcnow(),
                                          message="The worker stopped during this job; nothing was changed."))
            await session.execute(update(ModelVersion).where(ModelVersion.status == "candidate")
                                  .values(status="failed"))
            await session.execute(update(ModelVersion).values(rasa_url=None))
            known = await session.scalar(select(ModelVersion).where(ModelVersion.tag == tag))
            live = await live_version(session)
            if known is None:
                path = MODELS_DIR / f"{tag}.tar.gz"
                await asyncio.to_thread(_copy, self.repo_model, path)
                if live is not None:
                    live.status = "previous"
                known = ModelVersion(tag=tag, path=str(path), data_version=version, status="live",
                                     note="trained from the repository (make model)", published_at=utcnow())
                # The admins' examples are not in it: they wait for the next retraining again.
                await session.execute(update(FaqExample).values(model_tag=None))
                session.add(known)
                live = known
            elif live is None or not file_exists(live.path):
                if live is not None:
                    live.status = "retired"
                known.status = "live"
                live = known
            await session.commit()
            return live

    def _pool(self, model: Path, first_port: Optional[int] = None) -> list[RasaProcess]:
        """``self.servers`` Rasa processes serving ``model`` (the first on ``first_port`` when given)."""
        ports = [first_port or free_port()] + [free_port() for _ in range(self.servers - 1)]
        return [self._rasa(model, port) for port in ports]

    async def _loaded(self, pool: list[RasaProcess]) -> bool:
        return all(await asyncio.gather(*(process.wait_loaded(self.client) for process in pool)))

    async def start(self) -> None:
        """Start Rasa with the live model and tell the gateways where it is."""
        live = await self._register_repo_model()
        self.serving = self._pool(Path(live.path), self.listen_port)
        if not await self._loaded(self.serving):
            raise SystemExit(f"Rasa did not load {live.path}; see {self.log_dir / 'rasa.log'}")
        # The first server where the settings say (a proxy may sit before it), the others where they listen.
        self.serving[0].address = self.settings.rasa_url
        await self._publish_serving()
        log.info("serving model %s on %d Rasa server(s)", live.tag, len(self.serving))

    async def _publish_serving(self) -> None:
        """Tell the gateways which servers of the live model are ready: one that died, or is starting
        again, gets no conversations until its model is loaded (with none ready, all of them: the
        gateways tell residents the assistant is busy and keep their messages)."""
        addresses = self._ready_addresses()
        async with self.db.session() as session:
            await session.execute(update(ModelVersion).where(ModelVersion.status == "live")
                                  .values(rasa_url=addresses))
            await session.commit()
        self.published = addresses

    def _ready_addresses(self) -> str:
        ready = [process for process in self.serving if process.ready and process.alive()] or self.serving
        return ",".join(process.address for process in ready)

    async def _publish_quietly(self) -> None:
        try:
            await self._publish_serving()
        except Exception as exc:  # the database is away: the gateways fail over on their own meanwhile
            log.warning("could not publish the ready Rasa servers (%s)", type(exc).__name__)

    async def _supervise(self) -> None:
        """Start again a serving Rasa that stopped (during a job too), with the same model and port;
        the gateways send its conversations to the others until it has loaded."""
        deaths: list[float] = []
        while True:
            for process in list(self.serving):
                if process.alive() or process not in self.serving:
                    continue
                deaths = [t for t in deaths if time.monotonic() - t < 60] + [time.monotonic()]
                if len(deaths) > 5 * len(self.serving):
                    log.error("the serving Rasa keeps stopping; see rasa.log")
                    self.failed = True
                    self.stopping.set()
                    return
                log.error("a serving Rasa stopped; starting it again with the same model")
                again = self._rasa(process.model, process.port)
                again.address = process.address
                self.serving[self.serving.index(process)] = again
                await self._publish_quietly()
                self._loading.add(asyncio.create_task(self._back_when_loaded(again)))
            if self.published is not None and self._ready_addresses() != self.published:
                await self._publish_quietly()  # a publication the database missed while it was away
            await asyncio.sleep(0.5)

    async def _back_when_loaded(self, process: RasaProcess) -> None:
        task = asyncio.current_task()
        if await process.wait_loaded(self.client) and process in self.serving:
            log.info("the Rasa on port %d is ready again", process.port)
            await self._publish_quietly()
        if task is not None:
            self._loading.discard(task)

    # -- the job loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until stopped, running queued jobs one at a time."""
        await self.start()
        supervising = asyncio.create_task(self._supervise())
        # Residents' data past the retention period goes, from every store (hamkke.retention).
        expiring = asyncio.create_task(run_every(self.db, self.settings.rasa_tracker_url,
                                                 self.settings.retention_days, self.settings.retention_every_s))
        try:
            await self._jobs()
        finally:
            supervising.cancel()
            expiring.cancel()
        if self.failed:
            raise SystemExit("the serving Rasa keeps stopping; see rasa.log")

    async def _jobs(self) -> None:
        while not self.stopping.is_set():
            try:
                job_id = await self._claim()
            except Exception as exc:  # the database is away (restarting): Rasa keeps serving meanwhile
                log.warning("could not look for jobs (%s); trying again", type(exc).__name__)
                job_id = None
            if job_id is None:
                try:
                    await asyncio.wait_for(self.stopping.wait(), POLL_S)
                except asyncio.TimeoutError:
                    pass
                continue
            await self._run_job(job_id)

    async def _claim(self) -> Optional[int]:
        async with self.db.session() as session:
            job_id = await session.scalar(select(ModelJob.id).where(ModelJob.status == "queued")
                                          .order_by(ModelJob.id).limit(1))
            if job_id is None:
                return None
            claimed = await session.execute(update(ModelJob).where(ModelJob.id == job_id,
                                                                   ModelJob.status == "queued")
                                            .values(status="running", started_at=utcnow(), stage="starting"))
            await session.commit()
            return job_id if claimed.rowcount == 1 else None  # type: ignore[attr-defined]

    async def _progress(self, job_id: int, progress: int, stage: str, **values: Any) -> None:
        async with self.db.session() as session:
            await session.execute(update(ModelJob).where(ModelJob.id == job_id)
                                  .values(progress=progress, stage=stage, **values))
            await session.commit()

    async def _run_job(self, job_id: int) -> None:
        async with self.db.session() as session:
            job = await session.get(ModelJob, job_id)
            assert job is not None
            kind, user = job.kind, job.requested_by
        started = time.monotonic()
        try:
            if kind == "train":
                message, detail = await self._train(job_id, user)
            else:
                message, detail = await self._restore(job_id, user)
        except JobFailed as exc:
            log.warning("job %d %s: %s", job_id, exc.status, exc)
            await self._progress(job_id, 100, exc.status, status=exc.status, message=str(exc),
                                 detail={**exc.detail, "seconds": round(time.monotonic() - started, 1)},
                                 finished_at=utcnow())
            return
        except Exception as exc:  # the old model keeps answering whatever happened
            log.exception("job %d failed", job_id)
            await self._progress(job_id, 100, "failed", status="failed", finished_at=utcnow(),
                                 message=f"Something went wrong ({type(exc).__name__}); the current model "
                                         "keeps answering. The worker's log has the details.")
            return
        await self._progress(job_id, 100, "done", status="done", message=message, finished_at=utcnow(),
                             detail={**detail, "seconds": round(time.monotonic() - started, 1)})

    # -- retraining -------------------------------------------------------------------------------

    async def _expected_training_s(self) -> float:
        async with self.db.session() as session:
            rows = (await session.scalars(select(ModelJob).where(ModelJob.kind == "train",
                                                                 ModelJob.status.in_(("done", "refused")))
                                          .order_by(ModelJob.id.desc()).limit(3))).all()
        seconds = [float((row.detail or {}).get("training_s") or 0) for row in rows]
        seconds = [s for s in seconds if s > 0]
        return sum(seconds) / len(seconds) if seconds else DEFAULT_TRAIN_S

    async def _train(self, job_id: int, user: Optional[int]) -> tuple[str, dict[str, Any]]:
        config = Path(self.settings.train_config)
        config = config if config.is_absolute() else PROJECT_ROOT / config
        async with self.db.session() as session:
            adds = await additions(session)
        data = await asyncio.to_thread(build_training_data, adds, TRAINING_DIR / f"job-{job_id}", config)
        tag = model_tag(data.version)
        await self._progress(job_id, 5, "training", model_tag=tag)
        expected = await self._expected_training_s()
        started = time.monotonic()
        MODELS_DIR.mkdir(parents=True, exist_ok=True)
        train_log = self.log_dir / f"train-{tag}.log"
        with train_log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                "nice", "-n", "10", str(RASA_BIN), "train", "--config", str(config), "--domain", str(data.domain),
                "--data", *[str(d) for d in data.data], "--out", str(MODELS_DIR), "--fixed-model-name", tag,
                "--force", cwd=PROJECT_ROOT, env=rasa_env(), stdout=out, stderr=subprocess.STDOUT)
            while True:
                try:
                    await asyncio.wait_for(proc.wait(), 1.0)
                    break
                except asyncio.TimeoutError:
                    share = min((time.monotonic() - started) / expected, 0.97)
                    await self._progress(job_id, 5 + int(60 * share), "training")
        training_s = round(time.monotonic() - started, 1)
        path = MODELS_DIR / f"{tag}.tar.gz"
        if proc.returncode != 0 or not path.exists():
            tail = train_log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
            raise JobFailed(f"Training failed ({tail[0][:200]}); the current model keeps answering.",
                            f"학습에 실패했습니다 ({tail[0][:200]}). 지금 모델이 계속 답합니다.",
                            detail={"training_s": training_s})
        async with self.db.session() as session:
            session.add(ModelVersion(tag=tag, path=str(path), data_version=data.version, status="candidate",
                                     created_by=user, note=f"{len(data.examples)} admin examples"
                                     + (f", new topics {', '.join(data.new_intents)}" if data.new_intents else "")))
            await session.commit()
        detail: dict[str, Any] = {"training_s": training_s, "examples": len(data.examples),
                                  "new_intents": data.new_intents, "skipped": data.skipped}
        # The held-out questions first: a model that fails them is never loaded.
        await self._check_questions(job_id, tag, path, detail)
        await self._progress(job_id, 76, "loading", detail=detail)
        candidate = self._pool(path)
        try:
            loaded_at = time.monotonic()
            if not await self._loaded(candidate):
                await self._set_status(tag, "failed")
                raise JobFailed("The new model did not load; the current model keeps answering.",
                                "새 모델을 불러오지 못했습니다. 지금 모델이 계속 답합니다.", detail=detail)
            detail["load_s"] = round(time.monotonic() - loaded_at, 1)
            await self._check_conversations(job_id, tag, candidate, detail)
            await self._progress(job_id, 96, "switching")
            await self._switch(tag, candidate, examples=data.examples)
        except BaseException:
            for process in candidate:
                process.stop()
            raise
        await audit_model(self.db, user, "model_published", tag)
        lines = ", ".join(f"{lang} {score:.1f}%" for lang, score in detail["scores"]["heldout"].items())
        detail["message_ko"] = f"{tag} 모델을 게시했습니다. 평가 질문 정답률: {lines}."
        return f"Published {tag}. Held-out questions understood: {lines}.", detail

    async def _set_status(self, tag: str, status: str) -> None:
        async with self.db.session() as session:
            await session.execute(update(ModelVersion).where(ModelVersion.tag == tag).values(status=status))
            await session.commit()

    async def _score_file(self, model: Path) -> dict[str, float]:
        """Held-out scores of a model file, computed in a low-priority process of its own."""
        proc = await asyncio.create_subprocess_exec(
            "nice", "-n", "10", str(RASA_PYTHON), str(PROJECT_ROOT / "scripts" / "score_model.py"), str(model),
            cwd=PROJECT_ROOT, env=rasa_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise JobFailed(f"Could not score {model.name} on the held-out questions; the current model keeps "
                            "answering.",
                            f"{model.name}을(를) 평가 질문으로 확인하지 못했습니다. 지금 모델이 계속 답합니다.")
        scores: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
        return scores

    async def _check_questions(self, job_id: int, tag: str, path: Path, detail: dict[str, Any]) -> None:
        """Refuse the candidate when a language understands fewer held-out questions than the live
        model beyond the tolerance (the live model's scores are kept with it, per held-out set)."""
        await self._progress(job_id, 66, "checking_questions", detail=detail)
        key = heldout_version()
        async with self.db.session() as session:
            live = await live_version(session)
            assert live is not None
            live_tag, live_path = live.tag, Path(live.path)
            live_scores: dict[str, Any] = dict(live.scores or {})
        if live_scores.get("heldout_version") != key or "heldout" not in live_scores:
            live_scores = {"heldout": await self._score_file(live_path), "heldout_version": key}
            async with self.db.session() as session:
                await session.execute(update(ModelVersion).where(ModelVersion.tag == live_tag)
                                      .values(scores=live_scores))
                await session.commit()
        scores: dict[str, Any] = {"heldout": await self._score_file(path), "heldout_version": key}
        detail["scores"], detail["live_scores"], detail["live_model"] = scores, dict(live_scores), live_tag
        detail["tolerance"] = {"heldout": self.settings.quality_tolerance}
        verdict = compare({"heldout": live_scores["heldout"]}, {"heldout": scores["heldout"]}, detail["tolerance"])
        await self._set_scores(tag, scores, ok=verdict.ok)
        if not verdict.ok:
            raise refused(verdict, detail)

    async def _check_conversations(self, job_id: int, tag: str, candidate: list[RasaProcess],
                                   detail: dict[str, Any]) -> None:
        """Refuse the candidate when a language satisfies fewer conversations of the conversation set
        than the live model, both run now (answers and content are today's for both)."""
        await self._progress(job_id, 82, "checking_conversations", detail=detail)
        live = await asyncio.to_thread(dialogue_scores, self.settings, self.serving[0].url, f"qc{job_id}l-")
        mine = await asyncio.to_thread(dialogue_scores, self.settings, candidate[0].url, f"qc{job_id}c-")
        detail["scores"]["dialogues"], detail["live_scores"]["dialogues"] = mine, live
        # One conversation more or less is the smallest step a language's share can take.
        detail["tolerance"]["dialogues"] = max(self.settings.quality_tolerance, _one_conversation())
        verdict = compare({"dialogues": live}, {"dialogues": mine}, detail["tolerance"])
        await self._set_scores(tag, detail["scores"], ok=verdict.ok)
        if not verdict.ok:
            raise refused(verdict, detail)

    async def _set_scores(self, tag: str, scores: dict[str, Any], ok: bool) -> None:
        async with self.db.session() as session:
            await session.execute(update(ModelVersion).where(ModelVersion.tag == tag)
                                  .values(scores=scores, status="candidate" if ok else "refused"))
            await session.commit()

    async def _switch(self, tag: str, incoming: list[RasaProcess], examples: Optional[list[int]] = None) -> None:
        """Make ``tag`` live at ``incoming``; drain and stop the old Rasa servers."""
        addresses = ",".join(process.address for process in incoming if process.ready) or \
            ",".join(process.address for process in incoming)
        async with self.db.session() as session:
            await session.execute(update(ModelVersion).where(ModelVersion.status == "live")
                                  .values(status="previous"))
            await session.execute(update(ModelVersion).where(ModelVersion.tag == tag)
                                  .values(status="live", rasa_url=addresses, published_at=utcnow()))
            if examples:
                await session.execute(update(FaqExample).where(FaqExample.id.in_(examples),
                                                               FaqExample.model_tag.is_(None))
                                      .values(model_tag=tag))
            await session.commit()
        outgoing, self.serving = self.serving, incoming
        self.published = addresses
        log.info("switched to %s at %s; draining the old Rasa", tag, addresses)
        await asyncio.sleep(DRAIN_S)
        for process in outgoing:
            await asyncio.to_thread(process.stop)
        async with self.db.session() as session:
            await session.execute(update(ModelVersion).where(ModelVersion.status != "live").values(rasa_url=None))
            await session.commit()

    # -- restore ----------------------------------------------------------------------------------

    async def _restore(self, job_id: int, user: Optional[int]) -> tuple[str, dict[str, Any]]:
        async with self.db.session() as session:
            previous = await previous_version(session)
            live = await live_version(session)
            if previous is None:
                raise JobFailed("There is no previous model to restore.", "되돌릴 이전 모델이 없습니다.")
            tag, path, live_tag = previous.tag, Path(previous.path), live.tag if live else None
        await self._progress(job_id, 20, "loading", model_tag=tag)
        incoming = self._pool(path)
        started = time.monotonic()
        try:
            if not await self._loaded(incoming):
                raise JobFailed(f"Model {tag} did not load; the current model keeps answering.",
                                f"{tag} 모델을 불러오지 못했습니다. 지금 모델이 계속 답합니다.")
            await self._progress(job_id, 90, "switching")
            await self._switch(tag, incoming)
        except BaseException:
            for process in incoming:
                process.stop()
            raise
        await audit_model(self.db, user, "model_restored", tag, replaced=live_tag)
        return (f"Restored {tag} (replacing {live_tag}).",
                {"load_s": round(time.monotonic() - started, 1), "replaced": live_tag,
                 "message_ko": f"{tag} 모델로 되돌렸습니다 ({live_tag} 대신)."})

    async def close(self) -> None:
        """Stop Rasa and close connections."""
        for process in self.started:
            await asyncio.to_thread(process.stop)
        await self.client.aclose()
        await self.db.dispose()


def refused(verdict: Verdict, detail: dict[str, Any]) -> JobFailed:
    """The plain-words refusal of a candidate that got worse."""
    return JobFailed("Not published: the new model was worse than the current one (" + "; ".join(verdict.worse)
                     + "). The current model keeps answering.",
                     "게시하지 않았습니다: 새 모델이 지금 모델보다 나빴습니다 (" + "; ".join(verdict.worse_ko)
                     + "). 지금 모델이 계속 답합니다.", status="refused", detail={**detail, "worse": verdict.worse})


async def audit_model(db: Database, user: Optional[int], action: str, tag: str, **detail: Any) -> None:
    """Write a model change to the audit log."""
    async with db.session() as session:
        await audit(session, user, action, model=tag, **detail)
        await session.commit()


def _copy(source: Path, target: Path) -> None:
    """Copy a model file so that nobody ever reads half of it: a Rasa of another assistant on this machine
    may be loading the same tag (its name is the repository model's fingerprint), so an identical file is
    left alone and a new one appears whole (written beside it, then renamed)."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _one_conversation() -> float:
    from bench.dialogues import load
    from bench.nlu_eval import LANGS

    return 100.0 / min(len(load(lang)) for lang in LANGS) + 0.01


def dialogue_scores(settings: Settings, rasa_url: str, prefix: str) -> dict[str, float]:
    """Share of the conversation set (%) satisfied per language, through a gateway of the
    worker's own (scratch database, no Telegram) talking to the Rasa at ``rasa_url``."""
    from fastapi.testclient import TestClient

    from bench.dialogues import load, run_conversation
    from bench.nlu_eval import LANGS
    from bot.app import create_app
    from hamkke.db.setup import setup_database

    with tempfile.TemporaryDirectory(prefix="hamkke-check-") as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'check.db'}"
        setup_database(url)
        own = dataclasses.replace(settings, database_url=url, rasa_url=rasa_url, rasa_sender_prefix=prefix,
                                  telegram_bot_token=Secret(""), kakao_reply_budget_s=60.0, translation_provider="")
        scores: dict[str, float] = {}
        quiet = logging.getLogger("bot")
        level = quiet.level
        quiet.setLevel(logging.WARNING)  # the check's own gateway: a thousand lines of nothing
        try:
            # A server error is a turn not satisfied (for either model), not the end of the check.
            with TestClient(create_app(own), raise_server_exceptions=False) as client:
                for lang in LANGS:
                    outcomes = [run_conversation(client, c, lang) for c in load(lang)]
                    scores[lang] = round(100.0 * sum(o.satisfied for o in outcomes) / max(1, len(outcomes)), 2)
        finally:
            quiet.setLevel(level)
    return scores


def main() -> int:
    """Run the worker until SIGTERM/SIGINT."""
    os.umask(0o077)  # Rasa's tracker database, models and logs: readable by their owner only
    settings = get_settings()
    configure_logging(settings.log_level)
    model = Path(os.environ.get("HAMKKE_MODEL") or PROJECT_ROOT / "models" / "hamkke.tar.gz")
    listen = int(os.environ.get("HAMKKE_RASA_LISTEN_PORT") or urlsplit(settings.rasa_url).port or 5005)
    log_dir = Path(os.environ.get("HAMKKE_LOG_DIR") or PROJECT_ROOT / "var" / "logs")
    worker = Worker(settings, model, listen, log_dir)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(worker.run())
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            log.info("stopping")
        finally:
            await worker.close()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
