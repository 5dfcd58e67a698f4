"""A small LibreTranslate server on localhost, for driving the real deep-translator client.

It speaks LibreTranslate's API the way deep-translator's ``LibreTranslator``
uses it: ``POST /translate`` with ``q``, ``source``, ``target``, ``format``
and ``api_key`` (deep-translator puts them in the query string; a JSON or
form body is read too) answered by ``{"translatedText": ...}``, errors as
``{"error": ...}`` with 400, 403 or 500, and ``GET /languages``.

Its "translation" replaces the words and phrases of a small dictionary per
language pair (enough for the test sentences) and Korean particles after a
Latin word or a number, and leaves every other token as it is, placeholders
included. Tests set ``mode`` ("normal", "error",
"hang"), may ``rewrite`` every answer (to imitate an engine that mangles
placeholders) and read ``requests``: every request, with its parameters.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from tests.helpers import free_port

LANGUAGES = {"en": "English", "ko": "Korean", "ru": "Russian", "vi": "Vietnamese"}

# Word for word, and wrong where a real engine would be wrong too: without the
# glossary, "карту культуры" comes out as "카드 문화".
DICTIONARY: dict[tuple[str, str], dict[str, str]] = {
    ("ru", "ko"): {
        "здравствуйте": "안녕하세요", "у меня": "저는", "виза": "비자", "визу": "비자", "я": "저는",
        "хочу": "원해요", "получить": "받기를", "на": "", "карта": "카드", "карту": "카드",
        "культуры": "문화", "позвонить": "전화하다", "позвоните": "전화하세요", "мой": "제", "номер": "번호",
        "телефона": "전화", "учусь": "공부해요", "в": "에서", "и": "그리고", "спасибо": "감사합니다",
    },
    ("vi", "ko"): {
        "xin chào": "안녕하세요", "tôi": "저는", "muốn": "원해요", "đăng ký": "신청", "thẻ": "카드",
        "văn hóa": "문화", "visa": "비자", "gọi": "전화", "số": "번호", "cảm ơn": "감사합니다",
    },
    ("en", "ko"): {
        "hello": "안녕하세요", "i": "저는", "want": "원해요", "to": "", "apply": "신청", "for": "",
        "a": "", "the": "", "card": "카드", "my": "제", "visa": "비자", "call": "전화하세요", "thank you": "감사합니다",
    },
    ("ko", "ru"): {
        "안녕하세요": "Здравствуйте", "신청하세요": "подайте заявление", "전화하세요": "позвоните", "비자": "виза",
        "가지고": "с", "또는": "или", "감사합니다": "Спасибо",
    },
    ("ko", "vi"): {
        "안녕하세요": "Xin chào", "신청하세요": "hãy đăng ký", "전화하세요": "hãy gọi", "비자": "visa",
        "가지고": "mang", "또는": "hoặc", "감사합니다": "Cảm ơn",
    },
    ("ko", "en"): {
        "안녕하세요": "Hello", "신청하세요": "apply", "전화하세요": "call", "비자": "visa",
        "가지고": "with", "또는": "or", "감사합니다": "Thank you",
    },
}

# Korean particles after a Latin word, a number or a code (F-4를, 1345에), the
# way an engine sees them after a placeholder: a preposition or nothing.
_PARTICLES = {
    "ru": {"에서": " в", "에": " в"},
    "vi": {"에서": " tại", "에": " tại"},
    "en": {"에서": " at", "에": " at"},
}
_PARTICLE = re.compile(r"(?<=[A-Za-z0-9])(에서|에게|에|을|를|은|는|이|가|도|로|으로)(?=[\s.,!?]|$)")


def _pattern(words: dict[str, str]) -> re.Pattern[str]:
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        if re.match(r"[가-힣]", word):
            alternatives.append(re.escape(word))  # Korean: particles attach to words
        else:
            alternatives.append(rf"(?<!\w){re.escape(word)}(?!\w)")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def fake_translate(text: str, source: str, target: str) -> str:
    """Replace the dictionary's words; leave every other token as it is."""
    words = DICTIONARY.get((source, target), {})
    if not words:
        return text
    if source == "ko":
        particles = _PARTICLES.get(target, {})
        text = _PARTICLE.sub(lambda m: particles.get(m.group(1), ""), text)
    out = _pattern(words).sub(lambda m: words[m.group(0).lower()], text)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


class LibreTranslate:
    """The server.

    ``mode`` is "normal", "error" (answers ``error_status`` with
    ``{"error": ...}``) or "hang" (waits ``hang_s`` seconds, or until the
    server stops, then answers normally); with ``hang_only`` set, only texts
    containing it hang. ``api_key``, when set, is required (403 otherwise).
    ``rewrite`` changes every translated text before it is sent.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "normal"
        self.error_status = 500
        self.hang_s = 10.0
        self.hang_only: Optional[str] = None
        self.api_key: Optional[str] = None
        self.rewrite: Optional[Callable[[str], str]] = None
        self.requests: list[dict[str, Any]] = []
        self._release = threading.Event()
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._serve()

            def do_GET(self) -> None:
                self._serve()

            def _serve(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("content-type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw:
                    params.update(dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)))
                status, body = api.handle(self.command, url.path, params, raw)
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting (a test of the deadline)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The server's base URL (deep-translator wants it with a final "/")."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def texts(self) -> list[str]:
        """Every ``q`` sent to /translate, in order."""
        return [r["params"].get("q", "") for r in self.requests if r["path"] == "/translate"]

    def handle(self, method: str, path: str, params: dict[str, Any], raw: bytes) -> tuple[int, Any]:
        """Answer one request as LibreTranslate would."""
        with self._lock:
            self.requests.append({"method": method, "path": path, "params": dict(params), "raw": raw})
        if path == "/languages" and method == "GET":
            return 200, [{"code": code, "name": name, "targets": [c for c in LANGUAGES if c != code]}
                         for code, name in LANGUAGES.items()]
        if path != "/translate" or method != "POST":
            return 404, {"error": "Not Found"}
        if self.api_key is not None and params.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        text, source, target = params.get("q"), params.get("source"), params.get("target")
        if not isinstance(text, str) or not text:
            return 400, {"error": "Invalid request: missing q parameter"}
        if source not in LANGUAGES or target not in LANGUAGES:
            return 400, {"error": f"{source} -> {target} is not supported"}
        if self.mode == "error":
            return self.error_status, {"error": "Cannot translate text: model failed"}
        if self.mode == "hang" and (self.hang_only is None or self.hang_only in text):
            self._release.wait(self.hang_s)
        translated = fake_translate(text, source, target)
        if self.rewrite is not None:
            translated = self.rewrite(translated)
        return 200, {"translatedText": translated}

    def __enter__(self) -> LibreTranslate:
        # A short poll interval: shutdown() returns within it.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._release.set()  # hanging requests answer now
        self.server.shutdown()
        self.server.server_close()
