"""Logging that never carries a resident's words.

Log lines name events and ids. Message text appears only through
:func:`text_for_log`, which hides it unless ``HAMKKE_DEBUG_LOG_TEXT`` is on
(for development only); even then it is masked.
"""

from __future__ import annotations

import logging

from hamkke.config import get_settings
from hamkke.privacy import mask


def text_for_log(text: str) -> str:
    """What a log line may say about a message's text."""
    if get_settings().debug_log_text:
        return repr(mask(text)[:200])
    return f"<{len(text)} chars>"


def configure_logging(level: str | None = None) -> None:
    """Plain, single-line logs to stderr; chatty libraries quietened."""
    logging.basicConfig(
        level=level or get_settings().log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # These libraries log request bodies or whole updates at DEBUG/INFO.
    for name in ("httpx", "httpcore", "telegram", "telegram.ext", "aiosqlite", "sqlalchemy.engine", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
