"""Start the whole assistant on one machine: action server, worker (and its Rasa), gateway.

``python -m bot.launcher`` (what ``make run`` calls) migrates and seeds the
database, starts the three processes bound to localhost (the gateway to
``HAMKKE_HOST``), waits until ``/healthz`` answers 200, prints where to talk
to it, starts again a process that dies (giving up, and stopping everything,
when one dies more than five times in a minute), and stops everything on
Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from hamkke.config import PROJECT_ROOT, new_secret
from hamkke.training import rasa_env

APP_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
RESTARTS_PER_MINUTE = 5


def _port(url: str, default: int) -> int:
    return urlsplit(url).port or default


@dataclass
class Assistant:
    """The three processes of one assistant, with the environment they share."""

    model: Path = PROJECT_ROOT / "models" / "hamkke.tar.gz"
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    log_dir: Path = PROJECT_ROOT / "var" / "logs"
    # Rasa listens where HAMKKE_RASA_URL points, unless a proxy sits between
    # the gateway and Rasa: then Rasa's own port is given here.
    rasa_listen_port: Optional[int] = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # How each process was started (to restart it), and when it was restarted lately.
    commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)
    restarts: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        env = self.env
        env.setdefault("HAMKKE_HOST", "127.0.0.1")
        env.setdefault("HAMKKE_PORT", "8000")
        env.setdefault("HAMKKE_RASA_URL", "http://127.0.0.1:5005")
        env.setdefault("HAMKKE_ACTIONS_URL", "http://127.0.0.1:5055")
        env.setdefault("HAMKKE_DATABASE_URL", f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'hamkke.db'}")
        env.setdefault("HAMKKE_RASA_TRACKER_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa-tracker.db'}")
        env.setdefault("HAMKKE_RASA_TRACKER_DIALECT", env["HAMKKE_RASA_TRACKER_URL"].split(":", 1)[0].split("+")[0])
        if not env.get("HAMKKE_RASA_JWT_SECRET"):
            env["HAMKKE_RASA_JWT_SECRET"] = new_secret()
        env.update({k: v for k, v in rasa_env().items() if k.startswith(("RASA_", "TF_"))})
        env["PYTHONPATH"] = str(PROJECT_ROOT)

    @property
    def gateway_url(self) -> str:
        """Where the gateway listens."""
        host = self.env["HAMKKE_HOST"]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        return f"http://{host}:{self.env['HAMKKE_PORT']}"

    def _start(self, name: str, cmd: list[str], extra_env: Optional[dict[str, str]] = None) -> None:
        self.commands[name] = (cmd, dict(extra_env or {}))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(self.env, **(extra_env or {}))
        with (self.log_dir / f"{name}.log").open("ab") as log:  # the child keeps its own handle
            self.procs[name] = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def setup_database(self) -> None:
        """Migrate and seed the database (idempotent)."""
        subprocess.run([str(APP_PYTHON), "-m", "hamkke.db.setup"], cwd=PROJECT_ROOT, env=self.env, check=True)

    def start(self) -> None:
        """Start the action server, the worker (which starts Rasa) and the gateway."""
        if not self.model.exists():
            raise SystemExit(f"No model at {self.model}: run `make model` (make run does it for you)")
        actions_port = _port(self.env["HAMKKE_ACTIONS_URL"], 5055)
        self._start(
            "actions",
            [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "-p", str(actions_port)],
            {"SANIC_HOST": urlsplit(self.env["HAMKKE_ACTIONS_URL"]).hostname or "127.0.0.1",
             "ACTION_SERVER_SANIC_WORKERS": "1"},
        )
        # The worker starts Rasa with the live model and swaps models when admins publish.
        worker_env = {"HAMKKE_MODEL": str(self.model), "HAMKKE_LOG_DIR": str(self.log_dir)}
        if self.rasa_listen_port:
            worker_env["HAMKKE_RASA_LISTEN_PORT"] = str(self.rasa_listen_port)
        self._start("worker", [str(APP_PYTHON), "-m", "bot.worker"], worker_env)
        self._start(
            "gateway",
            [str(APP_PYTHON), "-m", "uvicorn", "bot.app:create_app", "--factory",
             "--host", self.env["HAMKKE_HOST"], "--port", self.env["HAMKKE_PORT"],
             "--no-access-log", "--log-level", "warning", "--ws", "none"],
        )

    def wait_ready(self, timeout: float = 240.0) -> float:
        """Wait until ``/healthz`` answers 200; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            dead = self.dead()
            if dead:
                raise RuntimeError(f"{dead} exited during start-up; see {self.log_dir / (dead + '.log')}\n"
                                   + self.tail(dead))
            try:
                with urllib.request.urlopen(f"{self.gateway_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the assistant was not ready after {timeout:.0f} s")

    def dead(self) -> Optional[str]:
        """The name of a process that has exited, if any."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return name
        return None

    def restart_dead(self, most: int = RESTARTS_PER_MINUTE) -> Optional[str]:
        """Start again every process that exited (the others keep running, so residents' messages are
        still taken and stored: "busy" while Rasa or the actions are away). Returns the name of one that
        died more than ``most`` times in a minute (then the caller gives up), else None."""
        now = time.monotonic()
        for name, proc in list(self.procs.items()):
            if proc.poll() is None or name not in self.commands:
                continue
            recent = [t for t in self.restarts.get(name, []) if now - t < 60] + [now]
            self.restarts[name] = recent
            if len(recent) > most:
                return name
            cmd, extra_env = self.commands[name]
            self._start(name, cmd, extra_env)
        return None

    def tail(self, name: str, lines: int = 30) -> str:
        """The last lines of a process's log."""
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop, draining: the gateway first (it stops taking messages and finishes the ones it holds,
        which still need Rasa and the actions), then the worker with its Rasa and the action server.
        SIGTERM, then SIGKILL after 25 s for each group."""
        self.commands.clear()  # nothing is started again from here
        first = [name for name in ("gateway",) if name in self.procs]
        for group in (first, [name for name in self.procs if name not in first]):
            procs = [self.procs[name] for name in group]
            for proc in procs:
                if proc.poll() is None:
                    try:
                        os.killpg(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + 25
            for proc in procs:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        self.procs.clear()


def main(argv: Optional[list[str]] = None) -> int:
    """Run the assistant until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "hamkke.tar.gz")
    args = parser.parse_args(argv)
    assistant = Assistant(model=args.model)
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    # A closed terminal (SIGHUP) stops the children too, never leaves them running.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _stop)
    started = time.monotonic()
    assistant.setup_database()
    assistant.start()
    # Whatever happens from here (Ctrl-C, a closed terminal, a broken pipe to
    # `tee`), the three processes are stopped with the launcher.
    try:
        return _serve(assistant, started, lambda: stopping)
    finally:
        _say("==> Stopping...")
        assistant.stop()


def _say(text: str, error: bool = False) -> None:
    """Print, even when nobody reads any more (a pipe closed by Ctrl-C)."""
    try:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)
    except OSError:
        pass


def _account_count(database_url: str) -> int:
    """How many console accounts exist (-1 when the database cannot tell)."""
    import asyncio

    from hamkke.accounts import count_users
    from hamkke.db.session import Database

    async def count() -> int:
        db = Database(database_url)
        try:
            async with db.session() as session:
                return await count_users(session)
        finally:
            await db.dispose()

    try:
        return asyncio.run(count())
    except Exception:  # only a hint: never stop the assistant for it
        return -1


def _serve(assistant: Assistant, started: float, stopping: Callable[[], bool]) -> int:
    _say("==> Starting the action server, the worker with Rasa, and the gateway "
         "(Rasa takes 20-40 s to load its model)...")
    try:
        waited = assistant.wait_ready()
    except (RuntimeError, TimeoutError) as exc:
        _say(f"!! {exc}", error=True)
        return 1
    url = assistant.gateway_url
    accounts = _account_count(assistant.env["HAMKKE_DATABASE_URL"])
    first = ("\n    No console account yet: create the first with\n"
             "                    make user NAME=<name> ROLE=admin\n") if accounts == 0 else ""
    _say(
        f"\n==> Hamkke is ready after {time.monotonic() - started:.1f} s (healthz after {waited:.1f} s).\n"
        f"    Gateway:        {url}  (health: {url}/healthz)\n"
        f"    KakaoTalk skill: POST {url}/kakao/skill\n"
        f"    Staff console:  {url}/staff  (accounts: {url}/admin/users)\n"
        f"{first}"
        f"    JSON API:       {url}/docs\n"
        f"    Talk to it:     make chat   (in another terminal)\n"
        f"    Logs:           {assistant.log_dir}/\n"
        f"    Stop:           Ctrl-C\n"
    )
    while not stopping():
        dead = assistant.dead()
        if dead:
            _say(f"!! {dead} stopped unexpectedly; starting it again:\n{assistant.tail(dead, 10)}", error=True)
            failing = assistant.restart_dead()
            if failing:
                _say(f"!! {failing} keeps stopping ({RESTARTS_PER_MINUTE} restarts in a minute); giving up",
                     error=True)
                return 1
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
