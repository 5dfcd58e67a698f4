"""Benchmark the assistant against plain Rasa on the same machine, in one run.

``make bench`` starts Hamkke as ``make run`` does (gateway, Rasa, action
server, SQLite) and drives ``POST /kakao/skill`` with simulated residents,
each a separate user sending a mixed-language conversation, at 1, 10 and 50
concurrent residents; then the scaled topology as ``make run-scaled`` starts
it (two gateways sharing the port, two Rasa servers, new databases on the
local PostgreSQL, the local Redis; skipped with a reason when either is
missing); then plain Rasa (rasa init's default pipeline and policies, with
one training epoch: ``bench/rasa-init-config-1-epoch.yml``, trained on the
same data and domain, the same action server, its default in-memory tracker
store) through its REST channel ``/webhooks/rest/webhook`` with the same
conversations. It prints messages per second, latency percentiles, errors
and each process's memory, and the ratios to plain Rasa.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import httpx
import psutil

from bench.dialogues import answer_text
from bot.launcher import APP_PYTHON, Assistant, drop_postgres_database, scaled_environment
from hamkke.config import PROJECT_ROOT
from hamkke.i18n import t
from hamkke.training import RASA_BIN, ensure_model, rasa_env

CONVERSATIONS = {
    "en": ["hi", "What is the immigration contact centre number?", "where is the international center",
           "number for family problems", "thanks"],
    "ru": ["здравствуйте", "какой номер у миграционной горячей линии", "где находится международный центр",
           "телефон данури", "спасибо"],
    "vi": ["xin chao", "so dien thoai xuat nhap canh la gi", "trung tam quoc te gwangju o dau",
           "số điện thoại danuri", "cảm ơn"],
    "ko": ["안녕하세요", "출입국 상담 전화번호 알려줘", "광주국제교류센터 어디예요", "다누리 전화번호", "고마워요"],
}
LEVELS = (1, 10, 50)
# Kakao's placeholder when an answer takes longer than the reply budget, in the benchmark's languages.
STILL_WORKING = tuple(t("still_working", lang) for lang in CONVERSATIONS)


@dataclass
class Result:
    """Figures of one load level against one system."""

    system: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    # Kakao placeholders ("still working", its answer comes with the next turn): counted in the latencies,
    # at the reply budget, and here.
    deferred: int = 0
    seconds: float = 0.0
    memory_mb: dict[str, float] = field(default_factory=dict)

    def pct(self, p: float) -> float:
        """The ``p``-th latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def rate(self) -> float:
        """Messages answered per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 1e6
    except psutil.NoSuchProcess:
        return float("nan")


# What one message got: "ok" (an answer), "deferred" (Kakao's "still working" placeholder) or "error".
Send = Callable[[httpx.AsyncClient, str, str], Awaitable[str]]


async def drive(system: str, concurrency: int, rounds: int, send: Send, pids: dict[str, int]) -> Result:
    """``concurrency`` residents, each talking ``rounds`` conversations."""
    result = Result(system, concurrency)
    rng = random.Random(concurrency)
    limits = httpx.Limits(max_connections=concurrency + 5)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def resident(index: int) -> None:
            user = f"bench-{system}-{concurrency}-{index}-{time.time_ns()}"
            for _ in range(rounds):
                lang = rng.choice(list(CONVERSATIONS))
                for text in CONVERSATIONS[lang]:
                    started = time.perf_counter()
                    try:
                        outcome = await send(client, user, text)
                    except httpx.HTTPError:
                        outcome = "error"
                    if outcome != "error":
                        result.latencies.append(time.perf_counter() - started)
                        result.deferred += outcome == "deferred"
                    else:
                        result.errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(resident(i) for i in range(concurrency)))
        result.seconds = time.perf_counter() - started
    result.memory_mb = {name: rss_mb(pid) for name, pid in pids.items()}
    return result


def _wait(url: str, timeout: float = 240, headers: Optional[dict[str, str]] = None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


async def all_levels(system: str, send: Send, pids: dict[str, int], quick: bool) -> list[Result]:
    """Every load level, one after the other."""
    return [await drive(system, level, rounds_for(level, quick), send, pids) for level in LEVELS]


def rounds_for(concurrency: int, quick: bool) -> int:
    """Conversations per resident: enough messages for stable percentiles."""
    total = {1: 60, 10: 300, 50: 600}[concurrency] // (2 if quick else 1)
    return max(1, total // (concurrency * 5))


def bench_hamkke(work: Path, quick: bool, scaled: bool = False) -> tuple[list[Result], float]:
    """Hamkke's whole stack through the Kakao skill endpoint (the scaled topology with ``scaled``)."""
    env = dict(os.environ)
    env.update({
        "HAMKKE_PORT": "18600", "HAMKKE_RASA_URL": "http://127.0.0.1:18605",
        "HAMKKE_ACTIONS_URL": "http://127.0.0.1:18655",
        "HAMKKE_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'hamkke.db'}",
        "HAMKKE_RASA_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}",
        "HAMKKE_RASA_TRACKER_DIALECT": "sqlite", "HAMKKE_LOG_LEVEL": "WARNING",
        "HAMKKE_GATEWAYS": "1", "HAMKKE_RASA_SERVERS": "1", "HAMKKE_REDIS_URL": "",
    })
    if scaled:
        suffix = f"{os.getpid()}_{int(time.time())}"
        env.update({"HAMKKE_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/hamkke_bench_{suffix}",
                    "HAMKKE_RASA_TRACKER_URL": f"postgresql://postgres@127.0.0.1:5432/hamkke_bench_rasa_{suffix}",
                    "HAMKKE_REDIS_URL": "redis://127.0.0.1:6379/7", "HAMKKE_GATEWAYS": "2",
                    "HAMKKE_RASA_SERVERS": "2"})
        env = scaled_environment(env)
    assistant = Assistant(env=env, log_dir=work / ("logs-scaled" if scaled else "logs-hamkke"))
    assistant.setup_database()
    assistant.start()
    try:
        ready = assistant.wait_ready()
        pids = {name: proc.pid for name, proc in assistant.procs.items()}

        async def send(client: httpx.AsyncClient, user: str, text: str) -> str:
            body = {"userRequest": {"utterance": text, "user": {"id": user, "type": "botUserKey"}},
                    "bot": {"id": "bench"}}
            response = await client.post(f"{assistant.gateway_url}/kakao/skill", json=body)
            answer = response.json() if response.status_code == 200 else {}
            if not (answer.get("template") or {}).get("outputs"):
                return "error"
            shown = answer_text(answer)  # what the resident sees, as the dialogue sets read it
            return "deferred" if any(words in shown for words in STILL_WORKING) else "ok"

        return asyncio.run(all_levels("hamkke-scaled" if scaled else "hamkke", send, pids, quick)), ready
    finally:
        assistant.stop()
        if scaled:
            for url in (env["HAMKKE_DATABASE_URL"], env["HAMKKE_RASA_TRACKER_URL"]):
                drop_postgres_database(url)


def scaled_available() -> Optional[str]:
    """Why the scaled topology cannot run here (no PostgreSQL or no Redis), or None."""
    import socket

    for what, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return f"no {what} on 127.0.0.1:{port}"
    return None


def bench_plain_rasa(work: Path, model: Path, quick: bool) -> tuple[list[Result], float]:
    """Plain Rasa (rasa init's config) through its REST channel, same action server."""
    env = rasa_env()
    env.update({"HAMKKE_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'hamkke.db'}",
                "PYTHONPATH": str(PROJECT_ROOT), "SANIC_HOST": "127.0.0.1"})
    logs = work / "logs-plain"
    logs.mkdir(exist_ok=True)
    endpoints = work / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  url: "http://127.0.0.1:18755/webhook"\n')
    # Rasa's own REST channel: the project's credentials.yml names the gateway's signed channel instead.
    credentials = work / "credentials.yml"
    credentials.write_text("rest:\n")
    procs = {}
    with (logs / "actions.log").open("ab") as log:
        procs["actions"] = subprocess.Popen(
            [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "-p", "18755"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    with (logs / "rasa.log").open("ab") as log:
        procs["rasa"] = subprocess.Popen(
            [str(RASA_BIN), "run", "-i", "127.0.0.1", "-p", "18705", "-m", str(model),
             "--endpoints", str(endpoints), "--credentials", str(credentials)],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        _wait("http://127.0.0.1:18755/health")
        _wait("http://127.0.0.1:18705/webhooks/rest/")
        # The REST channel answers before the model is loaded: wait for a real answer.
        while True:
            try:
                body = httpx.post("http://127.0.0.1:18705/webhooks/rest/webhook",
                                  json={"sender": "warmup", "message": "hi"}, timeout=10).json()
                if body:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        ready = time.monotonic() - started
        pids = {name: proc.pid for name, proc in procs.items()}

        async def send(client: httpx.AsyncClient, user: str, text: str) -> str:
            response = await client.post("http://127.0.0.1:18705/webhooks/rest/webhook",
                                         json={"sender": user, "message": text})
            return "ok" if response.status_code == 200 and response.json() else "error"

        return asyncio.run(all_levels("plain-rasa", send, pids, quick)), ready
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=30)


def table(systems: list[list[Result]], plain: list[Result]) -> str:
    """The figures and the ratios to plain Rasa, as Markdown tables."""
    lines = [
        "| system | residents | msgs | msg/s | p50 ms | p95 ms | p99 ms | errors | deferred | memory MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in [*itertools.chain(*systems), *plain]:
        memory = ", ".join(f"{k} {v:.0f}" for k, v in result.memory_mb.items())
        lines.append(
            f"| {result.system} | {result.concurrency} | {len(result.latencies)} | {result.rate:.1f} | "
            f"{result.pct(50):.0f} | {result.pct(95):.0f} | {result.pct(99):.0f} | {result.errors} | "
            f"{result.deferred} | {memory} |"
        )
    lines += ["", "| system | residents | msg/s ÷ plain | p50 ÷ plain | p95 ÷ plain |", "|---|---|---|---|---|"]
    for results in systems:
        for ours, theirs in zip(results, plain, strict=True):
            lines.append(
                f"| {ours.system} | {ours.concurrency} | {ours.rate / theirs.rate:.2f} | "
                f"{ours.pct(50) / theirs.pct(50):.2f} | {ours.pct(95) / theirs.pct(95):.2f} |"
            )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="half the messages per level")
    args = parser.parse_args(argv)
    print("==> Training (if stale) the plain-Rasa baseline: rasa init's pipeline and policies, one epoch")
    t0 = time.monotonic()
    plain_model = ensure_model(config=PROJECT_ROOT / "bench" / "rasa-init-config-1-epoch.yml",
                               name="plain-rasa-1-epoch")
    print(f"    baseline model ready in {time.monotonic() - t0:.0f} s")
    systems: list[list[Result]] = []
    readiness: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hamkke-bench-") as tmp:
        work = Path(tmp)
        print("==> Hamkke, one process of each (make run): POST /kakao/skill")
        results, ready = bench_hamkke(work, args.quick)
        systems.append(results)
        readiness.append(f"hamkke {ready:.1f} s")
        missing = scaled_available()
        if missing:
            print(f"==> Scaled topology skipped: {missing}")
        else:
            print("==> Hamkke scaled (make run-scaled): 2 gateways, 2 Rasa servers, PostgreSQL, Redis")
            results, ready = bench_hamkke(work, args.quick, scaled=True)
            systems.append(results)
            readiness.append(f"hamkke-scaled {ready:.1f} s")
        print("==> Plain Rasa: rasa init's pipeline, POST /webhooks/rest/webhook")
        plain, plain_ready = bench_plain_rasa(work, plain_model, args.quick)
    print()
    print(f"Start to ready: {', '.join(readiness)} (/healthz 200), plain Rasa {plain_ready:.1f} s")
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print(table(systems, plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
