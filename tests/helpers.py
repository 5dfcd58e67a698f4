"""Test helpers: free ports, real local HTTP servers standing in for peers."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from bot.worker import free_port  # never the same port twice in one process (shared with the worker)

Handler = Callable[[str, str, Any], tuple[int, Any]]


class LocalServer:
    """A real HTTP server on 127.0.0.1 whose answers a test decides.

    ``handler(method, path, json_body)`` returns ``(status, json_body)``; a
    body that is ``bytes`` is sent as is. Every request is recorded.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[tuple[str, str, Any]] = []
        self.local = threading.local()  # .headers: the headers of the request being handled
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                outer.requests.append((self.command, self.path, body))
                outer.local.headers = dict(self.headers.items())
                status, answer = outer.handler(self.command, self.path, body)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, *_args: Any) -> None:
                return

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def kakao_request(utterance: Any, user_id: str = "kakao-user-1", **extra: Any) -> dict[str, Any]:
    """A skill request shaped like the ones Kakao i Open Builder sends."""
    body: dict[str, Any] = {
        "intent": {"id": "fallback-block", "name": "폴백 블록"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"ignoreMe": "true"},
            "block": {"id": "fallback-block", "name": "폴백 블록"},
            "utterance": utterance,
            "lang": "ko",
            "user": {"id": user_id, "type": "botUserKey", "properties": {"plusfriendUserKey": "pf-" + user_id}},
        },
        "bot": {"id": "hamkke-test-bot", "name": "함께"},
        "action": {"name": "skill", "clientExtra": None, "params": {}, "id": "action-1", "detailParams": {}},
        "contexts": [],
    }
    body.update(extra)
    return body


class Gateway:
    """The real gateway application served by uvicorn on a free local port."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, ws="none", log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gateway:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class RedisServer:
    """A Redis server of the test's own on a free port (``redis-server`` from Debian), which the test
    can stop and start again: the machine's Redis is never touched. Keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import shutil
        import time

        binary = shutil.which("redis-server")
        if binary is None:
            import pytest

            pytest.skip("redis-server is not installed (Debian's redis-server package)")
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.stop()


def answer_texts(outputs: list[dict[str, Any]]) -> list[str]:
    from bot.replies import is_privacy_notice

    """The texts of a KakaoTalk response's outputs, without the once-only privacy notice (tested on its
    own: tests/test_kakao.py), so that a test of an answer reads the answer."""
    texts = [o["simpleText"]["text"] for o in outputs if "simpleText" in o]
    return [text for text in texts if not is_privacy_notice(text)]


def greeting_rasa(_method: str, path: str, _body: Any) -> tuple[int, Any]:
    """Rasa's REST channel for a ``LocalServer`` when what Rasa answers is not what a test is about:
    every message is greeted."""
    return 200, [{"custom": {"key": "greet"}}] if path.startswith("/webhooks/rest/webhook") else {}
