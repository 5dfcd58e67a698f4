"""A small Telegram Bot API server on localhost, for driving the real adapter.

It implements the methods the adapter uses the way Telegram does (form or
JSON parameters, ``{"ok": true, "result": ...}`` answers, 429 with
``parameters.retry_after``): getMe, getUpdates (long polling, offsets),
sendMessage, editMessageText, answerCallbackQuery, sendLocation, setWebhook,
deleteWebhook, getWebhookInfo, setMyCommands. Tests queue updates and read what was sent.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from tests.helpers import free_port

TOKEN = "123456:TEST-token_for-hamkke"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Hamkke", "username": "hamkke_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


class BotAPI:
    """The server. ``sent`` lists every successful sendMessage, in order."""

    def __init__(self) -> None:
        self.port = free_port()
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[float, str, dict[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.throttle_next: dict[int, int] = {}  # chat id -> retry_after for its next sendMessage
        self._cond = threading.Condition()
        self._message_id = 1000
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._serve()

            def do_GET(self) -> None:
                self._serve()

            def _serve(self) -> None:
                path = urllib.parse.urlsplit(self.path)
                prefix = f"/bot{TOKEN}/"
                if not path.path.startswith(prefix):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                method = path.path[len(prefix):]
                params = dict(urllib.parse.parse_qsl(path.query))
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("content-type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw:
                    params.update(dict(urllib.parse.parse_qsl(raw.decode())))
                status, body = api.handle(method, params)
                self._reply(status, body)

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                import sys

                if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    return  # the adapter gave up a long poll it no longer needs (at its stop)
                super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The base URL to give the adapter (TELEGRAM_API_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> BotAPI:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        with self._cond:
            self._cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # -- what tests do ----------------------------------------------------------

    def push(self, update: dict[str, Any], again: bool = False) -> None:
        """Queue an update for getUpdates; ``again`` delivers it even below the offset (a re-delivery)."""
        with self._cond:
            self.updates.append({**update, "_again": True} if again else update)
            self._cond.notify_all()

    def wait_sent(self, count: int, timeout: float = 30.0, chat_id: Optional[int] = None) -> list[dict[str, Any]]:
        """Wait until ``count`` messages went to ``chat_id`` (or anywhere); return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.sent if chat_id is None or m["chat_id"] == chat_id]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} of {count} messages sent: {found}")
                self._cond.wait(left)

    def called(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method``."""
        return [params for _at, name, params in self.calls if name == method]

    # -- the Bot API ------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        with self._cond:
            self.calls.append((time.monotonic(), method, params))
        if method == "getMe":
            return self.ok(BOT_USER)
        if method == "getUpdates":
            return self.ok(self._get_updates(params))
        if method == "sendMessage":
            return self._send_message(params)
        if method == "editMessageText":
            return self.ok(self._message(params, params.get("text", "")))
        if method == "answerCallbackQuery":
            return self.ok(True)
        if method == "sendLocation":
            return self.ok(self._message(params, None))
        if method == "setWebhook":
            self.webhook = dict(params)
            return self.ok(True)
        if method == "deleteWebhook":
            self.webhook = {}
            return self.ok(True)
        if method == "setMyCommands":
            return self.ok(True)
        if method == "getWebhookInfo":
            return self.ok({"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                            "pending_update_count": 0})
        return 404, {"ok": False, "error_code": 404, "description": f"Not Found: method {method}"}

    @staticmethod
    def ok(result: Any) -> tuple[int, Any]:
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                # Telegram forgets updates below the offset; a re-queued id is delivered again.
                self.updates = [u for u in self.updates if u["update_id"] >= offset or u.get("_again")]
                ready = [dict(u) for u in self.updates]
                if ready:
                    for update in self.updates:
                        update.pop("_again", None)
                    for update in ready:
                        update.pop("_again", None)
                    return ready
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._cond.wait(left)

    def _message(self, params: dict[str, Any], text: Optional[str]) -> dict[str, Any]:
        with self._cond:
            self._message_id += 1
            message_id = self._message_id
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or message_id), "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER,
        }
        if text is not None:
            message["text"] = text
        return message

    def _send_message(self, params: dict[str, Any]) -> tuple[int, Any]:
        chat_id = int(params["chat_id"])
        with self._cond:
            retry_after = self.throttle_next.pop(chat_id, None)
        if retry_after is not None:
            return 429, {"ok": False, "error_code": 429,
                         "description": f"Too Many Requests: retry after {retry_after}",
                         "parameters": {"retry_after": retry_after}}
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        message = self._message(params, params["text"])
        with self._cond:
            self.sent.append({"chat_id": chat_id, "text": params["text"], "reply_markup": markup,
                              "at": time.monotonic(), "message_id": message["message_id"]})
            self._cond.notify_all()
        return self.ok(message)


def user(user_id: int, lang: Optional[str] = None) -> dict[str, Any]:
    """A Telegram user."""
    out: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Resident"}
    if lang:
        out["language_code"] = lang
    return out


def message_update(update_id: int, user_id: int, lang: Optional[str] = None, **content: Any) -> dict[str, Any]:
    """An update with a private message (``text=...``, ``sticker=...``, ``location=...``)."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
        "from": user(user_id, lang), **content}}


def callback_update(update_id: int, user_id: int, data: str, message: dict[str, Any],
                    lang: Optional[str] = None) -> dict[str, Any]:
    """A button press on a message the bot sent."""
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "from": user(user_id, lang), "chat_instance": "ci", "data": data,
        "message": {"message_id": message["message_id"], "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private"}, "from": BOT_USER, "text": message["text"]}}}


STICKER = {"file_id": "CAACAgIAAxk", "file_unique_id": "AgAD", "type": "regular", "width": 512, "height": 512,
           "is_animated": False, "is_video": False}
