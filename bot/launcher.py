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
import socket
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
    # Gateway replicas that share HAMKKE_PORT (SO_REUSEPORT): the kernel spreads connections over them.
    shared_port: set[str] = field(default_factory=set)
    restarts: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        env = self.env
        env.setdefault("HAMKKE_HOST", "127.0.0.1")
        env.setdefault("HAMKKE_PORT", "8000")
        env.setdefault("HAMKKE_RASA_URL", "http://127.0.0.1:5005")
        env.setdefault("HAMKKE_REDIS_URL", "")  # endpoints.yml names it: Rasa's lock store
        env.setdefault("HAMKKE_ACTIONS_URL", "http://127.0.0.1:5055")
        env.setdefault("HAMKKE_DATABASE_URL", f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'hamkke.db'}")
        env.setdefault("HAMKKE_RASA_TRACKER_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa-tracker.db'}")
        env.setdefault("HAMKKE_RASA_TRACKER_DIALECT", env["HAMKKE_RASA_TRACKER_URL"].split(":", 1)[0].split("+")[0])
        if not env.get("HAMKKE_RASA_JWT_SECRET"):
            env["HAMKKE_RASA_JWT_SECRET"] = new_secret()
        if not env.get("HAMKKE_LINK_SECRET"):  # one for every gateway replica, kept across restarts
            env["HAMKKE_LINK_SECRET"] = _kept_secret(self.log_dir.parent / "link-secret")
        env.setdefault("HAMKKE_GATEWAYS", "1")
        env.update({k: v for k, v in rasa_env().items() if k.startswith(("RASA_", "TF_"))})
        env["PYTHONPATH"] = str(PROJECT_ROOT)

    @property
    def gateway_url(self) -> str:
        """Where the gateway listens (the first replica's own port, when they have their own)."""
        return self.gateway_urls[0]

    @property
    def gateway_urls(self) -> list[str]:
        """Where each gateway replica can be reached (one address when they share ``HAMKKE_PORT``)."""
        host = self.env["HAMKKE_HOST"]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        ports = self.gateway_ports if len(self.gateway_names) > 1 and self.gateway_ports else \
            [self.env["HAMKKE_PORT"]]
        return [f"http://{host}:{port}" for port in ports]

    def _start(self, name: str, cmd: list[str], extra_env: Optional[dict[str, str]] = None) -> None:
        self.commands[name] = (cmd, dict(extra_env or {}))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(self.env, **(extra_env or {}))
        sock = None
        if name in self.shared_port:  # a socket of its own in the port's SO_REUSEPORT group
            sock = _reuse_port_socket(self.env["HAMKKE_HOST"], int(self.env["HAMKKE_PORT"]))
            cmd = [*cmd, "--fd", str(sock.fileno())]
        try:
            with (self.log_dir / f"{name}.log").open("ab") as log:  # the child keeps its own handle
                self.procs[name] = subprocess.Popen(
                    cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                    pass_fds=(sock.fileno(),) if sock is not None else ())
        finally:
            if sock is not None:  # only the child holds it: when the child dies, the kernel stops routing to it
                sock.close()

    @property
    def gateway_names(self) -> list[str]:
        """The gateway processes: ``gateway``, or ``gateway-1`` … with several replicas."""
        count = int(self.env.get("HAMKKE_GATEWAYS") or 1)
        return ["gateway"] if count <= 1 else [f"gateway-{index}" for index in range(1, count + 1)]

    @property
    def gateway_ports(self) -> list[str]:
        """Ports of their own for the replicas (``HAMKKE_GATEWAY_PORTS``, behind a load balancer), or none:
        then they all listen on ``HAMKKE_PORT``."""
        return [port.strip() for port in self.env.get("HAMKKE_GATEWAY_PORTS", "").split(",") if port.strip()]

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
            [str(APP_PYTHON), "-m", "actions.server", "-p", str(actions_port)],
            {"SANIC_HOST": urlsplit(self.env["HAMKKE_ACTIONS_URL"]).hostname or "127.0.0.1",
             "ACTION_SERVER_SANIC_WORKERS": "1"},
        )
        # The worker starts Rasa with the live model and swaps models when admins publish.
        worker_env = {"HAMKKE_MODEL": str(self.model), "HAMKKE_LOG_DIR": str(self.log_dir)}
        if self.rasa_listen_port:
            worker_env["HAMKKE_RASA_LISTEN_PORT"] = str(self.rasa_listen_port)
        self._start("worker", [str(APP_PYTHON), "-m", "bot.worker"], worker_env)
        uvicorn = [str(APP_PYTHON), "-m", "uvicorn", "bot.app:create_app", "--factory",
                   "--no-access-log", "--log-level", "warning", "--ws", "none"]
        names, ports = self.gateway_names, self.gateway_ports
        for index, name in enumerate(names):
            if len(names) == 1:
                where = ["--host", self.env["HAMKKE_HOST"], "--port", self.env["HAMKKE_PORT"]]
            elif ports:
                where = ["--host", self.env["HAMKKE_HOST"], "--port", ports[index % len(ports)]]
            else:
                where = []
                self.shared_port.add(name)
            self._start(name, uvicorn + where, {"HAMKKE_REPLICA": name})

    def wait_ready(self, timeout: float = 240.0, retries: int = 1) -> float:
        """Wait until ``/healthz`` answers 200; return the seconds it took. A process that exits during
        start-up is started again ``retries`` times (a passing fault, as after it is up); the next
        time it exits, start-up fails with its log."""
        started = time.monotonic()
        failures: dict[str, int] = {}
        while time.monotonic() - started < timeout:
            dead = self.dead()
            if dead:
                failures[dead] = failures.get(dead, 0) + 1
                log = self.tail(dead)
                if dead == "worker":  # the worker's Rasa says why it did not load
                    log += "\n--- rasa.log ---\n" + self.tail("rasa")
                if failures[dead] > retries:
                    raise RuntimeError(f"{dead} exited during start-up; see {self.log_dir / (dead + '.log')}\n"
                                       + log)
                print(f"!! {dead} exited during start-up; starting it again:\n{log}", file=sys.stderr, flush=True)
                cmd, extra_env = self.commands[dead]
                self._start(dead, cmd, extra_env)
                continue
            if all(_healthy(url) for url in self.gateway_urls):
                return time.monotonic() - started
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
        first = [name for name in self.procs if name.startswith("gateway")]
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


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _kept_secret(path: Path) -> str:
    """A secret kept in ``path`` (readable by its owner only), made on first use."""
    try:
        return path.read_text().strip() or _new_kept_secret(path)
    except FileNotFoundError:
        return _new_kept_secret(path)


def _new_kept_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = new_secret()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT, for one gateway replica to listen on."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    # uvicorn takes a socket passed with --fd for a Unix socket and never sets TCP_NODELAY on the
    # connections it accepts: Nagle's algorithm and delayed ACKs then held every answer ~40 ms.
    # Accepted connections inherit the option from the listening socket.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


# The scaled topology on one machine (make run-scaled): the local PostgreSQL and Redis, two gateway
# replicas on HAMKKE_PORT, two Rasa servers. Each setting can be overridden in the environment or .env.
SCALED_DEFAULTS = {
    "HAMKKE_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/hamkke",
    "HAMKKE_RASA_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/hamkke_rasa",
    "HAMKKE_REDIS_URL": "redis://127.0.0.1:6379/0",
    "HAMKKE_GATEWAYS": "2",
    "HAMKKE_RASA_SERVERS": "2",
}


def scaled_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the scaled topology's defaults where it says nothing, and its databases created."""
    env = dict(env)
    for name, value in SCALED_DEFAULTS.items():
        if not env.get(name):
            env[name] = value
    env["HAMKKE_RASA_TRACKER_DIALECT"] = env["HAMKKE_RASA_TRACKER_URL"].split(":", 1)[0].split("+")[0]
    for url in (env["HAMKKE_DATABASE_URL"], env["HAMKKE_RASA_TRACKER_URL"]):
        _create_postgres_database(url)
    return env


def _on_postgres_server(url: str, *statements: str, only_if_missing: bool = False) -> None:
    """Run ``statements`` on the server of the PostgreSQL database ``url`` names (connected to its
    ``postgres`` database); with ``only_if_missing``, only when that database does not exist yet."""
    import asyncio

    import asyncpg

    parts = urlsplit(url)
    server = parts._replace(scheme="postgresql", path="/postgres").geturl()

    async def run() -> None:
        conn = await asyncpg.connect(server, timeout=5)
        try:
            if only_if_missing and await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                                       parts.path.lstrip("/")):
                return
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    try:
        asyncio.run(run())
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not reachable "
                         f"({type(exc).__name__}): the scaled topology needs it (see .env.example)") from exc


def _create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names, when it does not exist yet."""
    _on_postgres_server(url, f'CREATE DATABASE "{urlsplit(url).path.lstrip("/")}"', only_if_missing=True)


def drop_postgres_database(url: str) -> None:
    """Drop the PostgreSQL database ``url`` names (the benchmark's scaled run)."""
    _on_postgres_server(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def main(argv: Optional[list[str]] = None) -> int:
    """Run the assistant until interrupted."""
    os.umask(0o077)  # databases, logs and secrets this makes: readable by their owner only
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "hamkke.tar.gz")
    parser.add_argument("--scaled", action="store_true",
                        help="several gateways and Rasa servers on the local PostgreSQL and Redis")
    args = parser.parse_args(argv)
    env = scaled_environment(dict(os.environ)) if args.scaled else dict(os.environ)
    assistant = Assistant(model=args.model, env=env)
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
    env = assistant.env
    _say(f"==> Starting the action server, the worker with {env.get('HAMKKE_RASA_SERVERS') or 1} Rasa server(s), "
         f"and {len(assistant.gateway_names)} gateway(s) on "
         f"{'PostgreSQL' if env['HAMKKE_DATABASE_URL'].startswith('postgres') else 'SQLite'}"
         f"{' and Redis' if env.get('HAMKKE_REDIS_URL') else ''} (Rasa takes 20-40 s to load its model)...")
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
