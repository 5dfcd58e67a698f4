"""The tracker store Rasa runs with (bot/rasa_tracker_store.py), in Rasa's own environment, on SQLite
and on the local PostgreSQL: whatever happened to a conversation, what it hands Rasa is what Rasa's own
SQLTrackerStore reads from the same database, and it reads the database again only when it must."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hamkke.config import PROJECT_ROOT
from hamkke.training import RASA_PYTHON, rasa_env
from tests.conftest import POSTGRES_ADMIN_URL, postgres_databases

# Each step does something to the conversation, then compares a retrieve by the cached store ("ours")
# with one by a fresh SQLTrackerStore on the same database ("rasa"), and says whether ours came from
# memory (the very tracker it saved last).
_SCRIPT = r"""
import asyncio, json, sys, time
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from bot.rasa_tracker_store import CachedSQLTrackerStore

url = sys.argv[1]
dialect = url.split(":", 1)[0].split("+")[0]
domain = Domain.from_dict({"slots": {"birth_year": {"type": "any", "mappings": [{"type": "custom"}]}}})
report = []
LATER = time.time() + 100  # after the action_listen Rasa's get_or_create_tracker stamps now

def events(tracker):
    return [e.as_dict() for e in tracker.events] if tracker is not None else None

async def main():
    ours = CachedSQLTrackerStore(domain=domain, dialect=dialect, host=url, cache_size=2)
    other = CachedSQLTrackerStore(domain=domain, dialect=dialect, host=url)  # a second Rasa server

    async def step(name, sender="r1"):
        mine = await ours.retrieve(sender)
        truth = await SQLTrackerStore(domain=domain, dialect=dialect, host=url).retrieve(sender)
        report.append({"step": name, "same": events(mine) == events(truth),
                       "events": len(mine.events) if mine is not None else None,
                       "from_memory": mine is not None and sender in ours._cache
                       and ours._cache[sender].tracker is mine and mine is last.get(sender)})
        return mine

    last = {}
    tracker = await ours.get_or_create_tracker("r1")
    for name, extra in [("first turn", [SessionStarted(timestamp=1.0), ActionExecuted("action_listen", timestamp=1.0),
                                        UserUttered("hi", {"name": "greet"}, timestamp=2.0),
                                        ActionExecuted("utter_greet", timestamp=3.0),
                                        BotUttered("hello", timestamp=3.0)]),
                        ("second turn", [UserUttered("born 1962", {"name": "inform"}, timestamp=4.0),
                                         SlotSet("birth_year", 1962, timestamp=5.0)])]:
        for event in extra:
            tracker.update(event)
        await ours.save(tracker)
        last["r1"] = tracker
        tracker = await step(name)

    # A turn that failed after changing the tracker in memory, and was never saved.
    tracker.update(UserUttered("lost", {"name": "greet"}, timestamp=6.0))
    tracker = await step("unsaved change")

    # The other server answers the next message of this conversation.
    theirs = await other.retrieve("r1")
    theirs.update(UserUttered("and the phone?", {"name": "followup"}, timestamp=7.0))
    await other.save(theirs)
    tracker = await step("written by another server")
    tracker.update(ActionExecuted("utter_phone", timestamp=8.0))
    await ours.save(tracker)
    last["r1"] = tracker
    tracker = await step("ours again")

    # The other server writes between this store's read and its write (the gateway's lock prevents
    # it; if it ever happened, this store must not keep a tracker that lacks the other's turn).
    theirs = await other.retrieve("r1")
    theirs.update(UserUttered("and the address?", {"name": "followup"}, timestamp=8.5))
    await other.save(theirs)
    tracker.update(ActionExecuted("utter_address", timestamp=9.0))
    await ours.save(tracker)
    tracker = await step("written by another server mid-turn")

    # A new session: Rasa reads only the latest one back.
    tracker.update(SessionStarted(timestamp=LATER))
    tracker.update(ActionExecuted("action_listen", timestamp=LATER))
    await ours.save(tracker)
    last["r1"] = tracker
    tracker = await step("new session")
    tracker.update(UserUttered("hello again", {"name": "greet"}, timestamp=LATER + 1))
    await ours.save(tracker)
    last["r1"] = tracker
    tracker = await step("after the new session")

    # More conversations than the cache holds: the oldest is read again, correctly.
    for sender in ("r2", "r3"):
        t = await ours.get_or_create_tracker(sender)
        t.update(UserUttered("hi " + sender, {"name": "greet"}, timestamp=LATER + 2))
        await ours.save(t)
        t = await ours.retrieve(sender)
        t.update(ActionExecuted("utter_greet", timestamp=LATER + 3))
        await ours.save(t)
        last[sender] = t
    await step("evicted", "r1")
    await step("kept", "r3")

    # The gateway deletes the conversation (retention, "delete my data").
    with ours.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'r3'"))
    await step("deleted", "r3")

asyncio.run(main())
print(json.dumps(report))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    with postgres_databases("hamkke_cts") as (name,):
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def test_what_rasa_gets_is_what_the_database_holds(tracker_url: str) -> None:
    env = {**rasa_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([str(RASA_PYTHON), "-c", _SCRIPT, tracker_url], env=env, capture_output=True,
                          text=True, timeout=180, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    steps = {row["step"]: row for row in json.loads(done.stdout.strip().splitlines()[-1])}
    assert all(row["same"] for row in steps.values()), steps
    # Read from memory only when nothing else touched the conversation since this store wrote it.
    assert steps["second turn"]["from_memory"] and steps["ours again"]["from_memory"], steps
    assert steps["after the new session"]["events"] == 3, steps["after the new session"]  # the new session only
    assert not steps["unsaved change"]["from_memory"]
    assert not steps["written by another server"]["from_memory"]
    assert steps["written by another server"]["events"] == 9  # its turn is there
    assert not steps["written by another server mid-turn"]["from_memory"]
    assert not steps["evicted"]["from_memory"] and steps["kept"]["from_memory"]
    assert steps["deleted"]["events"] is None
