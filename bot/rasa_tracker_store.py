"""Rasa's SQL tracker store, with the conversations it serves kept in memory.

Loaded by Rasa (in its own environment), never by the gateway: ``endpoints.yml``
names this class. Rasa's ``SQLTrackerStore`` reads every event of the session
back from the database and replays it into a new tracker on every message, and
counts them again (a query with a sub-query) to know which to write: the
longer a resident talks, the more each message costs (a profile at 10
residents put 37% of the serving Rasa's time in ``retrieve``).

This store keeps the trackers it last saved (least recently used first out)
and hands one back only when the database agrees it is current: one indexed
query for the highest event id of the conversation, which must be the id this
process wrote last, and the tracker must hold exactly the events written (a
turn that failed after changing the tracker in memory is read again). Anything
else — another Rasa server answered the conversation, the gateway deleted it
(retention, "delete my data"), a new session started, a database that
restarted — reads the database as Rasa does. The database stays the only
truth; memory only saves reading it again.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

log = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 2000
# Rasa's own index is on sender_id alone; with this one the highest id of one
# conversation is a single step (on PostgreSQL too). Part of the table, so a
# new database gets it with Rasa's tables; an older one when a store starts.
_LAST_ID_INDEX = sa.Index("ix_events_sender_id_id", SQLTrackerStore.SQLEvent.sender_id, SQLTrackerStore.SQLEvent.id)


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    last_id: int  # the conversation's highest event id once this tracker was written
    events: int  # how many events of the tracker are in the database


class CachedSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """``SQLTrackerStore`` that skips re-reading a conversation it wrote last."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self.cache_size = int(cache_size)
        super().__init__(*args, **kwargs)
        try:
            _LAST_ID_INDEX.create(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError as exc:  # another server created it at the same moment: fine
            log.info("index %s not created here: %s", _LAST_ID_INDEX.name, type(exc).__name__)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        # Trackers are built with the domain's slots: another domain, none of them.
        self._domain = domain or Domain.empty()
        self._cache.clear()

    def _last_id(self, session: Any, sender_id: str) -> Optional[int]:
        last: Optional[int] = session.query(sa.func.max(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == sender_id).scalar()
        return last

    def _current(self, session: Any, sender_id: str) -> Optional[_Cached]:
        cached = self._cache.get(sender_id)
        if cached is None:
            return None
        if len(cached.tracker.events) != cached.events or self._last_id(session, sender_id) != cached.last_id:
            del self._cache[sender_id]
            return None
        self._cache.move_to_end(sender_id)
        return cached

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session's tracker: from memory when the database agrees, else as Rasa reads it."""
        with self.session_scope() as session:
            cached = self._current(session, sender_id)
        if cached is not None:
            return cached.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            with self.session_scope() as session:
                last_id = self._last_id(session, sender_id)
            if last_id is not None:
                self._remember(tracker, last_id, len(tracker.events))
        return tracker

    def _remember(self, tracker: DialogueStateTracker, last_id: int, events: int) -> None:
        if tracker.events.maxlen is not None:  # a capped history drops events: lengths prove nothing
            return
        self._cache[tracker.sender_id] = _Cached(tracker, last_id, events)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events the database lacks; remember the tracker as written."""
        sender_id = tracker.sender_id
        cached = self._cache.pop(sender_id, None)  # back in below once this tracker is written
        last_id: Optional[int] = None
        if cached is not None and cached.tracker is tracker:
            new = list(tracker.events)[cached.events:]
            with self.session_scope() as session:  # the check and the write in one transaction
                if self._last_id(session, sender_id) == cached.last_id:
                    await self.stream_events(tracker)
                    rows = [self._row(sender_id, event) for event in new]
                    session.add_all(rows)
                    session.commit()
                    last_id = max((row.id for row in rows), default=cached.last_id)
        if cached is None or last_id is None:  # not the tracker this store wrote last: as Rasa saves
            await super().save(tracker)
            return
        # After a new session Rasa reads only that session back; so must the next retrieve.
        if not any(isinstance(event, SessionStarted) for event in new):
            self._remember(tracker, last_id, cached.events + len(new))

    def _row(self, sender_id: str, event: Any) -> Any:
        """One event as ``SQLTrackerStore.save`` writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"), data=json.dumps(data))
