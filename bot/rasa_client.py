"""The gateway's client for Rasa's REST channel and HTTP API, and the action server."""

from __future__ import annotations

import time
import zlib
from typing import Any, Optional

import httpx
import jwt

from hamkke.config import Settings

# A server that refused a connection is tried last for this long (the worker also stops publishing
# it until its model is loaded again).
DOWN_S = 3.0


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, restarting, too slow or broken)."""


# One token per secret, valid 60 s and signed again when less than 30 s are left (not once per message).
TOKEN_MARGIN_S = 30
_TOKENS: dict[str, tuple[int, dict[str, str]]] = {}


def auth_headers(secret: str) -> dict[str, str]:
    """The header Rasa's HTTP API wants (a short-lived JWT), or none without a secret."""
    if not secret:
        return {}
    now = time.time()
    cached = _TOKENS.get(secret)
    if cached is None or cached[0] < now + TOKEN_MARGIN_S:  # signed again well before it expires
        token = jwt.encode({"user": {"username": "hamkke-gateway", "role": "admin"}, "exp": int(now) + 60},
                           secret, algorithm="HS256")
        cached = _TOKENS[secret] = (int(now) + 60, {"Authorization": f"Bearer {token}"})
    return dict(cached[1])


class RasaClient:
    """Talks to the Rasa servers of the live model over HTTP (localhost or the internal network).

    ``url`` holds one address, or several separated by commas (``HAMKKE_RASA_SERVERS``
    above 1): each conversation goes to one server (by a stable hash of its id), so
    its messages stay in order there; when that server refuses the connection (it
    died, or is starting again) the conversation goes to the next one, whose tracker
    store is the same.
    """

    def __init__(self, settings: Settings, client: Optional[httpx.AsyncClient] = None) -> None:
        self.settings = settings
        # Where the live model's Rasa listens: the configured address until the
        # worker publishes another (bot.app follows the database's live model).
        self.url = settings.rasa_url
        self._down: dict[str, float] = {}  # servers that refused a connection, until when they go last
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.rasa_timeout_s, connect=2.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    def _auth_headers(self) -> dict[str, str]:
        return auth_headers(self.settings.rasa_jwt_secret.get())

    @property
    def urls(self) -> list[str]:
        """Every Rasa server of the live model."""
        return [u.strip().rstrip("/") for u in self.url.split(",") if u.strip()] or [self.settings.rasa_url]

    def servers_for(self, conversation_id: str) -> list[str]:
        """The servers to try for a conversation: its own first, then the others in turn; a server that
        refused a connection in the last seconds goes last (it is down or starting again)."""
        urls = self.urls
        first = zlib.crc32(conversation_id.encode("utf-8")) % len(urls)
        now = time.monotonic()
        return sorted(urls[first:] + urls[:first], key=lambda url: self._down.get(url, 0.0) > now)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one message; return the bot's messages."""
        response: Optional[httpx.Response] = None
        for url in self.servers_for(conversation_id):
            try:
                response = await self._client.post(
                    f"{url}/webhooks/rest/webhook",
                    json={"sender": self.settings.rasa_sender_prefix + conversation_id, "message": text,
                          "metadata": metadata},
                    headers=self._auth_headers(),  # Rasa's channel answers the gateway only
                )
                self._down.pop(url, None)
                break
            except httpx.ConnectError as exc:  # never reached that server: the next one may take it
                last: Exception = exc
                self._down[url] = time.monotonic() + DOWN_S
                continue
            except httpx.HTTPError as exc:  # it may have been processed: not sent twice
                raise RasaUnavailable(type(exc).__name__) from exc
        if response is None:
            raise RasaUnavailable(type(last).__name__)
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise RasaUnavailable("invalid JSON") from exc
        if not isinstance(body, list):
            raise RasaUnavailable("unexpected body")
        return [m for m in body if isinstance(m, dict)]

    async def parse(self, conversation_id: str, text: str) -> tuple[Optional[str], float]:
        """The classifier's intent for ``text`` and its confidence, without touching the conversation
        (Rasa's ``/model/parse``); ``(None, 0.0)`` when no server answers."""
        for url in self.servers_for(conversation_id):
            try:
                response = await self._client.post(f"{url}/model/parse", json={"text": text},
                                                   headers=self._auth_headers())
                body = response.json() if response.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                continue
            intent = body.get("intent") if isinstance(body, dict) else None
            if isinstance(intent, dict) and isinstance(intent.get("name"), str):
                return intent["name"], float(intent.get("confidence") or 0.0)
            return None, 0.0
        return None, 0.0

    async def end_form(self, conversation_id: str) -> bool:
        """End any form left active in Rasa's tracker (when staff hand the conversation back).

        While staff own a conversation Rasa is not asked at all; this makes sure
        a half-finished eligibility check does not resume by surprise afterwards.
        """
        events = [{"event": "active_loop", "name": None},
                  {"event": "slot", "name": "requested_slot", "value": None}]
        try:
            response = await self._client.post(
                f"{self.servers_for(conversation_id)[0]}/conversations/{self.settings.rasa_sender_prefix}"
                f"{conversation_id}/tracker/events",
                json=events, headers=self._auth_headers(), params={"include_events": "NONE"})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def model_loaded(self) -> bool:
        """Whether a Rasa server of the live model is up with its model loaded (``GET /status``):
        with several, one is enough for residents to be answered."""
        for url in self.urls:
            try:
                response = await self._client.get(f"{url}/status", headers=self._auth_headers(), timeout=3.0)
                if response.status_code == 200 and bool(response.json().get("model_file")):
                    return True
            except (httpx.HTTPError, ValueError):
                continue
        return False

    async def actions_up(self) -> bool:
        """Whether the action server answers its health check."""
        try:
            response = await self._client.get(f"{self.settings.actions_url}/health", timeout=3.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
