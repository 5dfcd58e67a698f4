"""Settings, read from the environment in one place (see ``.env.example``)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """Return the secret value."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if not value else float(value)


def _default_db_url() -> str:
    return f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'hamkke.db'}"


@dataclass(frozen=True)
class Settings:
    """Every setting of the assistant. Built by :func:`get_settings`."""

    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = field(default_factory=_default_db_url)
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    rasa_jwt_secret: Secret = field(default_factory=lambda: Secret(""))
    rasa_timeout_s: float = 10.0
    # Put before every conversation id sent to Rasa: the worker's quality check
    # talks through a gateway of its own and must not touch residents' trackers.
    rasa_sender_prefix: str = ""
    # Seconds between the gateway's sweeps (messages a crash left unanswered; answers owed after Rasa was away).
    sweep_s: float = 30.0
    # Rasa servers the worker runs for the live model; gateways spread conversations over them.
    rasa_servers: int = 1
    # Redis shared by several gateway replicas (conversation locks, Telegram's polling and limits); "" = none.
    redis_url: str = ""
    # A message still "received" after this many seconds was left by a gateway that stopped: staff get it.
    stale_s: float = 120.0
    # Rasa's tracker store (a synchronous SQLAlchemy URL), where residents' conversations are deleted too.
    rasa_tracker_url: str = field(default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa-tracker.db'}")
    # Residents' messages, conversations and Rasa's events are deleted after this many days (PIPA);
    # the worker checks every retention_every_s seconds.
    retention_days: float = 180.0
    retention_every_s: float = 3600.0
    # Admins' retrainings: the pipeline they train with, and how many points a
    # language may lose on the held-out questions before a new model is refused.
    train_config: str = "config.yml"
    quality_tolerance: float = 1.0
    default_language: str = "en"
    max_message_chars: int = 2000
    debug_log_text: bool = False
    log_level: str = "INFO"
    kakao_skill_secret: Secret = field(default_factory=lambda: Secret(""))
    kakao_bot_id: str = ""
    telegram_bot_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_webhook_url: str = ""
    telegram_webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    telegram_api_base_url: str = "https://api.telegram.org"
    kakao_reply_budget_s: float = 3.5
    # Hosts a Kakao callbackUrl may point at (and their subdomains).
    kakao_callback_hosts: tuple[str, ...] = ("kakao.com", "kakaoenterprise.com")
    # The gateway's public address (for links to answers too long for a chat); empty = none.
    public_url: str = ""
    link_secret: Secret = field(default_factory=lambda: Secret(new_secret()))
    # Freezes the assistant's clock (ISO date-time); for tests and demos only.
    frozen_now: str = ""
    # Machine translation for the staff console (hamkke.translation): "" (none),
    # "libre" (LibreTranslate at translation_url), "papago", "deepl" or "google".
    translation_provider: str = ""
    translation_url: str = ""
    translation_api_key: Secret = field(default_factory=lambda: Secret(""))
    # Papago's client secret (its client id is translation_api_key).
    translation_api_secret: Secret = field(default_factory=lambda: Secret(""))
    translation_timeout_s: float = 6.0
    # The staff console: idle minutes before a session ends; cookies marked
    # Secure (set when the console is served over HTTPS).
    console_idle_minutes: int = 30
    console_secure_cookies: bool = False

    @property
    def is_production(self) -> bool:
        """Whether the gateway runs in production mode (``HAMKKE_ENV=production``)."""
        return self.env == "production"


def load_settings() -> Settings:
    """Read the settings from the environment."""
    jwt = os.environ.get("HAMKKE_RASA_JWT_SECRET") or ""
    return Settings(
        env=_env("HAMKKE_ENV", "development"),
        host=_env("HAMKKE_HOST", "127.0.0.1"),
        port=int(_env("HAMKKE_PORT", "8000")),
        database_url=_env("HAMKKE_DATABASE_URL", _default_db_url()),
        rasa_url=_env("HAMKKE_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        actions_url=_env("HAMKKE_ACTIONS_URL", "http://127.0.0.1:5055").rstrip("/"),
        rasa_jwt_secret=Secret(jwt),
        rasa_timeout_s=_env_float("HAMKKE_RASA_TIMEOUT", 10.0),
        train_config=_env("HAMKKE_TRAIN_CONFIG", "config.yml"),
        sweep_s=_env_float("HAMKKE_SWEEP_SECONDS", 30.0),
        rasa_servers=int(_env("HAMKKE_RASA_SERVERS", "1")),
        redis_url=_env("HAMKKE_REDIS_URL", ""),
        stale_s=_env_float("HAMKKE_STALE_SECONDS", 120.0),
        rasa_tracker_url=_env("HAMKKE_RASA_TRACKER_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa-tracker.db'}"),
        retention_days=_env_float("HAMKKE_RETENTION_DAYS", 180.0),
        retention_every_s=_env_float("HAMKKE_RETENTION_EVERY_SECONDS", 3600.0),
        quality_tolerance=_env_float("HAMKKE_QUALITY_TOLERANCE", 1.0),
        default_language=_env("HAMKKE_DEFAULT_LANGUAGE", "en"),
        max_message_chars=int(_env("HAMKKE_MAX_MESSAGE_CHARS", "2000")),
        debug_log_text=_env_bool("HAMKKE_DEBUG_LOG_TEXT", False),
        log_level=_env("HAMKKE_LOG_LEVEL", "INFO").upper(),
        kakao_skill_secret=Secret(os.environ.get("KAKAO_SKILL_SECRET") or ""),
        kakao_bot_id=_env("KAKAO_BOT_ID", ""),
        frozen_now=_env("HAMKKE_FROZEN_NOW", ""),
        telegram_bot_token=Secret(os.environ.get("TELEGRAM_BOT_TOKEN") or ""),
        telegram_webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
        telegram_webhook_secret=Secret(os.environ.get("TELEGRAM_WEBHOOK_SECRET") or ""),
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/"),
        kakao_reply_budget_s=_env_float("KAKAO_REPLY_BUDGET", 3.5),
        kakao_callback_hosts=tuple(h.strip().lower() for h in _env(
            "KAKAO_CALLBACK_HOSTS", "kakao.com,kakaoenterprise.com").split(",") if h.strip()),
        public_url=_env("HAMKKE_PUBLIC_URL", "").rstrip("/"),
        link_secret=Secret(os.environ.get("HAMKKE_LINK_SECRET") or new_secret()),
        translation_provider=_env("HAMKKE_TRANSLATION_PROVIDER", "").lower(),
        translation_url=_env("HAMKKE_TRANSLATION_URL", ""),
        translation_api_key=Secret(os.environ.get("HAMKKE_TRANSLATION_API_KEY") or ""),
        translation_api_secret=Secret(os.environ.get("HAMKKE_TRANSLATION_API_SECRET") or ""),
        translation_timeout_s=_env_float("HAMKKE_TRANSLATION_TIMEOUT", 6.0),
        console_idle_minutes=int(_env("HAMKKE_CONSOLE_IDLE_MINUTES", "30")),
        console_secure_cookies=_env_bool("HAMKKE_CONSOLE_SECURE_COOKIES",
                                         _env("HAMKKE_PUBLIC_URL", "").startswith("https://")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()


def new_secret() -> str:
    """A fresh random secret, for processes started together on one machine."""
    return secrets.token_urlsafe(32)
