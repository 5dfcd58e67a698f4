"""The answers admins keep in the database, served live by every gateway.

FAQ entries (``faq_entries``) hold each topic's answer per language; a
language without its own answer may be marked to fall back to another
language's. A published entry's answers replace the catalog's for the same
key (:func:`hamkke.i18n.set_overrides`). :class:`LiveContent` reloads them,
and tells its listeners (caches of aliases and the like), whenever the content
version (:mod:`hamkke.provenance`) differs from the one it loaded: the core
checks before answering each message, so an admin's edit reaches the next
resident on any channel and any replica, without retraining or restarting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES, i18n
from hamkke.db.models import FaqEntry
from hamkke.db.session import Database
from hamkke.provenance import current_version

log = logging.getLogger(__name__)


def served_answers(entry: FaqEntry) -> dict[str, str]:
    """What each language gets from an entry: its own answer, else its fallback language's."""
    own = {lang: text for lang, text in (entry.answers or {}).items() if text and text.strip()}
    served = dict(own)
    for lang, other in (entry.fallback or {}).items():
        if lang not in served and other in own:
            served[lang] = own[other]
    return served


def missing_languages(entry: FaqEntry) -> list[str]:
    """Languages with neither an answer nor a fallback: the entry cannot be published."""
    served = served_answers(entry)
    return [lang for lang in SUPPORTED_LANGUAGES if lang not in served]


async def load_answers(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Every published entry's answers, by intent then language."""
    rows = (await session.scalars(select(FaqEntry).where(FaqEntry.status == "published"))).all()
    answers = {row.intent: served_answers(row) for row in rows}
    for row in rows:  # each topic's short name (its "did you mean…?" button), where one is given
        labels = {lang: text for lang, text in (row.labels or {}).items() if text and text.strip()}
        if labels:
            answers[f"topic_{row.intent}"] = labels
    return answers


class LiveContent:
    """Keeps this process's answers equal to the database's (checked per message)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.version = -1
        self.listeners: list[Callable[[], None]] = []

    async def refresh(self, session: Optional[AsyncSession] = None) -> bool:
        """Reload when the content changed since the last load; True when it did (in ``session`` when
        given: the gateway reads the resident and the version together)."""
        if session is None:
            async with self.db.session() as own:
                return await self.refresh(own)
        version = await current_version(session)
        if version == self.version:
            return False
        answers = await load_answers(session)
        i18n.set_overrides(answers)
        self.version = version
        for listener in self.listeners:
            listener()
        log.info("content version %d loaded (%d FAQ answers from the database)", version, len(answers))
        return True
